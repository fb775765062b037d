"""The awards in recent activity (the cluster's votes: awards.recent) and in the header's search
(the decisions: awards.search)."""

from __future__ import annotations

import pytest

from awards import services
from clusters import permissions as org_permissions
from clusters import recent

pytestmark = pytest.mark.django_db


def _texts(user, org):
    ids = list(
        org_permissions.visible_clusters(user)
        .filter(campaign=org.campaign)
        .values_list("pk", flat=True)
    )
    return [e.text for e in recent.recent(user, org.campaign, ids).events]


def test_a_vote_recorded_is_told_to_whoever_sees_the_cluster(published, award_types, settings):
    settings.LANGUAGE_CODE = "en"
    services.vote_record(
        cluster=published.cluster,
        unit=published.leader_unit,
        award_type=award_types[0],
        members_present=3,
        votes_for=2,
        user=published.leader,
    )
    sentence = (
        f"{published.leader} recorded the vote on proposing {published.leader_unit.name} for "
        "Cờ thi đua của Bộ Công an: 2 votes for of 3 members present."
    )
    assert sentence in _texts(published.member, published)
    assert sentence in _texts(published.staff, published)
    assert sentence not in _texts(published.outsider, published)


def test_decisions_are_found_by_staff_only(published, settings):
    import datetime as dt

    from clusters.search import search

    services.decision_record(
        campaign=published.campaign,
        user=published.staff,
        number="123/QĐ-BCA",
        date=dt.date(2024, 1, 15),
        signer_name="Đại tướng Tô Lâm",
        signer_title="Bộ trưởng",
        authority="Bộ Công an",
        level="ministry",
    )

    def found(user):
        return [h.title for g in search(user, "qd-bca") if g.key == "decisions" for h in g.hits]

    settings.LANGUAGE_CODE = "en"
    assert found(published.staff) == ["Decision 123/QĐ-BCA"]
    assert found(published.admin) == ["Decision 123/QĐ-BCA"]
    assert found(published.leader) == []
    assert [h.title for g in search(published.staff, "to lam") for h in g.hits] == [
        "Decision 123/QĐ-BCA"
    ]
