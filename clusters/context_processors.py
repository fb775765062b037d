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
    """The bell's unread count (templates/includes/notifications_bell.html), for signed-in
    users only. The user is read with it (clusters.auth.NoticeCountBackend), so it costs
    no query; a user loaded otherwise costs one, made only when a template asks for it and
    once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread_notifications() -> int:
        cached = getattr(user, "unread_notice_count", None)
        if cached is None:
            from clusters.services.notices import unread_count

            cached = unread_count(user)
            user.unread_notice_count = cached
        return cached

    return {"unread_notifications": unread_notifications}
