"""Writes to the records of a cluster's signing conference: the conference with its minutes
and photos, the pledge and its items, the units' signatures (with their scanned copies) and
registrations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clusters.images import clean_field_upload
from clusters.models import (
    Campaign,
    Cluster,
    ConferencePhoto,
    Pledge,
    PledgeItem,
    Registration,
    Signature,
    SigningConference,
    Unit,
)
from clusters.services.common import save_changed


@transaction.atomic
def signing_conference_record(
    *,
    cluster: Cluster,
    held_on: dt.date,
    place: str,
    chair: str,
    attendees: str = "",
    notes: str = "",
    user=None,
) -> SigningConference:
    """Record (or correct) the cluster's signing conference; ``user`` is who did, for its
    history."""
    conference = SigningConference.objects.filter(cluster=cluster).first()
    conference = conference or SigningConference(cluster=cluster)
    return save_changed(
        conference,
        user=user,
        held_on=held_on,
        place=place,
        chair=chair,
        attendees=attendees,
        notes=notes,
    )


@transaction.atomic
def pledge_record(
    *,
    cluster: Cluster,
    slogan: str,
    preamble: str = "",
    items: Sequence[tuple[str, str] | tuple[str, str, int | None]],
    user=None,
) -> Pledge:
    """Record the cluster's pledge; ``items`` are (area, content) pairs in order, or
    (area, content, id) triples where ``id`` names an item of this pledge to keep (so what
    other apps attach to it, such as the criterion that scores it, stays). A pair keeps an
    item of the pledge with the same area and content; every item not kept is removed.
    ``user`` is who did, for the history of the pledge and its items."""
    pledge = Pledge.objects.filter(cluster=cluster).first() or Pledge(cluster=cluster)
    save_changed(pledge, user=user, slogan=slogan, preamble=preamble)
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
    for item in existing.values():
        item._history_user = user
        item.delete()
    for item, values in rows:
        save_changed(item, user=user, **values)
    return pledge


@transaction.atomic
def signature_record(
    *,
    pledge: Pledge,
    unit: Unit,
    signatory: str,
    position: str,
    signed_on: dt.date,
    user=None,
) -> Signature:
    """Record (or correct) a member unit's signature of the pledge."""
    signature = Signature.objects.filter(pledge=pledge, unit=unit).first()
    signature = signature or Signature(pledge=pledge, unit=unit)
    return save_changed(
        signature, user=user, signatory=signatory, position=position, signed_on=signed_on
    )


@transaction.atomic
def registration_record(
    *,
    campaign: Campaign,
    unit: Unit,
    titles: list[str],
    registered_on: dt.date | None = None,
    user=None,
) -> Registration:
    """Record the titles ``unit`` registers for in ``campaign``."""
    registration = Registration.objects.filter(campaign=campaign, unit=unit).first()
    registration = registration or Registration(campaign=campaign, unit=unit)
    return save_changed(registration, user=user, titles=list(titles), registered_on=registered_on)


# --- Signing records with their files (the cluster page) ---------------------------------
#
# A file attached to a signing record (minutes, a signature's scanned copy) is never deleted
# silently: replacing it keeps the old stored copy, and a signature with a scanned copy
# cannot be removed (signature_remove refuses). Only a conference photo, which nobody signs,
# is removed with its file.


@transaction.atomic
def conference_minutes_attach(
    *, conference: SigningConference, upload, user=None
) -> SigningConference:
    """Attach the conference's minutes (validated by content and size; a scan sent as a
    picture is re-encoded without its metadata by clusters.images). A previous file stays
    in storage: the minutes are a signed record."""
    conference.minutes = upload
    conference.full_clean()
    clean_field_upload(conference, "minutes")
    conference._history_user = user
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
def pledge_settings_record(*, cluster: Cluster, members_may_sign: bool, user=None) -> Pledge:
    """Let (or stop letting) member units record their own signature and registration."""
    pledge = Pledge.objects.filter(cluster=cluster).first() or Pledge(cluster=cluster)
    return save_changed(pledge, user=user, members_may_sign=members_may_sign)


@transaction.atomic
def signature_sign(
    *,
    pledge: Pledge,
    unit: Unit,
    signatory: str,
    position: str,
    signed_on: dt.date,
    scanned_copy=None,
    user=None,
) -> Signature:
    """Record (or correct) a unit's signature and, when given, its scanned copy (validated
    by content and size; a picture is re-encoded without its metadata by clusters.images).
    A replaced scanned copy stays in storage."""
    signature = signature_record(
        pledge=pledge,
        unit=unit,
        signatory=signatory,
        position=position,
        signed_on=signed_on,
        user=user,
    )
    if scanned_copy is not None:
        signature.scanned_copy = scanned_copy
        signature.full_clean()
        clean_field_upload(signature, "scanned_copy")
        signature._history_user = user
        signature.save()
    return signature


@transaction.atomic
def signature_remove(*, signature: Signature, user=None) -> None:
    """Withdraw a signature recorded by mistake. One with a scanned copy is refused: the
    signed file is never deleted (an administrator can still act in the administration)."""
    if signature.scanned_copy:
        raise ValidationError(
            _("This signature has a scanned copy: it cannot be removed here."),
            code="signed_file",
        )
    signature._history_user = user
    signature.delete()
