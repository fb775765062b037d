"""Deadlines of a period's phases and the extensions granted to units (issue 16;
docs/deadlines.md).

Rules:
- A deadline is a date; the work is due by the end of that day in Asia/Ho_Chi_Minh, so it
  is passed from the next day on (``timezone.localdate()`` > due date).
- A cluster's own deadline for a period and phase overrides the campaign-wide one.
- A unit's latest extension of the deadline that applies to it replaces the date for that
  unit (earlier extensions stay in the history).
- ``mode`` warn only shows the days left; close refuses, once passed, the saves and
  submissions of the phase's work for units without an extension running (scoring checks
  it in its services; staff and administrators are never blocked).

Read API (used by scoring, the home page's to-do list and task F's reminders):
- ``due_for(campaign=, period=, phase=, cluster=None, unit=None) -> date | None``
- ``deadline_state(period_id=, phase=, cluster_id=, unit_id=) -> DeadlineState | None``
  (one query)
- ``DeadlineBook.load(campaign_ids)`` (two queries) then ``book.state(...)`` in memory
- ``late_units(campaign, period, phase) -> list[LateUnit]``: the units that are late: the
  phase is the period's current phase, the date that applies to the unit (extensions
  included) is passed, and the unit has not done the phase's work (scoring answers which
  units have not, through clusters.todo.register_phase_work). Phases no registered check
  knows have no late units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.enums import DeadlineMode, PeriodKind
from clusters.models import Campaign, Cluster, Deadline, DeadlineExtension, Period, Unit
from clusters.todo import pending_work


@dataclass(frozen=True)
class DeadlineState:
    """The deadline that applies to one unit (or a cluster, or the campaign) for a phase."""

    deadline_id: int
    due: date  # the date that applies (an extension's when there is one)
    base_due: date  # the deadline's own date
    mode: str
    extended: bool

    def days_left(self, today: date | None = None) -> int:
        """Days until the due date: 0 on the day itself, negative once passed."""
        return (self.due - (today or timezone.localdate())).days

    def passed(self, today: date | None = None) -> bool:
        return self.days_left(today) < 0

    def closes_input(self, today: date | None = None) -> bool:
        """Passed in close mode: the phase's input is refused (extensions included)."""
        return self.mode == DeadlineMode.CLOSE and self.passed(today)


def _period_filter(campaign: Campaign | int, period: Period | None) -> Q:
    if period is None or period.is_year_end:
        campaign_id = campaign if isinstance(campaign, int) else campaign.pk
        return Q(period__campaign_id=campaign_id, period__kind=PeriodKind.YEAR_END)
    return Q(period_id=period.pk)


def _latest_extension(unit_id: int) -> Subquery:
    return Subquery(
        DeadlineExtension.objects.filter(deadline=OuterRef("pk"), unit_id=unit_id)
        .order_by("-created_at", "-pk")
        .values("due_date")[:1]
    )


def _state(row: Deadline, extension: date | None) -> DeadlineState:
    return DeadlineState(
        deadline_id=row.pk,
        due=extension or row.due_date,
        base_due=row.due_date,
        mode=row.mode,
        extended=extension is not None,
    )


def deadline_state(
    *, period_q: Q, phase: str, cluster_id: int | None = None, unit_id: int | None = None
) -> DeadlineState | None:
    """The deadline that applies, in one query: the cluster's own one first, else the
    campaign's; with the unit's latest extension when ``unit_id`` is given."""
    rows = Deadline.objects.filter(period_q, phase=phase)
    if cluster_id is None:
        rows = rows.filter(cluster__isnull=True)
    else:
        rows = rows.filter(Q(cluster__isnull=True) | Q(cluster_id=cluster_id))
    if unit_id is not None:
        rows = rows.annotate(extended_to=_latest_extension(unit_id))
    # The cluster's own deadline (cluster_id not null) before the campaign's.
    row = rows.order_by(F("cluster_id").desc(nulls_last=True)).first()
    if row is None:
        return None
    return _state(row, getattr(row, "extended_to", None))


def state_for(
    *,
    campaign: Campaign | int,
    period: Period | None,
    phase: str,
    cluster: Cluster | int | None = None,
    unit: Unit | int | None = None,
) -> DeadlineState | None:
    """``deadline_state`` for objects or ids; ``period`` None means the year-end review."""
    return deadline_state(
        period_q=_period_filter(campaign, period),
        phase=phase,
        cluster_id=cluster.pk if isinstance(cluster, Cluster) else cluster,
        unit_id=unit.pk if isinstance(unit, Unit) else unit,
    )


def due_for(
    *,
    campaign: Campaign | int,
    period: Period | None,
    phase: str,
    cluster: Cluster | int | None = None,
    unit: Unit | int | None = None,
) -> date | None:
    """The date the phase's work is due for the unit (its extension), the cluster (its own
    deadline) or the campaign; None when no deadline is set. One query."""
    state = state_for(campaign=campaign, period=period, phase=phase, cluster=cluster, unit=unit)
    return state.due if state else None


class DeadlineBook:
    """Every deadline and extension of some campaigns, read in two queries, to answer many
    ``state`` questions in memory (the home page's to-do list, the late units' page)."""

    def __init__(self, deadlines: Iterable[Deadline], extensions: Iterable[DeadlineExtension]):
        self.deadlines = list(deadlines)
        self._by_key: dict[tuple, Deadline] = {}
        for d in self.deadlines:
            self._by_key[(d.period_id, d.phase, d.cluster_id)] = d
        self._extensions: dict[tuple[int, int], date] = {}
        # Ordered newest first: the first seen is the latest.
        for e in extensions:
            self._extensions.setdefault((e.deadline_id, e.unit_id), e.due_date)

    @classmethod
    def load(cls, campaign_ids: Iterable[int]) -> DeadlineBook:
        ids = list(campaign_ids)
        deadlines = Deadline.objects.filter(campaign_id__in=ids).select_related("period")
        extensions = DeadlineExtension.objects.filter(deadline__campaign_id__in=ids).order_by(
            "-created_at", "-pk"
        )
        return cls(deadlines, extensions)

    @classmethod
    def lazy(cls, campaign_ids: Iterable[int]) -> LazyDeadlineBook:
        """A book read on its first question only (no query when nobody asks)."""
        return LazyDeadlineBook(list(campaign_ids))

    def state(
        self, *, period_id: int, phase: str, cluster_id: int | None = None, unit_id=None
    ) -> DeadlineState | None:
        row = self._by_key.get((period_id, phase, cluster_id)) if cluster_id else None
        row = row or self._by_key.get((period_id, phase, None))
        if row is None:
            return None
        extension = self._extensions.get((row.pk, unit_id)) if unit_id else None
        return _state(row, extension)

    def for_campaign(self, campaign_id: int) -> list[Deadline]:
        return [d for d in self.deadlines if d.campaign_id == campaign_id]


class LazyDeadlineBook:
    """DeadlineBook.load on first use (the home page asks only when there is work)."""

    def __init__(self, campaign_ids: list[int]):
        self._ids = campaign_ids
        self._book: DeadlineBook | None = None

    def __getattr__(self, name: str):
        if self._book is None:
            self._book = DeadlineBook.load(self._ids)
        return getattr(self._book, name)


@dataclass(frozen=True)
class LateUnit:
    """A unit that is late with a phase's work: where, since when, by how many days."""

    cluster_id: int
    unit_id: int
    state: DeadlineState
    days_late: int


def late_units(
    campaign: Campaign, period: Period | None, phase: str, *, today: date | None = None
) -> list[LateUnit]:
    """The units late with ``phase`` of ``period`` (None: the year-end review); see the
    module's docstring. Three queries plus the registered checks'."""
    today = today or timezone.localdate()
    period = period or Period.objects.year_end(campaign)
    if period.current_phase != phase:
        return []
    pending = pending_work(period, phase)
    if not pending:
        return []
    book = DeadlineBook.load([campaign.pk])
    late = []
    for work in sorted(pending, key=lambda w: (w.cluster_id, w.unit_id)):
        state = book.state(
            period_id=period.pk, phase=phase, cluster_id=work.cluster_id, unit_id=work.unit_id
        )
        if state is not None and state.passed(today):
            late.append(LateUnit(work.cluster_id, work.unit_id, state, -state.days_left(today)))
    return late


def late_units_by_cluster(late: list[LateUnit]) -> dict[int, list[LateUnit]]:
    grouped: dict[int, list[LateUnit]] = defaultdict(list)
    for item in late:
        grouped[item.cluster_id].append(item)
    return dict(grouped)


# --- Writes ---------------------------------------------------------------------------------


@transaction.atomic
def deadline_set(
    *,
    campaign: Campaign,
    period: Period | None,
    phase: str,
    due_date: date,
    mode: str = DeadlineMode.WARN,
    cluster: Cluster | None = None,
    user=None,
) -> Deadline:
    """Set (create or change) the deadline of ``phase`` of ``period`` (None: the year-end
    review), campaign-wide or for ``cluster``. History is kept."""
    period = period or Period.objects.year_end(campaign)
    deadline = Deadline.objects.filter(period=period, phase=phase, cluster=cluster).first()
    if deadline is None:
        deadline = Deadline(campaign=campaign, period=period, phase=phase, cluster=cluster)
    elif deadline.due_date == due_date and deadline.mode == mode:
        return deadline
    deadline.due_date = due_date
    deadline.mode = mode
    deadline._history_user = user
    deadline.full_clean()
    deadline.save()
    return deadline


@transaction.atomic
def deadline_delete(*, deadline: Deadline, user=None) -> None:
    """Remove a deadline (and its extensions); the history keeps that it existed."""
    deadline._history_user = user
    deadline.delete()


@transaction.atomic
def deadline_extend(
    *, deadline: Deadline, unit: Unit, due_date: date, reason: str, user=None
) -> DeadlineExtension:
    """Give ``unit`` until ``due_date`` for ``deadline``, saying why. The unit must be in
    the deadline's campaign (in its cluster for a cluster's deadline); the new date must be
    later than the deadline's own."""
    reason = (reason or "").strip()
    memberships = unit.memberships.filter(campaign_id=deadline.campaign_id)
    if deadline.cluster_id:
        memberships = memberships.filter(cluster_id=deadline.cluster_id)
    if not memberships.exists():
        raise ValidationError({"unit": _("This unit is not concerned by this deadline.")})
    if due_date <= deadline.due_date:
        raise ValidationError({"due_date": _("An extension must end after the deadline.")})
    extension = DeadlineExtension(
        deadline=deadline, unit=unit, due_date=due_date, reason=reason, created_by=user
    )
    extension.full_clean()
    extension.save()
    return extension
