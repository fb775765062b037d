"""The demo's awards part (Công an tỉnh Đắk Nông, 2023): the campaign's three award types
and one illustrative restriction.

The award types follow domain.md section 6: the Ministry's emulation flag for the leading
unit of a cluster, "Đơn vị Quyết thắng" for units at or above "Hoàn thành tốt nhiệm vụ"
(at most two per cluster) and "Đơn vị Tiên tiến" for units at or above "Hoàn thành nhiệm
vụ"; each passes with half of the members present. The bands are the scoring demo's, so
this part runs after it (apps are discovered in INSTALLED_APPS order: scoring, then awards).
Then the year carries on (``seed_next_year``): 2023 is published, each cluster elects
next year's leaders, and 2024 is copied from 2023 and opened for self-assessment.
Everything goes through awards.services; discovered by clusters.demo (register_part).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from awards import services
from awards.enums import RestrictionKind
from awards.models import UnitRestriction
from clusters.demo import register_part
from clusters.enums import NextLeaders, Phase
from clusters.models import Campaign, Unit, User
from clusters.services import accounts as account_services
from clusters.services import leadership as leadership_services
from clusters.services import organisation as organisation_services
from clusters.services import setup as setup_services
from scoring import services as scoring_services
from scoring import workflow
from scoring.enums import Stage
from scoring.models import ScoreTable

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


# --- The year that carries on (issue 14 point 6) ---------------------------------------------

NEXT_YEAR = 2024
# Next year's leaders as each cluster elected them at its year-end meeting (20/12/2023):
# (leader, deputy, votes for each, members present). Cluster 4 re-elects Đắk Mil and Cư
# Jút, so the demo's cluster accounts keep their roles in 2024; the others hand over.
ELECTIONS = {
    "CUM1": ("PH10", "PV06", 4, 5, 5),
    "CUM2": ("PA05", "PA09", 6, 5, 7),
    "CUM3": ("PC03", "PC04", 8, 7, 10),
    "CUM4": ("CADM", "CACJ", 7, 6, 8),
}
ELECTED_ON = dt.date(2023, 12, 20)


# Who published 2023 in the demo: a record keeper of the standing agency that cannot sign
# in (no password), so the publications name a person even where the demo has no accounts.
PUBLISHER = "thuongtruc-demo"


def _publisher() -> User:
    unit = Unit.objects.get(code="PX01")
    return account_services.user_upsert(
        username=PUBLISHER,
        unit=unit,
        full_name="Thường trực Hội đồng Thi đua, Khen thưởng (dữ liệu mẫu)",
        groups=[settings.PROVINCE_STAFF_GROUP],
    )


def publish_year(campaign: Campaign) -> None:
    """The year 2023 published: every cluster's final review started from its scores and
    published, the campaign moved to its last phase."""
    user = _publisher()
    organisation_services.campaign_set_phase(campaign=campaign, phase=Phase.FINAL_REVIEW)
    for cluster in campaign.clusters.order_by("number"):
        workflow.stage_start(cluster=cluster, stage=Stage.FINAL, user=user)
        if not workflow.is_published(cluster):
            workflow.cluster_publish(cluster=cluster, user=user)
    organisation_services.campaign_set_phase(campaign=campaign, phase=Phase.PUBLISHED)


def elect_next_leaders(campaign: Campaign) -> None:
    units = {u.code: u for u in Unit.objects.filter(memberships__campaign=campaign)}
    for cluster in campaign.clusters.order_by("number"):
        leader, deputy, leader_votes, deputy_votes, present = ELECTIONS[cluster.code]
        if leader not in units or deputy not in units:
            continue
        leadership_services.leadership_election_record(
            cluster=cluster,
            held_on=ELECTED_ON,
            members_present=present,
            leader=units[leader],
            leader_votes=leader_votes,
            deputy=units[deputy],
            deputy_votes=deputy_votes,
        )


@register_part
def seed_next_year(campaign: Campaign) -> None:
    """2023 published, the leaders of 2024 elected, and 2024 copied from 2023 (the elected
    leaders, the score table as a draft then published, the units' targets, the award
    types, last year's figures carried) and open for self-assessment. Once: a demo that
    already has 2024 is left as it is."""
    if Campaign.objects.filter(organiser=campaign.organiser, year=NEXT_YEAR).exists():
        return
    publish_year(campaign)
    elect_next_leaders(campaign)
    result = setup_services.campaign_copy(
        source=campaign, year=NEXT_YEAR, leaders=NextLeaders.ELECTED
    )
    new = result.campaign
    for table in ScoreTable.objects.filter(campaign=new).order_by("pk"):
        scoring_services.table_publish(table=table)
    organisation_services.campaign_set_phase(campaign=new, phase=Phase.SIGNING)
    organisation_services.campaign_set_phase(campaign=new, phase=Phase.SELF_ASSESSMENT)
