"""Decisions (issue 15 point 4): the services, a proposal's status, the ladder fed by a
granted title, and the pages (tests/awards/conftest.py: cluster C1 published, L1 leading)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from awards import services, titles
from awards.enums import DecisionOutcome, RuleKind
from awards.models import Decision, DecisionItem
from tests.factories import CampaignFactory, ClusterFactory, MembershipFactory

D = Decimal
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def record(org, number="12/QĐ-BCA", **kwargs):
    data = {
        "campaign": org.campaign,
        "user": org.staff,
        "number": number,
        "date": dt.date(2024, 1, 15),
        "signer_name": "Nguyễn Văn A",
        "signer_title": "Thứ trưởng",
        "authority": "Bộ Công an",
        "level": "ministry",
    }
    data.update(kwargs)
    return services.decision_record(**data)


@pytest.fixture
def voted(published, award_types):
    """L1 proposed for co-bo (3 of 3), D1 and L1 for tien-tien (passed)."""
    org = published
    flag, advanced = award_types
    for unit, award_type in ((org.leader_unit, flag), (org.leader_unit, advanced)):
        services.vote_record(
            cluster=org.cluster, unit=unit, award_type=award_type, members_present=3, votes_for=3
        )
    services.vote_record(
        cluster=org.cluster,
        unit=org.deputy_unit,
        award_type=advanced,
        members_present=3,
        votes_for=2,
    )
    return org


# --- Services --------------------------------------------------------------------------------


def test_decision_record_and_items_keep_history(voted):
    org = voted
    flag, advanced = services.AwardType.objects.order_by("order")
    decision = record(org)
    services.decision_item_set(
        decision=decision, unit=org.leader_unit, award_type=flag, outcome="granted", user=org.staff
    )
    item = services.decision_item_set(
        decision=decision, unit=org.deputy_unit, award_type=advanced, outcome="granted"
    )
    services.decision_item_set(
        decision=decision,
        unit=org.deputy_unit,
        award_type=advanced,
        outcome="refused",
        note="Chưa đủ tỷ lệ",
        user=org.staff,
    )
    item.refresh_from_db()
    assert (item.outcome, item.note) == ("refused", "Chưa đủ tỷ lệ")
    assert [h.outcome for h in item.history.order_by("history_date")] == ["granted", "refused"]
    assert decision.history.get().history_user == org.staff
    assert decision.created_by == org.staff
    assert [(i.unit.code, i.award_type.code) for i in services.granted_items(org.campaign)] == [
        ("L1", "co-bo")
    ]


def test_decision_number_once_per_campaign(voted):
    org = voted
    record(org)
    with pytest.raises(ValidationError) as error:
        record(org)
    assert "number" in str(error.value) or "already" in str(error.value)
    assert Decision.objects.count() == 1


def test_decision_item_of_a_unit_outside_the_campaign_is_refused(voted):
    org = voted
    flag, _advanced = services.AwardType.objects.order_by("order")
    stranger = MembershipFactory().unit
    decision = record(org)
    with pytest.raises(ValidationError):
        services.decision_item_set(
            decision=decision, unit=stranger, award_type=flag, outcome="granted"
        )
    assert DecisionItem.objects.count() == 0


def test_decision_scanned_copy_is_checked_by_content(voted):
    org = voted
    with pytest.raises(ValidationError):
        record(org, scanned_copy=SimpleUploadedFile("qd.pdf", b"<html>not a pdf</html>"))
    decision = record(org, scanned_copy=SimpleUploadedFile("qd.pdf", PDF))
    assert decision.scanned_copy.name.startswith("awards/decisions/")


def test_proposals_show_their_status(voted):
    org = voted
    flag, advanced = services.AwardType.objects.order_by("order")
    decision = record(org)
    services.decision_item_set(
        decision=decision, unit=org.leader_unit, award_type=flag, outcome="granted"
    )
    services.decision_item_set(
        decision=decision, unit=org.deputy_unit, award_type=advanced, outcome="refused"
    )
    states = [
        (s.proposal.award_type.code, s.proposal.unit.code, s.state)
        for s in services.proposals_with_status(org.campaign, on=dt.date(2023, 12, 31))
    ]
    assert states == [
        ("co-bo", "L1", "granted"),
        ("tien-tien", "L1", "proposed"),
        ("tien-tien", "D1", "refused"),
    ]


def test_a_title_granted_in_2023_meets_a_past_title_rule_in_2024(voted):
    org = voted
    flag, _advanced = services.AwardType.objects.order_by("order")
    next_year = CampaignFactory(organiser=org.province, year=2024)
    cluster = ClusterFactory(campaign=next_year, number=1, code="C1")
    for unit in (org.leader_unit, org.deputy_unit):
        MembershipFactory(cluster=cluster, unit=unit)
    government = services.award_type_upsert(
        campaign=next_year, code="co-cp", name="Cờ thi đua của Chính phủ"
    )
    titles.title_rule_add(award_type=government, kind=RuleKind.PAST_TITLES, titles="co-bo", years=1)

    def eligible():
        explained = titles.explain(next_year, on=dt.date(2024, 12, 31))
        return {row.unit.code: row.titles[0].eligible for row in explained.rows}

    assert eligible() == {"D1": False, "L1": False}
    decision = record(org)
    services.decision_item_set(
        decision=decision, unit=org.leader_unit, award_type=flag, outcome=DecisionOutcome.GRANTED
    )
    services.decision_item_set(
        decision=decision, unit=org.deputy_unit, award_type=flag, outcome=DecisionOutcome.REFUSED
    )
    assert eligible() == {"D1": False, "L1": True}
    # A past title recorded too for the same year and title counts once.
    titles.past_title_record(
        organiser=org.province, unit=org.leader_unit, year=2023, code="co-bo", name="Cờ"
    )
    assert titles.held_codes([org.leader_unit.pk], 2023, 2023) == {
        org.leader_unit.pk: {2023: {"co-bo"}}
    }
    assert eligible() == {"D1": False, "L1": True}
