"""From published results to a printed certificate, in a real browser (issue 15 point 9):
the standing agency's officer opens the cluster's published ranking, the campaign's
decisions, the decision, its certificates, and downloads a unit's certificate as Word; the
file, converted to PDF by LibreOffice, names the unit and the decision on its one page.

Skipped with a message where chromium (tests/e2e/conftest.py) or LibreOffice (tests/pdf.py)
is missing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from awards import services
from awards.enums import DecisionOutcome, TitleLevel

# The awards tests' province with its published cluster and two award types.
from tests.awards.conftest import award_types, published, table  # noqa: F401
from tests.e2e.conftest import login
from tests.pdf import pdf_pages, soffice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def decision(published, award_types):  # noqa: F811 - the fixtures imported above
    org = published
    flag, advanced = award_types
    org.leader_unit.name = "Công an huyện Đắk Mil"
    org.leader_unit.save()
    decision = services.decision_record(
        campaign=org.campaign,
        user=org.staff,
        number="27/QĐ-CAT",
        date=dt.date(2024, 1, 12),
        signer_name="Đại tá Nguyễn Văn An",
        signer_title="Giám đốc",
        authority="Công an tỉnh Thử",
        level=TitleLevel.PROVINCE,
    )
    for unit, award_type in ((org.leader_unit, flag), (org.deputy_unit, advanced)):
        services.decision_item_set(
            decision=decision,
            unit=unit,
            award_type=award_type,
            outcome=DecisionOutcome.GRANTED,
            user=org.staff,
        )
    return decision


def test_staff_goes_from_published_results_to_a_printed_certificate(page, decision, tmp_path):
    soffice()  # skips without LibreOffice, before the browser does any work
    org = decision.campaign
    unit = decision.items.get(award_type__code="co-bo").unit
    login(page, "staff")

    # The published results of the cluster.
    cluster = unit.memberships.get().cluster
    page.goto(f"/clusters/{cluster.pk}/ranking/final/")
    expect(page.locator("main")).to_contain_text("Công an huyện Đắk Mil")

    # The campaign's decisions, the decision, its certificates.
    page.goto(f"/campaigns/{org.pk}/awards/decisions/")
    page.get_by_role("link", name="27/QĐ-CAT").first.click()
    page.wait_for_url(f"**/awards/decisions/{decision.pk}/")
    page.locator('a[data-certificates="page"]').click()
    page.wait_for_url(f"**/awards/decisions/{decision.pk}/certificates/")
    row = page.locator(f'tr[data-unit="{unit.code}"]')
    expect(row).to_contain_text("Công an huyện Đắk Mil")

    # The unit's certificate as Word, then as LibreOffice prints it.
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Word", exact=False).first.click()
    download = download_info.value
    path = Path(download.path())
    assert download.suggested_filename == f"giay-khen-27-qd-cat-{unit.code.lower()}.docx"

    pages = pdf_pages({"certificate.docx": path.read_bytes()}, tmp_path)["certificate.docx"]

    assert len(pages) == 1
    assert "CÔNG AN HUYỆN ĐẮK MIL" in pages[0]
    assert "Quyết định số 27/QĐ-CAT" in pages[0]
