"""The cluster's votes in its recent activity (awards.recent through clusters.recent)."""

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
        f"leader recorded the vote on proposing {published.leader_unit.name} for "
        "Cờ thi đua của Bộ Công an: 2 votes for of 3 members present."
    )
    assert sentence in _texts(published.member, published)
    assert sentence in _texts(published.staff, published)
    assert sentence not in _texts(published.outsider, published)
