"""Each unit's history of titles (issue 15 point 5, docs/awards.md "History"): the titles
units held, from past records and from granted decisions, through one function,
:func:`held_titles` (and its short form :func:`titles_held`); a unit's record across years
(:func:`unit_record`: result, band, rank, total, titles held, registration against outcome);
who held a title over a span of years (:func:`holders`); the organisers a user keeps
titles for and the titles they know (:func:`known_titles`).

Reads only, each in a fixed number of queries whatever the number of units and years.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from awards.enums import DecisionOutcome, PastTitleSource
from awards.models import AwardType, DecisionItem, PastTitle
from awards.titles import PRESETS
from clusters import permissions as org
from clusters.enums import PeriodKind, Title
from clusters.models import Cluster, Registration, Unit
from scoring.enums import SheetStatus, Stage
from scoring.models import ScoreSheet

# --- Titles held -----------------------------------------------------------------------------


@dataclass
class HeldTitle:
    """A unit held title ``code`` in ``year``: a past record (entered by hand, imported,
    or written by a decision) or a granted item of a decision (``number``, ``date``)."""

    unit_id: int
    year: int
    code: str
    name: str
    source: str  # PastTitleSource: entered, imported, decision
    number: str = ""  # the decision's number
    date: dt.date | None = None  # the decision's date
    authority: str = ""
    reference: str = ""
    note: str = ""
    past_title_id: int | None = None
    unit: Unit | None = None
    decision_id: int | None = None  # the granting decision (its certificates)

    @property
    def from_decision(self) -> bool:
        return self.source == PastTitleSource.DECISION

    @property
    def source_label(self) -> str:
        return str(PastTitleSource(self.source).label)

    @property
    def reference_text(self) -> str:
        """The decision's number and date where a decision granted it, else the reference
        recorded with the past title."""
        if self.number:
            return f"{self.number} ({self.date:%d/%m/%Y})" if self.date else self.number
        return self.reference


def _ids(units: Iterable[Unit | int] | None) -> list[int] | None:
    if units is None:
        return None
    return [u if isinstance(u, int) else u.pk for u in units]


def _past_titles(
    unit_ids: list[int] | None,
    years: list[int] | None,
    codes: list[str] | None,
    organiser_id: int | None,
) -> list[HeldTitle]:
    qs = PastTitle.objects.select_related("unit")
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    if years is not None:
        qs = qs.filter(year__in=years)
    if codes is not None:
        qs = qs.filter(code__in=codes)
    if organiser_id is not None:
        qs = qs.filter(organiser_id=organiser_id)
    return [
        HeldTitle(
            unit_id=p.unit_id,
            year=p.year,
            code=p.code,
            name=p.name,
            source=p.source,
            reference=p.reference,
            note=p.note,
            past_title_id=p.pk,
            unit=p.unit,
        )
        for p in qs.order_by()
    ]


def _granted(
    unit_ids: list[int] | None,
    years: list[int] | None,
    codes: list[str] | None,
    organiser_id: int | None,
) -> list[HeldTitle]:
    """The titles granted by recorded decisions (``awards.DecisionItem`` granted), the
    decision's campaign giving the year. One query."""
    qs = DecisionItem.objects.filter(outcome=DecisionOutcome.GRANTED).select_related(
        "unit", "award_type", "decision__campaign"
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    if years is not None:
        qs = qs.filter(decision__campaign__year__in=years)
    if codes is not None:
        qs = qs.filter(award_type__code__in=codes)
    if organiser_id is not None:
        qs = qs.filter(decision__campaign__organiser_id=organiser_id)
    return [
        HeldTitle(
            unit_id=item.unit_id,
            year=item.decision.campaign.year,
            code=item.award_type.code,
            name=item.award_type.name,
            source=PastTitleSource.DECISION,
            number=item.decision.number,
            date=item.decision.date,
            authority=item.decision.authority,
            note=item.note,
            unit=item.unit,
            decision_id=item.decision_id,
        )
        for item in qs.order_by("decision__date", "decision__pk")
    ]


def held_titles(
    *,
    units: Iterable[Unit | int] | None = None,
    years: Iterable[int] | None = None,
    codes: Iterable[str] | None = None,
    organiser: Unit | int | None = None,
) -> list[HeldTitle]:
    """Every title held, filtered by units, years, title codes and the organiser that
    recorded it (a past title's ``organiser``, a decision's campaign's organiser); None
    leaves a filter out. A title both recorded as a past title and granted by a decision
    appears once, with the decision's number and date (and the past record's reference
    and note). Ordered by year, unit code, title code. Two queries."""
    unit_ids = _ids(units)
    year_list = None if years is None else sorted(set(years))
    code_list = None if codes is None else sorted(set(codes))
    organiser_id = organiser if isinstance(organiser, int) or organiser is None else organiser.pk
    found: dict[tuple[int, int, str], HeldTitle] = {}
    for held in _past_titles(unit_ids, year_list, code_list, organiser_id):
        found[(held.unit_id, held.year, held.code)] = held
    for held in _granted(unit_ids, year_list, code_list, organiser_id):
        key = (held.unit_id, held.year, held.code)
        past = found.get(key)
        if past is not None:
            held.reference, held.past_title_id = past.reference, past.past_title_id
            held.note = held.note or past.note
        found[key] = held
    return sorted(
        found.values(), key=lambda h: (h.year, h.unit.code if h.unit else "", h.code, h.name)
    )


def titles_held(
    units: Iterable[Unit | int], years: Iterable[int] | None = None
) -> dict[tuple[int, int], list[HeldTitle]]:
    """(unit id, year) → the titles the unit held that year (past records and granted
    decisions, once each), for ``units`` in ``years`` (None: every year)."""
    result: dict[tuple[int, int], list[HeldTitle]] = {}
    for held in held_titles(units=units, years=years):
        result.setdefault((held.unit_id, held.year), []).append(held)
    return result


# --- The titles an organiser knows -----------------------------------------------------------


def known_titles(organiser: Unit) -> dict[str, str]:
    """Title code → name: the registration's codes (with the police ladder's names), the
    titles of the organiser's campaigns (the latest year's name wins) and the codes of
    its past titles. Two queries."""
    names: dict[str, str] = {p.code: p.name for p in PRESETS}
    for code in Title.values:
        names.setdefault(code, str(Title(code).label))
    for code, name in (
        AwardType.objects.filter(campaign__organiser=organiser)
        .order_by("campaign__year", "order")
        .values_list("code", "name")
    ):
        names[code] = name
    for code, name in (
        PastTitle.objects.filter(organiser=organiser)
        .order_by("year")
        .values_list("code", "name")
        .distinct()
    ):
        names.setdefault(code, name)
    return names


def organiser_units(organiser: Unit) -> QuerySet[Unit]:
    """The units whose titles the organiser's staff keep: its own tree and every unit
    that was ever a member of one of its campaigns."""
    tree = org.tree_unit_ids(organiser.pk)
    return Unit.objects.filter(
        Q(pk__in=tree) | Q(memberships__campaign__organiser=organiser)
    ).distinct()


# --- A unit's record across years ------------------------------------------------------------


@dataclass
class Registered:
    code: str
    name: str
    held: bool


@dataclass
class RecordYear:
    """One year of a unit's record: its cluster, its published year-end result (and the
    six-month review's, marked), the titles it held, its registration against them."""

    year: int
    cluster: Cluster | None = None
    result: ScoreSheet | None = None
    six_month: ScoreSheet | None = None
    titles: list[HeldTitle] = field(default_factory=list)
    registered: list[Registered] = field(default_factory=list)

    @property
    def unregistered_held(self) -> list[HeldTitle]:
        codes = {r.code for r in self.registered}
        return [t for t in self.titles if t.code not in codes]


def unit_record(
    unit: Unit, clusters: list[Cluster], year_end: set[int], six_month: set[int]
) -> list[RecordYear]:
    """The unit's record, newest year first: ``clusters`` are the unit's clusters the user
    may see (their campaigns loaded); ``year_end`` and ``six_month`` those whose final
    stage of that review the user may see. Results are the stored figures of the final
    stage's locked (published) sheets; titles come from :func:`titles_held` (every year);
    registrations from the visible clusters' campaigns. Four queries."""
    by_year: dict[int, RecordYear] = {}
    campaign_years = {}
    for cluster in clusters:
        year = cluster.campaign.year
        by_year.setdefault(year, RecordYear(year)).cluster = cluster
        campaign_years[cluster.campaign_id] = year
    if year_end or six_month:
        visible = Q(period__kind=PeriodKind.YEAR_END, cluster_id__in=sorted(year_end)) | Q(
            period__kind=PeriodKind.SIX_MONTH, cluster_id__in=sorted(six_month)
        )
        for sheet in ScoreSheet.objects.filter(
            visible, unit=unit, stage=Stage.FINAL, status=SheetStatus.LOCKED
        ).select_related("period", "cluster__campaign"):
            row = by_year[sheet.cluster.campaign.year]
            if sheet.period.kind == PeriodKind.SIX_MONTH:
                row.six_month = sheet
            else:
                row.result = sheet
    held = titles_held([unit])
    for (_unit, year), titles in held.items():
        by_year.setdefault(year, RecordYear(year)).titles = titles
    names = dict(Title.choices)
    for registration in Registration.objects.filter(
        unit=unit, campaign_id__in=list(campaign_years)
    ):
        row = by_year[campaign_years[registration.campaign_id]]
        codes = {t.code for t in row.titles}
        row.registered = [
            Registered(code, str(names.get(code, code)), code in codes)
            for code in registration.titles
        ]
    return sorted(by_year.values(), key=lambda r: r.year, reverse=True)


# --- Who held a title ------------------------------------------------------------------------


@dataclass
class Holder:
    """A unit that held the title in some years of the span, with each year's record."""

    unit: Unit
    titles: list[HeldTitle] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return sorted({t.year for t in self.titles})

    @property
    def count(self) -> int:
        return len(self.years)


@dataclass
class HolderSearch:
    codes: list[str]
    year_from: int
    year_to: int
    every_year: bool
    holders: list[Holder] = field(default_factory=list)
    title_name: str = ""

    @property
    def span(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))

    @property
    def per_year(self) -> list[tuple[int, int]]:
        """(year, the number of units that held it that year), over the span."""
        counts = dict.fromkeys(self.span, 0)
        for holder in self.holders:
            for year in holder.years:
                counts[year] += 1
        return list(counts.items())

    @property
    def records(self) -> int:
        return sum(len(h.titles) for h in self.holders)


def holders(
    *, organiser: Unit, codes: list[str], year_from: int, year_to: int, every_year: bool = False
) -> HolderSearch:
    """The units that held one of ``codes`` in ``year_from``–``year_to`` (in any year of
    the span, or with ``every_year`` in each of them), as the organiser recorded it (its
    past titles and its campaigns' decisions), by unit code. Two queries."""
    search = HolderSearch(codes, year_from, year_to, every_year)
    found: dict[int, Holder] = {}
    for held in held_titles(years=range(year_from, year_to + 1), codes=codes, organiser=organiser):
        found.setdefault(held.unit_id, Holder(held.unit)).titles.append(held)
    span = year_to - year_from + 1
    search.holders = sorted(
        (h for h in found.values() if not every_year or h.count == span),
        key=lambda h: h.unit.code,
    )
    return search
