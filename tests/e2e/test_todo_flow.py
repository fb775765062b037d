"""The to-do list in a real browser (issue 16 point 7; docs/deadlines.md): a unit officer
signs in, sees the item of its self-assessment with its deadline and the entries still
missing, follows the link to the sheet, fills the missing entries, submits, and the item is
gone from the home page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clusters.enums import Phase
from clusters.services import deadlines
from scoring import services
from scoring.enums import SheetStatus, Stage
from scoring.models import ScoreEntry, ScoreSheet
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def test_unit_officer_follows_the_todo_item_to_a_submitted_sheet(page, org, table):
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF
    )
    services.sheet_fill(sheet=sheet, values={"I.1": {"points": D("15")}, "B": {"count": 2}})
    services.recompute_scope(ScoreSheet.objects.filter(pk=sheet.pk))
    due = timezone.localdate() + dt.timedelta(days=2)
    deadlines.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=due
    )
    login(page, "member")

    page.goto("/")
    item = page.locator("[data-todo-item]")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-urgency", "soon")
    expect(item.locator("[data-todo-count]")).to_have_text("4")  # I.2, I.3, T and V
    expect(item.locator("[data-todo-due]")).to_have_attribute("data-todo-due", due.isoformat())
    expect(item.locator("[data-todo-due]")).to_contain_text(due.strftime("%d/%m/%Y"))

    item.locator("a").click()
    page.wait_for_url(f"**/sheets/{sheet.pk}/")
    banner = page.locator(".deadline-banner")
    expect(banner).to_have_attribute("data-deadline", due.isoformat())
    expect(banner.locator("[data-days-left]")).not_to_be_empty()

    entries = {
        e.criterion.code: e.pk
        for e in ScoreEntry.objects.filter(sheet=sheet).select_related("criterion")
    }

    def type_and_leave(code: str, name: str, text: str) -> None:
        field = page.locator(f"#e{entries[code]}-{name}")
        field.fill(text)
        field.press("Tab")

    type_and_leave("I.2", "numerator", "20")
    type_and_leave("I.2", "denominator", "20")
    expect(page.locator(f"#points-{entries['I.2']}")).to_have_text("20")
    type_and_leave("I.3", "numerator", "9")
    type_and_leave("I.3", "denominator", "10")
    expect(page.locator(f"#points-{entries['I.3']}")).to_have_text("10")
    type_and_leave("T", "points", "0")
    expect(page.locator(f"#points-{entries['T']}")).to_have_text("0")
    page.locator(f"#e{entries['V']}-violated").select_option("0")
    expect(page.locator(f"#points-{entries['V']}")).to_have_text("0")
    expect(page.locator("#total-self")).to_have_text("47,00")  # 15 + 20 + 10 + 2

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'form[action="/sheets/{sheet.pk}/submit/"] button[type=submit]').click()
    expect(page.locator(".badge.status-submitted")).to_be_visible()
    assert ScoreSheet.objects.get(pk=sheet.pk).status == SheetStatus.SUBMITTED

    page.goto("/")
    expect(page.locator("[data-todo-item]")).to_have_count(0)
    expect(page.locator("[data-todo-empty]")).to_be_visible()


def test_a_closed_deadline_refuses_a_row_and_says_why(page, org, table):
    from clusters.enums import DeadlineMode

    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF
    )
    passed = timezone.localdate() - dt.timedelta(days=2)
    page.console_allowed = ["403"]  # the browser logs the refused save
    login(page, "member")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    page.goto(f"/sheets/{sheet.pk}/")
    e = ScoreEntry.objects.get(sheet=sheet, criterion__code="I.1")
    field = page.locator(f"#e{e.pk}-points")
    expect(field).to_be_editable()

    # The deadline closes while the page is open: the next save is refused, saying why.
    deadlines.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        due_date=passed,
        mode=DeadlineMode.CLOSE,
    )
    field.fill("12")
    field.press("Tab")

    message = page.locator(f"#msg-{e.pk}")
    expect(message).to_contain_text(passed.strftime("%d/%m/%Y"))
    expect(message).to_contain_text("input is now closed")
    assert ScoreEntry.objects.get(pk=e.pk).input_points is None

    # Opened again, the sheet is read-only and says why; the banner says input is closed.
    page.goto(f"/sheets/{sheet.pk}/")
    expect(page.locator(".deadline-banner")).to_have_attribute("data-deadline-mode", "close")
    expect(page.locator(f"#e{e.pk}-points")).to_have_count(0)
    expect(page.get_by_text("input is now closed")).to_be_visible()
