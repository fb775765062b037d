"""The copy page and the form of next year's leaders (issue 14 point 1), in pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from clusters.enums import ClusterKind, MemberRole, NextLeaders
from clusters.models import Campaign, Cluster, LeadershipElection, Membership
from clusters.services import leadership as leadership_services
from tests.factories import MembershipFactory, UnitFactory


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _roles(year: int, code: str) -> dict[str, str]:
    return dict(
        Membership.objects.filter(cluster__campaign__year=year, cluster__code=code).values_list(
            "unit__code", "role"
        )
    )


def test_copy_page_shows_each_clusters_choices_and_copies_with_them(client, org):
    MembershipFactory(cluster=org.cluster, unit=UnitFactory(code="Z1", parent=org.province))
    leadership_services.leadership_election_record(
        cluster=org.cluster,
        held_on=dt.date(2023, 12, 20),
        members_present=4,
        leader=org.deputy_unit,
        leader_votes=3,
    )
    client.force_login(org.staff)
    url = reverse("setup_campaign_copy_page", args=[org.campaign.pk])

    page = client.get(url)
    rows = {row["cluster"].code: row for row in page.context["rows"]}
    answer = client.post(
        url,
        {
            "copy-year": 2024,
            "copy-name": "",
            f"copy-leaders_{org.cluster.pk}": NextLeaders.ELECTED,
            f"copy-leaders_{org.other_cluster.pk}": NextLeaders.KEEP,
        },
    )

    assert page.status_code == 200
    labels = {code: (r["keep"], r["rotate"], r["elected"]) for code, r in rows.items()}
    leader, deputy, member = org.leader_unit.label, org.deputy_unit.label, org.member_unit.label
    z1 = rows["C1"]["cluster"].memberships.get(unit__code="Z1").unit.label
    # C1 by code: D1, L1 (leader), M1, Z1.
    assert labels["C1"] == ((leader, deputy), (member, z1), (deputy, ""))
    assert page.context["form"][f"leaders_{org.cluster.pk}"].value() == NextLeaders.ELECTED
    assert page.context["form"][f"leaders_{org.other_cluster.pk}"].value() == NextLeaders.KEEP
    campaign = Campaign.objects.get(year=2024)
    assert answer.status_code == 302
    assert answer.url == reverse("setup_campaign", args=[campaign.pk])
    assert _roles(2024, "C1") == {
        "D1": MemberRole.LEADER,
        "L1": MemberRole.MEMBER,
        "M1": MemberRole.MEMBER,
        "Z1": MemberRole.MEMBER,
    }
    assert _roles(2024, "C2") == {"O1": MemberRole.LEADER}


def test_copy_page_refuses_a_year_that_exists_and_stores_nothing(client, org):
    client.force_login(org.staff)

    answer = client.post(
        reverse("setup_campaign_copy_page", args=[org.campaign.pk]), {"copy-year": 2023}
    )

    assert answer.status_code == 400
    assert "This organiser already has a campaign for that year." in answer.content.decode()
    assert Campaign.objects.count() == 1


def test_copy_page_is_refused_to_officers_and_foreign_staff(client, org):
    url = reverse("setup_campaign_copy_page", args=[org.campaign.pk])
    client.force_login(org.leader)
    assert client.get(url).status_code == 403
    client.force_login(org.member)
    assert client.post(url, {"copy-year": 2024}).status_code == 403
    assert Campaign.objects.count() == 1


def test_a_cluster_is_created_as_a_block_from_the_setup_page(client, org):
    client.force_login(org.staff)

    client.post(
        reverse("setup_cluster_create", args=[org.campaign.pk]),
        {"new-number": 3, "new-code": "K3", "new-name": "Khối các đơn vị", "new-kind": "block"},
    )
    page = client.get(reverse("setup_campaign", args=[org.campaign.pk]))

    block = Cluster.objects.get(code="K3")
    assert block.kind == ClusterKind.BLOCK
    assert "Emulation block no. 3" in page.content.decode()


def _election_data(org, **extra):
    return {
        "election-held_on": "2023-12-20",
        "election-members_present": 3,
        "election-leader": org.member_unit.pk,
        "election-leader_votes": 2,
        "election-deputy": org.leader_unit.pk,
        "election-deputy_votes": 3,
        **extra,
    }


def test_the_leader_records_next_years_leaders_with_the_minutes(client, org):
    client.force_login(org.leader)
    minutes = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")

    answer = client.post(
        reverse("awards_next_leaders", args=[org.cluster.pk]),
        _election_data(org, **{"election-minutes": minutes}),
    )
    page = client.get(reverse("awards_cluster", args=[org.cluster.pk]))

    election = LeadershipElection.objects.get()
    assert answer.status_code == 302
    assert (election.leader, election.deputy, election.leader_votes, election.deputy_votes) == (
        org.member_unit,
        org.leader_unit,
        2,
        3,
    )
    assert election.minutes.name.endswith(".pdf")
    assert election.history.get().history_user == org.leader
    assert page.context["election"] == election
    assert "2/3 votes" in page.content.decode()


def test_the_election_form_refuses_bad_votes_and_officers_of_members(client, org):
    url = reverse("awards_next_leaders", args=[org.cluster.pk])
    client.force_login(org.member)
    assert client.post(url, _election_data(org)).status_code == 403
    client.force_login(org.leader)

    answer = client.post(url, _election_data(org, **{"election-leader_votes": 4}), follow=True)

    assert "There are more votes than members present." in answer.content.decode()
    assert client.get(url).status_code == 405
    assert LeadershipElection.objects.count() == 0
