"""Writes to accounts: creating and editing them, passwords (a password set by someone
else is temporary), and the second factor (django-otp devices).

The account pages (clusters.views.accounts), the password and second-factor pages
(clusters.views.second_factor) and Django admin all call these, so every path validates the
same way. Who may call them for which account is decided by the views through
``clusters.permissions`` (``can_manage_accounts``, ``account_units``). ``user_upsert``
creates or updates an account as the demo data and the bench describe it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clusters.enums import AccountRole
from clusters.models import Unit, User

RECOVERY_CODE_COUNT = 10
# The names of the devices this product makes; a user has at most one of each.
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def _staff_group() -> Group:
    return Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0]


def account_role(account: User) -> str:
    """The account's role as the account pages show it."""
    if account.groups.filter(name=settings.PROVINCE_STAFF_GROUP).exists():
        return AccountRole.STAFF
    return AccountRole.OFFICER


def _set_role(account: User, role: str) -> None:
    if role == AccountRole.STAFF:
        account.groups.add(_staff_group())
    else:
        account.groups.remove(*account.groups.filter(name=settings.PROVINCE_STAFF_GROUP))


def _refuse_superuser(account: User) -> None:
    if account.is_superuser:
        raise ValidationError(
            _("An administrator's account is managed in Django admin only."), code="superuser"
        )


@transaction.atomic
def account_create(
    *,
    username: str,
    password: str,
    unit: Unit,
    role: str = AccountRole.OFFICER,
    full_name: str = "",
    position: str = "",
    email: str = "",
) -> User:
    """Create an active account of ``unit`` with a temporary ``password`` (checked against
    ``AUTH_PASSWORD_VALIDATORS``): the user must choose their own at the first sign-in."""
    account = User(
        username=username,
        unit=unit,
        full_name=full_name,
        position=position,
        email=email,
        is_active=True,
        must_change_password=True,
    )
    validate_password(password, account)
    account.set_password(password)
    account.full_clean()
    account.save()
    _set_role(account, role)
    return account


@transaction.atomic
def account_update(
    *,
    account: User,
    by: User,
    unit: Unit,
    role: str,
    is_active: bool,
    full_name: str,
    position: str,
    email: str,
) -> User:
    """Change an account's unit, role, name, position, e-mail and whether it is active.

    Never an administrator's account; and nobody deactivates their own account or takes
    their own staff role away (they would lock themselves out)."""
    _refuse_superuser(account)
    if account.pk == by.pk:
        if not is_active:
            raise ValidationError(_("You cannot deactivate your own account."), code="self")
        if role != account_role(account):
            raise ValidationError(_("You cannot change your own role."), code="self")
    account.unit = unit
    account.full_name = full_name
    account.position = position
    account.email = email
    account.is_active = is_active
    account.full_clean()
    account.save()
    _set_role(account, role)
    return account


@transaction.atomic
def account_set_password(*, account: User, password: str) -> User:
    """Give ``account`` a password chosen by someone else (staff or an administrator): it is
    temporary, and the user must replace it at the next sign-in."""
    validate_password(password, account)
    account.set_password(password)
    account.must_change_password = True
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def password_change(*, user: User, password: str) -> User:
    """The user's own new password: it ends a temporary password."""
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user.full_clean()
    user.save()
    return user


# --- Second factor ---------------------------------------------------------------------


def has_second_factor(user: User) -> bool:
    """Whether the user has a confirmed authenticator (recovery codes come with it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def second_factor_start(*, user: User) -> TOTPDevice:
    """The authenticator being set up: a new secret, not confirmed until the user types a
    code from their app (``second_factor_confirm``). Starting again keeps the pending one,
    so a reloaded page shows the same QR code."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if pending is not None:
        return pending
    device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def second_factor_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the pending authenticator with a code computed by the app. Returns the new
    recovery codes, or None when the code is wrong (the device stays pending)."""
    if device.confirmed:
        raise ValidationError(_("This authenticator is already set up."), code="confirmed")
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.full_clean()
    device.save()
    return recovery_codes_regenerate(user=device.user)


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ``RECOVERY_CODE_COUNT`` new ones, each usable
    once. They are returned to be shown once; only django-otp's table keeps them."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_remove(*, user: User) -> int:
    """Remove every second-factor device of ``user`` (the user disabling it after giving
    their password and a code, or an administrator resetting a lost phone). Returns how
    many devices went."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    return removed


@transaction.atomic
def user_upsert(
    *,
    username: str,
    password: str | None = None,
    unit: Unit | None = None,
    full_name: str = "",
    position: str = "",
    is_superuser: bool = False,
    groups: Iterable[str] = (),
) -> User:
    """Create the active user ``username``, or bring it up to date.

    A superuser is also staff (Django admin). ``password``, when given, is checked against
    ``AUTH_PASSWORD_VALIDATORS`` and replaces the old one; a new user without one gets an
    unusable password. The user's groups become exactly ``groups`` (created if missing).
    """
    user = User.objects.filter(username=username).first() or User(username=username)
    user.unit = unit
    user.full_name = full_name
    user.position = position
    user.is_superuser = is_superuser
    user.is_staff = is_superuser
    user.is_active = True
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    return user
