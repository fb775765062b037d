"""Storing a checked organisation document (all or nothing, through
clusters.services.organisation), and writing a campaign back out as one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from clusters.enums import ORGANISING_KINDS, MemberRole
from clusters.interchange.reading import (
    FORMAT,
    ORGANISER_KIND,
    ImportSummary,
    OrganizationFileError,
    OrganizationPlan,
    T,
    organization_validate,
    validation_messages,
)
from clusters.models import Campaign, Cluster, Membership, Unit
from clusters.services import organisation as organisation_services


def _call(label: str, function: Callable[..., T], **kwargs: Any) -> T:
    """Call a service; turn a refusal into a message that names the record."""
    try:
        return function(**kwargs)
    except ValidationError as exc:
        raise OrganizationFileError(
            [
                _("%(record)s: %(message)s") % {"record": label, "message": message}
                for message in validation_messages(exc)
            ]
        ) from exc
    except DatabaseError as exc:
        raise OrganizationFileError(
            [_("%(record)s: the database refused it (%(error)s)") % {"record": label, "error": exc}]
        ) from exc


def _resolve_organiser(plan: OrganizationPlan) -> Unit:
    if plan.organiser_code is None:
        return _call("organiser", organisation_services.organiser_default)
    unit = plan.existing.get(plan.organiser_code)
    place = plan.organiser_place
    if (
        unit is not None
        and (plan.organiser_name is None or plan.organiser_name == unit.name)
        and (place is None or place == unit.place)
    ):
        return unit
    if unit is None:
        return _call(
            "organiser",
            organisation_services.unit_upsert,
            code=plan.organiser_code,
            name=plan.organiser_name,
            kind=ORGANISER_KIND,
            place=place,
        )
    return _call(
        "organiser",
        organisation_services.unit_upsert,
        code=unit.code,
        name=plan.organiser_name or unit.name,
        kind=unit.kind,
        short_name=unit.short_name,
        parent=unit.parent,
        place=place,
    )


def _organiser_object(unit: Unit) -> dict:
    """The file's organiser: code and name, and its place name where one is set."""
    data = {"code": unit.code, "name": unit.name}
    if unit.place:
        data["place"] = unit.place
    return data


def _parent_for(old: Unit | None, kind: str, organiser: Unit) -> Unit | None:
    """Where a unit of the file sits. A member is not a subordinate: a file never moves a
    unit that has a parent, and never places a ministry or provincial police (an organiser
    of its own) under anyone; a new unit, or an existing one without a parent, of another
    kind is placed under the file's organiser."""
    if old is not None and old.parent_id is not None:
        return old.parent
    if kind in ORGANISING_KINDS:
        return None
    return organiser


def organization_import(*, data: dict, organiser_code: str | None = None) -> ImportSummary:
    """Validate ``data`` (see :func:`organization_validate`), then store it through the
    services in one transaction: all of it, or nothing when anything is refused.

    Re-importing a file changes nothing; units listed in another cluster than before move.
    Clusters of the campaign that the file does not list are kept as they are.
    Raises :class:`OrganizationFileError`.
    """
    with transaction.atomic():
        plan = organization_validate(data, organiser_code=organiser_code)
        organiser = _resolve_organiser(plan)
        campaign = Campaign.objects.filter(organiser=organiser, year=plan.year).first()
        campaign_created = campaign is None
        campaign = _call(
            "campaign",
            organisation_services.campaign_upsert,
            organiser=organiser,
            year=plan.year,
            name=plan.campaign_name,
            slogan=plan.campaign_slogan,
        )
        summary = ImportSummary(
            organiser=organiser, campaign=campaign, campaign_created=campaign_created
        )

        units = dict(plan.existing)
        for record in plan.units:
            old = units.get(record.code)
            wanted = {"name": record.name, "short_name": record.short_name, "kind": record.kind}
            if old is not None and old.kind in ORGANISING_KINDS:
                # An organiser of its own (a ministry or provincial police) stays one.
                wanted["kind"] = old.kind
            parent = _parent_for(old, wanted["kind"], organiser)
            if old is None:
                summary.units_created.append(record.code)
            elif all(getattr(old, k) == v for k, v in wanted.items()) and (
                old.parent_id == (parent.pk if parent else None)
            ):
                summary.units_unchanged.append(record.code)
                continue
            else:
                summary.units_updated.append(record.code)
            units[record.code] = _call(
                record.label,
                organisation_services.unit_upsert,
                code=record.code,
                parent=parent,
                **wanted,
            )

        before = dict(
            Membership.objects.filter(campaign=campaign).values_list("unit__code", "cluster__code")
        )
        stored = {c.code: c for c in campaign.clusters.all()}
        listed = {c.code for c in plan.clusters}
        summary.kept_clusters = sorted(code for code in stored if code not in listed)
        # Renumbering clusters in place could clash half-way (1↔2): park the ones whose
        # number changes out of the way first.
        for offset, record in enumerate(plan.clusters):
            old = stored.get(record.code)
            if old is not None and old.number != record.number:
                old.number = 32767 - offset
                _call(
                    record.label,
                    organisation_services.cluster_upsert,
                    campaign=campaign,
                    code=old.code,
                    number=old.number,
                    name=old.name,
                    description=old.description,
                )
        clusters: dict[str, Cluster] = {}
        for record in plan.clusters:
            (
                summary.clusters_updated if record.code in stored else summary.clusters_created
            ).append(record.code)
            clusters[record.code] = _call(
                record.label,
                organisation_services.cluster_upsert,
                campaign=campaign,
                code=record.code,
                number=record.number,
                name=record.name,
                description=record.description,
                kind=record.kind,
            )
        for record in plan.clusters:
            memberships = _call(
                record.label,
                organisation_services.cluster_set_members,
                cluster=clusters[record.code],
                members=[units[code] for code in record.members],
                leader=units[record.leader] if record.leader else None,
                deputy=units[record.deputy] if record.deputy else None,
            )
            summary.memberships += len(memberships)
            for code in record.members:
                if code in before and before[code] != record.code:
                    summary.moved.append((code, before[code], record.code))
    return summary


def organization_export(campaign: Campaign) -> dict:
    """``campaign``'s organisation as a ``thidua.organization/1`` document: the units of
    its clusters (by code) and its clusters (by number), members ordered by code."""
    memberships = (
        Membership.objects.filter(campaign=campaign)
        .select_related("unit", "cluster")
        .order_by("cluster__number", "unit__code")
    )
    by_cluster: dict[int, list[Membership]] = {}
    units: dict[str, Unit] = {}
    for membership in memberships:
        by_cluster.setdefault(membership.cluster_id, []).append(membership)
        units[membership.unit.code] = membership.unit

    def head(cluster: Cluster, role: str) -> str | None:
        found = [m.unit.code for m in by_cluster.get(cluster.pk, []) if m.role == role]
        return found[0] if found else None

    return {
        "format": FORMAT,
        "year": campaign.year,
        "organiser": _organiser_object(campaign.organiser),
        "campaign": {"name": campaign.name, "slogan": campaign.slogan},
        "units": [
            {"code": u.code, "name": u.name, "short_name": u.short_name, "kind": u.kind}
            for u in sorted(units.values(), key=lambda u: u.code)
        ],
        "clusters": [
            {
                "code": cluster.code,
                "number": cluster.number,
                "kind": cluster.kind,
                "name": cluster.name,
                "description": cluster.description,
                "leader": head(cluster, MemberRole.LEADER),
                "deputy": head(cluster, MemberRole.DEPUTY),
                "members": [m.unit.code for m in by_cluster.get(cluster.pk, [])],
            }
            for cluster in campaign.clusters.order_by("number")
        ],
    }
