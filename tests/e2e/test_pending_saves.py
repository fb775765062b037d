"""A save never lost to the network (issue 18 point 4), in Chromium: a sheet's row or a
grid's cell saved while the connection is down stays in the page as pending (on the input
and counted in the status area), leaving the page asks first, and it lands by itself, with
the version it was made on, once the connection is back. A save that reached the server but
whose answer was lost lands once, without a second change in the history.

Figures from the ``table`` fixture (tests/scoring/conftest.py): I.1 manual 20, B bonus 1 per
item (at most 5).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clusters.enums import Phase
from scoring.enums import SheetStatus, Stage
from scoring.models import Evidence, ScoreEntry, ScoreSheet
from tests.e2e.conftest import login
from tests.e2e.test_phone import NETWORK_ERRORS, phone, set_phase, tap_and_type  # noqa: F401
from tests.pictures import phone_jpeg

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
UNSAVED = re.compile(r"\bis-unsaved\b")
OFFLINE = re.compile(r"\bis-offline\b")


def entry(sheet: ScoreSheet, code: str) -> ScoreEntry:
    return ScoreEntry.objects.get(sheet=sheet, criterion__code=code)


def lose_answers(page, pattern: str) -> None:
    """Requests matching ``pattern`` reach the server, but their answers never come back."""

    def handle(route):
        route.fetch()
        route.abort("internetdisconnected")

    page.route(pattern, handle)


def test_sheet_saves_made_offline_stay_pending_and_land_when_back_online(phone, org, table):  # noqa: F811
    set_phase(org, Phase.SELF_ASSESSMENT)
    login(phone, "member")
    phone.goto("/my-sheet/")
    phone.console_allowed = NETWORK_ERRORS
    sheet = ScoreSheet.objects.get(unit=org.member_unit, stage=Stage.SELF)
    i1, b = entry(sheet, "I.1"), entry(sheet, "B")
    version = i1.version
    status = phone.locator(".sheet-bar [data-save-status]")
    expect(status).to_have_text("")

    phone.context.set_offline(True)
    tap_and_type(phone, f"#e{i1.pk}-points", "18,5")
    tap_and_type(phone, f"#e{b.pk}-count", "2")
    phone.locator(f"#e{b.pk}-comment").tap()
    # Both rows say they are not stored; the bar counts them; nothing is stored.
    expect(phone.locator(f"#row-{i1.pk}")).to_have_class(UNSAVED)
    expect(phone.locator(f"#row-{b.pk}")).to_have_class(UNSAVED)
    expect(phone.locator(f"#msg-{i1.pk}")).to_have_class(re.compile(r"level-offline"))
    expect(phone.locator(f"#msg-{i1.pk}")).not_to_be_empty()
    expect(status).to_have_text(re.compile(r"^2 "))
    expect(status).to_have_attribute("aria-live", "polite")
    expect(phone.locator(f"#e{i1.pk}-points")).to_have_value("18,5")  # what was typed stays
    assert (entry(sheet, "I.1").points, entry(sheet, "I.1").version) == (None, version)
    assert entry(sheet, "B").points is None

    # Submitting now would hand in the sheet without them: refused in the page.
    alerts: list[str] = []
    phone.once("dialog", lambda dialog: (alerts.append(dialog.type), dialog.accept()))
    phone.locator(".bar-submit").tap()
    expect(phone.locator(".badge.status-draft")).to_be_visible()
    assert alerts == ["alert"]

    # Back online: each pending row is sent again and lands.
    phone.context.set_offline(False)
    expect(phone.locator(f"#points-{i1.pk}")).to_have_text("18,50")
    expect(phone.locator(f"#points-{b.pk}")).to_have_text("2")
    expect(phone.locator(".sheet-table .is-unsaved")).to_have_count(0)
    expect(status).to_have_text("")
    expect(phone.locator(".sheet-bar [data-bar=total]")).to_have_text("20,50")
    stored = entry(sheet, "I.1")
    assert (stored.points, stored.version) == (D("18.50"), version + 1)
    assert stored.history.filter(history_type="~").count() == 1
    assert entry(sheet, "B").count == 2
    assert ScoreSheet.objects.get(pk=sheet.pk).total == D("20.50")
    assert ScoreSheet.objects.get(pk=sheet.pk).status == SheetStatus.DRAFT


def test_sheet_save_whose_answer_was_lost_lands_once(phone, org, table):  # noqa: F811
    set_phase(org, Phase.SELF_ASSESSMENT)
    login(phone, "member")
    phone.goto("/my-sheet/")
    phone.console_allowed = NETWORK_ERRORS
    sheet = ScoreSheet.objects.get(unit=org.member_unit, stage=Stage.SELF)
    i1 = entry(sheet, "I.1")
    version = i1.version

    lose_answers(phone, "**/entries/*/")
    tap_and_type(phone, f"#e{i1.pk}-points", "7")
    phone.locator(f"#e{i1.pk}-comment").tap()
    expect(phone.locator(f"#row-{i1.pk}")).to_have_class(UNSAVED)
    expect(phone.locator(".sheet-bar [data-save-status]")).to_have_text(re.compile(r"^1 "))
    assert entry(sheet, "I.1").points == D("7.00")  # it did arrive

    phone.unroute("**/entries/*/")
    expect(phone.locator(f"#row-{i1.pk}")).not_to_have_class(UNSAVED)
    expect(phone.locator(f"#points-{i1.pk}")).to_have_text("7")
    expect(phone.locator(".sheet-bar [data-save-status]")).to_have_text("")
    stored = entry(sheet, "I.1")
    assert (stored.points, stored.version) == (D("7.00"), version + 1)
    assert stored.history.filter(history_type="~").count() == 1


def test_photo_chosen_offline_is_uploaded_once_back_online(phone, org, table, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    set_phase(org, Phase.SELF_ASSESSMENT)
    login(phone, "member")
    phone.goto("/my-sheet/")
    phone.console_allowed = NETWORK_ERRORS
    sheet = ScoreSheet.objects.get(unit=org.member_unit, stage=Stage.SELF)
    i1 = entry(sheet, "I.1")

    phone.context.set_offline(True)
    phone.locator(f"#file-{i1.pk}").set_input_files(
        files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}]
    )
    box = phone.locator(f"#evidence-{i1.pk}")
    expect(box).to_have_class(UNSAVED)
    expect(box.locator(".upload-note")).not_to_be_empty()
    expect(phone.locator(".sheet-bar [data-save-status]")).to_have_text(re.compile(r"^1 "))
    assert Evidence.objects.filter(entry=i1).count() == 0

    phone.context.set_offline(False)
    expect(box.locator(".evidence-link")).to_have_text("IMG_0002.jpg")
    expect(phone.locator(f"#evidence-{i1.pk}")).not_to_have_class(UNSAVED)
    expect(phone.locator(".sheet-bar [data-save-status]")).to_have_text("")
    assert Evidence.objects.filter(entry=i1).count() == 1


def cell(page, code: str, column: int):
    """The grid's first input of criterion ``code`` in unit column ``column``."""
    return page.locator(
        f'#score-grid tr:has(th.gl[data-code="{code}"]) input.gi[data-c="{column}"]'
    )


def test_grid_cell_saved_offline_stays_pending_warns_on_leaving_and_lands(page, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    login(page, "leader")
    page.goto(f"/clusters/{org.cluster.pk}/grid/cluster/")
    page.console_allowed = NETWORK_ERRORS
    member = sheets["M1"]  # column 2
    status = page.locator(".grid-save-status")
    version = entry(member, "I.1").version

    page.context.set_offline(True)
    cell(page, "I.1", 2).click()
    page.keyboard.type("15")
    page.keyboard.press("Tab")
    td = page.locator(f"#c{entry(member, 'I.1').pk}-points")
    expect(td).to_have_class(OFFLINE)
    expect(status).to_have_text(re.compile(r"^1 "))
    assert entry(member, "I.1").points is None

    # Leaving the page asks first; staying keeps the pending save.
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.locator("a.navbar-brand").click(no_wait_after=True)
    expect(status).to_have_text(re.compile(r"^1 "))
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/grid/cluster/")
    # Refreshing the grid would show the stored value over the typed one: it waits.
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.locator("#grid-card button[hx-get]").click()
    expect(td).to_have_class(OFFLINE)
    expect(cell(page, "I.1", 2)).to_have_value("15")
    assert dialogs == ["beforeunload", "alert"]

    page.context.set_offline(False)
    expect(td).not_to_have_class(OFFLINE)
    expect(status).to_have_text("")
    expect(page.locator(f"#ftotal-{member.pk}")).to_have_text("15,00")
    stored = entry(member, "I.1")
    assert (stored.points, stored.version) == (D("15.00"), version + 1)


def test_grid_cell_whose_answer_was_lost_lands_once_without_a_conflict(page, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    login(page, "leader")
    page.goto(f"/clusters/{org.cluster.pk}/grid/cluster/")
    page.console_allowed = [*NETWORK_ERRORS, "409"]
    member = sheets["M1"]
    version = entry(member, "I.1").version

    lose_answers(page, "**/cells/*/")
    cell(page, "I.1", 2).click()
    page.keyboard.type("9")
    page.keyboard.press("Tab")
    td = page.locator(f"#c{entry(member, 'I.1').pk}-points")
    expect(td).to_have_class(OFFLINE)
    assert entry(member, "I.1").points == D("9.00")  # it did arrive

    page.unroute("**/cells/*/")
    expect(td).not_to_have_class(OFFLINE)
    expect(td).not_to_have_class(re.compile(r"\bis-stale\b"))
    expect(td.locator(".ge")).to_have_count(0)
    expect(page.locator(".grid-save-status")).to_have_text("")
    stored = entry(member, "I.1")
    assert (stored.points, stored.version) == (D("9.00"), version + 1)
    assert stored.history.filter(history_type="~").count() == 1
