"""The user's own password change, temporary passwords and the password validators."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY

from clusters.models import User
from clusters.services import accounts as account_services
from tests.accounts.conftest import PASSWORD, sign_in

NEW = "a-new-and-long-passphrase"


def _change(client, old=PASSWORD, new=NEW, again=None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_password_change_page_renders_in_the_layout(client, org):
    client.force_login(org.member)

    response = client.get("/account/password/")

    assert response.status_code == 200
    assert response.templates[0].name == "registration/password_change_form.html"
    assert "base.html" in [t.name for t in response.templates]
    assert b'name="new_password1"' in response.content


def test_password_change_changes_the_password(client, org):
    client.force_login(org.member)

    response = _change(client)

    assert response.status_code == 302
    assert response["Location"] == "/account/password/done/"
    org.member.refresh_from_db()
    assert org.member.check_password(NEW)
    assert client.get("/account/password/done/").status_code == 200


def test_password_change_ends_a_temporary_password(client, org):
    account_services.account_set_password(account=org.member, password="temporary-pass-1")
    client.force_login(org.member)

    _change(client, old="temporary-pass-1")

    org.member.refresh_from_db()
    assert org.member.must_change_password is False
    assert client.get("/").status_code == 200


def test_password_change_refuses_the_same_password(english, org):
    english.force_login(org.member)

    response = _change(english, new=PASSWORD)

    assert response.status_code == 200
    assert "The new password must differ from the current one." in response.content.decode()


def test_password_change_refuses_a_wrong_old_password(client, org):
    client.force_login(org.member)

    response = _change(client, old="not my password")

    assert response.status_code == 200
    org.member.refresh_from_db()
    assert org.member.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab3$kq9z", "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 10 ký tự."),
        ("12983476509", "Mật khẩu này hoàn toàn là số."),
        ("password123", "Mật khẩu này quá phổ biến."),
    ],
)
def test_password_validators_answer_in_vietnamese(client, org, password, message):
    client.force_login(org.member)

    response = _change(client, new=password)

    assert response.status_code == 200
    assert message in response.content.decode()
    org.member.refresh_from_db()
    assert org.member.check_password(PASSWORD)


def test_password_change_anonymous_is_sent_to_login(client, db):
    response = client.get("/account/password/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/password/"


def test_user_menu_links_the_password_change(client, org):
    client.force_login(org.member)

    response = client.get("/")

    assert b'href="/account/password/"' in response.content
    assert b'href="/account/two-factor/"' in response.content


# --- Temporary passwords ----------------------------------------------------------------


@pytest.fixture
def temporary(org):
    account_services.account_set_password(account=org.member, password="temporary-pass-1")
    return org.member


def test_temporary_password_sends_every_page_to_the_change(client, temporary):
    sign_in(client, temporary.username, "temporary-pass-1")

    response = client.get("/campaigns/")

    assert response.status_code == 302
    assert response["Location"] == "/account/password/?next=%2Fcampaigns%2F"


def test_temporary_password_after_login_goes_to_the_change(client, temporary):
    response = sign_in(client, temporary.username, "temporary-pass-1")
    followed = client.get(response["Location"])

    assert followed.status_code == 302
    assert followed["Location"].startswith("/account/password/")
    assert client.get("/account/password/").status_code == 200


def test_temporary_password_still_lets_out_and_switches_language(client, temporary):
    client.force_login(temporary)

    language = client.post("/i18n/setlang/", {"language": "en", "next": "/account/password/"})
    static = client.get("/static/css/app.css")
    logout = client.post("/logout/")

    assert language.status_code == 302
    assert language["Location"] == "/account/password/"
    assert "Location" not in static
    assert logout["Location"] == "/login/"
    assert SESSION_KEY not in client.session


def test_temporary_password_htmx_request_redirects_the_page(client, temporary):
    client.force_login(temporary)

    response = client.get("/campaigns/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/account/password/?next=%2Fcampaigns%2F"


def test_temporary_password_post_elsewhere_changes_nothing(client, temporary, org):
    client.force_login(temporary)

    response = client.post(f"/accounts/{org.leader.pk}/password/", {})

    assert response.status_code == 302
    assert response["Location"] == "/account/password/"


def test_admin_set_password_in_django_admin_is_temporary(client, org):
    client.force_login(org.admin)

    response = client.post(
        f"/admin/clusters/user/{org.member.pk}/password/",
        {"password1": "set-by-the-admin-1", "password2": "set-by-the-admin-1"},
    )

    assert response.status_code == 302
    org.member.refresh_from_db()
    assert org.member.must_change_password is True
    assert org.member.check_password("set-by-the-admin-1")


def test_admin_added_user_in_django_admin_is_temporary(client, org):
    client.force_login(org.admin)

    response = client.post(
        "/admin/clusters/user/add/",
        {
            "username": "newcomer",
            "password1": "set-by-the-admin-1",
            "password2": "set-by-the-admin-1",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="newcomer").must_change_password is True


def test_admin_password_change_link_opens_the_product_page(client, org):
    client.force_login(org.admin)

    response = client.get("/admin/password_change/")

    assert response.status_code == 302
    assert response["Location"] == "/account/password/"
