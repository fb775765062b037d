"""Every official document the product prints, converted to PDF by LibreOffice headless and
read back page by page: the number of pages, the page numbers (none on page 1, centred at
the top of the next ones), the place-and-date line of the organiser, the title and
"Nơi nhận" (clusters/documents/base.py, docs/documents.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from awards import documents as award_documents
from awards import services
from clusters.documents.base import to_docx
from clusters.documents.pledge import pledge_document
from clusters.models import PledgeItem
from scoring.documents import minutes_document, sheet_document
from scoring.models import ScoreSheet
from scoring.services.meetings import meeting_record
from tests.factories import PledgeFactory, SignatureFactory, SigningConferenceFactory
from tests.pdf import pdf_pages

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def documents(published, table, award_types):
    """The Word file of every document kind, for the province "Công an tỉnh Thử" whose
    place name is set to Đắk Lắk."""
    org = published
    org.province.place = "Đắk Lắk"
    org.province.save()
    org.member_unit.name = "Công an huyện Krông Búk"  # a fixed name, not the factory's
    org.member_unit.save()
    cluster = org.cluster
    SigningConferenceFactory(cluster=cluster, held_on=dt.date(2023, 2, 25))
    pledge = PledgeFactory(cluster=cluster, preamble="Thực hiện kế hoạch của Công an tỉnh.")
    for i in range(1, 9):
        PledgeItem.objects.create(
            pledge=pledge,
            order=i,
            area=f"Lĩnh vực công tác {i}",
            content="\n".join(
                f"Chỉ tiêu {i}.{k}: hoàn thành 100% nhiệm vụ được giao." for k in range(1, 6)
            ),
        )
    for unit in (org.leader_unit, org.deputy_unit, org.member_unit):
        SignatureFactory(pledge=pledge, unit=unit, signed_on=dt.date(2023, 2, 25))
    meeting_record(cluster=cluster, period=None, held_on=dt.date(2023, 12, 20))
    flag, advanced = award_types
    services.vote_record(
        cluster=cluster, unit=org.leader_unit, award_type=flag, members_present=3, votes_for=3
    )
    final = ScoreSheet.objects.get(cluster=cluster, unit=org.member_unit, stage="final")
    own = ScoreSheet.objects.create(
        table=table, cluster=cluster, unit=org.member_unit, stage="self", total=D("70")
    )
    scored = ScoreSheet.objects.create(
        table=table, cluster=cluster, unit=org.member_unit, stage="cluster", total=D("71")
    )
    docs = {
        "pledge": pledge_document(pledge),
        "sheet-self": sheet_document(own),
        "sheet-cluster": sheet_document(scored),
        "sheet-final": sheet_document(final),
        "minutes-final": minutes_document(cluster, "final"),
        "proposals": award_documents.proposal_document(org.campaign),
        "submission": award_documents.submission_document(org.campaign),
    }
    return {f"{name}.docx": to_docx(doc) for name, doc in docs.items()}


def flat(text: str) -> str:
    """The text with its line breaks and runs of spaces made single spaces (LibreOffice
    wraps lines where the fonts make them end)."""
    return " ".join(text.split())


COUNCIL = "Hội đồng Thi đua - Khen thưởng Công an tỉnh Thử"
# name: (pages, the place-and-date line, the title, "Nơi nhận" as read on the last page)
EXPECTED = {
    "pledge.docx": (
        3,
        "Đắk Lắk, ngày 25 tháng 02 năm 2023",
        "BẢN GIAO ƯỚC THI ĐUA",
        f"Nơi nhận: - Thường trực {COUNCIL} (để báo cáo); "
        "- Các đơn vị thành viên Cụm thi đua số 1; - Lưu: VT, Cụm trưởng.",
    ),
    "sheet-self.docx": (
        1,
        "Đắk Lắk, ngày ….. tháng ….. năm 2023",
        "PHIẾU CHẤM ĐIỂM THI ĐUA",
        "Nơi nhận: - Cụm trưởng Cụm thi đua số 1 (để thẩm định); - Lưu: VT.",
    ),
    "sheet-cluster.docx": (
        1,
        "Đắk Lắk, ngày ….. tháng ….. năm 2023",
        "PHIẾU CHẤM ĐIỂM THI ĐUA",
        f"Nơi nhận: - Công an huyện Krông Búk; - Thường trực {COUNCIL}; - Lưu: VT, Cụm trưởng.",
    ),
    "sheet-final.docx": (
        1,
        "Đắk Lắk, ngày ….. tháng ….. năm 2023",
        "PHIẾU CHẤM ĐIỂM THI ĐUA",
        "Nơi nhận: - Công an huyện Krông Búk; - Cụm thi đua số 1; - Lưu: VT, Thường trực HĐTĐKT.",
    ),
    "minutes-final.docx": (
        2,
        "Đắk Lắk, ngày 20 tháng 12 năm 2023",
        "BIÊN BẢN",
        f"Nơi nhận: - Thường trực {COUNCIL}; - Các đơn vị thành viên Cụm thi đua số 1; "
        "- Lưu: VT, Cụm trưởng.",
    ),
    "proposals.docx": (
        1,
        "Đắk Lắk, ngày ….. tháng ….. năm 2023",
        "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
        f"Nơi nhận: - {COUNCIL}; - Lưu: VT, Thường trực HĐTĐKT.",
    ),
    "submission.docx": (
        1,
        "Đắk Lắk, ngày ….. tháng ….. năm 2023",
        "TỜ TRÌNH",
        "Nơi nhận: - Như trên; - Lãnh đạo Công an tỉnh Thử (để báo cáo); "
        "- Lưu: VT, Thường trực HĐTĐKT.",
    ),
}


def test_every_document_converts_to_pdf_with_pages_numbers_date_title_and_recipients(
    documents, tmp_path
):
    pages = pdf_pages(documents, tmp_path)

    assert sorted(pages) == sorted(EXPECTED)
    for name, (count, place_date, title, recipients) in EXPECTED.items():
        texts = pages[name]
        first = texts[0].splitlines()
        assert len(texts) == count, name
        # Page 1 has no number: it opens with the organiser of the header.
        assert first[0] == "CÔNG AN TỈNH THỬ", name
        assert place_date in first, name
        assert title in first, name
        # Every further page opens with its number, alone on the line (centred on top).
        assert [t.splitlines()[0] for t in texts[1:]] == [str(n) for n in range(2, count + 1)]
        assert flat(texts[-1]).count("Nơi nhận:") == 1, name
        assert recipients in flat(texts[-1]), name
        assert all("Nơi nhận:" not in t for t in texts[:-1]), name
