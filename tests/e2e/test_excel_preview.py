"""The grid's Excel upload in a real browser: the leader downloads the template from the
grid, fills it offline, uploads it, sees every change and every error by cell, and confirms."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from clusters.enums import Phase
from scoring.models import ScoreEntry, ScoreSheet
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def find(ws, key: str, unit_code: str):
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value == unit_code)
    return ws.cell(row, col)


def test_upload_preview_shows_changes_and_errors_then_confirms(page, org, sheets, tmp_path):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    login(page, org.leader.username)
    page.goto(f"/clusters/{org.cluster.pk}/grid/cluster/")
    page.click("#grid-excel")
    with page.expect_download() as info:
        page.click("#excel-template")
    template = tmp_path / info.value.suggested_filename
    info.value.save_as(template)
    wb = load_workbook(template)
    ws = wb.active
    find(ws, "I.1|points", "M1").value = 15
    find(ws, "B|count", "D1").value = "hai"
    bad = tmp_path / "loi.xlsx"
    wb.save(bad)

    page.set_input_files("#excel-file-input", str(bad))
    page.click("#excel-upload")
    page.console_allowed.append("422")
    errors = page.locator("#excel-errors tr.excel-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text(f"'{ws.title}'!G9")
    expect(errors.first).to_contain_text("hai")
    expect(page.locator("#excel-confirm")).to_have_count(0)

    find(ws, "B|count", "D1").value = 2
    good = tmp_path / "diem.xlsx"
    wb.save(good)
    page.set_input_files("#excel-file-input", str(good))
    page.click("#excel-upload")
    rows = page.locator("#excel-changes tr.excel-change")
    expect(rows).to_have_count(2)
    first = page.locator('tr.excel-change[data-unit="M1"][data-code="I.1"]')
    expect(first.locator("[data-old]")).to_have_text("—")
    expect(first.locator("[data-new]")).to_have_text("15")
    expect(page.locator('tr.excel-change[data-unit="D1"] [data-new]')).to_have_text("2")
    assert ScoreEntry.objects.get(sheet=sheets["M1"], criterion__code="I.1").input_points is None

    page.click("#excel-confirm")
    page.wait_for_url(f"**/clusters/{org.cluster.pk}/grid/cluster/")
    m1 = ScoreSheet.objects.get(pk=sheets["M1"].pk)
    assert ScoreEntry.objects.get(sheet=m1, criterion__code="I.1").input_points == Decimal(15)
    assert m1.base == Decimal("15.00")
    expect(page.locator(f"#ftotal-{m1.pk}")).to_have_text("15,00")
