"""Notifications: the one door through which every app tells people something (issue 16
point 3; docs/notifications.md).

``notify`` keeps a campaign's news to the people who may see the campaign
(clusters.permissions.campaign_viewers), writes one row per recipient and event (the dedup
key: an event is told once however often its sender runs), and, when e-mail is configured
(``EMAIL_HOST`` and ``SITE_URL``), puts the e-mail of those who want it on the background
queue once the transaction is committed (clusters.tasks.send_notification_emails).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters import permissions
from clusters.enums import MemberRole, NoticeKind, PeriodKind, Phase
from clusters.models import Campaign, Membership, Period, Unit, User
from clusters.models.notices import Notification

KEY_MAX = Notification._meta.get_field("key").max_length


def _ids(users: Iterable[User | int] | QuerySet) -> set[int]:
    if isinstance(users, QuerySet):
        return set(users.values_list("pk", flat=True))
    return {u if isinstance(u, int) else u.pk for u in users}


def _plain(params: dict) -> dict:
    """The parameters as JSON keeps them: dates as ISO text, lazy text as text."""
    out = {}
    for name, value in params.items():
        if value is None or isinstance(value, bool | int | str):
            out[name] = value
        elif hasattr(value, "isoformat"):
            out[name] = value.isoformat()
        else:
            out[name] = str(value)
    return out


def email_enabled() -> bool:
    """Notifications are mailed when the installation has a mail server and knows its own
    address for the links (docs/notifications.md)."""
    return bool(settings.EMAIL_HOST and settings.SITE_URL)


@transaction.atomic
def notify(
    *,
    users: Iterable[User | int] | QuerySet,
    kind: str,
    campaign: Campaign | None,
    url: str = "",
    key: str,
    **params,
) -> list[Notification]:
    """Tell ``users`` of an event of ``kind``: one notification each, unless they were
    already told of the event ``key``. Users who may not see ``campaign`` are dropped
    (so nothing of a campaign ever reaches someone outside it), as are inactive accounts.
    ``params`` are the values of the kind's sentence (clusters.notices). Returns the
    notifications created now; their e-mails go to the queue after the commit."""
    if kind not in NoticeKind.values:
        raise ValidationError(f"Unknown notification kind {kind!r}.")
    if not key or len(key) > KEY_MAX:
        raise ValidationError(f"A notification needs a key of at most {KEY_MAX} characters.")
    ids = _ids(users)
    if not ids:
        return []
    if campaign is not None:
        ids = permissions.campaign_viewers(campaign, ids)
    else:
        ids = set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    told = set(
        Notification.objects.filter(recipient_id__in=ids, key=key).values_list(
            "recipient_id", flat=True
        )
    )
    plain = _plain(params)
    rows = [
        Notification(recipient_id=pk, kind=kind, campaign=campaign, params=plain, url=url, key=key)
        for pk in sorted(ids - told)
    ]
    if not rows:
        return []
    # Another sender may tell the same event at the same moment: the unique key decides.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(
            key=key, recipient_id__in=[r.recipient_id for r in rows], emailed_at__isnull=True
        ).order_by("pk")
    )
    if email_enabled():
        wanting = set(
            User.objects.filter(pk__in=[n.recipient_id for n in created], notify_by_email=True)
            .exclude(email="")
            .values_list("pk", flat=True)
        )
        mailed = [n.pk for n in created if n.recipient_id in wanting]
        if mailed:
            transaction.on_commit(lambda: _enqueue_emails(mailed))
    return created


def _enqueue_emails(ids: list[int]) -> None:
    from clusters.tasks import send_notification_emails

    send_notification_emails.enqueue(ids)


# --- Who is told ------------------------------------------------------------------------


def unit_users(unit_ids: Iterable[int]) -> QuerySet[User]:
    """The active accounts of these units (their officers)."""
    return User.objects.filter(unit_id__in=list(unit_ids), is_active=True)


def cluster_leader_users(cluster_ids: Iterable[int]) -> QuerySet[User]:
    """The active accounts of the leader and deputy units of these clusters."""
    leading = Membership.objects.filter(
        cluster_id__in=list(cluster_ids), role__in=(MemberRole.LEADER, MemberRole.DEPUTY)
    )
    return User.objects.filter(unit_id__in=leading.values("unit_id"), is_active=True)


def campaign_member_users(campaign: Campaign) -> QuerySet[User]:
    """The active accounts of every member unit of the campaign's clusters."""
    members = Membership.objects.filter(campaign=campaign).values("unit_id")
    return User.objects.filter(unit_id__in=members, is_active=True)


# --- Reading and marking ------------------------------------------------------------------


def unread_count(user: User) -> int:
    """The bell's number: one query."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    """Mark one of ``user``'s own notifications read (once: the first reading counts)."""
    if notification.recipient_id != user.pk:
        raise ValidationError("A notification is marked read by its recipient only.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    return Notification.objects.filter(Q(recipient=user) & Q(read_at__isnull=True)).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_set(*, user: User, notify_by_email: bool) -> User:
    """Whether ``user`` also receives their notifications by e-mail."""
    if user.notify_by_email != notify_by_email:
        user.notify_by_email = notify_by_email
        user.save(update_fields=["notify_by_email"])
    return user


# --- Reminders ---------------------------------------------------------------------------


def phase_recipients(phase: str, pairs: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    """Who is told of a phase's work, per unit: for ``pairs`` of (cluster id, unit id),
    the unit's own accounts, and in the cluster-scoring phase (the leader scores its
    members) the accounts of the cluster's leader and deputy units. Two queries."""
    pairs = list(pairs)
    by_unit: dict[int, set[int]] = {unit_id: set() for _cluster, unit_id in pairs}
    for pk, unit_id in unit_users(by_unit).values_list("pk", "unit_id"):
        by_unit[unit_id].add(pk)
    if phase == Phase.CLUSTER_SCORING:
        leaders: dict[int, set[int]] = {}
        rows = User.objects.filter(
            is_active=True,
            unit__memberships__cluster_id__in={c for c, _u in pairs},
            unit__memberships__role__in=(MemberRole.LEADER, MemberRole.DEPUTY),
        ).values_list("pk", "unit__memberships__cluster_id")
        for pk, cluster_id in rows:
            leaders.setdefault(cluster_id, set()).add(pk)
        for cluster_id, unit_id in pairs:
            by_unit[unit_id] |= leaders.get(cluster_id, set())
    return by_unit


@dataclass(frozen=True)
class Reminded:
    """What a reminder round did: units whose people were told now, units already told
    today (nothing sent again), and units asked for that are not in the campaign."""

    units: int
    already: int
    skipped: int


@transaction.atomic
def reminders_send(
    *,
    campaign: Campaign,
    period: Period | None,
    phase: str,
    user: User,
    unit_ids: Iterable[int] | None = None,
    all_late: bool = False,
    today: dt.date | None = None,
) -> Reminded:
    """Remind units of ``phase``'s work of ``period`` (None: the year-end review): the
    units ``unit_ids``, or every late unit (``late_units``) when ``all_late``. Each unit's
    accounts (and the cluster leader's in cluster scoring) get a "reminder" notification
    with the date that applies to the unit; a unit is reminded at most once a day for a
    phase, so a second click sends nothing twice."""
    from clusters.services.deadlines import DeadlineBook, late_units

    if phase not in Phase.values or phase in (Phase.SETUP, Phase.PUBLISHED):
        raise ValidationError(_("Choose a phase with work to remind of."))
    today = today or timezone.localdate()
    period = period or Period.objects.year_end(campaign)
    members = dict(
        Membership.objects.filter(campaign=campaign).values_list("unit_id", "cluster_id")
    )
    if all_late:
        wanted = [late.unit_id for late in late_units(campaign, period, phase, today=today)]
    else:
        wanted = list(dict.fromkeys(int(u) for u in unit_ids or []))
    skipped = sum(1 for u in wanted if u not in members)
    wanted = [u for u in wanted if u in members]
    if not wanted:
        return Reminded(0, 0, skipped)
    units = dict(Unit.objects.filter(pk__in=wanted).values_list("pk", "name"))
    recipients = phase_recipients(phase, [(members[u], u) for u in wanted])
    book = DeadlineBook.load([campaign.pk])
    reminded = already = 0
    for unit_id in wanted:
        state = book.state(
            period_id=period.pk, phase=phase, cluster_id=members[unit_id], unit_id=unit_id
        )
        due = state.due if state else None
        created = notify(
            users=recipients[unit_id],
            kind=NoticeKind.REMINDER,
            campaign=campaign,
            url=reverse("home"),
            key=f"reminder:{period.pk}:{phase}:{unit_id}:{today.isoformat()}",
            phase=phase,
            period=period.kind,
            year=campaign.year,
            unit=units[unit_id],
            date=due,
            sender=str(user),
        )
        if created:
            reminded += 1
        elif recipients[unit_id]:
            already += 1
    return Reminded(reminded, already, skipped)


# --- Senders of the organisation's floor ---------------------------------------------------

# Phases whose opening is told to the campaign's units: setting up concerns staff only, and
# publishing follows every cluster's publication, each already told (results_published).
TOLD_PHASES = tuple(p for p in Phase.values if p not in (Phase.SETUP, Phase.PUBLISHED))


def phase_opened_notify(*, campaign: Campaign, period_kind: str, phase: str) -> int:
    """Tell the accounts of every member unit of ``campaign`` that ``phase`` of its review
    ``period_kind`` is open (once per review and phase, however often it is reopened or
    the daily reminders run). Returns how many were told now."""
    if phase not in TOLD_PHASES:
        return 0
    created = notify(
        users=campaign_member_users(campaign),
        kind=NoticeKind.PHASE_OPENED,
        campaign=campaign,
        url=reverse("home"),
        key=f"phase_opened:{campaign.pk}:{period_kind}:{phase}",
        phase=phase,
        period=period_kind,
        year=campaign.year,
    )
    return len(created)


# --- The daily reminders (manage.py send_reminders) ------------------------------------------

# Days before a deadline on which the people who still have its work are told.
CLOSING_DAYS = (3, 1)
CLOSED_PHASES = (Phase.SETUP, Phase.PUBLISHED)


@dataclass
class DailyCount:
    """What a run of the daily reminders told, by kind: notifications created now."""

    opened: int = 0
    closing: int = 0


def _open_periods() -> list[Period]:
    """Every review whose phase is open: year-end reviews of campaigns past setting up and
    not published, six-month reviews likewise (their own phase)."""
    open_campaigns = Campaign.objects.exclude(phase__in=CLOSED_PHASES)
    for campaign in open_campaigns.filter(periods__isnull=True):
        Period.objects.year_end(campaign)  # every campaign has one; old ones get theirs
    year_end = Period.objects.filter(kind=PeriodKind.YEAR_END, campaign__in=open_campaigns)
    six_month = Period.objects.filter(kind=PeriodKind.SIX_MONTH).exclude(phase__in=CLOSED_PHASES)
    return list((year_end | six_month).select_related("campaign").order_by("campaign", "kind"))


def _closing_notify(period: Period, today: dt.date) -> int:
    """Tell whoever still has the open phase's work that it is due in 3 days, or 1: the
    units whose work is pending (clusters.todo.pending_work; every member unit when no
    registered check knows the phase), each at the date that applies to it (its cluster's
    deadline, its extension). One notification per person, due date and day."""
    from clusters.services.deadlines import DeadlineBook
    from clusters.todo import pending_work

    campaign, phase = period.campaign, period.current_phase
    book = DeadlineBook.load([campaign.pk])
    if not any(d.period_id == period.pk and d.phase == phase for d in book.deadlines):
        return 0
    pending = pending_work(period, phase)
    if pending is None:
        pairs = Membership.objects.filter(campaign=campaign).values_list("cluster_id", "unit_id")
    else:
        pairs = [(w.cluster_id, w.unit_id) for w in pending]
    groups: dict[tuple[dt.date, int], list[tuple[int, int]]] = {}
    for cluster_id, unit_id in pairs:
        state = book.state(period_id=period.pk, phase=phase, cluster_id=cluster_id, unit_id=unit_id)
        if state is not None and state.days_left(today) in CLOSING_DAYS:
            groups.setdefault((state.due, state.days_left(today)), []).append((cluster_id, unit_id))
    told = 0
    for (due, days), group in sorted(groups.items()):
        users = set().union(*phase_recipients(phase, group).values())
        told += len(
            notify(
                users=users,
                kind=NoticeKind.PHASE_CLOSING,
                campaign=campaign,
                url=reverse("home"),
                key=f"phase_closing:{period.pk}:{phase}:{due.isoformat()}:{days}",
                phase=phase,
                period=period.kind,
                year=campaign.year,
                date=due,
                days=days,
            )
        )
    return told


@transaction.atomic
def reminders_daily(*, today: dt.date | None = None) -> DailyCount:
    """The daily reminders (``manage.py send_reminders``; docs/notifications.md): for every
    open review, its units told that its phase is open (if they were not yet), and those
    who still have the phase's work told 3 days and 1 day before its deadline. Each is
    sent once (the keys), so a second run the same day sends nothing."""
    today = today or timezone.localdate()
    count = DailyCount()
    for period in _open_periods():
        count.opened += phase_opened_notify(
            campaign=period.campaign, period_kind=period.kind, phase=period.current_phase
        )
        count.closing += _closing_notify(period, today)
    return count
