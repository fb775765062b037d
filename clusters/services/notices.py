"""Notifications: the one door through which every app tells people something (issue 16
point 3; docs/notifications.md).

``notify`` keeps a campaign's news to the people who may see the campaign
(clusters.permissions.campaign_viewers), writes one row per recipient and event (the dedup
key: an event is told once however often its sender runs), and, when e-mail is configured
(``EMAIL_HOST`` and ``SITE_URL``), puts the e-mail of those who want it on the background
queue once the transaction is committed (clusters.tasks.send_notification_emails).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from clusters import permissions
from clusters.enums import MemberRole, NoticeKind
from clusters.models import Campaign, Membership, User
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
