"""The admin site: administrators, province staff and cluster leaders may enter; what
each sees inside is decided by clusters.permissions through each ModelAdmin."""

from __future__ import annotations

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


class AdminLoginForm(AuthenticationForm):
    """Lets in whoever the permission module allows, not only users flagged ``is_staff``
    (a cluster leader is an ordinary unit officer in the year their unit leads)."""

    def confirm_login_allowed(self, user) -> None:
        from clusters.permissions import can_use_admin

        super().confirm_login_allowed(user)
        if not can_use_admin(user):
            raise forms.ValidationError(
                _("This account cannot use the administration. Use the main pages instead."),
                code="no_admin",
            )


class EmulationAdminSite(AdminSite):
    site_header = _("Emulation clusters — administration")
    site_title = _("Emulation clusters")
    index_title = _("Administration")
    login_form = AdminLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        from clusters.middleware import pending_step
        from clusters.permissions import can_use_admin

        # Behind the same steps as the main pages (second factor, temporary password),
        # which clusters.middleware.AccountGuardMiddleware also enforces.
        return (
            request.user.is_active and can_use_admin(request.user) and pending_step(request) is None
        )

    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # One password change page, the product's, which also ends a temporary password.
        return redirect("password_change")
