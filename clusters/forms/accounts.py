"""Forms of the account pages (clusters.views.accounts) and of the user's own password and
second factor (clusters.views.second_factor). The choices of units are set by the view from
``clusters.permissions.account_units``, so a form never offers a unit out of scope."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clusters.enums import AccountRole
from clusters.models import Unit, User
from clusters.services.accounts import password_change


def _helper(label, *, method: str = "post") -> FormHelper:
    helper = FormHelper()
    helper.form_method = method
    helper.add_input(Submit("submit", label))
    return helper


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's password change, saved through ``clusters.services.accounts.password_change``
    (which ends a temporary password); the new password must differ from the current one."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.helper = _helper(_("Change password"))

    def clean(self):
        cleaned = super().clean()
        new, old = cleaned.get("new_password1"), cleaned.get("old_password")
        if new and old and new == old:
            self.add_error(
                "new_password1",
                ValidationError(
                    _("The new password must differ from the current one."), code="same"
                ),
            )
        return cleaned

    def save(self, commit: bool = True):
        return password_change(user=self.user, password=self.cleaned_data["new_password1"])


class _NewPasswordMixin:
    """Two password fields checked against each other and ``AUTH_PASSWORD_VALIDATORS``."""

    def _password_fields(self) -> None:
        self.fields["password1"] = forms.CharField(
            label=_("Temporary password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=password_validators_help_text_html(),
        )
        self.fields["password2"] = forms.CharField(
            label=_("Temporary password (again)"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )

    def _check_passwords(self, account: User) -> None:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
            return
        if password1:
            try:
                validate_password(password1, account)
            except ValidationError as error:
                self.add_error("password1", error)


class AccountFilterForm(forms.Form):
    """The search and filters of the account list (a GET form)."""

    q = forms.CharField(label=_("Search"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Deactivated"))],
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All")), *AccountRole.choices]
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class AccountCreateForm(_NewPasswordMixin, forms.Form):
    """A new account of a unit in scope, with its first (temporary) password."""

    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    position = forms.CharField(label=_("Position"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=AccountRole.choices)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        self._password_fields()
        self.helper = _helper(_("Create the account"))

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise ValidationError(_("This user name is taken."), code="taken")
        return username

    def clean(self):
        cleaned = super().clean()
        candidate = User(
            username=cleaned.get("username", ""),
            full_name=cleaned.get("full_name", ""),
            email=cleaned.get("email", ""),
        )
        self._check_passwords(candidate)
        return cleaned


class AccountEditForm(forms.Form):
    """An account's unit, role, name, position, e-mail and whether it may sign in."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    position = forms.CharField(label=_("Position"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=AccountRole.choices)
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A deactivated account cannot sign in; its history is kept."),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        self.helper = _helper(_("Save"))


class AccountPasswordForm(_NewPasswordMixin, forms.Form):
    """A new temporary password for someone else's account."""

    def __init__(self, *args, account: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self._password_fields()
        self.helper = _helper(_("Set the temporary password"))

    def clean(self):
        cleaned = super().clean()
        self._check_passwords(self.account)
        return cleaned


class OTPCodeForm(forms.Form):
    """A six-digit code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label or _("Verify"))

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class SecondFactorDisableForm(OTPCodeForm):
    """Turning the second factor off asks for the password and a current code."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ("password", "code")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, submit_label=_("Turn off two-step verification"), **kwargs)
        self.user = user
        self.fields["code"].widget.attrs.pop("autofocus", None)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is wrong."), code="password")
        return password
