"""Deadlines in scoring (issue 16; docs/deadlines.md): which phase a stage's work belongs
to, the close-mode check of the services that save entries and submit sheets, and the
pending work scoring answers to clusters.todo.register_phase_work.

The check is cheap: ``entry_change`` reads the deadline that applies to every sheet it
locks in the same query (``deadline_annotations``), so a save costs no extra query; the
other writes (``sheet_fill``, ``sheet_submit``, ``explanation_write``) ask once
(``ensure_open``: one query). Staff and administrators are never blocked, and a unit
with a running extension is not either (the extension that counts is the sheet's unit's).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import formats
from django.utils.translation import gettext as _

from clusters import permissions as org
from clusters.enums import DeadlineMode, Phase
from clusters.models import Deadline, DeadlineExtension, Period
from clusters.services.deadlines import DeadlineState, deadline_state
from clusters.todo import PendingWork
from scoring.enums import SheetStatus, Stage

# The phase in which each stage's work is done.
STAGE_PHASE = {
    Stage.SELF: Phase.SELF_ASSESSMENT,
    Stage.CLUSTER: Phase.CLUSTER_SCORING,
    Stage.FINAL: Phase.FINAL_REVIEW,
}
PHASE_STAGE = {phase: stage for stage, phase in STAGE_PHASE.items()}


class DeadlineClosed(ValidationError):
    """The phase's deadline has passed in close mode: the unit's input is refused."""


def _outer(name: str, depth: int) -> OuterRef:
    ref = OuterRef(name)
    for _level in range(depth - 1):
        ref = OuterRef(ref)
    return ref


def _applying(phase: str, depth: int = 1):
    """The deadline applying to an OuterRef'd sheet ``depth`` levels out (its cluster's
    own, else the campaign's), as a correlated query over Deadline."""
    return (
        Deadline.objects.filter(period_id=_outer("period_id", depth), phase=phase)
        .filter(Q(cluster__isnull=True) | Q(cluster_id=_outer("cluster_id", depth)))
        .order_by(F("cluster_id").desc(nulls_last=True))
    )


def deadline_annotations(stage: str) -> dict[str, Subquery]:
    """Annotations for a query of sheets at ``stage`` (recompute.lock_sheets): the date,
    mode and the sheet's unit's latest extension of the deadline that applies."""
    phase = STAGE_PHASE.get(stage)
    if phase is None:
        return {}
    applying = _applying(phase)
    latest = (
        DeadlineExtension.objects.filter(
            deadline_id=Subquery(_applying(phase, 2).values("pk")[:1]),
            unit_id=OuterRef("unit_id"),
        )
        .order_by("-created_at", "-pk")
        .values("due_date")[:1]
    )
    return {
        "deadline_id": Subquery(applying.values("pk")[:1]),
        "deadline_due": Subquery(applying.values("due_date")[:1]),
        "deadline_mode": Subquery(applying.values("mode")[:1]),
        "deadline_extended": Subquery(latest),
    }


def state_of_annotated(sheet) -> DeadlineState | None:
    """The DeadlineState read by ``deadline_annotations`` (None without a deadline)."""
    due = getattr(sheet, "deadline_due", None)
    if due is None:
        return None
    extended = sheet.deadline_extended
    return DeadlineState(
        deadline_id=sheet.deadline_id,
        due=extended or due,
        base_due=due,
        mode=sheet.deadline_mode,
        extended=extended is not None,
    )


def exempt(user) -> bool:
    """Staff and administrators are never blocked by a deadline."""
    return (
        user is None
        or not user.is_authenticated
        or org.is_administrator(user)
        or (org.is_province_staff(user))
    )


def closed_message(state: DeadlineState) -> str:
    return _(
        "The deadline of this phase was %(date)s and input is now closed. Ask the standing "
        "agency for an extension."
    ) % {"date": formats.date_format(state.due, "d/m/Y")}


def refuse_if_closed(state: DeadlineState | None, user, today: date | None = None) -> None:
    """Raise DeadlineClosed when ``state`` closes input for ``user``."""
    if state is None or not state.closes_input(today) or exempt(user):
        return
    raise DeadlineClosed(closed_message(state), code="deadline_closed")


def sheet_state(sheet, phase: str | None = None) -> DeadlineState | None:
    """The deadline applying to ``sheet`` for its stage's phase (or ``phase``): one query."""
    phase = phase or STAGE_PHASE.get(sheet.stage)
    if phase is None:
        return None
    return deadline_state(
        period_q=Q(period_id=sheet.period_id),
        phase=phase,
        cluster_id=sheet.cluster_id,
        unit_id=sheet.unit_id,
    )


def ensure_open(sheet, user, phase: str | None = None) -> None:
    """Refuse the write (DeadlineClosed) when the sheet's phase is closed for ``user``.
    Costs nothing for staff, one query otherwise."""
    if exempt(user):
        return
    refuse_if_closed(sheet_state(sheet, phase), user)


# --- Pending work (clusters.todo.register_phase_work) -----------------------------------------


def pending_sheets(period: Period, phase: str) -> list[PendingWork] | None:
    """The units whose sheet of the phase's stage is not handed in: in self-assessment
    every member of the campaign without a submitted (or locked) self-assessment, a sheet
    not opened yet included; in cluster scoring the units whose cluster-stage sheet is a
    draft or returned. Two queries at most."""
    from clusters.models import Membership
    from scoring.models import ScoreSheet

    stage = PHASE_STAGE.get(phase)
    if stage is None or stage == Stage.FINAL:
        return None  # the final review is the standing agency's own work
    if stage == Stage.SELF:
        done = set(
            ScoreSheet.objects.filter(period_id=period.pk, stage=Stage.SELF)
            .exclude(status__in=[SheetStatus.DRAFT, SheetStatus.RETURNED])
            .values_list("cluster_id", "unit_id")
        )
        members = Membership.objects.filter(campaign_id=period.campaign_id).values_list(
            "cluster_id", "unit_id"
        )
        return [PendingWork(c, u) for c, u in members if (c, u) not in done]
    rows = ScoreSheet.objects.filter(
        period_id=period.pk, stage=stage, status__in=[SheetStatus.DRAFT, SheetStatus.RETURNED]
    ).values_list("cluster_id", "unit_id")
    return [PendingWork(cluster_id=c, unit_id=u) for c, u in rows]


__all__ = [
    "STAGE_PHASE",
    "DeadlineClosed",
    "DeadlineMode",
    "deadline_annotations",
    "ensure_open",
    "pending_sheets",
    "refuse_if_closed",
    "sheet_state",
    "state_of_annotated",
]
