"""Writes to the organisation. Forms, the admin, imports, commands and the demo data all
call these functions, so every path runs the same validation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import PROTECT
from django.utils.translation import gettext_lazy as _

from clusters.enums import MemberRole, Phase, UnitKind
from clusters.images import clean_field_upload
from clusters.models import (
    Campaign,
    Cluster,
    ConferencePhoto,
    Membership,
    Pledge,
    PledgeItem,
    Registration,
    Signature,
    SigningConference,
    Unit,
    User,
)

# The organiser meant where a file or command names none (domain.md section 7). It is a
# placeholder created on first use; staff can rename it, but its code must stay.
DEFAULT_ORGANISER_CODE = "DEFAULT"
DEFAULT_ORGANISER_NAME = "Đơn vị tổ chức mặc định"


def _save(obj, **values):
    """Set ``values``, validate and save; an existing row that would not change is left
    alone (no write, no history record), so re-running an import or the demo is silent."""
    if obj.pk is not None and all(getattr(obj, name) == value for name, value in values.items()):
        return obj
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def unit_upsert(
    *,
    code: str,
    name: str,
    kind: str = UnitKind.OTHER,
    short_name: str = "",
    parent: Unit | None = None,
) -> Unit:
    """Create the unit with ``code``, or bring its name, kind and parent up to date."""
    unit = Unit.objects.filter(code=code).first() or Unit(code=code)
    return _save(unit, name=name, kind=kind, short_name=short_name, parent=parent)


@transaction.atomic
def organiser_default() -> Unit:
    """The installation's default organiser (code ``DEFAULT_ORGANISER_CODE``), created on
    first use with kind "other" and no parent; an existing one is returned unchanged."""
    unit = Unit.objects.filter(code=DEFAULT_ORGANISER_CODE).first()
    if unit is not None:
        return unit
    return _save(
        Unit(code=DEFAULT_ORGANISER_CODE), name=DEFAULT_ORGANISER_NAME, kind=UnitKind.OTHER
    )


@transaction.atomic
def unit_deactivate(*, unit: Unit, on: dt.date, successor: Unit | None = None) -> Unit:
    """Mark a dissolved or merged unit inactive from ``on``; its history stays."""
    return _save(unit, is_active=False, deactivated_on=on, successor=successor)


@transaction.atomic
def campaign_upsert(*, organiser: Unit, year: int, name: str, slogan: str = "") -> Campaign:
    """Create the organiser's campaign for ``year``, or update its name and slogan."""
    campaign = Campaign.objects.filter(organiser=organiser, year=year).first()
    campaign = campaign or Campaign(organiser=organiser, year=year)
    return _save(campaign, name=name, slogan=slogan)


@transaction.atomic
def campaign_set_phase(*, campaign: Campaign, phase: str, user=None) -> Campaign:
    """Move the campaign to ``phase``; the change is recorded with the user."""
    if campaign.phase == phase:
        return campaign
    campaign._history_user = user
    return _save(campaign, phase=Phase(phase))


@transaction.atomic
def cluster_upsert(
    *, campaign: Campaign, code: str, number: int, name: str, description: str = ""
) -> Cluster:
    """Create the campaign's cluster with ``code``, or update it."""
    cluster = Cluster.objects.filter(campaign=campaign, code=code).first()
    cluster = cluster or Cluster(campaign=campaign, code=code)
    return _save(cluster, number=number, name=name, description=description)


@transaction.atomic
def cluster_set_members(
    *,
    cluster: Cluster,
    members: list[Unit],
    leader: Unit | None = None,
    deputy: Unit | None = None,
) -> list[Membership]:
    """Make ``members`` (which must include the leader and deputy) exactly the cluster's
    units, with the given leader and deputy. Units leave before others join, so a unit can
    move between two clusters: a listed unit that is in another cluster of the same campaign
    moves here."""
    roles: dict[int, str] = {u.pk: MemberRole.MEMBER for u in members}
    for unit, role in ((leader, MemberRole.LEADER), (deputy, MemberRole.DEPUTY)):
        if unit is not None:
            roles[unit.pk] = role
    cluster.memberships.exclude(unit_id__in=roles).delete()
    Membership.objects.filter(campaign_id=cluster.campaign_id, unit_id__in=roles).exclude(
        cluster=cluster
    ).delete()
    # Clear roles first so a leader and deputy can swap places.
    cluster.memberships.exclude(role=MemberRole.MEMBER).update(role=MemberRole.MEMBER)
    result = []
    units = {u.pk: u for u in [*members, *(u for u in (leader, deputy) if u)]}
    for unit_id, role in roles.items():
        membership = Membership.objects.filter(cluster=cluster, unit_id=unit_id).first()
        membership = membership or Membership(cluster=cluster, unit=units[unit_id])
        result.append(_save(membership, role=role))
    return result


# --- Setting up a year: campaigns, clusters, members and roles -------------------------


def _ensure_open(campaign: Campaign) -> None:
    """A published year is history: its clusters and roles no longer change."""
    if campaign.phase == Phase.PUBLISHED:
        raise ValidationError(
            _("The campaign %(campaign)s is published; its clusters can no longer change."),
            params={"campaign": str(campaign)},
        )


@transaction.atomic
def campaign_create(*, organiser: Unit, year: int, name: str, slogan: str = "") -> Campaign:
    """A new campaign of ``organiser`` for ``year``; refused when that year exists."""
    return _save(Campaign(organiser=organiser, year=year), name=name, slogan=slogan)


@transaction.atomic
def cluster_create(
    *, campaign: Campaign, number: int, code: str, name: str, description: str = ""
) -> Cluster:
    """A new cluster of ``campaign``; refused when the number or code is taken."""
    _ensure_open(campaign)
    cluster = Cluster(campaign=campaign, code=code)
    return _save(cluster, number=number, name=name, description=description)


@transaction.atomic
def cluster_rename(*, cluster: Cluster, number: int, name: str) -> Cluster:
    """Give ``cluster`` another number and name (its code stays: files name it by code)."""
    _ensure_open(cluster.campaign)
    return _save(cluster, number=number, name=name)


@transaction.atomic
def membership_add(*, cluster: Cluster, unit: Unit, role: str = MemberRole.MEMBER) -> Membership:
    """Place ``unit`` in ``cluster``; refused for a unit dissolved before the year, a unit
    already placed this year, or a second leader or deputy."""
    _ensure_open(cluster.campaign)
    return _save(Membership(cluster=cluster, unit=unit), role=role)


@transaction.atomic
def membership_move(*, unit: Unit, cluster: Cluster) -> Membership:
    """Move ``unit`` to ``cluster`` within the same campaign (placing it when it has no
    cluster yet). It joins as a member: a leader or deputy leaves that role behind."""
    _ensure_open(cluster.campaign)
    membership = Membership.objects.filter(campaign_id=cluster.campaign_id, unit=unit).first()
    if membership is None:
        return membership_add(cluster=cluster, unit=unit)
    if membership.cluster_id == cluster.pk:
        return membership
    _ensure_no_records(membership)
    membership.cluster = cluster
    membership.role = MemberRole.MEMBER
    membership.full_clean()
    membership.save()
    return membership


def _ensure_no_records(membership: Membership) -> None:
    """Refuse to take a unit out of a cluster where records of that unit protect the cluster
    (score sheets, for instance). Other apps' models are found through the relations, so
    this module names none of them."""
    for relation in Cluster._meta.related_objects:
        model = relation.related_model
        if relation.on_delete is not PROTECT or not relation.many_to_one:
            continue
        if "unit" not in {f.name for f in model._meta.get_fields()}:
            continue
        lookup = {relation.field.name: membership.cluster_id, "unit_id": membership.unit_id}
        if model._default_manager.filter(**lookup).exists():
            raise ValidationError(
                _("%(unit)s already has %(records)s in %(cluster)s; it cannot leave that cluster."),
                params={
                    "unit": membership.unit.name,
                    "records": model._meta.verbose_name_plural,
                    "cluster": membership.cluster.name,
                },
            )


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Take the unit out of its cluster for the year; refused when the unit already has
    records (such as score sheets) in that cluster."""
    _ensure_open(membership.cluster.campaign)
    _ensure_no_records(membership)
    membership.delete()


@transaction.atomic
def cluster_set_head(*, cluster: Cluster, unit: Unit, role: str) -> Membership:
    """Give ``unit`` (a member of ``cluster``) the role ``role``: leader, deputy or member.

    The unit that held that role takes the unit's old role when it was leader or deputy
    (the two swap), and otherwise becomes a member.
    """
    _ensure_open(cluster.campaign)
    role = MemberRole(role)
    membership = cluster.memberships.filter(unit=unit).first()
    if membership is None:
        raise ValidationError(
            _("%(unit)s is not a member of %(cluster)s."),
            params={"unit": unit.name, "cluster": cluster.name},
        )
    old_role = membership.role
    if old_role == role:
        return membership
    holder = None
    if role != MemberRole.MEMBER:
        holder = cluster.memberships.filter(role=role).exclude(pk=membership.pk).first()
    # Clear both roles first: the database allows one leader and one deputy at any moment.
    ids = [membership.pk] + ([holder.pk] if holder else [])
    Membership.objects.filter(pk__in=ids).update(role=MemberRole.MEMBER)
    if holder is not None:
        holder.refresh_from_db()
        _save(holder, role=old_role)
    membership.refresh_from_db()
    return _save(membership, role=role)


@dataclass
class CampaignCopy:
    """What a copy of last year's clusters did."""

    campaign: Campaign
    replaced: list[tuple[Unit, Unit]] = field(default_factory=list)
    skipped: list[Unit] = field(default_factory=list)


@transaction.atomic
def campaign_copy(
    *, source: Campaign, year: int, name: str | None = None, slogan: str | None = None
) -> CampaignCopy:
    """Copy ``source``'s clusters, members, leaders and deputies into a new campaign of the
    same organiser for ``year``.

    A unit dissolved by the new year is replaced by its successor when the successor is
    active and not placed already (keeping the role), and is otherwise left out; both are
    reported so staff can adjust.
    """
    campaign = _save(
        Campaign(organiser=source.organiser, year=year),
        name=name or source.name.replace(str(source.year), str(year)),
        slogan=source.slogan if slogan is None else slogan,
    )
    result = CampaignCopy(campaign=campaign)
    first_day = dt.date(year, 1, 1)
    placed: set[int] = set()
    memberships = Membership.objects.filter(campaign=source).select_related(
        "unit__successor", "cluster"
    )
    by_cluster: dict[int, list[Membership]] = {}
    for membership in memberships.order_by("cluster__number", "unit__code"):
        by_cluster.setdefault(membership.cluster_id, []).append(membership)
    for old in source.clusters.order_by("number"):
        new = _save(
            Cluster(campaign=campaign, code=old.code),
            number=old.number,
            name=old.name,
            description=old.description,
        )
        for membership in by_cluster.get(old.pk, []):
            unit = membership.unit
            if not unit.is_active and unit.deactivated_on <= first_day:
                successor = unit.successor
                if successor is None or not successor.is_active or successor.pk in placed:
                    result.skipped.append(unit)
                    continue
                result.replaced.append((unit, successor))
                unit = successor
            if unit.pk in placed:
                continue
            placed.add(unit.pk)
            _save(Membership(cluster=new, unit=unit), role=membership.role)
    return result


@transaction.atomic
def signing_conference_record(
    *,
    cluster: Cluster,
    held_on: dt.date,
    place: str,
    chair: str,
    attendees: str = "",
    notes: str = "",
) -> SigningConference:
    """Record (or correct) the cluster's signing conference."""
    conference = SigningConference.objects.filter(cluster=cluster).first()
    conference = conference or SigningConference(cluster=cluster)
    return _save(
        conference, held_on=held_on, place=place, chair=chair, attendees=attendees, notes=notes
    )


@transaction.atomic
def pledge_record(
    *,
    cluster: Cluster,
    slogan: str,
    preamble: str = "",
    items: Sequence[tuple[str, str] | tuple[str, str, int | None]],
) -> Pledge:
    """Record the cluster's pledge; ``items`` are (area, content) pairs in order, or
    (area, content, id) triples where ``id`` names an item of this pledge to keep (so what
    other apps attach to it, such as the criterion that scores it, stays). A pair keeps an
    item of the pledge with the same area and content; every item not kept is removed."""
    pledge = Pledge.objects.filter(cluster=cluster).first() or Pledge(cluster=cluster)
    _save(pledge, slogan=slogan, preamble=preamble)
    existing = {item.pk: item for item in pledge.items.all()}
    rows: list[tuple[PledgeItem, dict]] = []
    for order, row in enumerate(items, start=1):
        pk = row[2] if len(row) > 2 else None
        if pk is None:
            pk = next(
                (i.pk for i in existing.values() if (i.area, i.content) == (row[0], row[1])),
                None,
            )
        item = existing.pop(pk, None) if pk is not None else None
        rows.append(
            (item or PledgeItem(pledge=pledge), {"order": order, "area": row[0], "content": row[1]})
        )
    PledgeItem.objects.filter(pk__in=list(existing)).delete()
    for item, values in rows:
        _save(item, **values)
    return pledge


@transaction.atomic
def signature_record(
    *, pledge: Pledge, unit: Unit, signatory: str, position: str, signed_on: dt.date
) -> Signature:
    """Record (or correct) a member unit's signature of the pledge."""
    signature = Signature.objects.filter(pledge=pledge, unit=unit).first()
    signature = signature or Signature(pledge=pledge, unit=unit)
    return _save(signature, signatory=signatory, position=position, signed_on=signed_on)


@transaction.atomic
def registration_record(
    *, campaign: Campaign, unit: Unit, titles: list[str], registered_on: dt.date | None = None
) -> Registration:
    """Record the titles ``unit`` registers for in ``campaign``."""
    registration = Registration.objects.filter(campaign=campaign, unit=unit).first()
    registration = registration or Registration(campaign=campaign, unit=unit)
    return _save(registration, titles=list(titles), registered_on=registered_on)


@transaction.atomic
def user_upsert(
    *,
    username: str,
    password: str | None = None,
    unit: Unit | None = None,
    full_name: str = "",
    position: str = "",
    is_superuser: bool = False,
    groups: Iterable[str] = (),
) -> User:
    """Create the active user ``username``, or bring it up to date.

    A superuser is also staff (Django admin). ``password``, when given, is checked against
    ``AUTH_PASSWORD_VALIDATORS`` and replaces the old one; a new user without one gets an
    unusable password. The user's groups become exactly ``groups`` (created if missing).
    """
    user = User.objects.filter(username=username).first() or User(username=username)
    user.unit = unit
    user.full_name = full_name
    user.position = position
    user.is_superuser = is_superuser
    user.is_staff = is_superuser
    user.is_active = True
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    return user


# --- Signing records with their files (the cluster page) ---------------------------------
#
# A file attached to a signing record (minutes, a signature's scanned copy) is never deleted
# silently: replacing it keeps the old stored copy, and a signature with a scanned copy
# cannot be removed (signature_remove refuses). Only a conference photo, which nobody signs,
# is removed with its file.


@transaction.atomic
def conference_minutes_attach(*, conference: SigningConference, upload) -> SigningConference:
    """Attach the conference's minutes (validated by content and size; a scan sent as a
    picture is re-encoded without its metadata by clusters.images). A previous file stays
    in storage: the minutes are a signed record."""
    conference.minutes = upload
    conference.full_clean()
    clean_field_upload(conference, "minutes")
    conference.save()
    return conference


@transaction.atomic
def conference_photo_add(
    *, conference: SigningConference, image, caption: str = ""
) -> ConferencePhoto:
    """Add a photo (validated by content and size) to the conference's gallery, stored
    re-encoded without its metadata, at most 2,000 px (clusters.images)."""
    photo = ConferencePhoto(conference=conference, image=image, caption=caption)
    photo.full_clean()
    clean_field_upload(photo, "image")
    photo.save()
    return photo


@transaction.atomic
def conference_photo_remove(*, photo: ConferencePhoto) -> None:
    """Remove a photo and, once the row's deletion commits, its stored file."""
    photo.delete()
    transaction.on_commit(lambda: photo.image.delete(save=False))


@transaction.atomic
def pledge_settings_record(*, cluster: Cluster, members_may_sign: bool) -> Pledge:
    """Let (or stop letting) member units record their own signature and registration."""
    pledge = Pledge.objects.filter(cluster=cluster).first() or Pledge(cluster=cluster)
    return _save(pledge, members_may_sign=members_may_sign)


@transaction.atomic
def signature_sign(
    *,
    pledge: Pledge,
    unit: Unit,
    signatory: str,
    position: str,
    signed_on: dt.date,
    scanned_copy=None,
) -> Signature:
    """Record (or correct) a unit's signature and, when given, its scanned copy (validated
    by content and size; a picture is re-encoded without its metadata by clusters.images).
    A replaced scanned copy stays in storage."""
    signature = signature_record(
        pledge=pledge, unit=unit, signatory=signatory, position=position, signed_on=signed_on
    )
    if scanned_copy is not None:
        signature.scanned_copy = scanned_copy
        signature.full_clean()
        clean_field_upload(signature, "scanned_copy")
        signature.save()
    return signature


@transaction.atomic
def signature_remove(*, signature: Signature) -> None:
    """Withdraw a signature recorded by mistake. One with a scanned copy is refused: the
    signed file is never deleted (an administrator can still act in the administration)."""
    if signature.scanned_copy:
        raise ValidationError(
            _("This signature has a scanned copy: it cannot be removed here."),
            code="signed_file",
        )
    signature.delete()
