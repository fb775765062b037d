"""Criteria not assigned to a unit in a real browser: staff mark one on the table's page,
the leader's grid shows the cell read-only and marked n/a, and the unit's sheet gives the
raw and the normalised base."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clusters.enums import Phase
from scoring.models import Criterion, NotAssigned, ScoreEntry, ScoreSheet
from tests.e2e.conftest import login
from tests.scoring.test_services import fill

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def test_staff_mark_a_criterion_and_the_grid_and_sheet_follow(page, org, table, sheets):
    fill(sheets)
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    i2 = Criterion.objects.get(table=table, code="I.2")

    login(page, "staff")
    page.goto(f"/campaigns/{org.campaign.pk}/tables/{table.pk}/not-assigned/")
    page.select_option("#id_criterion", value=str(i2.pk))
    page.select_option("#id_unit", value=str(org.member_unit.pk))
    page.fill("#id_reason", "Không có nhiệm vụ")
    page.click("#not-assigned-form [type=submit]")

    expect(page.locator("#not-assigned-marks tr[data-code='I.2']")).to_have_count(1)
    expect(page.locator("#not-assigned-units tr[data-unit='M1'] [data-assigned]")).to_have_text(
        "40,00 / 60,00"
    )
    assert NotAssigned.objects.get().reason == "Không có nhiệm vụ"

    page.context.clear_cookies()
    login(page, "leader")
    page.goto(f"/clusters/{org.cluster.pk}/grid/cluster/")
    entry = ScoreEntry.objects.get(sheet=sheets["M1"], criterion=i2)
    numerator = page.locator(f"#i{entry.pk}-numerator")
    expect(numerator).to_have_attribute("readonly", "")
    expect(numerator).to_have_value("")
    expect(page.locator(f"#c{entry.pk}-denominator .gp.is-na")).to_have_count(1)
    sheet = ScoreSheet.objects.get(pk=sheets["M1"].pk)
    expect(page.locator(f"#fraw_base-{sheet.pk}")).to_contain_text("30")
    expect(page.locator(f"#fbase-{sheet.pk}")).to_contain_text("45")

    page.goto(f"/sheets/{sheet.pk}/")
    expect(page.locator('[data-figure="raw_base"]')).to_contain_text("30")
    expect(page.locator('[data-figure="base"]')).to_contain_text("45")
    expect(page.locator('[data-figure="not_assigned"]')).to_have_text("I.2")
    expect(page.locator(f"#row-{entry.pk} [data-not-assigned]")).to_have_count(1)
