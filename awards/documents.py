"""The award papers of a campaign, as Word files built from clusters/documents/base.py:

- the proposal list (Danh sách đề nghị khen thưởng): every passed proposal, by award type,
  with the unit's cluster, total, band and the vote;
- the submission (Tờ trình) of the standing agency to the organiser's Emulation and
  Commendation Council, citing the vote and listing the units per title.

Both read the proposals from awards.services.passed_proposals, so they say the same thing.
"""

from __future__ import annotations

from awards.rules import vote_share
from awards.services import Proposal, passed_proposals
from clusters.documents.base import (
    MOVEMENT,
    Cell,
    Column,
    Document,
    Header,
    Recipients,
    Signatures,
    Signer,
    Table,
    TableRow,
    date_line,
    heading,
    number,
    para,
    place_name,
    roman,
    upper,
)

STANDING_AGENCY = "CƠ QUAN THƯỜNG TRỰC HỘI ĐỒNG THI ĐUA, KHEN THƯỞNG"


def _percent(proposal: Proposal) -> str:
    share = vote_share(proposal.vote.members_present, proposal.vote.votes_for) * 100
    return f"{number(share)}%"


def _grouped(proposals: list[Proposal]) -> list[tuple]:
    groups: list[tuple] = []
    for proposal in proposals:
        if not groups or groups[-1][0].pk != proposal.award_type.pk:
            groups.append((proposal.award_type, []))
        groups[-1][1].append(proposal)
    return groups


def _header(campaign, number_text: str) -> Header:
    return Header(
        organiser=upper(campaign.organiser.name),
        issuer=STANDING_AGENCY,
        place_date=date_line(place_name(campaign.organiser), None, campaign.year),
        number=number_text,
    )


def proposal_document(campaign, proposals: list[Proposal] | None = None) -> Document:
    """Danh sách đề nghị khen thưởng: one table, a heading row per award type."""
    proposals = passed_proposals(campaign) if proposals is None else proposals
    groups = sorted({p.cluster.words["group"] for p in proposals})
    columns = [
        Column("STT", 12, "center"),
        Column("Đơn vị", 58, "left"),
        Column(" / ".join(groups) if groups else "Cụm thi đua", 27, "left"),
        Column("Tổng điểm", 20, "center"),
        Column("Xếp loại", 20, "center"),
        Column("Biểu quyết", 28, "center"),
    ]
    rows: list[TableRow] = []
    for i, (award_type, items) in enumerate(_grouped(proposals), start=1):
        rows.append(
            TableRow(
                [Cell(roman(i)), Cell(award_type.name), Cell(""), Cell(""), Cell(""), Cell("")],
                bold=True,
            )
        )
        for n, p in enumerate(items, start=1):
            vote = f"{p.vote.votes_for}/{p.vote.members_present} ({_percent(p)})"
            rows.append(
                TableRow(
                    [
                        Cell(str(n)),
                        Cell(p.unit.name),
                        Cell(p.cluster.name),
                        Cell(number(p.sheet.total)),
                        Cell(p.sheet.band),
                        Cell(vote),
                    ]
                )
            )
    blocks: list = []
    if rows:
        blocks.append(Table(columns, rows))
    else:
        blocks.append(para("Chưa có đơn vị nào được biểu quyết đề nghị.", italic=True))
    blocks.append(
        para(
            f"Tổng số: {len(proposals)} đề nghị của {len({p.unit.pk for p in proposals})} đơn vị.",
            indent=False,
        )
    )
    blocks.append(
        Signatures([Signer(role="CƠ QUAN THƯỜNG TRỰC", position=upper(campaign.organiser.name))])
    )
    return Document(
        header=_header(campaign, ""),
        title="DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
        subtitles=[MOVEMENT.format(year=campaign.year)],
        blocks=blocks,
        file_name=f"danh-sach-de-nghi-khen-thuong-{campaign.year}.docx",
        recipients=Recipients(
            [f"Hội đồng Thi đua - Khen thưởng {campaign.organiser.name}"],
            archive="VT, Thường trực HĐTĐKT",
        ),
    )


def submission_document(campaign, proposals: list[Proposal] | None = None) -> Document:
    """Tờ trình: the grounds, the units proposed per title, the request."""
    proposals = passed_proposals(campaign) if proposals is None else proposals
    council = f"Hội đồng Thi đua - Khen thưởng {campaign.organiser.name}"
    blocks: list = [
        para(f"Kính gửi: {council}.", align="center", indent=False, bold=True),
        para(
            f"Căn cứ kết quả chấm điểm, xếp hạng thi đua năm {campaign.year} đã được công bố "
            "và kết quả bình xét, bỏ phiếu tại các cụm thi đua; Cơ quan Thường trực Hội đồng "
            "Thi đua - Khen thưởng kính trình Hội đồng xem xét, đề nghị khen thưởng cho các "
            "tập thể sau:"
        ),
    ]
    groups = _grouped(proposals)
    for i, (award_type, items) in enumerate(groups, start=1):
        blocks.append(heading(f"{i}. {award_type.name}: {len(items):02d} đơn vị"))
        for p in items:
            blocks.append(
                para(
                    f"- {p.unit.name} ({p.cluster.name}; {number(p.sheet.total)} điểm, "
                    f"xếp loại {p.sheet.band or '—'}; {p.vote.votes_for}/"
                    f"{p.vote.members_present} phiếu tán thành, {_percent(p)})."
                )
            )
    if not groups:
        blocks.append(para("Chưa có đơn vị nào được biểu quyết đề nghị.", italic=True))
    blocks.append(
        para(
            "Kèm theo Tờ trình là danh sách đề nghị khen thưởng và biên bản họp bình xét của "
            f"các cụm thi đua. Kính trình {council} xem xét, quyết định./."
        )
    )
    blocks.append(
        Signatures([Signer(role="CƠ QUAN THƯỜNG TRỰC", position=upper(campaign.organiser.name))])
    )
    return Document(
        header=_header(campaign, "Số: ……/TTr-HĐTĐKT"),
        title="TỜ TRÌNH",
        subtitles=[
            f"Về việc đề nghị khen thưởng phong trào thi đua “Vì an ninh Tổ quốc” năm "
            f"{campaign.year}"
        ],
        blocks=blocks,
        file_name=f"to-trinh-khen-thuong-{campaign.year}.docx",
        recipients=Recipients(
            ["Như trên", f"Lãnh đạo {campaign.organiser.name} (để báo cáo)"],
            archive="VT, Thường trực HĐTĐKT",
        ),
    )
