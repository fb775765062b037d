"""The set-up pages: campaigns, copying a year, clusters, members and roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from clusters.enums import MemberRole, Phase
from clusters.models import Campaign, Cluster, Membership
from clusters.services import organisation as organisation_services
from clusters.services import setup as setup_services
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture
def foreign_staff(org):
    """Province staff of another province: none of org's campaigns is theirs."""
    other = UnitFactory(code="CAX", name="Công an tỉnh Khác", kind="province")
    user = UserFactory(username="foreign", unit=UnitFactory(code="PX99", parent=other))
    user.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return user


def _roles(cluster: Cluster) -> dict[str, str]:
    return dict(cluster.memberships.values_list("unit__code", "role"))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _post(client, user, name, campaign, data):
    client.force_login(user)
    return client.post(reverse(name, args=[campaign.pk]), data)


# --- The role matrix ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("staff", 200), ("leader", 403), ("member", 403), ("foreign", 200)],
)
def test_setup_campaigns_by_role(client, org, foreign_staff, who, status):
    user = foreign_staff if who == "foreign" else getattr(org, who)
    client.force_login(user)

    response = client.get(reverse("setup_campaigns"))

    assert response.status_code == status
    if who == "foreign":
        assert org.campaign not in response.context["campaigns"]
    elif status == 200:
        assert [c.pk for c in response.context["campaigns"]] == [org.campaign.pk]


def test_setup_campaigns_anonymous_redirects_to_login(client, org):
    response = client.get(reverse("setup_campaigns"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("staff", 200), ("leader", 403), ("member", 403), ("foreign", 404)],
)
def test_setup_campaign_by_role(client, org, foreign_staff, who, status):
    user = foreign_staff if who == "foreign" else getattr(org, who)
    client.force_login(user)

    response = client.get(reverse("setup_campaign", args=[org.campaign.pk]))

    assert response.status_code == status


def test_setup_campaign_unseen_campaign_is_404_for_an_officer(client, org):
    other = CampaignFactory(organiser=org.province, year=2030)
    client.force_login(org.member)

    response = client.get(reverse("setup_campaign", args=[other.pk]))

    assert response.status_code == 404


ACTIONS = [
    "setup_membership_move",
    "setup_membership_add",
    "setup_membership_remove",
    "setup_cluster_head",
    "setup_cluster_create",
]


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize(("who", "status"), [("leader", 403), ("member", 403), ("foreign", 404)])
def test_setup_action_refused_outside_the_managers(client, org, foreign_staff, name, who, status):
    user = foreign_staff if who == "foreign" else getattr(org, who)
    before = _roles(org.cluster)

    response = _post(client, user, name, org.campaign, {"unit": org.member_unit.pk})

    assert response.status_code == status
    assert _roles(org.cluster) == before


@pytest.mark.parametrize("name", ACTIONS)
def test_setup_action_get_is_405(client, org, name):
    client.force_login(org.staff)

    response = client.get(reverse(name, args=[org.campaign.pk]))

    assert response.status_code == 405


@pytest.mark.parametrize("name", ["setup_campaign_create", "setup_campaign_copy"])
def test_setup_start_get_is_405(client, org, name):
    client.force_login(org.staff)

    assert client.get(reverse(name)).status_code == 405


@pytest.mark.parametrize("name", ["setup_campaign_create", "setup_campaign_copy"])
def test_setup_start_refused_to_an_officer(client, org, name):
    client.force_login(org.leader)

    response = client.post(reverse(name), {"new-year": 2024, "copy-year": 2024})

    assert response.status_code == 403
    assert Campaign.objects.count() == 1


def test_setup_campaigns_post_is_405(client, org):
    client.force_login(org.staff)

    assert client.post(reverse("setup_campaigns")).status_code == 405


# --- Creating and copying a year ------------------------------------------------------------


def test_campaign_create_by_staff(client, org):
    client.force_login(org.staff)

    response = client.post(
        reverse("setup_campaign_create"),
        {
            "new-organiser": org.province.pk,
            "new-year": 2025,
            "new-name": "Phong trào 2025",
            "new-slogan": "",
        },
    )

    campaign = Campaign.objects.get(organiser=org.province, year=2025)
    assert response.status_code == 302
    assert response.url == reverse("setup_campaign", args=[campaign.pk])
    assert (campaign.name, campaign.phase) == ("Phong trào 2025", Phase.SETUP)


def test_campaign_create_existing_year_refused(client, org):
    client.force_login(org.staff)

    response = client.post(
        reverse("setup_campaign_create"),
        {"new-organiser": org.province.pk, "new-year": 2023, "new-name": "Lần hai"},
    )

    assert response.status_code == 400
    assert Campaign.objects.filter(year=2023).count() == 1


def test_campaign_create_for_another_organiser_refused(client, org, foreign_staff):
    client.force_login(foreign_staff)

    response = client.post(
        reverse("setup_campaign_create"),
        {"new-organiser": org.province.pk, "new-year": 2025, "new-name": "Không được"},
    )

    assert response.status_code == 400
    assert not Campaign.objects.filter(year=2025).exists()


def test_campaign_copy_replaces_and_skips_dissolved_units(client, org):
    successor = UnitFactory(code="S1", name="Công an xã Mới", parent=org.province)
    organisation_services.unit_deactivate(
        unit=org.deputy_unit, on=dt.date(2024, 3, 1), successor=successor
    )
    organisation_services.unit_deactivate(unit=org.member_unit, on=dt.date(2024, 3, 1))
    client.force_login(org.staff)

    response = client.post(
        reverse("setup_campaign_copy"),
        {"copy-source": org.campaign.pk, "copy-year": 2025, "copy-name": ""},
        follow=True,
    )

    campaign = Campaign.objects.get(organiser=org.province, year=2025)
    assert response.redirect_chain == [(reverse("setup_campaign", args=[campaign.pk]), 302)]
    assert list(campaign.clusters.values_list("code", flat=True)) == ["C1", "C2"]
    c1 = campaign.clusters.get(code="C1")
    c2 = campaign.clusters.get(code="C2")
    assert _roles(c1) == {"L1": MemberRole.LEADER, "S1": MemberRole.DEPUTY}
    assert _roles(c2) == {"O1": MemberRole.LEADER}
    text = " ".join(_messages(response))
    assert f"{org.deputy_unit.name} → Công an xã Mới" in text
    assert org.member_unit.name in text


def test_campaign_copy_into_an_existing_year_refused(client, org):
    client.force_login(org.staff)

    response = client.post(
        reverse("setup_campaign_copy"), {"copy-source": org.campaign.pk, "copy-year": 2023}
    )

    assert response.status_code == 400
    assert Campaign.objects.count() == 1


def test_campaign_copy_of_a_foreign_campaign_refused(client, org, foreign_staff):
    client.force_login(foreign_staff)

    response = client.post(
        reverse("setup_campaign_copy"), {"copy-source": org.campaign.pk, "copy-year": 2024}
    )

    assert response.status_code == 400
    assert Campaign.objects.count() == 1


# --- Members and roles ----------------------------------------------------------------------


def test_membership_move_to_another_cluster(client, org):
    response = _post(
        client,
        org.staff,
        "setup_membership_move",
        org.campaign,
        {"unit": org.deputy_unit.pk, "cluster": org.other_cluster.pk},
    )

    assert response.status_code == 302
    assert response.url.endswith(f"#cluster-{org.other_cluster.pk}")
    assert _roles(org.cluster) == {"L1": MemberRole.LEADER, "M1": MemberRole.MEMBER}
    assert _roles(org.other_cluster) == {"O1": MemberRole.LEADER, "D1": MemberRole.MEMBER}


def test_membership_move_to_a_cluster_of_another_year_refused(client, org):
    elsewhere = ClusterFactory(campaign=CampaignFactory(organiser=org.province, year=2024))

    _post(
        client,
        org.staff,
        "setup_membership_move",
        org.campaign,
        {"unit": org.member_unit.pk, "cluster": elsewhere.pk},
    )

    assert Membership.objects.get(unit=org.member_unit).cluster == org.cluster


def test_cluster_head_new_leader_makes_old_leader_a_member(client, org):
    response = _post(
        client,
        org.staff,
        "setup_cluster_head",
        org.campaign,
        {"unit": org.member_unit.pk, "role": MemberRole.LEADER},
    )

    assert response.status_code == 302
    assert _roles(org.cluster) == {
        "L1": MemberRole.MEMBER,
        "D1": MemberRole.DEPUTY,
        "M1": MemberRole.LEADER,
    }


def test_cluster_head_deputy_and_leader_swap(client, org):
    _post(
        client,
        org.staff,
        "setup_cluster_head",
        org.campaign,
        {"unit": org.deputy_unit.pk, "role": MemberRole.LEADER},
    )

    assert _roles(org.cluster) == {
        "L1": MemberRole.DEPUTY,
        "D1": MemberRole.LEADER,
        "M1": MemberRole.MEMBER,
    }


def test_membership_add_unplaced_unit(client, org):
    unit = UnitFactory(code="N1", parent=org.province)

    _post(
        client,
        org.staff,
        "setup_membership_add",
        org.campaign,
        {"unit": unit.pk, "cluster": org.other_cluster.pk},
    )

    assert _roles(org.other_cluster) == {"O1": MemberRole.LEADER, "N1": MemberRole.MEMBER}


def test_membership_add_dissolved_unit_refused(client, org):
    unit = UnitFactory(code="X1", name="Công an huyện Cũ", parent=org.province)
    organisation_services.unit_deactivate(unit=unit, on=dt.date(2022, 6, 30))

    response = _post(
        client,
        org.staff,
        "setup_membership_add",
        org.campaign,
        {"unit": unit.pk, "cluster": org.cluster.pk},
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(unit=unit).exists()
    assert any("Công an huyện Cũ" in m and "30/06/2022" in m for m in _messages(response))


def test_setup_campaign_lists_dissolved_unit_greyed(client, org):
    successor = UnitFactory(code="S2", name="Công an xã Kế", parent=org.province)
    unit = UnitFactory(code="X2", name="Công an huyện Giải Thể", parent=org.province)
    organisation_services.unit_deactivate(unit=unit, on=dt.date(2022, 6, 30), successor=successor)
    client.force_login(org.staff)

    response = client.get(reverse("setup_campaign", args=[org.campaign.pk]))

    assert [u.code for u in response.context["dissolved"]] == ["X2"]
    assert "S2" in [u.code for u in response.context["joinable"]]
    body = response.content.decode()
    assert "30/06/2022" in body
    assert "Công an xã Kế" in body


def test_membership_remove(client, org):
    _post(client, org.staff, "setup_membership_remove", org.campaign, {"unit": org.member_unit.pk})

    assert _roles(org.cluster) == {"L1": MemberRole.LEADER, "D1": MemberRole.DEPUTY}


def test_cluster_create_and_rename(client, org):
    _post(
        client,
        org.staff,
        "setup_cluster_create",
        org.campaign,
        {"new-number": 3, "new-code": "C3", "new-name": "Cụm ba"},
    )
    cluster = org.campaign.clusters.get(code="C3")
    client.post(
        reverse("setup_cluster_rename", args=[org.campaign.pk, cluster.pk]),
        {f"c{cluster.pk}-number": 4, f"c{cluster.pk}-name": "Cụm bốn"},
    )

    cluster.refresh_from_db()
    assert (cluster.number, cluster.name) == (4, "Cụm bốn")


def test_cluster_create_duplicate_number_refused(client, org):
    response = _post(
        client,
        org.staff,
        "setup_cluster_create",
        org.campaign,
        {"new-number": 1, "new-code": "C9", "new-name": "Trùng"},
    )

    assert response.status_code == 302
    assert org.campaign.clusters.count() == 2


def test_published_campaign_refuses_changes(client, org):
    organisation_services.campaign_set_phase(campaign=org.campaign, phase=Phase.PUBLISHED)

    response = _post(
        client,
        org.staff,
        "setup_cluster_head",
        org.campaign,
        {"unit": org.member_unit.pk, "role": MemberRole.LEADER},
    )
    _post(client, org.staff, "setup_membership_remove", org.campaign, {"unit": org.member_unit.pk})

    assert response.status_code == 302
    assert _roles(org.cluster) == {
        "L1": MemberRole.LEADER,
        "D1": MemberRole.DEPUTY,
        "M1": MemberRole.MEMBER,
    }
    assert len(_messages(response)) == 1


# --- Query counts -------------------------------------------------------------------------


def _grow(org, clusters: int, units: int) -> None:
    for n in range(clusters):
        cluster = ClusterFactory(campaign=org.campaign, number=10 + n, code=f"G{n}")
        for k in range(units):
            unit = UnitFactory(code=f"G{n}U{k}", parent=org.province)
            MembershipFactory(cluster=cluster, unit=unit)
    for k in range(units):
        UnitFactory(code=f"FREE{k}", parent=org.province)
    gone = UnitFactory(code=f"GONE{clusters}", parent=org.province)
    organisation_services.unit_deactivate(
        unit=gone, on=dt.date(2020, 1, 1), successor=org.member_unit
    )


def _setup_page_queries(client, org, django_assert_num_queries, clusters, units):
    _grow(org, clusters, units)
    client.force_login(org.staff)
    url = reverse("setup_campaign", args=[org.campaign.pk])
    client.get(url)  # warm the session
    with django_assert_num_queries(SETUP_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    return response


SETUP_PAGE_QUERIES = 10


def test_setup_campaign_query_count_small(client, org, django_assert_num_queries):
    response = _setup_page_queries(client, org, django_assert_num_queries, 1, 2)

    assert len(response.context["clusters"]) == 3


def test_setup_campaign_query_count_large(client, org, django_assert_num_queries):
    response = _setup_page_queries(client, org, django_assert_num_queries, 8, 12)

    assert len(response.context["clusters"]) == 10


def test_setup_campaigns_query_count_same_at_two_sizes(client, org, django_assert_num_queries):
    client.force_login(org.staff)
    url = reverse("setup_campaigns")
    client.get(url)
    with django_assert_num_queries(SETUP_LIST_QUERIES):
        client.get(url)
    for year in range(2010, 2020):
        setup_services.campaign_copy(source=org.campaign, year=year)
    with django_assert_num_queries(SETUP_LIST_QUERIES):
        response = client.get(url)

    assert len(response.context["campaigns"]) == 11


SETUP_LIST_QUERIES = 9


def test_setup_campaign_links_phases_and_tables(client, org):
    client.force_login(org.staff)

    response = client.get(reverse("setup_campaign", args=[org.campaign.pk]))

    assert response.context["overview_url"] == reverse("campaign_overview", args=[org.campaign.pk])
    assert response.context["tables_url"] == reverse("campaign_tables", args=[org.campaign.pk])
