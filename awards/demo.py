"""The demo's awards part (Công an tỉnh Đắk Nông, 2023): the year's end complete.

- **Titles**: the police ladder (awards.titles.presets_install: Đơn vị Tiên tiến, Đơn vị
  Quyết thắng, Cờ thi đua của Bộ Công an, Cờ thi đua của Chính phủ, Bằng khen) under the
  registration's codes (clusters.enums.Title), so that a unit's registration compares with
  the outcome and the presets' rules name each other; the demo adds the settings its
  clusters agreed (Tiên tiến from "Hoàn thành nhiệm vụ", Quyết thắng from "Hoàn thành tốt
  nhiệm vụ" and at most two per cluster, every vote passing with half of the members
  present), the flags' certificate heading "CỜ THI ĐUA", and confirms them all.
- One illustrative restriction (an inspection of Công an huyện Đắk Song).
- **Past titles** of 2020–2022 (as entered by hand for the years before the product), so
  that the rules over past years have a history to read.
- **The units' own figures** for 2023, entered and checked.
- Then the year carries on (``seed_next_year``): 2023 is published, each cluster elects
  next year's leaders, and 2024 is copied from 2023 and opened for self-assessment.
- **Votes** in every cluster on the units eligible for Tiên tiến, Quyết thắng and the
  Ministry's flag, and **two decisions** on the proposals: the province's (Quyết thắng,
  one refused) and the Ministry's (its flag), whose certificates the decisions' pages
  offer (awards/certificates.py).

The bands are the scoring demo's, so this part runs after it (apps are discovered in
INSTALLED_APPS order: scoring, then awards). Everything goes through awards.services and
awards.titles; each part is created once (a demo seeded again is left as it is).
Discovered by clusters.demo (register_part).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from awards import services, titles
from awards.enums import DecisionOutcome, PastTitleSource, RestrictionKind, TitleLevel
from awards.models import AwardType, Decision, PastTitle, UnitFigures, UnitRestriction, Vote
from clusters.demo import register_part
from clusters.enums import NextLeaders, Phase, Title
from clusters.models import Campaign, Membership, Unit, User
from clusters.services import accounts as account_services
from clusters.services import leadership as leadership_services
from clusters.services import organisation as organisation_services
from clusters.services import setup as setup_services
from scoring import services as scoring_services
from scoring import workflow
from scoring.enums import Stage
from scoring.models import ScoreTable

D = Decimal

# The settings the clusters agreed, over the presets' rules: (code, lowest band, at most
# per cluster, pass share, certificate heading). The codes are the registration's.
AWARD_SETTINGS: tuple[tuple[str, str, int | None, Decimal, str], ...] = (
    (Title.ADVANCED, "Hoàn thành nhiệm vụ", None, D("0.5"), ""),
    (Title.DETERMINED_TO_WIN, "Hoàn thành tốt nhiệm vụ", 2, D("0.5"), ""),
    (Title.MINISTRY_FLAG, "", None, D("0.5"), "CỜ THI ĐUA"),
    (Title.GOVERNMENT_FLAG, "", None, D("0.5"), "CỜ THI ĐUA"),
    (Title.CERTIFICATE_OF_MERIT, "", None, D("0.5"), ""),
)

RESTRICTED_UNIT = "CADS"
RESTRICTION_REASON = (
    "Dữ liệu minh họa: đơn vị đang được Thanh tra Công an tỉnh thanh tra việc chấp hành "
    "quy định về quản lý tài chính, tài sản năm 2023; chưa có kết luận thanh tra."
)
RESTRICTION_STARTS_ON = dt.date(2023, 10, 16)


def seed_award_types(campaign: Campaign) -> None:
    """The police ladder with its rules, the demo's settings over it, confirmed."""
    titles.presets_install(campaign=campaign)
    user = _publisher()
    for award_type in AwardType.objects.filter(campaign=campaign).order_by("order"):
        settings_ = next((s for s in AWARD_SETTINGS if s[0] == award_type.code), None)
        if settings_ is not None:
            _code, band, limit, share, heading = settings_
            award_type = services.award_type_upsert(
                campaign=campaign,
                code=award_type.code,
                name=award_type.name,
                min_band=band,
                max_per_cluster=limit,
                pass_share=share,
                order=award_type.order,
                certificate_heading=heading,
            )
        if award_type.confirmed_at is None:
            titles.award_type_confirm(award_type=award_type, user=user)


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


# --- Past titles, 2020–2022 (issue 15 point 8) ----------------------------------------------

PAST_YEARS = (2020, 2021, 2022)
# Who held what before the product, as the standing agency entered it from its records.
# Tiên tiến: every unit every year but these (Đắk Song and Gia Nghĩa fell short in 2022).
NOT_ADVANCED = {2022: {"CADS", "CAGN"}}
# Quyết thắng per year; the flags per year (the leading unit of a cluster).
DETERMINED = {
    2020: ("PV01", "PA08", "PC06", "PC10", "CADR"),
    2021: ("PV01", "PV06", "PA08", "PA02", "PC06", "PC10", "CADR", "CATD"),
    2022: ("PV01", "PV06", "PA08", "PA01", "PA02", "PC06", "PC09", "PC10", "PC01", "CADR", "CATD"),
}
FLAGS = {2020: ("PC06",), 2021: ("PA08",), 2022: ("PV01", "CADR")}
PAST_NAMES = {
    Title.ADVANCED: "Đơn vị Tiên tiến",
    Title.DETERMINED_TO_WIN: "Đơn vị Quyết thắng",
    Title.MINISTRY_FLAG: "Cờ thi đua của Bộ Công an",
}


def _past_reference(code: str, year: int) -> str:
    if code == Title.MINISTRY_FLAG:
        return f"Quyết định số {300 + year % 100}/QĐ-BCA ngày 20/01/{year + 1}, Bộ Công an"
    return f"Quyết định số {100 + year % 100}/QĐ-CAT ngày 12/01/{year + 1}, Công an tỉnh Đắk Nông"


def past_titles_plan() -> list[tuple[str, int, str]]:
    """(unit code, year, title code) of the demo's past titles."""
    from clusters.demo import UNITS

    plan = []
    for year in PAST_YEARS:
        for unit in UNITS:
            if unit.code not in NOT_ADVANCED.get(year, ()):
                plan.append((unit.code, year, Title.ADVANCED))
        plan += [(code, year, Title.DETERMINED_TO_WIN) for code in DETERMINED[year]]
        plan += [(code, year, Title.MINISTRY_FLAG) for code in FLAGS[year]]
    return plan


@register_part
def seed_past_titles(campaign: Campaign) -> None:
    """The titles of 2020–2022, entered once."""
    organiser = campaign.organiser
    if PastTitle.objects.filter(organiser=organiser, year__in=PAST_YEARS).exists():
        return
    units = {u.code: u for u in Unit.objects.filter(memberships__campaign=campaign)}
    for code, year, title in past_titles_plan():
        if code not in units:
            continue
        titles.past_title_record(
            organiser=organiser,
            unit=units[code],
            year=year,
            code=title,
            name=PAST_NAMES[title],
            source=PastTitleSource.ENTERED,
            reference=_past_reference(title, year),
        )


# --- The units' own figures for 2023 ---------------------------------------------------------

# Units whose figures keep them from a title: Gia Nghĩa below half Chiến sĩ tiên tiến
# (no Tiên tiến), the Party work office with one officer disciplined (no Quyết thắng).
FIGURE_EXCEPTIONS = {"CAGN": {"advanced": D("0.45")}, "PX03": {"disciplined": 1}}


def unit_figures(code: str) -> dict[str, int]:
    """The demo's figures of a unit: a headcount between 24 and 83 and about four in five
    Chiến sĩ tiên tiến, from its code (the same every run)."""
    seed = sum(ord(c) * (i + 1) for i, c in enumerate(code))
    headcount = 24 + seed % 60
    share = FIGURE_EXCEPTIONS.get(code, {}).get("advanced", D("0.72") + D(seed % 20) / 100)
    return {
        "headcount": headcount,
        "advanced_soldiers": int(headcount * share),
        "emulation_soldiers": headcount * (10 + seed % 8) // 100,
        "disciplined": FIGURE_EXCEPTIONS.get(code, {}).get("disciplined", 0),
    }


@register_part
def seed_figures(campaign: Campaign) -> None:
    """Every member unit's figures for the year, entered and checked by the standing agency
    (the agency's own unit by nobody in particular: nobody checks their own unit)."""
    if UnitFigures.objects.filter(campaign=campaign).exists():
        return
    checker = _publisher()
    memberships = Membership.objects.filter(campaign=campaign).select_related("unit")
    for membership in memberships.order_by("unit__code"):
        unit = membership.unit
        figures = titles.figures_save(campaign=campaign, unit=unit, **unit_figures(unit.code))
        own = checker.unit_id == unit.pk
        titles.figures_check(figures=figures, accept=True, user=None if own else checker)


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


# --- Votes, proposals and decisions (issue 15 point 8) ---------------------------------------

VOTED_TITLES = (Title.ADVANCED, Title.DETERMINED_TO_WIN, Title.MINISTRY_FLAG)


@dataclass(frozen=True)
class DemoDecision:
    number: str
    date: dt.date
    signer_name: str
    signer_title: str
    authority: str
    level: str
    titles: tuple[str, ...]
    refused: tuple[str, ...] = ()  # unit codes refused


# Made-up signers, as every person of the demo.
DECISIONS = (
    DemoDecision(
        "135/QĐ-CAT",
        dt.date(2024, 1, 15),
        "Đại tá Trần Quốc Hưng",
        "Giám đốc",
        "Công an tỉnh Đắk Nông",
        TitleLevel.PROVINCE,
        (Title.DETERMINED_TO_WIN,),
        refused=("CATD",),
    ),
    DemoDecision(
        "412/QĐ-BCA",
        dt.date(2024, 1, 25),
        "Thượng tướng Lê Minh Khang",
        "Bộ trưởng",
        "Bộ Công an",
        TitleLevel.MINISTRY,
        (Title.MINISTRY_FLAG,),
    ),
)
REFUSAL_NOTE = "Dữ liệu minh họa: hồ sơ đề nghị chưa đủ thành phần, trả lại để bổ sung."


def seed_votes(campaign: Campaign) -> None:
    """Each cluster's vote on every unit eligible for the voted titles: all members present,
    every member for the best ranked, one against for the others (all pass)."""
    user = _publisher()
    for cluster in campaign.clusters.order_by("number"):
        present = cluster.memberships.count()
        for item in services.eligibility(cluster).awards:
            if item.award_type.code not in VOTED_TITLES:
                continue
            for row in item.eligible:
                against = 0 if row.sheet.rank == 1 else 1
                services.vote_record(
                    cluster=cluster,
                    unit=row.unit,
                    award_type=item.award_type,
                    members_present=present,
                    votes_for=present - against,
                    user=user,
                )


def seed_decisions(campaign: Campaign) -> None:
    """The province's and the Ministry's decisions on the passed proposals."""
    user = _publisher()
    proposals = services.passed_proposals(campaign)
    if not proposals:  # a demo seeded before the ladder's codes: nothing to decide
        return
    for demo in DECISIONS:
        decision = services.decision_record(
            campaign=campaign,
            user=user,
            number=demo.number,
            date=demo.date,
            signer_name=demo.signer_name,
            signer_title=demo.signer_title,
            authority=demo.authority,
            level=demo.level,
        )
        for proposal in proposals:
            if proposal.award_type.code not in demo.titles:
                continue
            refused = proposal.unit.code in demo.refused
            services.decision_item_set(
                decision=decision,
                unit=proposal.unit,
                award_type=proposal.award_type,
                outcome=DecisionOutcome.REFUSED if refused else DecisionOutcome.GRANTED,
                note=REFUSAL_NOTE if refused else "",
                user=user,
            )


@register_part
def seed_year_end(campaign: Campaign) -> None:
    """Votes, then the decisions, once the year is published (once: a demo with votes is
    left as it is)."""
    campaign.refresh_from_db()
    voted = Vote.objects.filter(cluster__campaign=campaign).exists()
    if campaign.phase != Phase.PUBLISHED or voted:
        return
    seed_votes(campaign)
    if not Decision.objects.filter(campaign=campaign).exists():
        seed_decisions(campaign)
