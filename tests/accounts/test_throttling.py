"""Login throttling (django-axes, on as in production): 10 failures for one user name from
one address lock that pair out for 15 minutes, even with the right password."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db.models import F
from django.test import RequestFactory

from clusters.throttling import client_ip
from tests.accounts.conftest import PASSWORD, sign_in


def _fail(client, username: str, times: int, **extra):
    return [sign_in(client, username, "wrong password", **extra) for _ in range(times)]


def test_login_nine_failures_then_right_password_signs_in(client, org):
    _fail(client, "member", 9)

    response = sign_in(client, "member")

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(org.member.pk)


def test_login_tenth_failure_locks_the_user_name_and_address(english, org):
    answers = _fail(english, "member", 10)

    assert [answer.status_code for answer in answers] == [200] * 9 + [429]
    assert "Sign-in locked" in answers[-1].content.decode()


def test_login_locked_refuses_the_right_password_with_the_message(english, org):
    _fail(english, "member", 10)

    response = sign_in(english, "member")

    assert response.status_code == 429
    assert SESSION_KEY not in english.session
    page = response.content.decode()
    assert "After 10 wrong passwords for this account from this computer" in page
    assert "Try again after" in page
    assert "base.html" in [t.name for t in response.templates]


def test_login_locked_page_says_when_to_try_again(english, org):
    _fail(english, "member", 10)

    response = sign_in(english, "member")

    retry_at = response.context["retry_at"]
    attempt = AccessAttempt.objects.get(username="member")
    assert retry_at == attempt.attempt_time + dt.timedelta(minutes=15)


def test_login_locked_pair_does_not_lock_another_address(client, org):
    _fail(client, "member", 10)

    response = sign_in(client, "member", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(org.member.pk)


def test_login_locked_pair_does_not_lock_another_user_name(client, org):
    _fail(client, "member", 10)

    response = sign_in(client, "leader")

    assert response.status_code == 302


def test_login_lock_ends_after_the_cool_off(client, org):
    _fail(client, "member", 10)
    # Fifteen minutes and a second later.
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - dt.timedelta(minutes=15, seconds=1)
    )

    response = sign_in(client, "member")

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(org.member.pk)


def test_login_lock_still_on_before_the_cool_off_ends(client, org):
    _fail(client, "member", 10)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=14))

    response = sign_in(client, "member")

    assert response.status_code == 429


def test_login_lock_lifted_by_an_administrator_in_admin(client, org):
    _fail(client, "member", 10)
    admin_client = type(client)()
    admin_client.force_login(org.admin)
    attempt = AccessAttempt.objects.get(username="member")

    deleted = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    response = sign_in(client, "member")

    assert deleted.status_code == 302
    assert AccessAttempt.objects.count() == 0
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(org.member.pk)


def test_login_lock_lifted_by_axes_reset_username(client, org):
    _fail(client, "member", 10)

    call_command("axes_reset_username", "member")
    response = sign_in(client, "member")

    assert response.status_code == 302


def test_login_lock_applies_to_the_admin_login_too(client, org):
    for _ in range(10):
        client.post("/admin/login/", {"username": "admin", "password": "wrong password"})

    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


# --- Records of sign-ins -------------------------------------------------------------------


def test_login_records_successes_and_failures(client, org):
    _fail(client, "member", 2)
    sign_in(client, "member")

    assert AccessFailureLog.objects.filter(username="member").count() == 2
    assert list(AccessLog.objects.values_list("username", "ip_address")) == [
        ("member", "127.0.0.1")
    ]


@pytest.mark.parametrize(
    "page",
    ["/admin/axes/accesslog/", "/admin/axes/accessfailurelog/", "/admin/axes/accessattempt/"],
)
def test_login_records_visible_to_administrators(client, org, page):
    _fail(client, "member", 1)
    sign_in(client, "member")
    client.force_login(org.admin)

    response = client.get(page)

    assert response.status_code == 200
    assert "member" in response.content.decode()


@pytest.mark.parametrize(
    "page",
    ["/admin/axes/accesslog/", "/admin/axes/accessfailurelog/", "/admin/axes/accessattempt/"],
)
def test_login_records_hidden_from_staff(client, org, page):
    _fail(client, "member", 1)
    client.force_login(org.staff)

    response = client.get(page)
    index = client.get("/admin/")

    assert response.status_code == 403
    assert index.status_code == 200
    assert b"/admin/axes/" not in index.content


def test_login_records_staff_cannot_delete_attempts(client, org):
    _fail(client, "member", 10)
    client.force_login(org.staff)
    attempt = AccessAttempt.objects.get(username="member")

    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert AccessAttempt.objects.count() == 1


# --- The address counted ---------------------------------------------------------------


def test_client_ip_is_the_peer_without_a_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert client_ip(request) == "10.0.0.5"


def test_client_ip_behind_the_proxy_is_the_address_it_appended(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.7"
    )

    assert client_ip(request) == "10.0.0.7"
