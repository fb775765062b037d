"""Login throttling with django-axes: the client address it counts by, and the page a
locked-out user sees (docs/security.md, "Login throttling").

Both are named in settings (``AXES_CLIENT_IP_CALLABLE``, ``AXES_LOCKOUT_CALLABLE``).
"""

from __future__ import annotations

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The address a login comes from.

    Behind the TLS reverse proxy (``BEHIND_TLS_PROXY=1``, which sets
    ``SECURE_PROXY_SSL_HEADER``) every request reaches the application from the proxy, so
    the address is the last one the proxy appended to ``X-Forwarded-For`` (the ones before
    it come from the client and could be forged). Without the proxy it is the peer's
    address.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The lockout page, in the product's layout, with the time the user may try again.

    Every refused attempt restarts the cool-off (axes' default), so the next try is allowed
    one cool-off after this attempt.
    """
    attempt_time = getattr(request, "axes_attempt_time", None) or timezone.now()
    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "retry_at": attempt_time + cool_off if cool_off else None,
    }
    return render(
        request,
        "registration/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
