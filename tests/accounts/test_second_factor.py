"""Second factor (django-otp): setting up an authenticator with a real TOTP code, the step
at every sign-in, recovery codes used once, turning it off, REQUIRE_2FA_FOR_STAFF, and
Django admin behind the same step."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clusters.services import accounts as account_services
from tests.accounts.conftest import PASSWORD, sign_in


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps_ahead`` periods later: a code
    is accepted once, and the device allows one period of drift)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = account_services.second_factor_start(user=user)
    codes = account_services.second_factor_confirm(device=device, token=_code(device))
    device.refresh_from_db()
    return device, codes


# --- Setting up ---------------------------------------------------------------------------


def test_setup_page_shows_the_qr_code_and_secret(client, org):
    client.force_login(org.staff)

    response = client.get("/account/two-factor/setup/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<div class="otp-qr"' in page
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=org.staff)
    assert device.confirmed is False
    assert response.context["secret"].replace(" ", "") in device.config_url
    # No outside service and nothing the content security policy forbids.
    qr = page.split('<div class="otp-qr"', 1)[1]
    assert "http://" not in qr.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )
    assert "<script>" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_setup_reload_keeps_the_same_secret(client, org):
    client.force_login(org.staff)

    first = client.get("/account/two-factor/setup/").context["secret"]
    second = client.get("/account/two-factor/setup/").context["secret"]

    assert first == second
    assert TOTPDevice.objects.filter(user=org.staff).count() == 1


def test_setup_confirmed_with_a_real_code_shows_ten_recovery_codes_once(client, org):
    client.force_login(org.staff)
    client.get("/account/two-factor/setup/")
    device = TOTPDevice.objects.get(user=org.staff)

    response = client.post("/account/two-factor/setup/", {"code": _code(device)})
    shown = client.get(response["Location"])
    again = client.get("/account/two-factor/codes/")

    assert response["Location"] == "/account/two-factor/codes/"
    device.refresh_from_db()
    assert device.confirmed is True
    codes = shown.context["codes"]
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert again.context["codes"] is None
    assert again.context["codes_left"] == 10


def test_setup_wrong_code_is_refused(client, org):
    client.force_login(org.staff)
    client.get("/account/two-factor/setup/")
    device = TOTPDevice.objects.get(user=org.staff)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"

    response = client.post("/account/two-factor/setup/", {"code": wrong})

    assert response.status_code == 400
    device.refresh_from_db()
    assert device.confirmed is False
    assert not StaticDevice.objects.filter(user=org.staff).exists()


def test_recovery_codes_regenerated_replace_the_old_ones(client, org):
    _device, old = _enrol(org.staff)
    client.force_login(org.staff)
    client.post("/account/two-factor/verify/", {"code": old[0]})

    client.post("/account/two-factor/codes/")
    new = client.get("/account/two-factor/codes/").context["codes"]

    assert len(new) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


# --- The step at sign-in --------------------------------------------------------------------


def test_sign_in_with_an_authenticator_asks_for_the_code_first(client, org):
    _enrol(org.staff)

    sign_in(client, "staff")
    response = client.get("/campaigns/")
    admin = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/verify/?next=%2Fcampaigns%2F"
    assert admin["Location"] == "/account/two-factor/verify/?next=%2Fadmin%2F"


def test_sign_in_verified_with_the_next_code_opens_the_pages(client, org):
    device, _codes = _enrol(org.staff)
    sign_in(client, "staff")

    response = client.post(
        "/account/two-factor/verify/?next=/campaigns/", {"code": _code(device, steps_ahead=1)}
    )

    assert response.status_code == 302
    assert response["Location"] == "/campaigns/"
    assert client.get("/campaigns/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_sign_in_code_already_used_is_refused(client, org):
    device, _codes = _enrol(org.staff)
    sign_in(client, "staff")

    # The code that confirmed the set-up cannot be replayed.
    response = client.post("/account/two-factor/verify/", {"code": _code(device)})

    assert response.status_code == 400
    assert client.get("/campaigns/").status_code == 302


def test_sign_in_recovery_code_works_once(client, org):
    _device, codes = _enrol(org.member)
    sign_in(client, "member")

    first = client.post("/account/two-factor/verify/", {"code": codes[0].upper()})
    client.post("/logout/")
    sign_in(client, "member")
    StaticDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    second = client.post("/account/two-factor/verify/", {"code": codes[0]})

    assert first.status_code == 302
    assert second.status_code == 400
    assert StaticToken.objects.count() == 9


def test_verify_page_for_a_user_whose_device_an_administrator_removed(client, org):
    _enrol(org.staff)
    sign_in(client, "staff")
    account_services.second_factor_remove(user=org.staff)

    response = client.get("/account/two-factor/verify/?next=/campaigns/")

    assert response["Location"] == "/campaigns/"
    assert client.get("/campaigns/").status_code == 200


def test_verify_page_ignores_an_outside_next(client, org):
    device, _codes = _enrol(org.staff)
    sign_in(client, "staff")

    response = client.post(
        "/account/two-factor/verify/?next=https://example.com/",
        {"code": _code(device, steps_ahead=1)},
    )

    assert response["Location"] == "/"


# --- Turning it off -------------------------------------------------------------------------


def test_disable_with_password_and_code_removes_the_devices(client, org):
    device, codes = _enrol(org.staff)
    sign_in(client, "staff")
    client.post("/account/two-factor/verify/", {"code": codes[0]})

    response = client.post(
        "/account/two-factor/disable/",
        {"password": PASSWORD, "code": _code(device, steps_ahead=1)},
    )

    assert response["Location"] == "/account/two-factor/"
    assert not TOTPDevice.objects.filter(user=org.staff).exists()
    assert not StaticDevice.objects.filter(user=org.staff).exists()


def test_disable_refuses_a_wrong_password(client, org):
    device, codes = _enrol(org.staff)
    sign_in(client, "staff")
    client.post("/account/two-factor/verify/", {"code": codes[0]})

    response = client.post(
        "/account/two-factor/disable/",
        {"password": "wrong password", "code": _code(device, steps_ahead=1)},
    )

    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=org.staff, confirmed=True).exists()


def test_administrator_resets_a_users_second_factor_in_admin(client, org):
    _enrol(org.member)
    client.force_login(org.admin)

    response = client.post(
        "/admin/clusters/user/",
        {"action": "reset_second_factor", "_selected_action": [org.member.pk]},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=org.member).exists()
    assert not StaticDevice.objects.filter(user=org.member).exists()


def test_device_admin_pages_for_administrators_only(client, org):
    _enrol(org.member)
    client.force_login(org.staff)
    staff_answer = client.get("/admin/otp_totp/totpdevice/")
    client.force_login(org.admin)
    admin_answer = client.get("/admin/otp_totp/totpdevice/")

    assert staff_answer.status_code == 403
    assert admin_answer.status_code == 200


# --- REQUIRE_2FA_FOR_STAFF -----------------------------------------------------------------


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA_FOR_STAFF = True


@pytest.mark.parametrize("username", ["staff", "admin"])
def test_required_sends_staff_and_administrators_to_set_up(client, org, required, username):
    sign_in(client, username)

    response = client.get("/campaigns/")
    admin = client.get("/admin/")
    setup = client.get("/account/two-factor/setup/")

    assert response["Location"] == "/account/two-factor/setup/?next=%2Fcampaigns%2F"
    assert admin["Location"] == "/account/two-factor/setup/?next=%2Fadmin%2F"
    assert setup.status_code == 200
    assert setup.context["required"] is True


def test_required_leaves_officers_free(client, org, required):
    sign_in(client, "member")

    assert client.get("/").status_code == 200


def test_required_set_up_then_everything_opens(client, org, required):
    sign_in(client, "staff")
    client.get("/account/two-factor/setup/")
    device = TOTPDevice.objects.get(user=org.staff)

    client.post("/account/two-factor/setup/", {"code": _code(device)})

    assert client.get("/campaigns/").status_code == 200


def test_required_staff_with_a_device_pass_the_step_every_sign_in(client, org, required):
    device, _codes = _enrol(org.staff)

    sign_in(client, "staff")
    before = client.get("/campaigns/")
    client.post("/account/two-factor/verify/", {"code": _code(device, steps_ahead=1)})
    client.post("/logout/")
    sign_in(client, "staff")
    after_new_sign_in = client.get("/campaigns/")

    assert before["Location"].startswith("/account/two-factor/verify/")
    assert after_new_sign_in["Location"].startswith("/account/two-factor/verify/")


def test_required_disable_sends_back_to_set_up(client, org, required):
    device, codes = _enrol(org.staff)
    sign_in(client, "staff")
    client.post("/account/two-factor/verify/", {"code": codes[0]})

    client.post(
        "/account/two-factor/disable/",
        {"password": PASSWORD, "code": _code(device, steps_ahead=1)},
    )
    response = client.get("/campaigns/")

    assert response["Location"] == "/account/two-factor/setup/?next=%2Fcampaigns%2F"
    assert client.session[SESSION_KEY] == str(org.staff.pk)


def test_second_factor_pages_anonymous_are_sent_to_login(client, db):
    for page in (
        "/account/two-factor/",
        "/account/two-factor/setup/",
        "/account/two-factor/verify/",
    ):
        response = client.get(page)
        assert response["Location"] == f"/login/?next={page}"
