"""Services: copying a year, moving units, deactivating."""

from __future__ import annotations

import datetime as dt

import pytest

from clusters.enums import MemberRole
from clusters.models import Campaign, Cluster, Membership
from clusters.services import organisation as organisation_services
from clusters.services import setup as setup_services
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _layout(campaign: Campaign) -> list[tuple[str, str, str]]:
    return list(
        Membership.objects.filter(campaign=campaign)
        .order_by("cluster__number", "unit__code")
        .values_list("cluster__code", "unit__code", "role")
    )


def test_campaign_copy_copies_clusters_members_and_roles(org):
    result = setup_services.campaign_copy(source=org.campaign, year=2024)

    assert result.campaign.year == 2024
    assert result.campaign.organiser == org.province
    assert list(result.campaign.clusters.values_list("number", "code")) == [(1, "C1"), (2, "C2")]
    assert _layout(result.campaign) == _layout(org.campaign)
    assert result.replaced == []
    assert result.skipped == []


def test_campaign_copy_leaves_the_source_untouched(org):
    before = _layout(org.campaign)

    setup_services.campaign_copy(source=org.campaign, year=2024)

    assert _layout(org.campaign) == before
    assert Cluster.objects.filter(campaign=org.campaign).count() == 2


def test_campaign_copy_replaces_dissolved_unit_with_successor_keeping_role(org):
    successor = UnitFactory(code="NEW", parent=org.province)
    organisation_services.unit_deactivate(
        unit=org.leader_unit, on=dt.date(2023, 7, 1), successor=successor
    )

    result = setup_services.campaign_copy(source=org.campaign, year=2024)

    assert result.replaced == [(org.leader_unit, successor)]
    leader = Membership.objects.get(
        campaign=result.campaign, role=MemberRole.LEADER, cluster__code="C1"
    )
    assert leader.unit == successor


def test_campaign_copy_skips_dissolved_unit_without_successor(org):
    organisation_services.unit_deactivate(unit=org.member_unit, on=dt.date(2023, 12, 31))

    result = setup_services.campaign_copy(source=org.campaign, year=2024)

    assert result.skipped == [org.member_unit]
    assert not Membership.objects.filter(campaign=result.campaign, unit=org.member_unit).exists()


def test_campaign_copy_names_the_new_year(org):
    result = setup_services.campaign_copy(source=org.campaign, year=2024)

    assert result.campaign.name == org.campaign.name.replace("2023", "2024")


def test_cluster_set_members_moves_a_unit_between_clusters(org):
    organisation_services.cluster_set_members(
        cluster=org.other_cluster,
        members=[org.outsider_unit, org.member_unit],
        leader=org.outsider_unit,
    )

    assert (
        Membership.objects.get(campaign=org.campaign, unit=org.member_unit).cluster
        == org.other_cluster
    )


def test_cluster_set_members_swaps_leader_and_deputy(org):
    organisation_services.cluster_set_members(
        cluster=org.cluster,
        members=[org.leader_unit, org.deputy_unit, org.member_unit],
        leader=org.deputy_unit,
        deputy=org.leader_unit,
    )

    roles = dict(org.cluster.memberships.values_list("unit__code", "role"))
    assert roles == {"D1": "leader", "L1": "deputy", "M1": "member"}
