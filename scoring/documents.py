"""Official documents of the scoring: a unit's score sheet (Phiếu chấm điểm) and the
cluster's year-end minutes with the ranking (Biên bản họp Cụm thi đua), built from the
stored figures with the shared blocks of clusters.documents.base (the same document gives
the Word file and the print page).

The figures are the stored ones (set by scoring.services); nothing is recomputed here.
Each document reads a fixed number of queries whatever the size of the table or cluster.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from clusters.documents.base import (
    MOVEMENT,
    SIGN_NOTE,
    Cell,
    Column,
    Document,
    Recipients,
    Signatures,
    Signer,
    Table,
    TableRow,
    ascii_slug,
    heading,
    labelled,
    number,
    para,
    upper,
    vn_date,
)
from clusters.documents.pledge import header, members
from clusters.enums import MemberRole, PeriodKind
from clusters.models import Cluster, Period, Signature
from clusters.models.periods import period_words
from scoring import permissions, queries
from scoring.engine.signed import MINUS_KINDS, points_sign, signed_groups
from scoring.enums import CriterionKind, Stage
from scoring.models import ReviewMeeting, ScoreSheet
from scoring.periods import of_period, period_id_of

STAGE_WORDS = {
    Stage.SELF: "Đơn vị tự chấm điểm",
    Stage.CLUSTER: "{group} chấm điểm",  # "Cụm thi đua" or "Khối thi đua"
    Stage.FINAL: "Phúc tra của Cơ quan Thường trực",
}
COUNCIL = "Hội đồng Thi đua - Khen thưởng {organiser}"
D0 = Decimal(0)


def _signatories(cluster: Cluster) -> dict[int, Signature]:
    """{unit id: its signature of the cluster's pledge}: who heads each unit (one query)."""
    return {s.unit_id: s for s in Signature.objects.filter(pledge__cluster=cluster)}


def _signer(role: str, signature: Signature | None, position: str = "") -> Signer:
    if signature is None:
        return Signer(role=role, position=position)
    return Signer(
        role=role, position=position or upper(signature.position), name=signature.signatory
    )


def _signed(value: Decimal | None, sign: str) -> str:
    if value is None:
        return ""
    return f"{sign}{number(value)}" if sign and value else number(value)


# --- The score sheet --------------------------------------------------------------------------


def _minutes_note(sheet: ScoreSheet) -> str:
    """The minutes' note on a unit: leading, and its base normalised where some criteria
    were not assigned to it (raw → normalised)."""
    notes = ["Dẫn đầu"] if sheet.leading else []
    if sheet.raw_base != sheet.base:
        notes.append(f"Điểm cơ bản quy đổi {number(sheet.raw_base)} → {number(sheet.base)}")
    return "; ".join(notes)


def sheet_table(sheet: ScoreSheet) -> Table:
    """The criteria in reading order with code, title, maximum and the sheet's points, group
    subtotals, then base, bonus, deduction, total and band."""
    criteria = queries.table_rows(sheet.table)
    entries = queries.entries_by_sheet([sheet.pk]).get(sheet.pk, {})
    codes = {c.pk: c.code for c in criteria}
    loaded = queries.loaded_table(sheet.table, criteria)
    subtotals = queries.subtotals(loaded, entries)
    # Groups with no base leaf show their leaves' net effect, signed (docs/scoring.md).
    signed = signed_groups(loaded.spec_list)
    points_by_code = {codes[pk]: e.points for pk, e in entries.items() if pk in codes}
    rows = []
    for c in criteria:
        entry = entries.get(c.pk)
        if c.kind == CriterionKind.GROUP:
            group = signed.get(c.code)
            if group is not None:
                points = _signed(group.points(points_by_code), group.sign(points_by_code))
                # A mix has no one maximum (its bonuses add, its deductions take away).
                sign = group.kinds_sign
                maximum = _signed(c.max_points, sign) if c.max_points and sign else ""
            else:
                points = number(subtotals.get(c.code))
                maximum = number(c.max_points)
            rows.append(
                TableRow(
                    [Cell(c.code), Cell(c.title, c.depth), Cell(maximum), Cell(points)],
                    bold=True,
                )
            )
            continue
        sign = points_sign([c.kind])
        maximum = _signed(c.deduct if c.kind == CriterionKind.VETO else c.max_points, sign)
        points = "" if entry is None else _signed(entry.points, "−" if sign == "−" else "")
        if entry is not None and entry.not_assigned:
            points = "Không giao"
        rows.append(TableRow([Cell(c.code), Cell(c.title, c.depth), Cell(maximum), Cell(points)]))
    max_total = sum(
        (
            c.max_points
            for c in criteria
            if c.parent_id is None and c.kind not in MINUS_KINDS and c.kind != CriterionKind.BONUS
        ),
        D0,
    )
    unassigned = [c.code for c in criteria if c.pk in entries and entries[c.pk].not_assigned]
    if unassigned:
        # Criteria not assigned to the unit: the raw base, then the base normalised to the
        # whole table (docs/scoring.md), which the total uses.
        rows += [
            TableRow(
                [
                    Cell(""),
                    Cell("Điểm cơ bản các tiêu chí được giao"),
                    Cell(""),
                    Cell(number(sheet.raw_base)),
                ],
                italic=True,
            ),
            TableRow(
                [
                    Cell(""),
                    Cell(f"Điểm cơ bản quy đổi (không giao: {', '.join(unassigned)})"),
                    Cell(number(max_total)),
                    Cell(number(sheet.base)),
                ],
                italic=True,
            ),
        ]
    else:
        rows.append(
            TableRow(
                [Cell(""), Cell("Điểm cơ bản"), Cell(number(max_total)), Cell(number(sheet.base))],
                italic=True,
            )
        )
    rows += [
        TableRow(
            [Cell(""), Cell("Điểm thưởng"), Cell(""), Cell(_signed(sheet.bonus, "+"))], italic=True
        ),
        TableRow(
            [Cell(""), Cell("Điểm trừ"), Cell(""), Cell(_signed(sheet.deduction, "−"))], italic=True
        ),
        TableRow([Cell(""), Cell("TỔNG ĐIỂM"), Cell(""), Cell(number(sheet.total))], bold=True),
        TableRow([Cell(""), Cell("Xếp loại"), Cell(""), Cell(sheet.band)], bold=True),
    ]
    columns = [
        Column("Mã", 18, "center"),
        Column("Nội dung tiêu chí", 93, "left"),
        Column("Điểm chuẩn", 27, "center"),
        Column("Điểm đạt", 27, "center"),
    ]
    return Table(columns, rows)


def sheet_document(sheet: ScoreSheet) -> Document:
    """A unit's score sheet at the sheet's stage, with the signature blocks of the unit's
    head and of the scorer (the cluster's leader unit at the cluster stage, the deputy unit
    when the leader's own unit is scored; the standing agency at the final stage)."""
    cluster = sheet.cluster
    campaign = cluster.campaign
    unit = sheet.unit
    heads = _signatories(cluster)
    words = cluster.words
    council = COUNCIL.format(organiser=campaign.organiser.name)
    date = timezone.localdate(sheet.submitted_at) if sheet.submitted_at else None
    signature = heads.get(unit.pk)
    head = _signer(upper(unit.name), signature, "" if signature else "THỦ TRƯỞNG ĐƠN VỊ")
    if sheet.stage == Stage.SELF:
        issuer = unit.name
        signers = [Signer(role="NGƯỜI LẬP PHIẾU", note="(Ký, ghi rõ họ tên)"), head]
        recipients = Recipients([f"{words['leader']} {cluster.name} (để thẩm định)"])
    elif sheet.stage == Stage.CLUSTER:
        issuer = ""
        roles = permissions.member_roles(cluster)
        wanted = permissions.scorer_role(cluster, unit.pk)
        scorer_id = next((u for u, r in roles.items() if r == wanted), None)
        scorer = next((m.unit for m in members(cluster) if m.unit_id == scorer_id), None)
        scorer_words = words["deputy"] if wanted == MemberRole.DEPUTY else words["leader"]
        role = f"ĐẠI DIỆN {upper(scorer_words)}"
        signers = [
            head,
            _signer(role, heads.get(scorer_id), upper(scorer.name) if scorer else ""),
        ]
        recipients = Recipients(
            [unit.name, f"Thường trực {council}"], archive=f"VT, {scorer_words}"
        )
    else:
        issuer = ""
        signers = [
            head,
            Signer(role="CƠ QUAN THƯỜNG TRỰC", position=upper(campaign.organiser.name)),
        ]
        recipients = Recipients([unit.name, cluster.name], archive="VT, Thường trực HĐTĐKT")
    blocks = [
        labelled("Đơn vị", unit.name),
        labelled(words["group"], cluster.name),
        labelled("Thang điểm", f"{sheet.table.title} (phiên bản {sheet.table.version})"),
        labelled("Kỳ đánh giá", period_words(sheet.period.kind, campaign.year)),
        labelled("Giai đoạn", STAGE_WORDS[Stage(sheet.stage)].format(group=words["group"])),
        sheet_table(sheet),
        para(
            f"Tổng điểm đạt được: {number(sheet.total)} điểm"
            + (f"; xếp loại: {sheet.band}." if sheet.band else ".")
        ),
        Signatures(signers),
    ]
    return Document(
        header=header(cluster, date, issuer=issuer),
        title="PHIẾU CHẤM ĐIỂM THI ĐUA",
        subtitles=[MOVEMENT.format(year=campaign.year)],
        blocks=blocks,
        file_name=(
            f"phieu-cham-diem-{ascii_slug(unit.code)}-{sheet.stage}-{campaign.year}"
            f"{_file_suffix(sheet.period)}.docx"
        ),
        recipients=recipients,
    )


# --- The year-end minutes ----------------------------------------------------------------------


def _file_suffix(period: Period | None) -> str:
    return "-so-ket-6-thang" if period is not None and not period.is_year_end else ""


def review_meeting(cluster: Cluster, period: Period | None) -> ReviewMeeting | None:
    """The cluster's recorded meeting on ``period`` (None: the year-end review), if any."""
    qs = ReviewMeeting.objects.filter(cluster=cluster)
    if period is None:
        qs = qs.filter(period__campaign_id=cluster.campaign_id, period__kind=PeriodKind.YEAR_END)
    else:
        qs = qs.filter(period=period)
    return qs.first()


def minutes_document(cluster: Cluster, stage: str, period: Period | None = None) -> Document:
    """The cluster's meeting minutes of ``period`` (None: the year-end review; the
    six-month review's meeting is its sơ kết): attendees, the ranking at ``stage`` (rank,
    unit, total, band, leading), the leading unit(s), the proposal (the flag is proposed
    at the year-end review only) and the signatures of the chair (leader unit) and the
    secretary (deputy unit). It is dated on the meeting's day where one is recorded
    (ReviewMeeting), else left in dotted blanks to fill by hand: never the day printed."""
    six_month = period is not None and not period.is_year_end
    in_period = of_period(period_id_of(period))
    campaign = cluster.campaign
    organiser = campaign.organiser
    memberships = members(cluster)
    leader = next((m.unit for m in memberships if m.role == MemberRole.LEADER), None)
    deputy = next((m.unit for m in memberships if m.role == MemberRole.DEPUTY), None)
    heads = _signatories(cluster)
    held = review_meeting(cluster, period)
    date = held.held_on if held else None
    sheets = list(
        queries.ranked(ScoreSheet.objects.filter(in_period, cluster=cluster, stage=stage))
    )
    leading = [s.unit for s in sheets if s.leading]
    meeting = (
        f"họp sơ kết 6 tháng đầu năm {campaign.year}, bình xét"
        if six_month
        else "họp tổng kết, bình xét"
    )
    host = f"trụ sở {leader.name}" if leader else "……………………"
    if held and held.place:
        host = held.place
    when = vn_date(date, campaign.year)
    words = cluster.words
    blocks = [
        para(
            f"Hôm nay, {when}, tại {host}, {cluster.name} tổ chức {meeting} "
            f"thi đua phong trào “Vì an ninh Tổ quốc” năm {campaign.year}."
        ),
        heading("I. THÀNH PHẦN THAM DỰ"),
    ]
    if leader:
        blocks.append(para(f"- Chủ trì: đại diện lãnh đạo {leader.name} ({words['leader']})."))
    if deputy:
        blocks.append(para(f"- Thư ký: đại diện lãnh đạo {deputy.name} ({words['deputy']})."))
    blocks.append(para(f"- Đại diện lãnh đạo {len(memberships)} đơn vị thành viên:"))
    blocks += [para(f"+ {m.unit.name};") for m in memberships]
    source = (
        f"kết quả phúc tra của Cơ quan Thường trực Hội đồng Thi đua - Khen thưởng {organiser.name}"
        if stage == Stage.FINAL
        else f"kết quả chấm điểm của {cluster.name}"
    )
    blocks += [
        heading("II. NỘI DUNG"),
        para(
            f"Căn cứ {source}, {words['group']} thống nhất xếp hạng các đơn vị thành viên năm "
            f"{campaign.year} như sau:"
        ),
        Table(
            [
                Column("Hạng", 14, "center"),
                Column("Đơn vị", 70, "left"),
                Column("Tổng điểm", 22, "center"),
                Column("Xếp loại", 40, "center"),
                Column("Ghi chú", 19, "center"),
            ],
            [
                TableRow(
                    [
                        Cell(str(s.rank or "")),
                        Cell(s.unit.name),
                        Cell(number(s.total)),
                        Cell(s.band),
                        Cell(_minutes_note(s)),
                    ],
                    bold=s.leading,
                )
                for s in sheets
            ],
        ),
    ]
    names = ", ".join(u.name for u in leading)
    if leading:
        blocks.append(para(f"Đơn vị dẫn đầu {cluster.name} năm {campaign.year}: {names}."))
    else:
        blocks.append(para(f"{cluster.name} chưa xác định đơn vị dẫn đầu."))
    blocks.append(heading("III. KIẾN NGHỊ, ĐỀ XUẤT"))
    if leading and not six_month:
        blocks.append(
            para(
                f"{cluster.name} thống nhất đề nghị Hội đồng Thi đua - Khen thưởng "
                f"{organiser.name} xem xét, đề nghị cấp có thẩm quyền tặng Cờ thi đua cho "
                f"{names} là đơn vị dẫn đầu {cluster.name} trong phong trào thi đua "
                f"“Vì an ninh Tổ quốc” năm {campaign.year}."
            )
        )
    else:
        blocks.append(
            para(
                f"{cluster.name} đề nghị Hội đồng Thi đua - Khen thưởng {organiser.name} "
                "xem xét kết quả xếp hạng trên."
            )
        )
    blocks.append(
        para(
            "Cuộc họp kết thúc vào hồi ….. giờ ….. cùng ngày. Biên bản đã được thông qua "
            "trước các đại biểu dự họp và nhất trí thông qua./."
        )
    )
    secretary = _signer(
        "THƯ KÝ", heads.get(deputy.pk) if deputy else None, upper(deputy.name) if deputy else ""
    )
    chair = _signer(
        "CHỦ TRÌ", heads.get(leader.pk) if leader else None, upper(leader.name) if leader else ""
    )
    secretary.note = chair.note = SIGN_NOTE
    return Document(
        header=header(cluster, date),
        title="BIÊN BẢN",
        subtitles=[
            f"Họp {cluster.name} bình xét, xếp hạng thi đua năm {campaign.year}",
            period_words(period.kind if period else PeriodKind.YEAR_END, campaign.year),
        ],
        blocks=[*blocks, Signatures([secretary, chair])],
        file_name=f"bien-ban-cum-{cluster.number}-{campaign.year}{_file_suffix(period)}.docx",
        recipients=Recipients(
            [
                f"Thường trực {COUNCIL.format(organiser=organiser.name)}",
                f"Các đơn vị thành viên {cluster.name}",
            ],
            archive=f"VT, {words['leader']}",
        ),
    )
