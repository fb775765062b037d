"""Award services: eligibility from the published results, restrictions and votes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from awards import services
from awards.enums import RestrictionKind
from awards.models import AwardType, Vote

D = Decimal


def codes(rows):
    return [r.unit.code for r in rows]


def test_award_type_upsert_stores_two_thirds_with_four_decimals(award_types):
    _flag, advanced = award_types
    assert AwardType.objects.get(pk=advanced.pk).pass_share == D("0.6667")


def test_award_type_upsert_changes_an_existing_code(org, award_types):
    again = services.award_type_upsert(
        campaign=org.campaign, code="co-bo", name="Cờ thi đua", pass_share=D("0.75")
    )
    assert again.pk == award_types[0].pk
    assert (again.name, again.pass_share) == ("Cờ thi đua", D("0.7500"))


def test_award_type_upsert_refuses_a_share_above_one(org):
    with pytest.raises(ValidationError):
        services.award_type_upsert(campaign=org.campaign, code="x", name="X", pass_share=D(2))


def test_eligibility_unpublished_cluster_is_empty_with_a_reason(org, table, award_types):
    result = services.eligibility(org.cluster)
    assert result.published is False
    assert result.awards == []
    assert result.reason


def test_eligibility_per_award_type(published, award_types):
    result = services.eligibility(published.cluster)
    flag, advanced = result.awards
    assert flag.award_type.code == "co-bo"
    assert codes(flag.eligible) == ["L1"]
    assert codes(flag.excluded) == ["D1", "M1"]
    assert codes(advanced.eligible) == ["L1", "D1"]
    assert codes(advanced.excluded) == ["M1"]
    assert "Tốt" in advanced.excluded[0].reason


def test_eligibility_restriction_excludes_with_its_reason(published, award_types):
    services.restriction_record(
        campaign=published.campaign,
        unit=published.leader_unit,
        kind=RestrictionKind.DISCIPLINE,
        reason="Cán bộ vi phạm kỷ luật",
        starts_on=dt.date(2023, 6, 1),
    )
    flag, advanced = services.eligibility(published.cluster).awards
    assert flag.eligible == []
    assert flag.excluded[0].unit.code == "L1"
    assert flag.excluded[0].reason == (
        f"{RestrictionKind.DISCIPLINE.label}: Cán bộ vi phạm kỷ luật"
    )
    assert codes(advanced.eligible) == ["D1"]


def test_eligibility_ended_restriction_no_longer_excludes(published, award_types):
    services.restriction_record(
        campaign=published.campaign,
        unit=published.leader_unit,
        kind=RestrictionKind.INSPECTION,
        reason="Thanh tra",
        starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2023, 3, 1),
    )
    flag, _advanced = services.eligibility(published.cluster, on=dt.date(2024, 1, 15)).awards
    assert codes(flag.eligible) == ["L1"]


def test_restriction_record_refuses_end_before_start(org):
    with pytest.raises(ValidationError):
        services.restriction_record(
            campaign=org.campaign,
            unit=org.member_unit,
            kind=RestrictionKind.INSPECTION,
            reason="Thanh tra",
            starts_on=dt.date(2023, 5, 1),
            ends_on=dt.date(2023, 4, 1),
        )


def test_vote_record_passes_exactly_at_two_thirds(published, award_types):
    vote = services.vote_record(
        cluster=published.cluster,
        unit=published.deputy_unit,
        award_type=award_types[1],
        members_present=3,
        votes_for=2,
        user=published.leader,
    )
    assert (vote.share, vote.passed) == (D("0.6667"), True)
    assert vote.history.count() == 1


def test_vote_record_just_below_two_thirds_fails(published, award_types):
    vote = services.vote_record(
        cluster=published.cluster,
        unit=published.deputy_unit,
        award_type=award_types[1],
        members_present=8,
        votes_for=5,
    )
    assert vote.passed is False


def test_vote_record_corrects_the_same_vote(published, award_types):
    kwargs = {"cluster": published.cluster, "unit": published.leader_unit}
    services.vote_record(**kwargs, award_type=award_types[0], members_present=3, votes_for=1)
    vote = services.vote_record(**kwargs, award_type=award_types[0], members_present=3, votes_for=3)
    assert Vote.objects.count() == 1
    assert (vote.votes_for, vote.passed, vote.history.count()) == (3, True, 2)


def test_vote_record_refuses_more_votes_than_present(published, award_types):
    with pytest.raises(ValidationError):
        services.vote_record(
            cluster=published.cluster,
            unit=published.leader_unit,
            award_type=award_types[0],
            members_present=3,
            votes_for=4,
        )
    assert Vote.objects.count() == 0


def test_vote_record_refuses_an_ineligible_unit(published, award_types):
    with pytest.raises(ValidationError):
        services.vote_record(
            cluster=published.cluster,
            unit=published.member_unit,
            award_type=award_types[0],
            members_present=3,
            votes_for=3,
        )


def test_vote_record_refuses_before_publication(org, table, award_types):
    with pytest.raises(ValidationError):
        services.vote_record(
            cluster=org.cluster,
            unit=org.leader_unit,
            award_type=award_types[0],
            members_present=3,
            votes_for=3,
        )


def test_passed_proposals_lists_only_passed_votes(published, award_types):
    flag, advanced = award_types
    c = {"cluster": published.cluster}
    services.vote_record(
        **c, unit=published.leader_unit, award_type=flag, members_present=3, votes_for=3
    )
    services.vote_record(
        **c, unit=published.deputy_unit, award_type=advanced, members_present=3, votes_for=1
    )
    services.vote_record(
        **c, unit=published.leader_unit, award_type=advanced, members_present=3, votes_for=2
    )
    proposals = services.passed_proposals(published.campaign)
    assert [(p.award_type.code, p.unit.code) for p in proposals] == [
        ("co-bo", "L1"),
        ("tien-tien", "L1"),
    ]
