"""The sign-in backend: Django's ModelBackend, whose reading of the signed-in user also
counts their unread notifications (issue 16 point 3).

Every page shows the bell with that count (templates/includes/notifications_bell.html).
Read with the user, in the query that loads them on every request anyway, it costs no
query of its own, so no page's query count grows with the bell. The count is a correlated
subquery over the partial index of unread notifications (clusters_notification_unread).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from clusters.models import Notification, User
from emulation.prepared import Prepared


def with_unread_count(users):
    """``users`` with ``unread_notice_count``: how many of their notifications are unread."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return users.annotate(unread_notice_count=Coalesce(Subquery(unread), 0))


# The read of every request, its SQL compiled (and on PostgreSQL planned) once per process.
_USER = Prepared(lambda *, pk: with_unread_count(User._default_manager.filter(pk=pk)))


class NoticeCountBackend(ModelBackend):
    """ModelBackend whose ``get_user`` (the request's user) carries the unread count."""

    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = _USER.run("user", pk=pk)
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None
