"""System checks of the organisation's floor (``manage.py check``, run at every start)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register


@register()
def notification_mail(app_configs, **kwargs) -> list[Warning]:
    """A mail server without SITE_URL mails errors to the administrators but no
    notification: their links could not be written (docs/notifications.md)."""
    if settings.EMAIL_HOST and not settings.SITE_URL:
        return [
            Warning(
                "EMAIL_HOST is set but SITE_URL is not: notifications are not mailed.",
                hint="Set SITE_URL to the address users open the site at, e.g. "
                "https://thidua.example.vn (docs/notifications.md).",
                id="clusters.W001",
            )
        ]
    return []
