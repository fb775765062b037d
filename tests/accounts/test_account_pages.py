"""Accounts in the browser: staff manage the accounts of their organiser's units, and
administrators every unit's; nobody manages an administrator's account here."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.enums import AccountRole
from clusters.models import User
from clusters.services import accounts as account_services
from tests.factories import UnitFactory, UserFactory

TEMPORARY = "temporary-pass-1"


def _create(client, **overrides):
    data = {
        "username": "newofficer",
        "full_name": "Trần Thị Mới",
        "position": "Cán bộ",
        "email": "moi@example.vn",
        "role": AccountRole.OFFICER,
        "password1": TEMPORARY,
        "password2": TEMPORARY,
        **overrides,
    }
    return client.post("/accounts/new/", data)


def _edit(client, account, **overrides):
    data = {
        "full_name": account.full_name,
        "position": account.position,
        "email": account.email,
        "unit": account.unit_id,
        "role": AccountRole.OFFICER,
        "is_active": "on",
        **overrides,
    }
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/accounts/{account.pk}/", data)


def _is_staff(user: User) -> bool:
    return user.groups.filter(name=settings.PROVINCE_STAFF_GROUP).exists()


# --- The list ---------------------------------------------------------------------------


def test_account_list_staff_sees_their_organisers_accounts_only(client, org, other):
    client.force_login(org.staff)

    response = client.get("/accounts/")

    assert response.status_code == 200
    listed = [account.username for account in response.context["page"].object_list]
    assert listed == ["deputy", "leader", "member", "outsider", "staff"]


def test_account_list_administrator_sees_every_units_accounts_but_no_superuser(client, org, other):
    client.force_login(org.admin)

    response = client.get("/accounts/")

    listed = [account.username for account in response.context["page"].object_list]
    assert listed == ["deputy", "officer_k", "staff_k", "leader", "member", "outsider", "staff"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "lead"}, ["leader"]),
        ({"role": "staff"}, ["staff"]),
        ({"active": "0"}, ["member"]),
        ({"active": "1", "role": "officer"}, ["deputy", "leader", "outsider"]),
    ],
)
def test_account_list_search_and_filters(client, org, query, expected):
    org.member.is_active = False
    org.member.save()
    client.force_login(org.staff)

    response = client.get("/accounts/", query)

    assert [account.username for account in response.context["page"].object_list] == expected


def test_account_list_filter_by_unit(client, org):
    client.force_login(org.staff)

    response = client.get("/accounts/", {"unit": org.leader_unit.pk})

    assert [account.username for account in response.context["page"].object_list] == ["leader"]


def test_account_list_officer_is_forbidden(client, org):
    client.force_login(org.leader)

    assert client.get("/accounts/").status_code == 403
    assert client.get("/accounts/new/").status_code == 403
    assert client.get(f"/accounts/{org.member.pk}/").status_code == 403


def test_account_pages_anonymous_is_sent_to_login(client, org):
    response = client.get("/accounts/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/accounts/"


def test_account_list_wrong_method(client, org):
    client.force_login(org.staff)

    assert client.post("/accounts/").status_code == 405
    assert client.delete(f"/accounts/{org.member.pk}/").status_code == 405


def test_account_list_query_count_does_not_grow(client, org, django_assert_num_queries):
    client.force_login(org.staff)
    client.get("/accounts/")
    with CaptureQueriesContext(connection) as few:
        client.get("/accounts/")
    for number in range(20):
        UserFactory(username=f"extra{number}", unit=org.member_unit)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/accounts/")

    assert len(response.context["page"].object_list) == 25


def test_account_menu_link_for_managers_only(client, org):
    client.force_login(org.staff)
    staff_page = client.get("/")
    client.force_login(org.member)
    member_page = client.get("/")

    assert b'href="/accounts/"' in staff_page.content
    assert b'href="/accounts/"' not in member_page.content


# --- Creating ---------------------------------------------------------------------------


def test_account_create_in_scope_makes_an_officer_with_a_temporary_password(client, org):
    client.force_login(org.staff)

    response = _create(client, unit=org.member_unit.pk)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    account = User.objects.get(username="newofficer")
    assert account.unit == org.member_unit
    assert account.full_name == "Trần Thị Mới"
    assert account.is_active is True
    assert account.is_superuser is False
    assert account.must_change_password is True
    assert account.check_password(TEMPORARY)
    assert _is_staff(account) is False


def test_account_create_staff_role_joins_the_staff_group(client, org):
    client.force_login(org.staff)

    _create(client, unit=org.staff.unit_id, role=AccountRole.STAFF)

    assert _is_staff(User.objects.get(username="newofficer")) is True


def test_account_create_never_makes_a_superuser(client, org):
    client.force_login(org.staff)

    _create(client, unit=org.member_unit.pk, is_superuser="on", is_staff="on")

    account = User.objects.get(username="newofficer")
    assert (account.is_superuser, account.is_staff) == (False, False)


def test_account_create_refuses_a_unit_of_another_organiser(client, org, other):
    client.force_login(org.staff)

    response = _create(client, unit=other.unit.pk, role=AccountRole.STAFF)

    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="newofficer").exists()


def test_account_create_refuses_a_weak_password(client, org):
    client.force_login(org.staff)

    response = _create(client, unit=org.member_unit.pk, password1="1234", password2="1234")

    assert response.status_code == 400
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(username="newofficer").exists()


def test_account_create_refuses_a_taken_user_name(client, org):
    client.force_login(org.staff)

    response = _create(client, unit=org.member_unit.pk, username="leader")

    assert response.status_code == 400
    assert User.objects.get(username="leader").unit == org.leader_unit


def test_account_create_form_offers_units_in_scope_only(client, org, other):
    client.force_login(org.staff)

    response = client.get("/accounts/new/")

    offered = set(response.context["form"].fields["unit"].queryset.values_list("code", flat=True))
    assert other.unit.code not in offered
    assert {"CAT", "L1", "M1", "PX01"} <= offered


def test_account_create_administrator_any_unit(client, org, other):
    client.force_login(org.admin)

    response = _create(client, unit=other.unit.pk)

    assert response.status_code == 302
    assert User.objects.get(username="newofficer").unit == other.unit


# --- Editing ----------------------------------------------------------------------------


def test_account_edit_deactivates_and_reactivates(client, org):
    client.force_login(org.staff)

    _edit(client, org.member, is_active=None)
    org.member.refresh_from_db()
    deactivated = org.member.is_active
    _edit(client, org.member)
    org.member.refresh_from_db()

    assert deactivated is False
    assert org.member.is_active is True


def test_account_edit_changes_unit_role_name_and_email(client, org):
    client.force_login(org.staff)

    response = _edit(
        client,
        org.member,
        unit=org.deputy_unit.pk,
        role=AccountRole.STAFF,
        full_name="Lê Văn Đổi",
        email="doi@example.vn",
    )

    assert response.status_code == 302
    org.member.refresh_from_db()
    assert (org.member.unit, org.member.full_name, org.member.email) == (
        org.deputy_unit,
        "Lê Văn Đổi",
        "doi@example.vn",
    )
    assert _is_staff(org.member) is True


def test_account_edit_staff_role_removed(client, org):
    second = UserFactory(username="staff2", unit=org.staff.unit)
    account_services.account_update(
        account=second,
        by=org.admin,
        unit=second.unit,
        role=AccountRole.STAFF,
        is_active=True,
        full_name="Phạm Văn Hai",
        position="",
        email="",
    )
    second.refresh_from_db()
    client.force_login(org.staff)

    _edit(client, second, role=AccountRole.OFFICER)

    assert _is_staff(second) is False


def test_account_edit_of_another_organisers_account_is_not_found(client, org, other):
    client.force_login(org.staff)

    assert client.get(f"/accounts/{other.officer.pk}/").status_code == 404
    assert _edit(client, other.staff, is_active=None).status_code == 404
    other.staff.refresh_from_db()
    assert other.staff.is_active is True


def test_account_edit_of_a_superuser_is_not_found(client, org):
    admin_with_unit = UserFactory(username="root2", unit=org.member_unit, is_superuser=True)
    client.force_login(org.staff)

    assert client.get(f"/accounts/{admin_with_unit.pk}/").status_code == 404
    assert _edit(client, admin_with_unit, is_active=None).status_code == 404
    admin_with_unit.refresh_from_db()
    assert admin_with_unit.is_active is True


def test_account_edit_cannot_move_an_account_out_of_scope(client, org, other):
    client.force_login(org.staff)

    response = _edit(client, org.member, unit=other.unit.pk)

    assert response.status_code == 400
    org.member.refresh_from_db()
    assert org.member.unit == org.member_unit


def test_account_edit_cannot_deactivate_oneself(client, org):
    client.force_login(org.staff)

    response = _edit(client, org.staff, role=AccountRole.STAFF, is_active=None)

    assert response.status_code == 400
    org.staff.refresh_from_db()
    assert org.staff.is_active is True


# --- Resetting a password ---------------------------------------------------------------


def test_account_password_reset_in_scope_is_temporary(client, org):
    client.force_login(org.staff)

    response = client.post(
        f"/accounts/{org.member.pk}/password/",
        {"password1": "reset-by-staff-1", "password2": "reset-by-staff-1"},
    )

    assert response.status_code == 302
    org.member.refresh_from_db()
    assert org.member.check_password("reset-by-staff-1")
    assert org.member.must_change_password is True


def test_account_password_reset_out_of_scope_is_not_found(client, org, other):
    client.force_login(org.staff)

    response = client.post(
        f"/accounts/{other.officer.pk}/password/",
        {"password1": "reset-by-staff-1", "password2": "reset-by-staff-1"},
    )

    assert response.status_code == 404
    other.officer.refresh_from_db()
    assert other.officer.check_password("correct horse battery staple")


def test_account_password_reset_refuses_mismatch(client, org):
    client.force_login(org.staff)

    response = client.post(
        f"/accounts/{org.member.pk}/password/",
        {"password1": "reset-by-staff-1", "password2": "reset-by-staff-2"},
    )

    assert response.status_code == 400
    org.member.refresh_from_db()
    assert org.member.must_change_password is False


def test_account_password_reset_officer_is_forbidden(client, org):
    client.force_login(org.leader)

    response = client.post(
        f"/accounts/{org.member.pk}/password/",
        {"password1": "reset-by-staff-1", "password2": "reset-by-staff-1"},
    )

    assert response.status_code == 403


def test_account_created_by_staff_must_change_password_at_first_sign_in(client, org):
    client.force_login(org.staff)
    _create(client, unit=org.member_unit.pk)
    client.post("/logout/")

    client.post("/login/", {"username": "newofficer", "password": TEMPORARY})
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/account/password/?next=%2F"


# --- Services ---------------------------------------------------------------------------


def test_account_update_refuses_a_superuser(org):
    with pytest.raises(ValidationError):
        account_services.account_update(
            account=org.admin,
            by=org.staff,
            unit=org.member_unit,
            role="officer",
            is_active=False,
            full_name="X",
            position="",
            email="",
        )


def test_account_create_service_validates_the_password(db):
    unit = UnitFactory(code="X1")
    with pytest.raises(ValidationError):
        account_services.account_create(username="weak", password="short", unit=unit)
    assert not User.objects.filter(username="weak").exists()
