"""The signed pledge (Bản giao ước thi đua) of a cluster: the movement and the year, the
cluster, its slogan and preamble, the items by area of work (I, II, ...) and a signature
block for every member unit, two per row (an unsigned unit gets an empty block with its
name, to sign by hand)."""

from __future__ import annotations

from clusters.documents.base import (
    MOVEMENT,
    Document,
    Header,
    Para,
    Recipients,
    Run,
    Signatures,
    Signer,
    date_line,
    heading,
    para,
    place_name,
    roman,
    short_date,
    upper,
)
from clusters.enums import ROLE_ORDER, MemberRole
from clusters.models import Membership, Pledge


def members(cluster) -> list[Membership]:
    """The cluster's members: the leader, the deputy, then the others by code (one query)."""
    rows = list(Membership.objects.filter(cluster=cluster).select_related("unit"))
    return sorted(rows, key=lambda m: (ROLE_ORDER.get(m.role, 9), m.unit.code))


def paragraphs(text: str, **kwargs) -> list[Para]:
    """One paragraph per non-empty line of a text field."""
    return [para(line.strip(), **kwargs) for line in text.splitlines() if line.strip()]


def header(cluster, date, number: str = "", issuer: str = "") -> Header:
    """The organiser over the issuing body (the cluster unless another is named), and the
    date line placed in the organiser's province."""
    campaign = cluster.campaign
    return Header(
        organiser=upper(campaign.organiser.name),
        issuer=upper(issuer or cluster.name),
        place_date=date_line(place_name(campaign.organiser), date, campaign.year),
        number=number,
    )


def pledge_document(pledge: Pledge) -> Document:
    """The pledge as a document (a fixed number of queries whatever the number of units)."""
    cluster = pledge.cluster
    campaign = cluster.campaign
    memberships = members(cluster)
    signatures = {s.unit_id: s for s in pledge.signatures.all()}
    conference = getattr(cluster, "signing_conference", None)
    dates = sorted(s.signed_on for s in signatures.values())
    date = conference.held_on if conference else (dates[0] if dates else None)

    blocks: list = []
    slogan = (pledge.slogan or campaign.slogan).strip()
    if slogan:
        blocks.append(
            Para(
                [Run("Khẩu hiệu thi đua: ", bold=True), Run(f"“{slogan}”", italic=True)],
                align="center",
                indent=False,
            )
        )
    blocks += paragraphs(pledge.preamble)
    leader = next((m.unit for m in memberships if m.role == MemberRole.LEADER), None)
    deputy = next((m.unit for m in memberships if m.role == MemberRole.DEPUTY), None)
    words = cluster.words
    roles = []
    if leader:
        roles.append(f"{words['leader']}: {leader.name}")
    if deputy:
        roles.append(f"{words['deputy']}: {deputy.name}")
    names = ", ".join(m.unit.name for m in memberships)
    blocks.append(
        para(
            f"Các đơn vị thành viên {cluster.name} gồm: {names}"
            + (f" ({'; '.join(roles)})" if roles else "")
            + " cùng thống nhất ký kết giao ước thi đua với những nội dung sau:"
        )
    )
    items = list(pledge.items.all())
    for i, item in enumerate(items, start=1):
        blocks.append(heading(f"{roman(i)}. {upper(item.area)}"))
        blocks += paragraphs(item.content)
    blocks.append(heading(f"{roman(len(items) + 1)}. TỔ CHỨC THỰC HIỆN"))
    blocks.append(
        para(
            "Các đơn vị thành viên có trách nhiệm quán triệt, triển khai thực hiện nghiêm "
            f"túc các nội dung giao ước; {words['leader']} theo dõi, đôn đốc, tổng hợp kết "
            f"quả, báo cáo {campaign.organiser.name} theo quy định."
        )
    )
    blocks.append(
        para(
            f"Bản giao ước này được lập thành {len(memberships) + 1:02d} bản, mỗi đơn vị "
            f"giữ 01 bản, 01 bản gửi Thường trực Hội đồng Thi đua - Khen thưởng "
            f"{campaign.organiser.name} để theo dõi./."
        )
    )
    signers = []
    for membership in memberships:
        signature = signatures.get(membership.unit_id)
        signer = Signer(role=f"ĐẠI DIỆN {upper(membership.unit.name)}")
        if signature is not None:
            signer.position = upper(signature.position)
            signer.name = signature.signatory
            signer.date = f"Ký ngày {short_date(signature.signed_on)}"
        signers.append(signer)
    blocks.append(Signatures(signers, center_last=True))
    return Document(
        header=header(cluster, date),
        title="BẢN GIAO ƯỚC THI ĐUA",
        subtitles=[MOVEMENT.format(year=campaign.year)],
        blocks=blocks,
        file_name=f"ban-giao-uoc-cum-{cluster.number}-{campaign.year}.docx",
        recipients=Recipients(
            [
                f"Thường trực Hội đồng Thi đua - Khen thưởng {campaign.organiser.name} "
                "(để báo cáo)",
                f"Các đơn vị thành viên {cluster.name}",
            ],
            archive=f"VT, {words['leader']}",
        ),
    )
