"""The signed pledge as a Word file and a print page (clusters/views/documents.py), and the
shared building blocks of the official documents (clusters/documents/base.py)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.documents.base import ascii_slug, number, place_name, vn_date
from clusters.enums import MemberRole
from clusters.models import PledgeItem, Unit
from tests.factories import (
    MembershipFactory,
    PledgeFactory,
    SignatureFactory,
    SigningConferenceFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

SLOGAN = "Vì an ninh Tổ quốc, vì hạnh phúc của nhân dân"
ITEMS = [
    ("Công tác bảo đảm an ninh, trật tự", "Phấn đấu giảm 5% số vụ phạm pháp hình sự."),
    ("Công tác xây dựng lực lượng", "100% cán bộ hoàn thành nhiệm vụ."),
]


def docx_lines(content: bytes) -> list[str]:
    """Every paragraph of the document, in the body and in its tables, in reading order."""
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return lines


def signature_cells(content: bytes) -> list[list[str]]:
    """The signature blocks (the borderless tables after the header), one list of lines each."""
    document = docx.Document(io.BytesIO(content))
    blocks = []
    for table in document.tables[1:]:
        titles, names = table.rows
        for title, name in zip(titles.cells, names.cells, strict=True):
            blocks.append([p.text for p in [*title.paragraphs, *name.paragraphs] if p.text.strip()])
    return blocks


@pytest.fixture
def pledge(org):
    SigningConferenceFactory(cluster=org.cluster, held_on=dt.date(2023, 2, 28))
    pledge = PledgeFactory(
        cluster=org.cluster,
        slogan=SLOGAN,
        preamble="Thực hiện Kế hoạch số 12/KH-CAT của Công an tỉnh.",
    )
    for order, (area, content) in enumerate(ITEMS, start=1):
        PledgeItem.objects.create(pledge=pledge, order=order, area=area, content=content)
    SignatureFactory(
        pledge=pledge,
        unit=org.leader_unit,
        signatory="Thượng tá Trần Văn Bình",
        position="Trưởng phòng",
        signed_on=dt.date(2023, 2, 28),
    )
    SignatureFactory(
        pledge=pledge,
        unit=org.deputy_unit,
        signatory="Trung tá Lê Văn Cường",
        position="Trưởng Công an huyện",
        signed_on=dt.date(2023, 2, 28),
    )
    return pledge


def docx_url(org):
    return reverse("pledge_docx", args=[org.cluster.pk])


def print_url(org):
    return reverse("pledge_print", args=[org.cluster.pk])


# --- Building blocks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("Công an tỉnh Đắk Nông", "province", "Đắk Nông"),
        ("Công an thành phố Hà Nội", "province", "Hà Nội"),
        ("Bộ Công an", "ministry", "Hà Nội"),
        ("Phòng Tham mưu", "department", "Phòng Tham mưu"),
    ],
)
def test_place_name_drops_the_police_prefix(name, kind, expected):
    assert place_name(Unit(name=name, kind=kind)) == expected


def test_vn_date_pads_day_and_early_months():
    assert vn_date(dt.date(2023, 2, 8)) == "ngày 08 tháng 02 năm 2023"
    assert vn_date(dt.date(2023, 11, 25)) == "ngày 25 tháng 11 năm 2023"
    assert vn_date(None, 2023) == "ngày ….. tháng ….. năm 2023"


def test_number_uses_decimal_comma_without_trailing_zeros():
    assert [number(Decimal(v)) for v in ["18.50", "20.00", "0", "7.25"]] == [
        "18,5",
        "20",
        "0",
        "7,25",
    ]


def test_ascii_slug_drops_diacritics():
    assert ascii_slug("Cụm thi đua số 4 Đắk Nông") == "cum-thi-dua-so-4-dak-nong"


# --- The Word file -----------------------------------------------------------------------


def test_pledge_docx_is_an_attachment_with_an_ascii_name(client, org, pledge):
    client.force_login(org.member)

    response = client.get(docx_url(org))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"] == 'attachment; filename="ban-giao-uoc-cum-1-2023.docx"'


def test_pledge_docx_has_the_administrative_header(client, org, pledge):
    client.force_login(org.member)

    content = client.get(docx_url(org)).content

    header = docx.Document(io.BytesIO(content)).tables[0].rows[0].cells
    left = [p.text for p in header[0].paragraphs if p.text]
    right = [p.text for p in header[1].paragraphs if p.text]
    assert left == ["CÔNG AN TỈNH THỬ", "CỤM THI ĐUA SỐ 1"]
    assert right == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Thử, ngày 28 tháng 02 năm 2023",
    ]
    issuer = header[0].paragraphs[1].runs[0]
    place_date = header[1].paragraphs[-1].runs[0]
    assert (issuer.bold, place_date.italic) == (True, True)


def test_pledge_docx_has_the_title_slogan_and_every_item(client, org, pledge):
    client.force_login(org.member)

    lines = docx_lines(client.get(docx_url(org)).content)

    assert "BẢN GIAO ƯỚC THI ĐUA" in lines
    assert "Thực hiện phong trào thi đua “Vì an ninh Tổ quốc” năm 2023" in lines
    assert f"Khẩu hiệu thi đua: “{SLOGAN}”" in lines
    assert "Thực hiện Kế hoạch số 12/KH-CAT của Công an tỉnh." in lines
    assert "I. CÔNG TÁC BẢO ĐẢM AN NINH, TRẬT TỰ" in lines
    assert "Phấn đấu giảm 5% số vụ phạm pháp hình sự." in lines
    assert "II. CÔNG TÁC XÂY DỰNG LỰC LƯỢNG" in lines
    assert "100% cán bộ hoàn thành nhiệm vụ." in lines
    assert "III. TỔ CHỨC THỰC HIỆN" in lines


def test_pledge_docx_has_every_members_signature_block(client, org, pledge):
    client.force_login(org.member)

    blocks = signature_cells(client.get(docx_url(org)).content)

    note = "(Ký, ghi rõ họ tên, đóng dấu)"
    assert blocks == [
        [
            "ĐẠI DIỆN PHÒNG ĐẮK MIL",
            "TRƯỞNG PHÒNG",
            note,
            "Ký ngày 28/02/2023",
            "Thượng tá Trần Văn Bình",
        ],
        [
            f"ĐẠI DIỆN {org.deputy_unit.name.upper()}",
            "TRƯỞNG CÔNG AN HUYỆN",
            note,
            "Ký ngày 28/02/2023",
            "Trung tá Lê Văn Cường",
        ],
        [f"ĐẠI DIỆN {org.member_unit.name.upper()}", note],
    ]


def test_pledge_docx_is_a4_in_times_new_roman_with_the_decree_margins(client, org, pledge):
    client.force_login(org.member)

    document = docx.Document(io.BytesIO(client.get(docx_url(org)).content))

    section = document.sections[0]
    sizes = [
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    ]
    assert [round(size.mm) for size in sizes] == [210, 297, 20, 20, 30, 15]
    fonts = {r.font.name for p in document.paragraphs for r in p.runs}
    assert fonts == {"Times New Roman"}


def test_pledge_docx_without_a_conference_dates_from_the_first_signature(client, org, pledge):
    org.cluster.signing_conference.delete()
    org.cluster.refresh_from_db()
    client.force_login(org.member)

    lines = docx_lines(client.get(docx_url(org)).content)

    assert "Thử, ngày 28 tháng 02 năm 2023" in lines  # the first signature's date


def test_pledge_docx_reads_a_fixed_number_of_queries(client, org, pledge):
    client.force_login(org.admin)
    with CaptureQueriesContext(connection) as small:
        client.get(docx_url(org))
    for i in range(6):
        unit = UnitFactory(code=f"X{i}", parent=org.province)
        MembershipFactory(cluster=org.cluster, unit=unit, role=MemberRole.MEMBER)
        SignatureFactory(pledge=pledge, unit=unit)
        PledgeItem.objects.create(pledge=pledge, order=10 + i, area=f"Lĩnh vực {i}", content="…")

    with CaptureQueriesContext(connection) as large:
        response = client.get(docx_url(org))

    assert len(signature_cells(response.content)) == 9
    assert len(large) == len(small)


# --- Who may have it ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "staff", "leader", "deputy", "member"])
@pytest.mark.parametrize("name", ["pledge_docx", "pledge_print"])
def test_pledge_documents_open_to_whoever_sees_the_cluster(client, org, pledge, role, name):
    client.force_login(getattr(org, role))

    response = client.get(reverse(name, args=[org.cluster.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("name", ["pledge_docx", "pledge_print"])
def test_pledge_documents_not_found_outside_the_scope(client, org, pledge, name):
    client.force_login(org.outsider)

    response = client.get(reverse(name, args=[org.cluster.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["pledge_docx", "pledge_print"])
def test_pledge_documents_not_found_without_a_pledge(client, org, name):
    client.force_login(org.admin)

    response = client.get(reverse(name, args=[org.cluster.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["pledge_docx", "pledge_print"])
def test_pledge_documents_refuse_post(client, org, pledge, name):
    client.force_login(org.admin)

    response = client.post(reverse(name, args=[org.cluster.pk]))

    assert response.status_code == 405


def test_pledge_documents_need_a_login(client, org, pledge):
    response = client.get(docx_url(org))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- The print page -----------------------------------------------------------------------


def test_pledge_print_page_says_what_the_word_file_says(client, org, pledge):
    client.force_login(org.leader)

    response = client.get(print_url(org))

    html = response.content.decode()
    for text in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Thử, ngày 28 tháng 02 năm 2023",
        "BẢN GIAO ƯỚC THI ĐUA",
        f"“{SLOGAN}”",
        "I. CÔNG TÁC BẢO ĐẢM AN NINH, TRẬT TỰ",
        "II. CÔNG TÁC XÂY DỰNG LỰC LƯỢNG",
        "ĐẠI DIỆN PHÒNG ĐẮK MIL",
        "Thượng tá Trần Văn Bình",
        "Trung tá Lê Văn Cường",
        f"ĐẠI DIỆN {org.member_unit.name.upper()}",
        docx_url(org),
    ]:
        assert text in html
    assert "style=" not in html
    assert "<script>" not in html
