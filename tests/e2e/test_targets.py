"""The units' own targets page in a real browser: typed with the keyboard and pasted from
Excel, through the scoring grid's own script (static/js/grid.js)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from scoring.models import Criterion, UnitTarget
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def cell(page, r: int, c: int):
    """The input of unit row ``r``, target criterion column ``c``."""
    return page.locator(f'#score-grid input.gi[data-r="{r}"][data-c="{c}"]')


def targets(table) -> dict[tuple[str, str], Decimal]:
    return {
        (t.criterion.code, t.unit.code): t.target
        for t in UnitTarget.objects.filter(criterion__table=table).select_related(
            "criterion", "unit"
        )
    }


def expect_saves_done(page) -> None:
    expect(page.locator("#score-grid td.is-saving")).to_have_count(0)


def test_targets_typed_with_the_keyboard_and_a_pasted_block(page, org, table):
    login(page, "staff")
    page.goto(f"/campaigns/{org.campaign.pk}/tables/{table.pk}/targets/")
    # Rows: L1, D1, M1 (cluster 1), O1 (cluster 2); columns: I.2, I.3.
    cell(page, 0, 0).click()
    page.keyboard.type("95")
    page.keyboard.press("Tab")
    page.keyboard.type("90,5")
    page.keyboard.press("Enter")  # down to D1's I.3: both typed cells are saved
    expect_saves_done(page)
    expect(page.locator("#score-grid td.is-own")).to_have_count(2)

    # A block from Excel starting at D1's I.2: D1 and M1, one value refused (above 100).
    cell(page, 1, 0).focus()
    page.evaluate("text => navigator.clipboard.writeText(text)", "80\t70\n120\t60\n")
    page.console_allowed.append("422")
    page.keyboard.press("Control+V")
    expect_saves_done(page)

    refused = page.locator("#score-grid td.is-invalid")
    expect(refused).to_have_count(1)
    expect(refused.locator(".ge")).to_contain_text("I.2 · ")
    expect(cell(page, 2, 0)).to_have_value("120")
    assert targets(table) == {
        ("I.2", "L1"): D(95),
        ("I.3", "L1"): D("90.5"),
        ("I.2", "D1"): D(80),
        ("I.3", "D1"): D(70),
        ("I.3", "M1"): D(60),
    }
    assert Criterion.objects.get(table=table, code="I.2").unit_targets.count() == 2
