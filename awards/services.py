"""Writes and the reads they rely on for awards: award types, restrictions, votes, and who
is eligible in a cluster (computed by awards/rules.py from the published final results)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from awards import notices, rules
from awards.enums import DecisionOutcome, ExclusionReason, RestrictionKind
from awards.models import (
    AwardType,
    Decision,
    DecisionItem,
    TitleRule,
    UnitRestriction,
    Vote,
)
from clusters.enums import PeriodKind
from clusters.images import clean_field_upload
from clusters.models import Campaign, Cluster, Membership, Unit
from scoring import workflow
from scoring.enums import Stage
from scoring.models import ScoreSheet

# --- Reads -----------------------------------------------------------------------------------


@dataclass
class Row:
    """A unit of the cluster under one award type: its result, and the vote (eligible) or
    why it is not eligible (excluded)."""

    unit: Unit
    sheet: ScoreSheet
    vote: Vote | None = None
    reason: str = ""


@dataclass
class AwardEligibility:
    award_type: AwardType
    eligible: list[Row] = field(default_factory=list)
    excluded: list[Row] = field(default_factory=list)


@dataclass
class ClusterAwards:
    """The awards of a cluster: empty with ``reason`` when its results are not published."""

    cluster: Cluster
    published: bool
    reason: str = ""
    awards: list[AwardEligibility] = field(default_factory=list)


def exclusion_text(exclusion: rules.Exclusion) -> str:
    """Why a unit is not eligible, in the interface language."""
    if exclusion.reason == rules.RESTRICTED:
        return _("%(kind)s: %(reason)s") % {
            "kind": RestrictionKind(exclusion.detail).label,
            "reason": exclusion.text,
        }
    if exclusion.reason == rules.BELOW_BAND:
        return _("Below the band %(band)s") % {"band": exclusion.detail}
    if exclusion.reason == rules.BEYOND_LIMIT:
        return _("Beyond the %(count)s per cluster") % {"count": exclusion.detail}
    return str(ExclusionReason(exclusion.reason).label)


def active_restrictions(campaign: Campaign, on: dt.date | None = None) -> list[UnitRestriction]:
    """The campaign's restrictions running on ``on`` (today by default)."""
    on = on or timezone.localdate()
    return list(
        UnitRestriction.objects.filter(campaign=campaign, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .order_by("starts_on", "pk")
    )


def eligibility(cluster: Cluster, on: dt.date | None = None) -> ClusterAwards:
    """Per award type of the cluster's campaign, the eligible units (by rank, with their
    vote) and the excluded ones with the reason, from the published final-stage sheets. A
    fixed number of queries whatever the number of units and award types."""
    if not workflow.is_published(cluster):
        return ClusterAwards(
            cluster, False, _("The cluster's final results are not published yet.")
        )
    # Awards follow the year: the year-end review's results, never the six-month review's.
    sheets = list(
        ScoreSheet.objects.filter(
            cluster=cluster, stage=Stage.FINAL, period__kind=PeriodKind.YEAR_END
        ).select_related("unit", "table")
    )
    by_unit = {s.unit_id: s for s in sheets}
    bands = [b.get("label", "") for b in sheets[0].table.bands] if sheets else []
    results = [rules.UnitResult(s.unit_id, s.rank, s.total, s.band, s.leading) for s in sheets]
    restrictions = [
        rules.Restriction(r.unit_id, r.kind, r.reason)
        for r in active_restrictions(cluster.campaign, on)
    ]
    votes = {
        (v.unit_id, v.award_type_id): v
        for v in Vote.objects.filter(cluster=cluster).select_related("award_type")
    }
    out = ClusterAwards(cluster, True)
    award_types = list(
        AwardType.objects.filter(campaign_id=cluster.campaign_id).prefetch_related("title_rules")
    )
    unmet = _title_rules_unmet(cluster, award_types, on)
    for award_type in award_types:
        computed = rules.eligibility(results, bands, award_type.rule(), restrictions)
        item = AwardEligibility(award_type)
        for result in computed.eligible:
            sheet = by_unit[result.unit_id]
            failed = unmet.get((result.unit_id, award_type.pk))
            if failed is not None:
                reason = _("Title rule not met: %(rule)s") % {"rule": failed}
                item.excluded.append(Row(sheet.unit, sheet, reason=reason))
                continue
            vote = votes.get((result.unit_id, award_type.pk))
            if vote is not None:
                vote.award_type = award_type
            item.eligible.append(Row(sheet.unit, sheet, vote))
        for exclusion in computed.excluded:
            sheet = by_unit[exclusion.result.unit_id]
            item.excluded.append(Row(sheet.unit, sheet, reason=exclusion_text(exclusion)))
        item.excluded.sort(key=lambda row: (row.sheet.rank is None, row.sheet.rank or 0))
        out.awards.append(item)
    return out


def _title_rules_unmet(
    cluster: Cluster, award_types: list[AwardType], on: dt.date | None
) -> dict[tuple[int, int], str]:
    """(unit id, award type id) → the first title rule of its own the unit fails (the
    ladder, awards/titles.py), for titles with rules; nothing is read when no title of the
    campaign has any (the award type's own settings are checked by rules.eligibility)."""
    if not any(t.title_rules.all() for t in award_types):
        return {}
    from awards.titles import explain  # titles builds on this module

    unmet = {}
    for row in explain(cluster.campaign, on=on).rows:
        if row.cluster.pk != cluster.pk:
            continue
        for title in row.titles:
            failed = next(
                (line for line in title.lines if not line.passed and not line.implicit), None
            )
            if failed is not None:
                unmet[(row.unit.pk, title.award_type.pk)] = failed.rule
    return unmet


@dataclass
class Proposal:
    award_type: AwardType
    cluster: Cluster
    unit: Unit
    sheet: ScoreSheet
    vote: Vote


def passed_proposals(campaign: Campaign, on: dt.date | None = None) -> list[Proposal]:
    """Every passed vote of the campaign's published clusters whose unit is still eligible,
    by award type, cluster and rank."""
    proposals = []
    for cluster in campaign.clusters.order_by("number"):
        for item in eligibility(cluster, on).awards:
            for row in item.eligible:
                if row.vote is not None and row.vote.passed:
                    proposal = Proposal(item.award_type, cluster, row.unit, row.sheet, row.vote)
                    proposals.append(proposal)
    order = {p.award_type.pk: (p.award_type.order, p.award_type.code) for p in proposals}
    proposals.sort(key=lambda p: (order[p.award_type.pk], p.cluster.number))
    return proposals


# --- Writes ----------------------------------------------------------------------------------


@transaction.atomic
def award_type_upsert(
    *,
    campaign: Campaign,
    code: str,
    name: str,
    leading_only: bool = False,
    min_band: str = "",
    max_per_cluster: int | None = None,
    pass_share: Decimal = Decimal("0.5"),
    order: int = 0,
    level: str | None = None,
    certificate_heading: str | None = None,
) -> AwardType:
    """Create the campaign's award type ``code``, or change its name and rules (``level``
    and ``certificate_heading`` None keep what it has)."""
    award_type = AwardType.objects.filter(campaign=campaign, code=code).first() or AwardType(
        campaign=campaign, code=code
    )
    award_type.name = name
    award_type.leading_only = leading_only
    award_type.min_band = min_band
    award_type.max_per_cluster = max_per_cluster
    award_type.pass_share = Decimal(pass_share).quantize(rules.SHARE_PLACES)
    award_type.order = order
    if level is not None:
        award_type.level = level
    if certificate_heading is not None:
        award_type.certificate_heading = certificate_heading.strip()
    award_type.full_clean()
    award_type.save()
    return award_type


@transaction.atomic
def restriction_record(
    *,
    campaign: Campaign,
    unit: Unit,
    kind: str,
    reason: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    user=None,
) -> UnitRestriction:
    """Record that a unit is under discipline or inspection (no award while it runs)."""
    restriction = UnitRestriction(
        campaign=campaign,
        unit=unit,
        kind=kind,
        reason=(reason or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    restriction._history_user = user
    restriction.full_clean()
    restriction.save()
    return restriction


@transaction.atomic
def vote_record(
    *,
    cluster: Cluster,
    unit: Unit,
    award_type: AwardType,
    members_present: int,
    votes_for: int,
    user=None,
) -> Vote:
    """Record (or correct) the cluster's vote on proposing ``unit`` for ``award_type``. Only
    an eligible unit of a cluster whose results are published may be voted on."""
    if not workflow.is_published(cluster):
        raise ValidationError(_("The cluster's final results are not published yet."))
    item = next((a for a in eligibility(cluster).awards if a.award_type.pk == award_type.pk), None)
    if item is None:
        raise ValidationError(_("The award type is of another campaign."))
    if unit.pk not in {row.unit.pk for row in item.eligible}:
        raise ValidationError(_("This unit is not eligible for this award."))
    vote = Vote.objects.filter(cluster=cluster, unit=unit, award_type=award_type).first()
    vote = vote or Vote(cluster=cluster, unit=unit, award_type=award_type)
    vote.members_present = members_present
    vote.votes_for = votes_for
    vote.recorded_by = user
    vote._history_user = user
    vote.full_clean()
    vote.save()
    return vote


# --- Decisions ---------------------------------------------------------------------------------


def granted_items(campaign: Campaign) -> list[DecisionItem]:
    """The campaign's granted decision items, each with its unit, award type and decision,
    by title order, unit code and decision date."""
    return list(
        DecisionItem.objects.filter(decision__campaign=campaign, outcome=DecisionOutcome.GRANTED)
        .select_related("unit", "award_type", "decision")
        .order_by("award_type__order", "award_type__code", "unit__code", "decision__date")
    )


def decided_items(campaign: Campaign) -> dict[tuple[int, int], DecisionItem]:
    """(unit id, award type id) → the item of the latest decision on it (granted or
    refused), for the status of a proposal. One query."""
    out: dict[tuple[int, int], DecisionItem] = {}
    items = (
        DecisionItem.objects.filter(decision__campaign=campaign)
        .select_related("decision")
        .order_by("decision__date", "decision__pk")
    )
    for item in items:
        out[(item.unit_id, item.award_type_id)] = item
    return out


@dataclass
class ProposalStatus:
    """A proposal and what became of it: ``item`` None while no decision says."""

    proposal: Proposal
    item: DecisionItem | None = None

    @property
    def state(self) -> str:
        return self.item.outcome if self.item is not None else "proposed"


def proposals_with_status(campaign: Campaign, on: dt.date | None = None) -> list[ProposalStatus]:
    """The campaign's passed proposals, each with the decision item on it, if any."""
    decided = decided_items(campaign)
    return [
        ProposalStatus(p, decided.get((p.unit.pk, p.award_type.pk)))
        for p in passed_proposals(campaign, on)
    ]


@transaction.atomic
def decision_record(
    *,
    campaign: Campaign,
    user,
    number: str,
    date: dt.date,
    signer_name: str,
    signer_title: str,
    authority: str,
    level: str,
    scanned_copy=None,
    decision: Decision | None = None,
    source_sha256: str = "",
) -> Decision:
    """Record the authority's decision on the campaign's proposals (or correct it when
    ``decision`` is given); a new scanned copy replaces the old one (which stays stored)."""
    if decision is not None and decision.campaign_id != campaign.pk:
        raise ValidationError(_("The decision is of another campaign."))
    decision = decision or Decision(campaign=campaign, created_by=user)
    decision.number = (number or "").strip()
    decision.date = date
    decision.signer_name = (signer_name or "").strip()
    decision.signer_title = (signer_title or "").strip()
    decision.authority = (authority or "").strip()
    decision.level = level
    if source_sha256:
        decision.source_sha256 = source_sha256
    if scanned_copy is not None:
        decision.scanned_copy = scanned_copy
    decision._history_user = user
    # A stored copy was checked when it came; reading it again would only open the file.
    decision.full_clean(exclude=None if scanned_copy is not None else ["scanned_copy"])
    clean_field_upload(decision, "scanned_copy")
    decision.save()
    return decision


@transaction.atomic
def decision_item_set(
    *,
    decision: Decision,
    unit: Unit,
    award_type: AwardType,
    outcome: str,
    note: str = "",
    user=None,
) -> DecisionItem:
    """Record that ``decision`` grants or refuses ``award_type`` to ``unit`` (or change
    the outcome). The unit is a member unit of the decision's campaign."""
    if not Membership.objects.filter(campaign_id=decision.campaign_id, unit=unit).exists():
        raise ValidationError(_("%(unit)s is not a unit of this year's clusters.") % {"unit": unit})
    item = DecisionItem.objects.filter(
        decision=decision, unit=unit, award_type=award_type
    ).first() or DecisionItem(decision=decision, unit=unit, award_type=award_type)
    item.outcome = outcome
    item.note = (note or "").strip()
    item._history_user = user
    item.full_clean()
    item.save()
    notices.decision_recorded(decision=decision, unit=unit)
    return item


@transaction.atomic
def decision_item_remove(*, item: DecisionItem, user=None) -> None:
    """Take an item recorded by mistake off its decision (the history keeps it)."""
    item._history_user = user
    item.delete()


@transaction.atomic
def decision_items_save(
    *, decision: Decision, rows: list[tuple[Unit, AwardType, str, str]], user=None
) -> list[DecisionItem]:
    """The decision's page saved at once: for each (unit, award type, outcome, note) the
    item granted or refused, or taken off the decision when the outcome is blank. All or
    nothing."""
    saved = []
    current = {(i.unit_id, i.award_type_id): i for i in decision.items.all()}
    for unit, award_type, outcome, note in rows:
        if outcome:
            saved.append(
                decision_item_set(
                    decision=decision,
                    unit=unit,
                    award_type=award_type,
                    outcome=outcome,
                    note=note,
                    user=user,
                )
            )
        elif (unit.pk, award_type.pk) in current:
            decision_item_remove(item=current[(unit.pk, award_type.pk)], user=user)
    return saved


def decision_rows(decision: Decision, on: dt.date | None = None) -> list[tuple]:
    """The rows of the decision's page: its items, then the passed proposals of its level
    that no decision has decided yet, as (unit, award type, item or None, proposal or
    None), by title order and unit code."""
    proposals = {
        (p.unit.pk, p.award_type.pk): p
        for p in passed_proposals(decision.campaign, on)
        if p.award_type.level == decision.level
    }
    decided = decided_items(decision.campaign)
    rows = [
        (i.unit, i.award_type, i, proposals.get((i.unit_id, i.award_type_id)))
        for i in decision.items.select_related("unit", "award_type")
    ]
    rows += [(p.unit, p.award_type, None, p) for key, p in proposals.items() if key not in decided]
    rows.sort(key=lambda r: (r[1].order, r[1].code, r[0].code))
    return rows


# --- The copy of a year ----------------------------------------------------------------------


def copy_award_types(context) -> None:
    """Awards' step of the copy of a year (clusters.copying): every award type of the year
    copied goes to the new year with the same settings, level, confirmation and title rules
    (restrictions, votes and the units' figures belong to their year and are not copied)."""
    fields = [
        f.attname for f in AwardType._meta.concrete_fields if f.attname not in ("id", "campaign_id")
    ]
    rows = [
        AwardType(campaign=context.campaign, **{name: getattr(old, name) for name in fields})
        for old in AwardType.objects.filter(campaign=context.source).order_by("order", "code")
    ]
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)
    AwardType.objects.bulk_create(rows)
    if rows:
        context.report.append(_("%(count)d award types copied.") % {"count": len(rows)})
    # Their title rules, each under the new year's award type of the same code.
    new_types = {t.code: t for t in AwardType.objects.filter(campaign=context.campaign)}
    rule_fields = [
        f.attname
        for f in TitleRule._meta.concrete_fields
        if f.attname not in ("id", "award_type_id")
    ]
    title_rules = [
        TitleRule(
            award_type=new_types[old.award_type.code],
            **{name: getattr(old, name) for name in rule_fields},
        )
        for old in TitleRule.objects.filter(award_type__campaign=context.source).select_related(
            "award_type"
        )
        if old.award_type.code in new_types
    ]
    TitleRule.objects.bulk_create(title_rules)
    if title_rules:
        context.report.append(_("%(count)d title rules copied.") % {"count": len(title_rules)})
