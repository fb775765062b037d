"""The user's own password and second factor (docs/security.md, "Accounts" and "Second
factor"), open to every signed-in user:

- ``password_change`` / ``password_change_done``: Django's views in the product's layout;
  the form ends a temporary password;
- ``two_factor``: whether two-step verification is on, with the links below;
- ``two_factor_setup``: the QR code (drawn here as SVG, no outside service) and the secret
  for the authenticator app, confirmed with a code; then the recovery codes are shown once;
- ``two_factor_verify``: the step after the password at every sign-in, for a user with an
  authenticator (a code from the app or a recovery code, each recovery code once);
- ``two_factor_codes``: the recovery codes just made, or how many are left, and making new
  ones (the old ones stop working);
- ``two_factor_disable``: turning it off, with the password and a code.

``clusters.middleware.AccountGuardMiddleware`` sends the user here when a step is due.
"""

from __future__ import annotations

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clusters.forms.accounts import OTPCodeForm, OwnPasswordChangeForm, SecondFactorDisableForm
from clusters.middleware import refresh_guard, second_factor_required
from clusters.services import accounts as account_services
from emulation.compression import never_compress

FRESH_CODES_KEY = "fresh_recovery_codes"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("password_change_done")


@method_decorator(login_required, name="dispatch")
class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    pass


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if safe and candidate else reverse("home")


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    # Drawn here from the device's own URL: no user-supplied markup can reach it.
    return mark_safe(image.to_string(encoding="unicode"))


def _grouped(secret_base32: str) -> str:
    return " ".join(secret_base32[i : i + 4] for i in range(0, len(secret_base32), 4))


def _matching_device(user, code: str):
    """The confirmed device that accepts ``code``: the authenticator for six digits, the
    recovery codes otherwise (each used once). Returns (device, refused_until)."""
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    locked_until = None
    for device in model.objects.devices_for_user(user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed:
            locked_until = (data or {}).get("locked_until")
            continue
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified, None
    return None, locked_until


def _code_error(form: OTPCodeForm, locked_until) -> None:
    if locked_until is not None:
        form.add_error(
            "code",
            _("Too many wrong codes. Wait a few seconds, then enter a new code."),
        )
    else:
        form.add_error("code", _("This code is not valid. Enter the current code from the app."))


@require_http_methods(["GET"])
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "enabled": account_services.has_second_factor(user),
        "required": second_factor_required(user),
        "codes_left": _codes_left(user),
    }
    return render(request, "clusters/accounts/two_factor.html", context)


def _codes_left(user) -> int:
    devices = StaticDevice.objects.filter(user=user, confirmed=True)
    return sum(device.token_set.count() for device in devices)


@never_compress  # the authenticator's key (docs/security.md, "Compressed pages")
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if account_services.has_second_factor(user):
        return redirect("two_factor")
    device = account_services.second_factor_start(user=user)
    form = OTPCodeForm(request.POST or None, submit_label=_("Confirm"))
    if request.method == "POST" and form.is_valid():
        codes = account_services.second_factor_confirm(
            device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            otp_login(request, device)
            refresh_guard(request)
            request.session[FRESH_CODES_KEY] = codes
            messages.success(request, _("Two-step verification is on."))
            return redirect("two_factor_codes")
        form.add_error("code", _("This code is not valid. Enter the current code from the app."))
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": _grouped(_base32(device)),
        "required": second_factor_required(user),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "clusters/accounts/two_factor_setup.html", context, status=status)


def _base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not account_services.has_second_factor(user):
        # An administrator removed the device while this session waited: nothing to verify.
        refresh_guard(request)
        return redirect(_next_url(request))
    if user.is_verified():
        return redirect(_next_url(request))
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, locked_until = _matching_device(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(_next_url(request))
        _code_error(form, locked_until)
    context = {"form": form, "next": _next_url(request)}
    status = 400 if request.method == "POST" else 200
    return render(request, "clusters/accounts/two_factor_verify.html", context, status=status)


@never_compress  # the recovery codes
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not account_services.has_second_factor(user):
        return redirect("two_factor")
    if request.method == "POST":
        request.session[FRESH_CODES_KEY] = account_services.recovery_codes_regenerate(user=user)
        messages.success(request, _("New recovery codes were made; the old ones no longer work."))
        return redirect("two_factor_codes")
    fresh = request.session.pop(FRESH_CODES_KEY, None)
    context = {"codes": fresh, "codes_left": _codes_left(user)}
    return render(request, "clusters/accounts/two_factor_codes.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not account_services.has_second_factor(user):
        return redirect("two_factor")
    if not user.is_verified():
        raise PermissionDenied
    form = SecondFactorDisableForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        device, locked_until = _matching_device(user, form.cleaned_data["code"])
        if device is not None:
            account_services.second_factor_remove(user=user)
            refresh_guard(request)
            messages.success(request, _("Two-step verification is off."))
            return redirect("two_factor")
        _code_error(form, locked_until)
    context = {"form": form, "required": second_factor_required(user)}
    status = 400 if request.method == "POST" else 200
    return render(request, "clusters/accounts/two_factor_disable.html", context, status=status)


urlpatterns = [
    path("account/password/", PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("account/two-factor/", two_factor, name="two_factor"),
    path("account/two-factor/setup/", two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/verify/", two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/codes/", two_factor_codes, name="two_factor_codes"),
    path("account/two-factor/disable/", two_factor_disable, name="two_factor_disable"),
]
