"""Certificates of a decision's granted titles (awards/certificates.py, the layout of
clusters/documents/certificate.py, awards/views/certificates.py): their words, the Word
files converted to PDF by LibreOffice and read back (one A4 landscape page per granted
title, the units' names and the decision's number), the pages' permissions and the page
without LibreOffice."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document as read_docx

from awards import certificates, services
from awards.enums import DecisionOutcome, TitleLevel
from clusters.documents import pdf as pdf_module
from tests.factories import UnitFactory, UserFactory
from tests.pdf import pdf_readers

pytestmark = pytest.mark.django_db

A4_LONG, A4_SHORT = 841.89, 595.3  # points
TOLERANCE = 1.0


@pytest.fixture
def decision(org, award_types):
    """The province's decision 15/QĐ-CAT granting the flag to L1 and Tiên tiến to L1 and
    D1, refusing it to M1."""
    flag, advanced = award_types
    org.leader_unit.name = "Công an huyện Đắk Mil"
    org.leader_unit.save()
    org.deputy_unit.name = "Công an huyện Cư Jút"
    org.deputy_unit.save()
    org.province.place = "Đắk Nông"
    org.province.save()
    services.award_type_upsert(
        campaign=org.campaign,
        code=flag.code,
        name=flag.name,
        leading_only=True,
        order=1,
        certificate_heading="Cờ thi đua",
    )
    decision = services.decision_record(
        campaign=org.campaign,
        user=org.staff,
        number="15/QĐ-CAT",
        date=dt.date(2024, 1, 5),
        signer_name="Đại tá Nguyễn Văn An",
        signer_title="Giám đốc",
        authority="Công an tỉnh Thử",
        level=TitleLevel.PROVINCE,
    )
    for unit, award_type, outcome in (
        (org.leader_unit, flag, DecisionOutcome.GRANTED),
        (org.leader_unit, advanced, DecisionOutcome.GRANTED),
        (org.deputy_unit, advanced, DecisionOutcome.GRANTED),
        (org.member_unit, advanced, DecisionOutcome.REFUSED),
    ):
        services.decision_item_set(
            decision=decision, unit=unit, award_type=award_type, outcome=outcome, user=org.staff
        )
    return decision


# --- Words -----------------------------------------------------------------------------------


def test_certificate_words_of_a_title_and_of_a_flag(decision):
    # By title order then unit code: the flag (L1), then Tiên tiến for D1 and L1.
    flag_page, deputy_page, advanced_page = certificates.certificates(decision)

    assert advanced_page.authority == "GIÁM ĐỐC CÔNG AN TỈNH THỬ"
    assert advanced_page.heading == "GIẤY KHEN"  # the level's (unit): none set
    assert advanced_page.recipient == "Công an huyện Đắk Mil"
    assert advanced_page.achievements == [
        "Danh hiệu “Đơn vị Tiên tiến”",
        "Đã có thành tích xuất sắc trong phong trào thi đua “Vì an ninh Tổ quốc” năm 2023",
    ]
    assert advanced_page.decision == "Quyết định số 15/QĐ-CAT, ngày 05 tháng 01 năm 2024"
    assert advanced_page.place_date == "Đắk Nông, ngày 05 tháng 01 năm 2024"
    assert (advanced_page.signer_title, advanced_page.signer_name) == (
        "GIÁM ĐỐC",
        "Đại tá Nguyễn Văn An",
    )
    assert flag_page.heading == "CỜ THI ĐUA"
    assert flag_page.achievements == [
        "Đơn vị dẫn đầu phong trào thi đua “Vì an ninh Tổ quốc” năm 2023"
    ]
    assert deputy_page.recipient == "Công an huyện Cư Jút"


def test_certificate_of_the_ministry_is_dated_in_ha_noi_with_its_heading(decision):
    decision.level = TitleLevel.MINISTRY
    decision.authority = "Bộ Công an"
    decision.signer_title = "Bộ trưởng"
    item = certificates.granted(decision)[1]
    item.award_type.level = TitleLevel.MINISTRY

    page = certificates.certificate(item, decision)

    assert page.authority == "BỘ TRƯỞNG BỘ CÔNG AN"
    assert page.heading == "BẰNG KHEN"
    assert page.place_date == "Hà Nội, ngày 05 tháng 01 năm 2024"


def test_certificates_docx_is_a4_landscape_one_section(decision):
    document = read_docx(io.BytesIO(certificates.certificates_docx(decision)))

    section = document.sections[0]
    assert len(document.sections) == 1
    assert round(section.page_width.mm) == 297
    assert round(section.page_height.mm) == 210
    breaks = [p for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert len(breaks) == 2  # three certificates, each after the first on a new page


# --- As printed --------------------------------------------------------------------------------


def test_certificates_print_one_landscape_page_each(decision, tmp_path):
    org_units = [i.unit for i in certificates.granted(decision)]
    files = {
        "all.docx": certificates.certificates_docx(decision),
        "one.docx": certificates.certificates_docx(decision, org_units[1].pk),
    }

    readers = pdf_readers(files, tmp_path)

    pages = readers["all.docx"].pages
    assert len(pages) == len(certificates.granted(decision)) == 3
    for page in pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height
        assert abs(width - A4_LONG) < TOLERANCE
        assert abs(height - A4_SHORT) < TOLERANCE
    texts = [page.extract_text() for page in pages]
    for text, unit in zip(texts, org_units, strict=True):
        assert unit.name.upper() in text
        assert "Quyết định số 15/QĐ-CAT" in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Đắk Nông, ngày 05 tháng 01 năm 2024" in text
    assert "CỜ THI ĐUA" in texts[0]
    assert "GIẤY KHEN" in texts[1]
    assert org_units[1].name == "Công an huyện Cư Jút"
    one = readers["one.docx"].pages
    assert len(one) == 1
    assert "CÔNG AN HUYỆN CƯ JÚT" in one[0].extract_text()


# --- Pages -----------------------------------------------------------------------------------


@pytest.fixture
def other_staff(org):
    province = UnitFactory(code="CAK", name="Công an tỉnh Khác", kind="province")
    user = UserFactory(username="other-staff", unit=UnitFactory(code="PK01", parent=province))
    user.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return user


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def no_soffice(monkeypatch):
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)


def test_certificates_page_for_staff_lists_every_granted_unit(client, decision):
    org = decision.campaign
    client.force_login(UserFactory(username="x", is_superuser=True, is_staff=True, unit=None))
    page = client.get(reverse("awards_certificates", args=[decision.pk]))

    assert page.status_code == 200
    assert [unit.code for unit, _items in page.context["rows"]] == ["L1", "D1"]
    assert page.context["whole"] is True
    assert reverse("awards_certificates_docx", args=[decision.pk]) in page.content.decode()
    assert org.pk == page.context["campaign"].pk


def test_certificate_downloads_staff_unit_other_unit_other_organiser_and_method(
    client, org, decision, other_staff
):
    whole = reverse("awards_certificates_docx", args=[decision.pk])
    own = reverse("awards_unit_certificates_docx", args=[decision.pk, org.leader_unit.pk])
    refused = reverse("awards_unit_certificates_docx", args=[decision.pk, org.member_unit.pk])

    client.force_login(org.staff)
    answer = client.get(whole)
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="giay-khen-15-qd-cat.docx"'
    assert client.get(refused).status_code == 404  # M1 was refused: no certificate
    assert client.post(whole).status_code == 405
    client.force_login(org.leader)  # the unit itself: its own, not the whole decision
    assert client.get(own).status_code == 200
    assert client.get(whole).status_code == 403
    page = client.get(reverse("awards_certificates", args=[decision.pk]))
    assert page.status_code == 200
    assert [unit.code for unit, _items in page.context["rows"]] == ["L1"]
    client.force_login(org.deputy)  # another granted unit's officer
    assert client.get(own).status_code == 403
    client.force_login(org.member)  # granted nothing
    assert client.get(reverse("awards_certificates", args=[decision.pk])).status_code == 403
    client.force_login(other_staff)
    assert client.get(own).status_code == 404
    assert client.get(whole).status_code == 404


def test_certificates_pdf_is_made_on_the_server(client, org, decision):
    if pdf_module.soffice() is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    client.force_login(org.leader)

    answer = client.get(
        reverse("awards_unit_certificates_pdf", args=[decision.pk, org.leader_unit.pk])
    )

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")


def test_without_libreoffice_the_page_says_so_and_pdf_answers_503(
    client, org, decision, no_soffice
):
    _english(client).force_login(org.staff)

    page = client.get(reverse("awards_certificates", args=[decision.pk]))
    answer = client.get(reverse("awards_certificates_pdf", args=[decision.pk]))

    assert page.context["pdf_available"] is False
    assert "PDF is not available on this server" in page.content.decode()
    assert reverse("awards_certificates_pdf", args=[decision.pk]) not in page.content.decode()
    assert answer.status_code == 503
    assert reverse("awards_certificates_docx", args=[decision.pk]) in answer.content.decode()


def test_setup_page_sets_and_prefills_the_certificate_heading(client, org, award_types):
    flag, _advanced = award_types
    client.force_login(org.staff)
    data = {"code": flag.code, "name": flag.name, "pass_percent": "50", "order": "1"}

    client.post(
        reverse("awards_type_save", args=[org.campaign.pk]),
        data | {"certificate_heading": "Cờ thi đua"},
    )
    flag.refresh_from_db()
    page = client.get(reverse("awards_setup", args=[org.campaign.pk]), {"edit": flag.pk})
    client.post(reverse("awards_type_save", args=[org.campaign.pk]), data)  # blank: the level's

    assert flag.certificate_heading == "Cờ thi đua"
    assert flag.certificate_word == "CỜ THI ĐUA"
    assert page.context["type_form"].initial["certificate_heading"] == "Cờ thi đua"
    flag.refresh_from_db()
    assert flag.certificate_word == "GIẤY KHEN"


def test_certificates_page_queries_do_not_grow_with_the_units(client, org, decision, award_types):
    _flag, advanced = award_types
    client.force_login(org.staff)
    url = reverse("awards_certificates", args=[decision.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    services.decision_item_set(
        decision=decision,
        unit=org.member_unit,
        award_type=advanced,
        outcome=DecisionOutcome.GRANTED,
    )
    after = count()

    assert after == before
