"""Template context: what the signed-in user is, for the navigation."""

from __future__ import annotations

from django.http import HttpRequest

from clusters import permissions


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_administrator": permissions.is_administrator(user),
        "is_province_staff": permissions.is_province_staff(user),
        "can_use_admin": permissions.can_use_admin(user),
        "can_manage_accounts": permissions.can_manage_accounts(user),
    }


def notifications(request: HttpRequest) -> dict:
    """The bell's unread count (templates/includes/notifications_bell.html): one query,
    made only when a template asks for it, and once per request; nothing for anonymous
    users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread_notifications() -> int:
        cached = getattr(request, "_unread_notifications", None)
        if cached is None:
            from clusters.services.notices import unread_count

            cached = unread_count(user)
            request._unread_notifications = cached
        return cached

    return {"unread_notifications": unread_notifications}
