"""The unit's sheet on a phone (issue 18 points 1, 4 and 6), in Chromium at 360 × 740 with
touch: the sheet is a list of cards that fit the screen, a unit officer fills it with taps,
attaches a photo from the camera and submits it from the sticky bar; the grid offers each
unit's sheet; a save the network lost stays pending and lands when the connection is back.

Figures from the ``table`` fixture (tests/scoring/conftest.py), as in test_scoring_flow.py:
I.1 manual 20; I.2 rate, threshold 100%; I.3 rate relative to the best, target 90%;
B bonus 1 per item, at most 5; T deduction points; V veto. Bands: Xuất sắc ≥ 50, Khá ≥ 30,
Đạt ≥ 0.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clusters.enums import Phase
from scoring.enums import SheetStatus, Stage
from scoring.models import Criterion, Evidence, ScoreEntry, ScoreSheet
from tests.e2e.conftest import ARTIFACTS, login
from tests.pictures import assert_no_metadata, phone_jpeg

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
PHONE = {"width": 360, "height": 740}
# What Chromium logs when a request cannot go out, and htmx's own logs of it.
NETWORK_ERRORS = [
    "ERR_INTERNET_DISCONNECTED",
    "ERR_FAILED",
    "htmx:sendError",
    "htmx:afterRequest",
    "Failed to fetch",
]


@pytest.fixture
def phone(browser, live_server, request):
    """A page in a phone's browser: 360 × 740 CSS pixels, touch, mobile viewport. Console
    errors fail the test, as in the ``page`` fixture."""
    context = browser.new_context(
        viewport=PHONE,
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
        base_url=live_server.url,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_allowed = []
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    unexpected = [e for e in errors if not any(a in e for a in page.console_allowed)]
    assert unexpected == [], f"browser console errors: {unexpected}"


def set_phase(org, phase: str) -> None:
    org.campaign.phase = phase
    org.campaign.save()


def entries(sheet: ScoreSheet) -> dict[str, ScoreEntry]:
    return {e.criterion.code: e for e in sheet.entries.select_related("criterion")}


def page_width(page) -> tuple[int, int]:
    """How wide the page is and how wide the screen is: equal when nothing scrolls sideways."""
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


def assert_tap_targets(page, scope: str) -> None:
    """Every visible thing to tap inside ``scope`` is at least 44 × 44 CSS pixels."""
    small = page.evaluate(
        """(scope) => Array.from(document.querySelectorAll(scope + ' :is(' +
            'a, button, input:not([type=hidden]), select, textarea, summary, label.btn)'
        )).filter((el) => {
            const box = el.getBoundingClientRect();
            if (!box.width || !box.height || !el.checkVisibility()) return false;
            if (el.closest('.visually-hidden, thead')) return false;
            return box.width < 44 || box.height < 44;
        }).map((el) => (el.id || el.className || el.tagName) + ' '
            + Math.round(el.getBoundingClientRect().width) + 'x'
            + Math.round(el.getBoundingClientRect().height))""",
        scope,
    )
    assert small == [], "smaller than 44 × 44: " + ", ".join(small)


def tap_and_type(page, selector: str, text: str) -> None:
    field = page.locator(selector)
    field.tap()
    field.fill(text)


def test_unit_officer_fills_attaches_a_photo_and_submits_on_a_phone(
    phone, org, table, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    set_phase(org, Phase.SELF_ASSESSMENT)
    login(phone, "member")
    phone.goto("/my-sheet/")
    sheet = ScoreSheet.objects.get(unit=org.member_unit, stage=Stage.SELF)
    e = {code: entry.pk for code, entry in entries(sheet).items()}

    # One card per criterion, under its area's heading; nothing wider than the screen.
    assert page_width(phone) == (360, 360)
    expect(phone.locator(".sheet-table thead")).to_have_css("position", "absolute")
    expect(phone.locator(".sheet-table tr.leaf-row")).to_have_count(6)
    for pk in e.values():
        row = phone.locator(f"#row-{pk}")
        expect(row).to_have_css("display", "flex")
        box = row.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 360
    card = phone.locator(f"#row-{e['I.2']}")
    expect(card.locator(".col-code")).to_have_text("I.2")
    expect(card.locator(".input-name")).to_have_text(["tử số", "mẫu số"])
    # The phone's keyboard: decimals for points, digits only for counts.
    expect(phone.locator(f"#e{e['I.1']}-points")).to_have_attribute("inputmode", "decimal")
    expect(phone.locator(f"#e{e['I.2']}-numerator")).to_have_attribute("inputmode", "numeric")
    expect(phone.locator(f"#e{e['B']}-count")).to_have_attribute("inputmode", "numeric")
    assert_tap_targets(phone, ".sheet-table")
    assert_tap_targets(phone, ".sheet-bar")
    # The bar with the total and the submit button stays on the screen while the cards scroll.
    bar = phone.locator(".sheet-bar")
    expect(bar).to_be_in_viewport()
    expect(bar.locator("[data-bar=total]")).to_have_text("0,00")
    phone.locator(f"#row-{e['T']}").scroll_into_view_if_needed()
    expect(bar).to_be_in_viewport()
    expect(bar.locator(".bar-submit")).to_be_visible()

    # Filled with taps: each tap on the next input leaves the last one, which saves it.
    tap_and_type(phone, f"#e{e['I.1']}-points", "18,5")
    tap_and_type(phone, f"#e{e['I.2']}-numerator", "19")
    tap_and_type(phone, f"#e{e['I.2']}-denominator", "20")
    tap_and_type(phone, f"#e{e['I.3']}-numerator", "9")
    tap_and_type(phone, f"#e{e['I.3']}-denominator", "10")
    tap_and_type(phone, f"#e{e['B']}-count", "2")
    tap_and_type(phone, f"#e{e['T']}-points", "1,5")
    phone.locator(f"#e{e['V']}-comment").tap()
    phone.locator(f"#e{e['V']}-violated").select_option("0")
    expect(phone.locator(f"#points-{e['I.1']}")).to_have_text("18,50")
    expect(phone.locator(f"#points-{e['I.3']}")).to_have_text("10")
    expect(phone.locator(f"#points-{e['V']}")).to_have_text("0")
    # 18.5 + 0 + 10 + 2 − 1.5, in the bar too, without reloading the page.
    expect(bar.locator("[data-bar=total]")).to_have_text("29,00")
    expect(bar.locator("[data-bar=band]")).to_have_text("Đạt")
    area = Criterion.objects.get(table=table, code="I")
    expect(phone.locator(f"#subtotal-self-{area.pk}")).to_have_text("28,50")

    # A photo from the camera as evidence of I.1: uploaded as soon as it is chosen.
    upload = phone.locator(f"#file-{e['I.1']}")
    expect(upload).to_have_attribute("accept", "image/*,.pdf,.doc,.docx,.xls,.xlsx")
    upload.set_input_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}]
    )
    expect(phone.locator(f"#evidence-{e['I.1']} .evidence-link")).to_have_text("IMG_0001.jpg")
    stored = Evidence.objects.get(entry_id=e["I.1"])
    photo = assert_no_metadata((tmp_path / stored.file.name).read_bytes())
    assert photo.size == (1500, 2000)  # 4,000 × 3,000, turned upright (EXIF 6) and shrunk
    assert page_width(phone) == (360, 360)

    # Submitted from the sticky bar.
    phone.once("dialog", lambda dialog: dialog.accept())  # "Submit this sheet?"
    bar.locator(".bar-submit").tap()
    expect(phone.locator(".badge.status-submitted")).to_be_visible()
    expect(phone.locator(".sheet-bar [data-bar=total]")).to_have_text("29,00")
    expect(phone.locator('[data-figure="total"]')).to_have_text("29,00")
    expect(phone.locator(f"#e{e['I.1']}-points")).to_have_count(0)  # no longer editable
    submitted = ScoreSheet.objects.get(pk=sheet.pk)
    assert (submitted.status, submitted.total, submitted.band) == (
        SheetStatus.SUBMITTED,
        D("29.00"),
        "Đạt",
    )
    assert page_width(phone) == (360, 360)


def test_grid_on_a_phone_links_each_unit_to_its_sheet_which_saves_the_same_way(phone, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    login(phone, "leader")
    phone.goto(f"/clusters/{org.cluster.pk}/grid/cluster/")
    links = phone.locator(".grid-phone a")
    expect(links).to_have_count(3)
    assert [links.nth(i).get_attribute("href") for i in range(3)] == [
        f"/sheets/{s.pk}/" for s in sheets.values()
    ]
    assert_tap_targets(phone, ".grid-phone")
    assert page_width(phone) == (360, 360)

    member = sheets["M1"]
    links.nth(2).tap()
    phone.wait_for_url(f"**/sheets/{member.pk}/")
    i1 = entries(member)["I.1"]
    recorded = i1.history.count()
    tap_and_type(phone, f"#e{i1.pk}-points", "12")
    phone.locator(f"#e{i1.pk}-comment").tap()
    expect(phone.locator(f"#points-{i1.pk}")).to_have_text("12")
    expect(phone.locator(".sheet-bar [data-bar=total]")).to_have_text("12,00")
    saved = ScoreEntry.objects.get(pk=i1.pk)
    assert (saved.points, saved.version) == (D("12.00"), i1.version + 1)
    assert saved.history.count() == recorded + 1
    assert saved.history.first().history_user == org.leader
    assert page_width(phone) == (360, 360)
