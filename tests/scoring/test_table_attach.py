"""Attaching published score tables to clusters: the tables page and table_set_clusters."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from clusters.enums import Phase
from clusters.services import organisation as organisation_services
from scoring import services
from scoring.enums import Stage
from scoring.models import ScoreTable
from scoring.services.tables import table_set_clusters
from tests.factories import CampaignFactory, ClusterFactory, UnitFactory, UserFactory
from tests.scoring.conftest import make_criterion


def _cluster_codes(table: ScoreTable) -> list[str]:
    return sorted(table.clusters.values_list("code", flat=True))


def _second_table(org, title="Thang điểm khối 2") -> ScoreTable:
    table = ScoreTable.objects.create(campaign=org.campaign, title=title)
    make_criterion(table, "I", "manual", max_points=10, order=1)
    services.table_renumber(table=table)
    return services.table_publish(table=table)


@pytest.fixture
def foreign_staff(org):
    other = UnitFactory(code="CAX", name="Công an tỉnh Khác", kind="province")
    user = UserFactory(username="foreign", unit=UnitFactory(code="PX99", parent=other))
    user.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return user


# --- The service --------------------------------------------------------------------------


def test_table_set_clusters_sets_exactly_the_given_clusters(org, table):
    third = ClusterFactory(campaign=org.campaign, number=3, code="C3")

    table_set_clusters(table=table, clusters=[org.other_cluster, third])

    assert _cluster_codes(table) == ["C2", "C3"]


def test_table_set_clusters_refuses_a_cluster_of_another_campaign(org, table):
    elsewhere = ClusterFactory(campaign=CampaignFactory(organiser=org.province, year=2024))

    with pytest.raises(ValidationError):
        table_set_clusters(table=table, clusters=[elsewhere])

    assert _cluster_codes(table) == ["C1", "C2"]


def test_table_set_clusters_refuses_a_cluster_scored_with_another_table(org, table):
    services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF)
    second = _second_table(org)

    with pytest.raises(ValidationError) as caught:
        table_set_clusters(table=second, clusters=[org.cluster, org.other_cluster])

    assert org.cluster.name in caught.value.messages[0]
    assert _cluster_codes(second) == []


def test_table_set_clusters_refuses_removing_a_cluster_scored_with_it(org, table):
    services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF)

    with pytest.raises(ValidationError):
        table_set_clusters(table=table, clusters=[org.other_cluster])

    assert _cluster_codes(table) == ["C1", "C2"]


def test_table_set_clusters_refused_for_a_published_campaign(org, table):
    organisation_services.campaign_set_phase(campaign=org.campaign, phase=Phase.PUBLISHED)

    with pytest.raises(ValidationError):
        table_set_clusters(table=table, clusters=[])

    assert _cluster_codes(table) == ["C1", "C2"]


# --- The page --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("staff", 200), ("leader", 403), ("member", 403), ("foreign", 404)],
)
def test_campaign_tables_by_role(client, org, table, foreign_staff, who, status):
    client.force_login(foreign_staff if who == "foreign" else getattr(org, who))

    response = client.get(reverse("campaign_tables", args=[org.campaign.pk]))

    assert response.status_code == status
    if status == 200:
        assert [t.pk for t in response.context["tables"]] == [table.pk]
        assert response.context["tables"][0].cluster_ids == {org.cluster.pk, org.other_cluster.pk}


def test_campaign_tables_lists_uncovered_clusters(client, org, table):
    ClusterFactory(campaign=org.campaign, number=3, code="C3")
    client.force_login(org.staff)

    response = client.get(reverse("campaign_tables", args=[org.campaign.pk]))

    assert [c.code for c in response.context["uncovered"]] == ["C3"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 302), ("staff", 302), ("leader", 403), ("member", 403), ("foreign", 404)],
)
def test_campaign_table_clusters_by_role(client, org, table, foreign_staff, who, status):
    client.force_login(foreign_staff if who == "foreign" else getattr(org, who))

    response = client.post(
        reverse("campaign_table_clusters", args=[org.campaign.pk, table.pk]),
        {"clusters": [org.other_cluster.pk]},
    )

    assert response.status_code == status
    expected = ["C2"] if status == 302 else ["C1", "C2"]
    assert _cluster_codes(table) == expected


def test_campaign_table_clusters_get_is_405(client, org, table):
    client.force_login(org.staff)

    response = client.get(reverse("campaign_table_clusters", args=[org.campaign.pk, table.pk]))

    assert response.status_code == 405


def test_campaign_table_clusters_refusal_shows_a_message(client, org, table):
    services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF)
    second = _second_table(org)
    client.force_login(org.staff)

    response = client.post(
        reverse("campaign_table_clusters", args=[org.campaign.pk, second.pk]),
        {"clusters": [org.cluster.pk]},
    )

    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == 302
    assert len(messages) == 1
    assert org.cluster.name in messages[0]
    assert _cluster_codes(second) == []


def test_campaign_table_clusters_ignores_clusters_of_other_campaigns(client, org, table):
    elsewhere = ClusterFactory(campaign=CampaignFactory(organiser=org.province, year=2024))
    client.force_login(org.staff)

    client.post(
        reverse("campaign_table_clusters", args=[org.campaign.pk, table.pk]),
        {"clusters": [elsewhere.pk, org.cluster.pk]},
    )

    assert _cluster_codes(table) == ["C1"]


def test_campaign_tables_query_count_same_at_two_sizes(
    client, org, table, django_assert_num_queries
):
    client.force_login(org.staff)
    url = reverse("campaign_tables", args=[org.campaign.pk])
    client.get(url)
    with django_assert_num_queries(TABLES_PAGE_QUERIES):
        client.get(url)
    for n in range(3, 12):
        ClusterFactory(campaign=org.campaign, number=n, code=f"C{n}")
    for n in range(4):
        _second_table(org, title=f"Bảng {n}")
    with django_assert_num_queries(TABLES_PAGE_QUERIES):
        response = client.get(url)

    assert len(response.context["tables"]) == 5


# 11, and 3 for the editor's way in: the campaign's tables to copy, last year's campaign, the right
# to create tables; and 1 for the campaign's six-month review (the form offers its tables).
TABLES_PAGE_QUERIES = 14
