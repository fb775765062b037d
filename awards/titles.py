"""The title ladder's writes and reads (docs/awards.md): the police presets and their
confirmation, title rules, past titles, the units' own figures for the year and the
eligibility explained for every unit and title of a campaign (awards/ladder.py decides;
this module gathers the facts in a fixed number of queries and words the figures).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _

from awards import ladder
from awards.enums import (
    Comparison,
    DecisionOutcome,
    Figure,
    FiguresStatus,
    PastTitleSource,
    QuotaScope,
    RestrictionKind,
    RuleKind,
    TitleLevel,
)
from awards.models import AwardType, DecisionItem, PastTitle, TitleRule, UnitFigures
from awards.services import active_restrictions, award_type_upsert
from clusters.enums import PeriodKind, Title
from clusters.models import Campaign, Cluster, Membership, Registration, Unit
from scoring.enums import SheetStatus, Stage
from scoring.models import ScoreSheet

# --- Presets ---------------------------------------------------------------------------------

# The legal basis as stored: Vietnamese, as the documents quote it. No article number is
# cited: the organiser confirms it (and writes it in) on the set-up page.
BASIS_LAW = "Luật Thi đua, khen thưởng 2022 (06/2022/QH15) — điều khoản do cơ quan tổ chức xác nhận"
BASIS_CIRCULAR = (
    "Thông tư 12/2019/TT-BCA và văn bản thay thế — điều khoản do cơ quan tổ chức xác nhận"
)
BASIS_BOTH = f"{BASIS_LAW}; {BASIS_CIRCULAR}"


@dataclass(frozen=True)
class PresetRule:
    kind: str
    band: str = ""
    titles: str = ""
    years: int | None = None
    at_least: int | None = None
    scope: str = ""
    number: int | None = None
    share: Decimal | None = None
    figure: str = ""
    comparison: str = ""
    article: str = BASIS_BOTH


@dataclass(frozen=True)
class Preset:
    code: str
    name: str
    level: str
    order: int
    rules: tuple[PresetRule, ...]


# The police ladder (issue 15): Tiên tiến → Quyết thắng → the Ministry's flag → the
# Government's flag; Bằng khen beside it. The codes are the registration's (clusters.enums
# .Title), so a unit's registration compares with the outcome. Thresholds are the usual
# ones of the regulations and are the organiser's to confirm (docs/awards.md).
PRESETS: tuple[Preset, ...] = (
    Preset(
        Title.ADVANCED,
        "Đơn vị Tiên tiến",
        TitleLevel.UNIT,
        1,
        (
            PresetRule(RuleKind.NO_RESTRICTION),
            PresetRule(
                RuleKind.FIGURE_SHARE,
                figure=Figure.ADVANCED_SOLDIERS,
                comparison=Comparison.AT_LEAST,
                share=Decimal("0.5"),
            ),
        ),
    ),
    Preset(
        Title.DETERMINED_TO_WIN,
        "Đơn vị Quyết thắng",
        TitleLevel.PROVINCE,
        2,
        (
            PresetRule(RuleKind.REQUIRES_TITLE, titles=Title.ADVANCED),
            PresetRule(
                RuleKind.FIGURE_SHARE,
                figure=Figure.ADVANCED_SOLDIERS,
                comparison=Comparison.AT_LEAST,
                share=Decimal("0.7"),
            ),
            PresetRule(
                RuleKind.FIGURE_SHARE,
                figure=Figure.DISCIPLINED,
                comparison=Comparison.AT_MOST,
                share=Decimal(0),
            ),
        ),
    ),
    Preset(
        Title.MINISTRY_FLAG,
        "Cờ thi đua của Bộ Công an",
        TitleLevel.MINISTRY,
        3,
        (
            PresetRule(RuleKind.REQUIRES_TITLE, titles=Title.DETERMINED_TO_WIN),
            PresetRule(RuleKind.LEADING),
            PresetRule(RuleKind.QUOTA, scope=QuotaScope.CLUSTER, number=1),
        ),
    ),
    Preset(
        Title.GOVERNMENT_FLAG,
        "Cờ thi đua của Chính phủ",
        TitleLevel.GOVERNMENT,
        4,
        (
            PresetRule(RuleKind.REQUIRES_TITLE, titles=Title.MINISTRY_FLAG),
            PresetRule(RuleKind.PAST_TITLES, titles=Title.DETERMINED_TO_WIN, years=2),
            PresetRule(RuleKind.QUOTA, scope=QuotaScope.CAMPAIGN, share=Decimal("0.2")),
        ),
    ),
    Preset(
        Title.CERTIFICATE_OF_MERIT,
        "Bằng khen",
        TitleLevel.MINISTRY,
        5,
        (
            PresetRule(RuleKind.NO_RESTRICTION),
            PresetRule(RuleKind.PAST_TITLES, titles=Title.DETERMINED_TO_WIN, years=2),
        ),
    ),
)


@transaction.atomic
def presets_install(*, campaign: Campaign, user=None) -> list[AwardType]:
    """Add the police ladder's titles the campaign does not have yet (by code or by name:
    a "Đơn vị Quyết thắng" set up under another code counts), each with its rules, marked
    as shipped defaults awaiting the organiser's confirmation. Titles the campaign has
    already are left as they are."""
    have = set()
    for code, name in AwardType.objects.filter(campaign=campaign).values_list("code", "name"):
        have.update({code, name.strip().casefold()})
    added = []
    for preset in PRESETS:
        if preset.code in have or preset.name.casefold() in have:
            continue
        award_type = award_type_upsert(
            campaign=campaign,
            code=preset.code,
            name=preset.name,
            order=preset.order,
            level=preset.level,
        )
        award_type.preset = True
        award_type.save(update_fields=["preset"])
        for number, rule in enumerate(preset.rules, start=1):
            title_rule_add(award_type=award_type, order=number, **rule.__dict__)
        added.append(award_type)
    return added


@transaction.atomic
def award_type_confirm(*, award_type: AwardType, user) -> AwardType:
    """The organiser confirms the title and its rules as they stand."""
    award_type.confirmed_at = timezone.now()
    award_type.confirmed_by = user
    award_type.save(update_fields=["confirmed_at", "confirmed_by"])
    return award_type


# --- Title rules -----------------------------------------------------------------------------


@transaction.atomic
def title_rule_add(
    *,
    award_type: AwardType,
    kind: str,
    band: str = "",
    titles: str = "",
    years: int | None = None,
    at_least: int | None = None,
    scope: str = "",
    number: int | None = None,
    share: Decimal | None = None,
    figure: str = "",
    comparison: str = "",
    article: str = "",
    order: int | None = None,
) -> TitleRule:
    """Add a rule to a title; checked for its kind (TitleRule.clean). A change to a
    confirmed title's rules asks for its confirmation again."""
    if order is None:
        order = (award_type.title_rules.aggregate(m=Max("order"))["m"] or 0) + 1
    rule = TitleRule(
        award_type=award_type,
        kind=kind,
        band=(band or "").strip(),
        titles=",".join(c.strip() for c in (titles or "").split(",") if c.strip()),
        years=years,
        at_least=at_least,
        scope=scope or (QuotaScope.CLUSTER if kind == RuleKind.QUOTA else ""),
        number=number,
        share=share,
        figure=figure or "",
        comparison=comparison or "",
        article=(article or "").strip(),
        order=order,
    )
    rule.full_clean()
    rule.save()
    _unconfirm(award_type)
    return rule


@transaction.atomic
def title_rule_delete(*, rule: TitleRule) -> None:
    award_type = rule.award_type
    rule.delete()
    _unconfirm(award_type)


def _unconfirm(award_type: AwardType) -> None:
    if award_type.confirmed_at is not None:
        award_type.confirmed_at = None
        award_type.confirmed_by = None
        award_type.save(update_fields=["confirmed_at", "confirmed_by"])


# --- Past titles -----------------------------------------------------------------------------


@transaction.atomic
def past_title_record(
    *,
    organiser: Unit,
    unit: Unit,
    year: int,
    code: str,
    name: str,
    source: str = PastTitleSource.ENTERED,
    reference: str = "",
    user=None,
    note: str | None = None,
    reason: str = "",
) -> PastTitle:
    """Record that ``unit`` held title ``code`` in ``year`` (or correct its name, source
    and reference): by hand, by an import, or by a decision. ``note`` None keeps the
    note as it is; ``reason`` is kept in the history (at most 100 characters)."""
    past = PastTitle.objects.filter(unit=unit, year=year, code=code).first() or PastTitle(
        unit=unit, year=year, code=code
    )
    past.organiser = organiser
    past.name = name.strip()
    past.source = source
    past.reference = (reference or "").strip()
    if note is not None:
        past.note = note.strip()
    past._history_user = user
    if reason:
        past._change_reason = reason.strip()[:100]
    past.full_clean()
    past.save()
    return past


def held_codes(unit_ids, first_year: int, last_year: int) -> dict[int, dict[int, set[str]]]:
    """unit id → year → codes of the titles it held, ``first_year``..``last_year``: its past
    titles and the titles granted to it by a decision (DecisionItem) of a campaign of that
    year, whichever recorded it (a title both recorded and granted counts once). One
    query."""
    past = (
        PastTitle.objects.filter(unit_id__in=unit_ids, year__gte=first_year, year__lte=last_year)
        .values_list("unit_id", "year", "code")
        .order_by()
    )
    granted = (
        DecisionItem.objects.filter(
            unit_id__in=unit_ids,
            outcome=DecisionOutcome.GRANTED,
            decision__campaign__year__gte=first_year,
            decision__campaign__year__lte=last_year,
        )
        .values_list("unit_id", "decision__campaign__year", "award_type__code")
        .order_by()
    )
    held: dict[int, dict[int, set[str]]] = {}
    for unit_id, year, code in past.union(granted, all=True):
        held.setdefault(unit_id, {}).setdefault(year, set()).add(code)
    return held


# --- The unit's own figures ------------------------------------------------------------------


@transaction.atomic
def figures_save(
    *,
    campaign: Campaign,
    unit: Unit,
    headcount: int,
    advanced_soldiers: int,
    emulation_soldiers: int,
    disciplined: int,
    note: str = "",
    user=None,
) -> UnitFigures:
    """The unit enters (or corrects) its figures for the year: they wait for staff's check
    again. Checked figures are changed only after staff return them."""
    if not Membership.objects.filter(campaign=campaign, unit=unit).exists():
        raise ValidationError(_("Only a unit in one of this year's clusters has figures."))
    figures = (
        UnitFigures.objects.select_for_update().filter(campaign=campaign, unit=unit).first()
    ) or UnitFigures(campaign=campaign, unit=unit)
    if figures.status == FiguresStatus.CHECKED:
        raise ValidationError(
            _("These figures are checked; staff return them before they can change.")
        )
    figures.headcount = headcount
    figures.advanced_soldiers = advanced_soldiers
    figures.emulation_soldiers = emulation_soldiers
    figures.disciplined = disciplined
    figures.note = (note or "").strip()
    figures.status = FiguresStatus.SUBMITTED
    figures.entered_by = user
    figures.checked_by = None
    figures.checked_at = None
    figures._history_user = user
    _within_headcount(figures)
    figures.full_clean()
    figures.save()
    return figures


def _within_headcount(figures: UnitFigures) -> None:
    errors = {
        name: _("At most the headcount (%(count)d).") % {"count": figures.headcount}
        for name in Figure.values
        if getattr(figures, name) is not None
        and figures.headcount is not None
        and getattr(figures, name) > figures.headcount
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def figures_check(*, figures: UnitFigures, accept: bool, note: str = "", user=None) -> UnitFigures:
    """Staff accept the unit's figures (rules then read them) or return them with a note."""
    figures = UnitFigures.objects.select_for_update().get(pk=figures.pk)
    if figures.status not in (FiguresStatus.SUBMITTED, FiguresStatus.CHECKED):
        raise ValidationError(_("Only submitted figures can be checked."))
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"check_note": _("Say what the unit should correct.")})
    figures.status = FiguresStatus.CHECKED if accept else FiguresStatus.RETURNED
    figures.check_note = note
    figures.checked_by = user
    figures.checked_at = timezone.now()
    figures._history_user = user
    figures.save()
    return figures


# --- Eligibility explained -------------------------------------------------------------------


@dataclass
class Line:
    """One condition, worded: ✓/✗, what the rule asks, the figure behind it."""

    kind: str
    passed: bool
    rule: str
    figure: str
    article: str = ""
    implicit: bool = False


@dataclass
class TitleLine:
    award_type: AwardType
    eligible: bool
    lines: list[Line] = field(default_factory=list)
    registered: bool = False


@dataclass
class UnitRow:
    unit: Unit
    cluster: Cluster
    sheet: ScoreSheet | None
    registered: list[str] = field(default_factory=list)  # names of the titles registered
    titles: list[TitleLine] = field(default_factory=list)

    @property
    def eligible_names(self) -> list[str]:
        return [t.award_type.name for t in self.titles if t.eligible]

    @property
    def registered_missed(self) -> list[str]:
        """Registered titles the unit is not eligible for."""
        return [t.award_type.name for t in self.titles if t.registered and not t.eligible]

    @property
    def unregistered_met(self) -> list[str]:
        return [t.award_type.name for t in self.titles if t.eligible and not t.registered]


@dataclass
class Explained:
    campaign: Campaign
    award_types: list[AwardType]
    rows: list[UnitRow]


def explain(campaign: Campaign, unit: Unit | None = None, on: dt.date | None = None) -> Explained:
    """Every member unit (or only ``unit``) × every title of the campaign, each condition
    worded with its figure, and the unit's registration against the outcome. Quotas are
    computed over every member unit, so one unit's page says the same as the campaign's.
    A fixed number of queries whatever the number of units and titles."""
    award_types = list(AwardType.objects.filter(campaign=campaign).prefetch_related("title_rules"))
    specs = [t.title_spec(list(t.title_rules.all())) for t in award_types]
    memberships = list(
        Membership.objects.filter(campaign=campaign)
        .select_related("unit", "cluster")
        .order_by("cluster__number", "unit__code")
    )
    unit_ids = [m.unit_id for m in memberships]
    sheets = {
        s.unit_id: s
        for s in ScoreSheet.objects.filter(
            cluster__campaign=campaign,
            stage=Stage.FINAL,
            status=SheetStatus.LOCKED,
            period__kind=PeriodKind.YEAR_END,
        ).select_related("table")
    }
    span = max([r.years or 0 for t in award_types for r in t.title_rules.all()] or [0])
    years_from = campaign.year - span
    titles_by_unit = held_codes(unit_ids, years_from, campaign.year)
    past_results: dict[int, dict[int, ladder.Result]] = {}
    if span:
        for sheet in ScoreSheet.objects.filter(
            unit_id__in=unit_ids,
            cluster__campaign__organiser_id=campaign.organiser_id,
            cluster__campaign__year__gte=years_from,
            cluster__campaign__year__lt=campaign.year,
            stage=Stage.FINAL,
            status=SheetStatus.LOCKED,
            period__kind=PeriodKind.YEAR_END,
        ).select_related("table", "cluster__campaign"):
            past_results.setdefault(sheet.unit_id, {})[sheet.cluster.campaign.year] = _result(sheet)
    restrictions: dict[int, list[tuple[str, str]]] = {}
    for restriction in active_restrictions(campaign, on):
        restrictions.setdefault(restriction.unit_id, []).append(
            (restriction.kind, restriction.reason)
        )
    figures = {
        f.unit_id: f for f in UnitFigures.objects.filter(campaign=campaign, unit_id__in=unit_ids)
    }
    registrations = {
        r.unit_id: r for r in Registration.objects.filter(campaign=campaign, unit_id__in=unit_ids)
    }
    facts = [
        ladder.UnitFacts(
            unit_id=m.unit_id,
            cluster_id=m.cluster_id,
            result=_result(sheets[m.unit_id]) if m.unit_id in sheets else None,
            restrictions=tuple(restrictions.get(m.unit_id, ())),
            titles_by_year={y: frozenset(c) for y, c in titles_by_unit.get(m.unit_id, {}).items()},
            results_by_year=past_results.get(m.unit_id, {}),
            figures=figures[m.unit_id].facts() if m.unit_id in figures else None,
        )
        for m in memberships
    ]
    outcomes = ladder.evaluate(specs, facts, campaign.year)
    names = {t.code: t.name for t in award_types}
    title_labels = dict(Title.choices)
    rows = []
    for membership in memberships:
        if unit is not None and membership.unit_id != unit.pk:
            continue
        registration = registrations.get(membership.unit_id)
        registered = set(registration.titles) if registration else set()
        row = UnitRow(
            membership.unit,
            membership.cluster,
            sheets.get(membership.unit_id),
            registered=[str(title_labels.get(c, c)) for c in sorted(registered)],
        )
        for award_type in award_types:
            outcome = outcomes[(membership.unit_id, award_type.code)]
            line = TitleLine(award_type, outcome.eligible, registered=award_type.code in registered)
            line.lines = [word(c, names) for c in outcome.conditions]
            row.titles.append(line)
        rows.append(row)
    return Explained(campaign, award_types, rows)


def _result(sheet: ScoreSheet) -> ladder.Result:
    bands = tuple(b.get("label", "") for b in (sheet.table.bands or []))
    return ladder.Result(
        total=sheet.total, band=sheet.band, rank=sheet.rank, leading=sheet.leading, bands=bands
    )


def _number(value) -> str:
    return localize(value) if value is not None else "—"


def _percent(value: Decimal) -> str:
    """A percentage as staff write it: 75, 83,33, 12,5 (no trailing zeros)."""
    value = value.quantize(Decimal("0.01"))
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    elif value * 10 == (value * 10).to_integral_value():
        value = value.quantize(Decimal("0.1"))
    return localize(value)


def _titles(codes, names: dict[str, str]) -> str:
    return _(" or ").join(names.get(c, c) for c in codes)


def word(condition: ladder.Condition, names: dict[str, str]) -> Line:
    """The condition in the interface language: what the rule asks and the figure."""
    rule, v = condition.rule, condition.values
    kind = rule.kind
    text, figure = "", ""
    if kind in (ladder.MIN_BAND, ladder.LEADING):
        if kind == ladder.MIN_BAND:
            text = _("Band %(band)s or better") % {"band": rule.band}
        else:
            text = _("Leading unit of its cluster")
        if v["total"] is None:
            figure = _("No published result")
        else:
            figure = _("Band %(band)s, total %(total)s, rank %(rank)s%(leading)s") % {
                "band": v["band"] or "—",
                "total": _number(v["total"]),
                "rank": _number(v["rank"]),
                "leading": _(", leading") if v["leading"] else "",
            }
    elif kind == ladder.REQUIRES_TITLE:
        text = _("Holds %(titles)s this year") % {"titles": _titles(rule.titles, names)}
        figure = (
            _("Holds %(titles)s") % {"titles": _titles(v["held"], names)}
            if v["held"]
            else _("Does not hold it")
        )
    elif kind == ladder.EXCLUDES:
        text = _("Does not hold %(titles)s this year") % {"titles": _titles(rule.titles, names)}
        figure = (
            _("Holds %(titles)s") % {"titles": _titles(v["held"], names)}
            if v["held"]
            else _("Holds none of them")
        )
    elif kind == ladder.PAST_TITLES:
        text = _past_text(rule, _titles(rule.titles, names), v["required"])
        figure = "; ".join(
            f"{year}: {names.get(code, code) if code else '✗'}" for year, code in v["years"]
        )
    elif kind == ladder.PAST_BANDS:
        text = _past_text(rule, _("band %(band)s or better") % {"band": rule.band}, v["required"])
        figure = "; ".join(
            f"{year}: {band} ({_number(total)})" if total is not None else f"{year}: —"
            for year, band, total, _met in v["years"]
        )
    elif kind == ladder.NO_RESTRICTION:
        text = _("No discipline or inspection")
        figure = (
            "; ".join(f"{RestrictionKind(k).label}: {reason}" for k, reason in v["restrictions"])
            if v["restrictions"]
            else _("None recorded")
        )
    elif kind == ladder.FIGURE_SHARE:
        text = _("%(comparison)s %(percent)s%% of the headcount: %(figure)s") % {
            "comparison": Comparison(rule.comparison).label,
            "percent": _percent(v["required_percent"]),
            "figure": Figure(rule.figure).label,
        }
        state = v["state"]
        if state == "missing":
            figure = _("The unit has not entered its figures")
        else:
            figure = _("%(count)s of %(headcount)s") % {
                "count": v["count"],
                "headcount": v["headcount"],
            }
            if state == "unchecked":
                figure += " — " + _("not checked by staff yet")
            elif state == "no_headcount":
                figure += " — " + _("no headcount")
            else:
                figure += f" = {_percent(v['percent'])}%"
    elif kind == ladder.QUOTA:
        scope = QuotaScope(rule.scope).label.lower()
        if rule.number is not None:
            text = _("At most %(number)s %(scope)s") % {"number": rule.number, "scope": scope}
        else:
            text = _("At most %(percent)s%% of the units %(scope)s (rounded down)") % {
                "percent": _percent(rule.share * 100),
                "scope": scope,
            }
        places = _("%(limit)s places among %(size)s units") % {
            "limit": v["limit"],
            "size": v["size"],
        }
        if v["position"] is None:
            figure = places + " — " + _("does not compete (another condition fails)")
        else:
            figure = places + " — " + _("place %(position)s") % {"position": v["position"]}
    return Line(kind, condition.passed, text, figure, rule.article, rule.implicit)


def _past_text(rule: ladder.RuleSpec, what: str, required: int) -> str:
    if rule.at_least is None:
        return _("%(what)s in each of the %(years)s years before") % {
            "what": what,
            "years": rule.years,
        }
    return _("%(what)s in at least %(count)s of the %(years)s years before") % {
        "what": what,
        "count": required,
        "years": rule.years,
    }


__all__ = [
    "PRESETS",
    "award_type_confirm",
    "explain",
    "figures_check",
    "figures_save",
    "held_codes",
    "past_title_record",
    "presets_install",
    "title_rule_add",
    "title_rule_delete",
]
