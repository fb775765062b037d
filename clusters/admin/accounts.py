"""Admin for what guards accounts: login records and lockouts (django-axes) and second-factor
devices (django-otp), for administrators only; and the password forms of the user admin, by
which a password an administrator sets is temporary (docs/security.md).

django-axes and django-otp register their own ModelAdmins on the site; they are replaced
here by the same classes limited to administrators, whatever Django permissions a group
might hold.
"""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.db.models import Model
from django.http import HttpRequest
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from clusters import permissions
from clusters.services import accounts as account_services


class AdministratorsOnlyMixin:
    """Seen and used by administrators (superusers) only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return permissions.is_administrator(request.user) and super().has_view_permission(
            request, obj
        )

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return permissions.is_administrator(request.user) and super().has_add_permission(
            request, *args
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return permissions.is_administrator(request.user) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return permissions.is_administrator(request.user) and super().has_delete_permission(
            request, obj
        )


_GUARDED = (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
    (TOTPDevice, TOTPDeviceAdmin),
    (StaticDevice, StaticDeviceAdmin),
)

for _model, _base in _GUARDED:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(_base.__name__, (AdministratorsOnlyMixin, _base), {}))


# --- Passwords set in the user admin are temporary ----------------------------------------


class TemporaryPasswordCreationForm(AdminUserCreationForm):
    """A user added in admin with a password must choose their own at the first sign-in."""

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        user.must_change_password = user.has_usable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class TemporaryAdminPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" of a user: the new password is temporary
    (``account_services.account_set_password``). Turning password sign-in off is left to
    Django."""

    def save(self, commit: bool = True):
        if not self.cleaned_data.get("set_usable_password", True):
            return super().save(commit=commit)
        return account_services.account_set_password(
            account=self.user, password=self.cleaned_data["password1"]
        )
