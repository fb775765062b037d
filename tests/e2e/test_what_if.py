"""The sheet's what-if mode in Chromium (issue 16 point 5): switched on from the keyboard, the
sheet's own inputs become the trial inputs, recomputed by the server and announced, nothing
saved, queued or pending; switched off, the inputs show their values again; on a phone's cards
too.
Figures as in tests/scoring/test_what_if.py: M1 totals 19; with I.2 at 50/50 and I.3 at
49/50 it would total 49 (band Khá), second behind D1's 55.50."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clusters.enums import Phase
from scoring import services
from scoring.models import ScoreEntry, ScoreSheet
from tests.e2e.conftest import login
from tests.e2e.test_phone import NETWORK_ERRORS, phone, set_phase  # noqa: F401
from tests.scoring.test_what_if import VALUES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def m1(org, sheets):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    for code, sheet in sheets.items():
        services.sheet_fill(sheet=sheet, values=VALUES[code])
    services.recompute_scope(ScoreSheet.objects.filter(cluster=org.cluster))
    return sheets["M1"]


def _try(page, m1):
    i2 = ScoreEntry.objects.get(sheet=m1, criterion__code="I.2")
    i3 = ScoreEntry.objects.get(sheet=m1, criterion__code="I.3")
    page.goto(f"/sheets/{m1.pk}/")
    toggle = page.locator("[data-what-if-toggle]")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-what-if-notice]")).to_be_visible()  # nothing is saved, said
    expect(page.locator("[data-what-if-state]")).not_to_be_empty()  # and announced
    assert page.locator("[id^=w][id*='-numerator']").count() == 0  # no second set of inputs
    expect(page.locator(f"#e{i3.pk}-numerator")).to_be_visible()
    page.fill(f"#e{i2.pk}-numerator", "50")
    page.locator(f"#e{i2.pk}-numerator").press("Tab")
    page.fill(f"#e{i3.pk}-numerator", "49")
    page.locator(f"#e{i3.pk}-numerator").press("Tab")
    result = page.locator("#what-if-result")
    expect(result).to_have_attribute("aria-live", "polite")
    expect(result.locator('[data-what-if-figure="total"]')).to_have_text("49,00")
    expect(result.locator('[data-what-if-figure="band"]')).to_have_text("Khá")
    expect(result.locator('[data-what-if-figure="rank"]')).to_contain_text("2")
    expect(page.locator(f"#wp-{i3.pk}")).to_have_text("20")
    expect(page.locator("#what-if-bar")).to_contain_text("49,00")  # the sticky bar, on a phone too
    assert page.evaluate("window.ThiduaPending.count()") == 0  # no save kept pending
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator(f"#e{i2.pk}-numerator")).to_have_value("40")  # the saved values again
    expect(page.locator(f"#e{i3.pk}-numerator")).to_have_value("45")
    expect(page.locator(f"#wp-{i3.pk}")).to_have_count(0)
    expect(result).to_be_empty()
    return i2, i3


def test_what_if_from_the_keyboard_saves_nothing(page, org, m1, live_server):
    login(page, "leader")
    versions = list(ScoreEntry.objects.order_by("pk").values_list("version", "points"))
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    _try(page, m1)
    assert not [url for url in requests if "/entries/" in url]  # no save was even sent
    assert list(ScoreEntry.objects.order_by("pk").values_list("version", "points")) == versions
    assert ScoreSheet.objects.get(pk=m1.pk).total == Decimal("19.00")


def test_what_if_on_the_phone_cards(browser, org, m1, live_server):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        has_touch=True,
        is_mobile=True,
        base_url=live_server.url,
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, "leader")
    _try(page, m1)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 360
    assert errors == []


def test_a_save_pending_before_the_mode_is_held_then_sent_with_its_value(phone, org, table):  # noqa: F811
    """A save the network lost before the mode was switched on is not sent with a trial value
    when the network comes back during the mode; switched off, the input shows what was typed
    and that save lands. A trial edit adds nothing pending."""
    set_phase(org, Phase.SELF_ASSESSMENT)
    login(phone, "member")
    phone.goto("/my-sheet/")
    phone.console_allowed = NETWORK_ERRORS
    sheet = ScoreSheet.objects.get(unit=org.member_unit, stage="self")
    i1 = ScoreEntry.objects.get(sheet=sheet, criterion__code="I.1")
    field = phone.locator(f"#e{i1.pk}-points")
    status = phone.locator(".sheet-bar [data-save-status]")

    phone.context.set_offline(True)
    field.tap()
    field.fill("12")
    field.press("Tab")
    expect(status).to_have_text(re.compile(r"^1 "))
    toggle = phone.locator("[data-what-if-toggle]")
    toggle.tap()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("#what-if-bar")).to_be_visible()  # "nothing is saved", on the phone
    field.tap()
    field.fill("19")
    field.press("Tab")
    expect(status).to_have_text(re.compile(r"^1 "))  # the trial is not one more pending save
    expect(phone.locator("#what-if-result")).not_to_be_empty()  # no connection: said there
    phone.context.set_offline(False)  # the pending save comes due: held back in the mode
    phone.wait_for_timeout(1500)
    assert ScoreEntry.objects.get(pk=i1.pk).points is None

    toggle.tap()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(field).to_have_value("12")
    expect(status).to_have_text("")
    expect(phone.locator(f"#row-{i1.pk}")).not_to_have_class(re.compile(r"\bis-unsaved\b"))
    assert ScoreEntry.objects.get(pk=i1.pk).points == Decimal(12)
