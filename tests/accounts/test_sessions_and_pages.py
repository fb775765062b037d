"""Sessions end after SESSION_IDLE_HOURS without a request; every new page renders for the
roles that may open it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from clusters.middleware import IDLE_RENEW_SECONDS, IDLE_TOUCH_KEY
from clusters.services import accounts as account_services
from tests.accounts.test_second_factor import _enrol

ROOT = Path(__file__).resolve().parent.parent.parent


def _setting(name: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "SESSION_IDLE_HOURS"}
    clean.update({"DEBUG": "1", **env})
    code = f"from django.conf import settings; print(settings.{name})"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_session_idle_hours_default_is_eight_hours():
    result = _setting("SESSION_COOKIE_AGE")

    assert result.stdout.strip() == str(8 * 3600)


def test_session_idle_hours_from_the_environment():
    result = _setting("SESSION_COOKIE_AGE", SESSION_IDLE_HOURS="2")

    assert result.stdout.strip() == "7200"


def test_session_idle_hours_refuses_zero():
    result = _setting("SESSION_COOKIE_AGE", SESSION_IDLE_HOURS="0")

    assert result.returncode != 0
    assert "SESSION_IDLE_HOURS must be 1 or more" in result.stderr


def _stored(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_session_renewed_while_the_user_works(client, org, settings):
    client.force_login(org.member)
    session = client.session
    session[IDLE_TOUCH_KEY] = int(time.time()) - IDLE_RENEW_SECONDS - 1
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(hours=1)
    )

    client.get("/")

    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((_stored(client).expire_date - expected).total_seconds()) < 60


def test_session_not_written_on_every_request(client, org):
    client.force_login(org.member)
    before = _stored(client).expire_date

    client.get("/")

    assert _stored(client).expire_date == before


def test_session_idle_too_long_is_signed_out(client, org):
    client.force_login(org.member)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    response = client.get("/campaigns/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/campaigns/"


# --- Every new page renders for its roles --------------------------------------------------

OWN_PAGES = [
    "/account/password/",
    "/account/password/done/",
    "/account/two-factor/",
    "/account/two-factor/setup/",
]


@pytest.mark.parametrize("role", ["admin", "staff", "leader", "member"])
@pytest.mark.parametrize("page", OWN_PAGES)
def test_own_account_pages_render_for_every_role(client, org, role, page):
    client.force_login(getattr(org, role))

    response = client.get(page)

    assert response.status_code == 200
    assert "base.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("role", ["admin", "staff"])
@pytest.mark.parametrize(
    "page", ["/accounts/", "/accounts/new/", "/accounts/{pk}/", "/accounts/{pk}/password/"]
)
def test_account_pages_render_for_managers(client, org, role, page):
    client.force_login(getattr(org, role))

    response = client.get(page.format(pk=org.member.pk))

    assert response.status_code == 200
    assert "base.html" in [t.name for t in response.templates]


def test_second_factor_pages_render_with_a_device(client, org):
    _device, codes = _enrol(org.member)
    client.force_login(org.member)
    verify = client.get("/account/two-factor/verify/")
    client.post("/account/two-factor/verify/", {"code": codes[0]})

    pages = [
        client.get(url)
        for url in (
            "/account/two-factor/",
            "/account/two-factor/codes/",
            "/account/two-factor/disable/",
        )
    ]

    assert verify.status_code == 200
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert account_services.has_second_factor(org.member) is True


def test_lockout_page_renders_in_the_layout(client, org):
    for _ in range(10):
        client.post("/login/", {"username": "member", "password": "wrong password"})

    response = client.post("/login/", {"username": "member", "password": "wrong password"})

    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert b"data-lockout" in response.content
    assert b"app-navbar" in response.content
