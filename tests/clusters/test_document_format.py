"""The administrative format's shared helpers (clusters/documents/base.py): the organiser's
place name in the date line (Unit.place, from the admin or the organisation file), "Nơi
nhận", the page-number field from page 2, and a block's words (docs/documents.md)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from clusters.documents.base import (
    Document,
    Header,
    Recipients,
    Signatures,
    Signer,
    date_line,
    para,
    place_name,
    to_docx,
)
from clusters.documents.pledge import pledge_document
from clusters.enums import ClusterKind, UnitKind
from clusters.interchange import organization_export, organization_import
from clusters.models import Unit
from tests.factories import PledgeFactory, SignatureFactory, SigningConferenceFactory, UnitFactory

GOOD_FILE = Path(__file__).parent / "data" / "organization.json"


def test_place_name_from_the_province_name_without_cong_an_tinh():
    unit = Unit(name="Công an tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)

    assert place_name(unit) == "Đắk Lắk"


def test_place_name_of_the_ministry_is_ha_noi():
    assert place_name(Unit(name="Bộ Công an", kind=UnitKind.MINISTRY)) == "Hà Nội"


def test_place_name_set_on_the_unit_wins():
    unit = Unit(name="Công an tỉnh Đắk Lắk (mới)", kind=UnitKind.PROVINCE, place="Đắk Lắk")

    assert date_line(place_name(unit), dt.date(2023, 12, 20)) == (
        "Đắk Lắk, ngày 20 tháng 12 năm 2023"
    )


def test_recipients_lines_in_the_decrees_style():
    recipients = Recipients(["Như trên", "Lãnh đạo Công an tỉnh"], archive="VT, PX03")

    assert recipients.lines == ["- Như trên;", "- Lãnh đạo Công an tỉnh;", "- Lưu: VT, PX03."]


def _document(signers: int) -> Document:
    return Document(
        header=Header("CÔNG AN TỈNH THỬ", "PHÒNG THỬ", "Thử, ngày 05 tháng 02 năm 2023"),
        title="TỜ TRÌNH",
        blocks=[
            para("Nội dung."),
            Signatures([Signer(role=f"NGƯỜI KÝ {i}") for i in range(signers)]),
        ],
        recipients=Recipients(["Như trên"]),
    )


def test_docx_numbers_pages_at_the_top_centre_but_not_the_first():
    word = docx.Document(io.BytesIO(to_docx(_document(1))))
    section = word.sections[0]

    header = section.header.paragraphs[0]
    instructions = [e.text.strip() for e in header._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE"]
    assert header.alignment == 1  # centred
    assert section.different_first_page_header_footer is True
    assert [p.text for p in section.first_page_header.paragraphs] == [""]


def test_docx_recipients_beside_a_single_signer():
    word = docx.Document(io.BytesIO(to_docx(_document(1))))

    left, right = word.tables[-1].rows[0].cells
    assert [p.text for p in left.paragraphs] == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]
    heading = left.paragraphs[0].runs[0]
    assert (heading.bold, heading.italic, heading.font.size.pt) == (True, True, 12)
    assert right.paragraphs[0].text == "NGƯỜI KÝ 0"
    assert all(p.text != "Nơi nhận:" for p in word.paragraphs)


def test_docx_recipients_after_two_signers():
    word = docx.Document(io.BytesIO(to_docx(_document(2))))

    texts = [p.text for p in word.paragraphs]
    assert texts[-3:] == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]


@pytest.mark.django_db
def test_organisation_file_sets_and_exports_the_organisers_place():
    data = json.loads(GOOD_FILE.read_text(encoding="utf-8"))
    data["organiser"]["place"] = "Đắk Nông"

    summary = organization_import(data=data)

    assert Unit.objects.get(code=data["organiser"]["code"]).place == "Đắk Nông"
    assert organization_export(summary.campaign)["organiser"] == {
        "code": data["organiser"]["code"],
        "name": data["organiser"]["name"],
        "place": "Đắk Nông",
    }


@pytest.mark.django_db
def test_organisation_file_without_place_keeps_the_stored_one():
    data = json.loads(GOOD_FILE.read_text(encoding="utf-8"))
    UnitFactory(
        code=data["organiser"]["code"],
        name=data["organiser"]["name"],
        kind=UnitKind.PROVINCE,
        place="Gia Nghĩa",
    )

    organization_import(data=data)

    assert Unit.objects.get(code=data["organiser"]["code"]).place == "Gia Nghĩa"


@pytest.mark.django_db
def test_pledge_of_a_block_says_khoi(org):
    org.cluster.kind = ClusterKind.BLOCK
    org.cluster.name = "Khối thi đua số 1"
    org.cluster.save()
    SigningConferenceFactory(cluster=org.cluster)
    pledge = PledgeFactory(cluster=org.cluster)
    SignatureFactory(pledge=pledge, unit=org.leader_unit)

    document = pledge_document(pledge)

    texts = [getattr(b, "text", "") for b in document.blocks]
    assert any("(Khối trưởng: Phòng Đắk Mil; Khối phó: " in t for t in texts)
    assert any("Khối trưởng theo dõi, đôn đốc" in t for t in texts)
    assert document.recipients.lines[-1] == "- Lưu: VT, Khối trưởng."
    assert document.header.place_date == "Thử, ngày 25 tháng 02 năm 2023"
