"""Registries through which upper floors tell clusters about work to do (issue 16).

clusters owns deadlines and the home page, but not the work itself: whether a unit's sheet
is submitted belongs to scoring, a vote to awards. They register here from their
AppConfig.ready (like clusters.panels), so clusters imports neither.

- ``register_phase_work``: which units have not yet done a phase's work of a period (the
  "work done" half of ``clusters.services.deadlines.late_units``).
- ``register_todo_provider``: the items of a person's to-do list on the home page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from clusters.models import Period


@dataclass(frozen=True)
class PendingWork:
    """A unit that has not done a phase's work, in the cluster where it is expected."""

    cluster_id: int
    unit_id: int


# check(period, phase) -> the pending work, or None when the check does not know the phase.
PhaseWorkCheck = Callable[[Period, str], Iterable[PendingWork] | None]
_phase_work_checks: list[PhaseWorkCheck] = []


def register_phase_work(check: PhaseWorkCheck) -> PhaseWorkCheck:
    """Add ``check``: it answers, for a period and phase, the units whose work is not done
    (scoring: units whose sheet of the phase's stage is not submitted). It must cost a
    fixed number of queries whatever the size of the campaign."""
    if check not in _phase_work_checks:
        _phase_work_checks.append(check)
    return check


def pending_work(period: Period, phase: str) -> set[PendingWork] | None:
    """Every registered check's pending work for the phase; None when none knows it."""
    answers = [check(period, phase) for check in _phase_work_checks]
    known = [set(a) for a in answers if a is not None]
    if not known:
        return None
    return set().union(*known)


# --- The to-do list -----------------------------------------------------------------------


class Urgency:
    """How pressing an item is, for its order and its badge."""

    LATE = "late"  # its deadline has passed
    SOON = "soon"  # due within SOON_DAYS
    NORMAL = "normal"


SOON_DAYS = 3
URGENCY_ORDER = {Urgency.LATE: 0, Urgency.SOON: 1, Urgency.NORMAL: 2}


def urgency_of(due: date | None, today: date) -> str:
    if due is None:
        return Urgency.NORMAL
    if due < today:
        return Urgency.LATE
    if (due - today).days <= SOON_DAYS:
        return Urgency.SOON
    return Urgency.NORMAL


@dataclass(frozen=True)
class TodoItem:
    """One thing a person must do: what (``text``, already translated), how many
    (``count``, e.g. entries still missing; None when it is one thing), by when (``due``),
    where (``url``: the exact page), and how pressing (``urgency``, from ``urgency_of``)."""

    text: str
    url: str
    count: int | None = None
    due: date | None = None
    urgency: str = Urgency.NORMAL
    context: str = ""  # the campaign, cluster or unit it is about, shown small
    key: tuple = field(default=(), compare=False)


@dataclass
class TodoRequest:
    """What a provider is asked with: the user, today's date (Asia/Ho_Chi_Minh), the
    campaigns of the home page (the newest the user may see), and their deadlines read once
    for every provider (clusters.services.deadlines.DeadlineBook)."""

    user: object
    today: date
    campaigns: list
    deadlines: object


TodoProvider = Callable[[TodoRequest], Iterable[TodoItem]]
_todo_providers: list[TodoProvider] = []


def register_todo_provider(provider: TodoProvider) -> TodoProvider:
    """Add ``provider``'s items to every home page. A provider answers only what the user
    may see and costs a fixed number of queries whatever the data (the home page has a
    query-count test at two sizes)."""
    if provider not in _todo_providers:
        _todo_providers.append(provider)
    return provider


def todo_items(request: TodoRequest) -> list[TodoItem]:
    """Every provider's items, the most pressing first, then by due date."""
    items = [item for provider in _todo_providers for item in provider(request)]
    return sorted(
        items,
        key=lambda i: (URGENCY_ORDER.get(i.urgency, 9), i.due or date.max, i.context, i.text),
    )


# --- clusters' own items: the signing of the pledge ----------------------------------------


def signing_todo(request: TodoRequest) -> list[TodoItem]:
    """While a campaign is at its signing conferences: for the cluster's leader and deputy
    units, the signatures still to record and the scanned copies still to upload; for a
    member unit that may sign for itself, its own signature. Four queries at most."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from clusters import permissions
    from clusters.enums import MemberRole, Phase
    from clusters.models import Membership, Pledge, Signature

    user = request.user
    signing = [c.pk for c in request.campaigns if c.phase == Phase.SIGNING]
    if not signing or not permissions.is_unit_officer(user):
        return []
    mine = list(
        Membership.objects.filter(unit_id=user.unit_id, campaign_id__in=signing).select_related(
            "cluster"
        )
    )
    if not mine:
        return []
    ids = [m.cluster_id for m in mine]
    pledges = {p.cluster_id: p for p in Pledge.objects.filter(cluster_id__in=ids)}
    signed: dict[int, list] = {}
    for cluster_id, unit_id, scanned in Signature.objects.filter(
        pledge__cluster_id__in=ids
    ).values_list("pledge__cluster_id", "unit_id", "scanned_copy"):
        signed.setdefault(cluster_id, []).append((unit_id, scanned))
    sizes = dict(
        Membership.objects.filter(cluster_id__in=ids)
        .values_list("cluster_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    items = []
    for m in mine:
        cluster, pledge = m.cluster, pledges.get(m.cluster_id)
        rows = signed.get(m.cluster_id, [])
        if m.role in (MemberRole.LEADER, MemberRole.DEPUTY):
            if pledge is None:
                items.append(
                    TodoItem(
                        text=_("Record the signing conference and the pledge"),
                        url=reverse("cluster_conference_edit", args=[cluster.pk]),
                        context=cluster.name,
                    )
                )
                continue
            missing = sizes.get(cluster.pk, 0) - len(rows)
            unscanned = sum(1 for _unit, scanned in rows if not scanned)
            detail = reverse("cluster_detail", args=[cluster.pk])
            if missing > 0:
                items.append(
                    TodoItem(
                        text=_("Signatures of the pledge still to record"),
                        url=detail,
                        count=missing,
                        context=cluster.name,
                    )
                )
            if unscanned:
                items.append(
                    TodoItem(
                        text=_("Scanned signatures still to upload"),
                        url=detail,
                        count=unscanned,
                        context=cluster.name,
                    )
                )
        elif (
            pledge is not None
            and pledge.members_may_sign
            and all(unit_id != user.unit_id for unit_id, _scanned in rows)
        ):
            items.append(
                TodoItem(
                    text=_("Sign your cluster's pledge"),
                    url=reverse("cluster_signature_edit", args=[cluster.pk, user.unit_id]),
                    context=cluster.name,
                )
            )
    return items


register_todo_provider(signing_todo)
