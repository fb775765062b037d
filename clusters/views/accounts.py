"""Accounts in the browser, for administrators and province staff (docs/security.md,
"Accounts").

- ``account_list``: the accounts of the units the user may manage
  (``permissions.account_units``), with a search and filters (unit, active, role);
- ``account_create``: a new account of one of those units, as unit officer or province
  staff, with a temporary password;
- ``account_edit``: its unit, role, name, position, e-mail, and whether it is active;
- ``account_password``: a new temporary password.

An administrator's account never appears here (Django admin manages those); an account of a
unit out of scope answers 404; a user who manages no accounts gets 403.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clusters import permissions
from clusters.enums import AccountRole
from clusters.forms.accounts import (
    AccountCreateForm,
    AccountEditForm,
    AccountFilterForm,
    AccountPasswordForm,
)
from clusters.models import Unit, User
from clusters.services import accounts as account_services
from clusters.text import fold

PAGE_SIZE = 50


def _require_manager(request: HttpRequest) -> None:
    if not permissions.can_manage_accounts(request.user):
        raise PermissionDenied


def _units(request: HttpRequest) -> QuerySet[Unit]:
    return permissions.account_units(request.user).order_by("code")


def _accounts(request: HttpRequest) -> QuerySet[User]:
    """The accounts the user manages: those of their units, never an administrator's."""
    staff = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=settings.PROVINCE_STAFF_GROUP
    )
    return (
        User.objects.filter(unit__in=permissions.account_units(request.user), is_superuser=False)
        .select_related("unit")
        .annotate(is_province_staff=Exists(staff))
    )


def _account_for(request: HttpRequest, pk: int) -> User:
    _require_manager(request)
    return get_object_or_404(_accounts(request), pk=pk)


def _apply_filters(accounts: QuerySet[User], form: AccountFilterForm) -> QuerySet[User]:
    if not form.is_valid():
        return accounts
    data = form.cleaned_data
    if data["q"]:
        words = data["q"].strip()
        accounts = accounts.filter(
            Q(username__icontains=words)
            | Q(full_name__icontains=words)
            | Q(email__icontains=words)
            | Q(unit__code__icontains=words)
            | Q(unit__search_name__contains=fold(words))
        )
    if data["unit"]:
        accounts = accounts.filter(unit=data["unit"])
    if data["active"]:
        accounts = accounts.filter(is_active=data["active"] == "1")
    if data["role"]:
        accounts = accounts.filter(is_province_staff=data["role"] == AccountRole.STAFF)
    return accounts


@require_GET
@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    units = _units(request)
    form = AccountFilterForm(request.GET or None, units=units)
    accounts = _apply_filters(_accounts(request), form).order_by("unit__code", "username")
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "clusters/accounts/list.html", context)


def _render_form(request, *, form, title: str, account: User | None = None, status: int = 200):
    context = {"form": form, "title": title, "account": account}
    return render(request, "clusters/accounts/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = AccountCreateForm(request.POST or None, units=_units(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = account_services.account_create(
                username=data["username"],
                password=data["password1"],
                unit=data["unit"],
                role=data["role"],
                full_name=data["full_name"],
                position=data["position"],
                email=data["email"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "The account %(username)s was created. Give its user the temporary "
                    "password: they will choose their own at the first sign-in."
                )
                % {"username": account.username},
            )
            return redirect("account_list")
    status = 400 if request.method == "POST" else 200
    return _render_form(request, form=form, title=_("New account"), status=status)


@require_http_methods(["GET", "POST"])
@login_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    role = AccountRole.STAFF if account.is_province_staff else AccountRole.OFFICER
    initial = {
        "full_name": account.full_name,
        "position": account.position,
        "email": account.email,
        "unit": account.unit_id,
        "role": role,
        "is_active": account.is_active,
    }
    form = AccountEditForm(request.POST or None, initial=initial, units=_units(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_services.account_update(
                account=account,
                by=request.user,
                unit=data["unit"],
                role=data["role"],
                is_active=data["is_active"],
                full_name=data["full_name"],
                position=data["position"],
                email=data["email"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The account %(username)s was saved.") % {"username": account.username}
            )
            return redirect("account_list")
    status = 400 if request.method == "POST" else 200
    title = _("Account %(username)s") % {"username": account.username}
    return _render_form(request, form=form, title=title, account=account, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def account_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_for(request, pk)
    form = AccountPasswordForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.account_set_password(
                account=account, password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            messages.success(
                request,
                _(
                    "%(username)s has a new temporary password: they must choose their own "
                    "at the next sign-in."
                )
                % {"username": account.username},
            )
            return redirect("account_list")
    status = 400 if request.method == "POST" else 200
    title = _("New password for %(username)s") % {"username": account.username}
    return _render_form(request, form=form, title=title, account=account, status=status)


urlpatterns = [
    path("accounts/", account_list, name="account_list"),
    path("accounts/new/", account_create, name="account_create"),
    path("accounts/<int:pk>/", account_edit, name="account_edit"),
    path("accounts/<int:pk>/password/", account_password, name="account_password"),
]
