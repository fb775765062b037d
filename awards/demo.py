"""The demo's awards part (Công an tỉnh Đắk Nông, 2023): the campaign's three award types
and one illustrative restriction.

The award types follow domain.md section 6: the Ministry's emulation flag for the leading
unit of a cluster, "Đơn vị Quyết thắng" for units at or above "Hoàn thành tốt nhiệm vụ"
(at most two per cluster) and "Đơn vị Tiên tiến" for units at or above "Hoàn thành nhiệm
vụ"; each passes with half of the members present. The bands are the scoring demo's, so
this part runs after it (apps are discovered in INSTALLED_APPS order: scoring, then awards).
No cluster of the demo is published, so nobody is eligible or voted on yet.
Everything goes through awards.services; discovered by clusters.demo (register_part).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from awards import services
from awards.enums import RestrictionKind
from awards.models import UnitRestriction
from clusters.demo import register_part
from clusters.models import Campaign, Unit

D = Decimal

# (code, name, leading only, lowest band, at most per cluster, pass share)
AWARD_TYPES: tuple[tuple[str, str, bool, str, int | None, Decimal], ...] = (
    ("co-bo", "Cờ thi đua của Bộ Công an", True, "", None, D("0.5")),
    ("quyet-thang", "Đơn vị Quyết thắng", False, "Hoàn thành tốt nhiệm vụ", 2, D("0.5")),
    ("tien-tien", "Đơn vị Tiên tiến", False, "Hoàn thành nhiệm vụ", None, D("0.5")),
)

RESTRICTED_UNIT = "CADS"
RESTRICTION_REASON = (
    "Dữ liệu minh họa: đơn vị đang được Thanh tra Công an tỉnh thanh tra việc chấp hành "
    "quy định về quản lý tài chính, tài sản năm 2023; chưa có kết luận thanh tra."
)
RESTRICTION_STARTS_ON = dt.date(2023, 10, 16)


def seed_award_types(campaign: Campaign) -> None:
    for order, (code, name, leading_only, min_band, limit, share) in enumerate(
        AWARD_TYPES, start=1
    ):
        services.award_type_upsert(
            campaign=campaign,
            code=code,
            name=name,
            leading_only=leading_only,
            min_band=min_band,
            max_per_cluster=limit,
            pass_share=share,
            order=order,
        )


def seed_restriction(campaign: Campaign) -> None:
    unit = Unit.objects.get(code=RESTRICTED_UNIT)
    exists = UnitRestriction.objects.filter(
        campaign=campaign, unit=unit, kind=RestrictionKind.INSPECTION
    ).exists()
    if not exists:
        services.restriction_record(
            campaign=campaign,
            unit=unit,
            kind=RestrictionKind.INSPECTION,
            reason=RESTRICTION_REASON,
            starts_on=RESTRICTION_STARTS_ON,
        )


@register_part
def seed_awards(campaign: Campaign) -> None:
    """The award types (kept up to date) and the restriction (created once)."""
    seed_award_types(campaign)
    seed_restriction(campaign)
