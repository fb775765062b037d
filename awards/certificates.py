"""Certificates (giấy khen, bằng khen, giấy chứng nhận) of the titles a decision grants: one
page per granted item, A4 landscape, laid out by clusters/documents/certificate.py.

The words come from the decision and the title:

- the authority that grants it: the signer's position and the deciding authority in upper
  case ("GIÁM ĐỐC CÔNG AN TỈNH ĐẮK NÔNG"; the position alone when it names the authority);
- the heading: the award type's ``certificate_word`` (its own heading, else its level's);
- "Tặng" and the unit's name; then, in the movement of the campaign's year, for a flag
  (heading "CỜ …") "Đơn vị dẫn đầu phong trào thi đua …"; for a heading that is the title's
  own name (a Bằng khen) the achievement alone; for any other title its name ("Danh hiệu
  “Đơn vị Quyết thắng”") and the achievement;
- the decision's number and date; the place-and-date line of the deciding authority (the
  organiser's place for a unit's or the province's decision, Hà Nội for the Ministry, the
  Government and the State: clusters/documents/base.py ``place_name``), the signer's
  position and name.
"""

from __future__ import annotations

from awards.enums import DecisionOutcome, TitleLevel
from awards.models import Decision, DecisionItem
from clusters.documents.base import ascii_slug, date_line, place_name, vn_date
from clusters.documents.certificate import Certificate, certificates_to_docx

ACHIEVEMENT = "Đã có thành tích xuất sắc trong phong trào thi đua “Vì an ninh Tổ quốc” năm {year}"
LEADING = "Đơn vị dẫn đầu phong trào thi đua “Vì an ninh Tổ quốc” năm {year}"
CENTRAL_LEVELS = (TitleLevel.MINISTRY, TitleLevel.GOVERNMENT, TitleLevel.STATE)


def granted(decision: Decision, unit_id: int | None = None) -> list[DecisionItem]:
    """The decision's granted items (one unit's where ``unit_id`` is given), by title order
    and unit code, with their unit and award type."""
    items = decision.items.filter(outcome=DecisionOutcome.GRANTED)
    items = items.select_related("unit", "award_type")
    if unit_id is not None:
        items = items.filter(unit_id=unit_id)
    return list(items.order_by("award_type__order", "award_type__code", "unit__code"))


def _authority(decision: Decision) -> str:
    position = decision.signer_title.strip()
    authority = decision.authority.strip()
    if authority and authority.casefold() not in position.casefold():
        position = f"{position} {authority}".strip()
    return position.upper()


def _place(decision: Decision) -> str:
    if decision.level in CENTRAL_LEVELS:
        return "Hà Nội"
    return place_name(decision.campaign.organiser)


def certificate(item: DecisionItem, decision: Decision) -> Certificate:
    """The certificate of one granted item."""
    award_type = item.award_type
    heading = award_type.certificate_word
    year = decision.campaign.year
    if heading.startswith("CỜ"):  # a flag goes to the unit leading the movement
        achievements = [LEADING.format(year=year)]
    elif award_type.name.strip().upper() == heading:  # the heading says it: a Bằng khen
        achievements = [ACHIEVEMENT.format(year=year)]
    else:
        achievements = [f"Danh hiệu “{award_type.name.strip()}”", ACHIEVEMENT.format(year=year)]
    return Certificate(
        authority=_authority(decision),
        heading=heading,
        recipient=item.unit.name,
        achievements=achievements,
        decision=f"Quyết định số {decision.number}, {vn_date(decision.date)}",
        place_date=date_line(_place(decision), decision.date),
        signer_title=decision.signer_title.strip().upper(),
        signer_name=decision.signer_name.strip(),
    )


def certificates(decision: Decision, unit_id: int | None = None) -> list[Certificate]:
    return [certificate(item, decision) for item in granted(decision, unit_id)]


def file_name(decision: Decision, unit=None, extension: str = "docx") -> str:
    """An ASCII name: giay-khen-15-qd-cat.docx, giay-khen-15-qd-cat-cadm.docx."""
    parts = ["giay-khen", ascii_slug(decision.number)]
    if unit is not None:
        parts.append(ascii_slug(unit.code))
    return "-".join(p for p in parts if p) + f".{extension}"


def certificates_docx(decision: Decision, unit_id: int | None = None) -> bytes:
    """The certificates of the decision (or of one of its units) as one Word file, one per
    page."""
    return certificates_to_docx(
        certificates(decision, unit_id), title=f"Giấy khen — Quyết định số {decision.number}"
    )
