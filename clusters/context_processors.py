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
