"""What a signed-in session must do before anything else, and when it expires.

``AccountGuardMiddleware`` sends a signed-in user, whatever page they ask for, to:

1. the second-factor step (``two_factor_verify``) when they have an authenticator and this
   session has not passed it;
2. the password change page (``password_change``) while their password is temporary (set
   by someone else: ``User.must_change_password``);
3. the authenticator set-up (``two_factor_setup``) when ``REQUIRE_2FA_FOR_STAFF`` is on and
   they are an administrator or province staff without one.

Static files, the language switch, signing out and the page they are sent to still work.
Whether the user has an authenticator is read once, at sign-in, and kept in the session
(``GUARD_KEY``), so an ordinary request costs no query; the second-factor pages refresh it.

``IdleSessionMiddleware`` ends a session after ``SESSION_IDLE_HOURS`` without a request:
the session's expiry (``SESSION_COOKIE_AGE``) is renewed while the user works, at most
once every ``IDLE_RENEW_SECONDS`` so that a busy page does not write its session on every
request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from clusters import permissions
from clusters.models import User
from clusters.services.accounts import has_second_factor

GUARD_KEY = "account_guard"
IDLE_TOUCH_KEY = "idle_renewed_at"
IDLE_RENEW_SECONDS = 300


# The rule lives in the permission module; the second-factor pages import it from here too.
second_factor_required = permissions.second_factor_required


def refresh_guard(request: HttpRequest, user: User | None = None) -> dict:
    """Record in the session whether the user has an authenticator and must set one up."""
    user = user or request.user
    device = has_second_factor(user)
    state = {"device": device, "setup": not device and second_factor_required(user)}
    request.session[GUARD_KEY] = state
    return state


@receiver(user_logged_in, dispatch_uid="clusters.account_guard")
def _on_login(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    refresh_guard(request, user)
    request.session[IDLE_TOUCH_KEY] = int(time.time())


def pending_step(request: HttpRequest) -> str | None:
    """The URL name of the page the signed-in user must go through first, or None."""
    user = request.user
    if not user.is_authenticated:
        return None
    state = request.session.get(GUARD_KEY)
    if state is None:
        state = refresh_guard(request)
    if state.get("device") and not user.is_verified():
        return "two_factor_verify"
    if user.must_change_password:
        return "password_change"
    if state.get("setup"):
        return "two_factor_setup"
    return None


def _always_allowed(path: str) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    allowed = (reverse("logout"), reverse("set_language"), reverse("admin:logout"), "/favicon.ico")
    return path.startswith(static) or path in allowed


class AccountGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = None if _always_allowed(request.path_info) else pending_step(request)
        if step is not None:
            url = reverse(step)
            if request.path_info != url:
                return self._send_to(request, url)
        return self.get_response(request)

    @staticmethod
    def _send_to(request: HttpRequest, url: str) -> HttpResponse:
        if request.method == "GET":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)


class IdleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            if now - session.get(IDLE_TOUCH_KEY, 0) >= IDLE_RENEW_SECONDS:
                # Modifying the session saves it with a fresh expiry (SESSION_COOKIE_AGE).
                session[IDLE_TOUCH_KEY] = now
        return self.get_response(request)
