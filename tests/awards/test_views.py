"""The awards pages and actions: the role matrix, the vote and the Word documents."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from docx import Document as read_docx

from awards import services
from awards.models import Vote
from tests.awards.conftest import publish
from tests.factories import MembershipFactory, UnitFactory

D = Decimal


def page(client, user, cluster):
    client.force_login(user)
    return client.get(reverse("awards_cluster", args=[cluster.pk]))


def vote(client, user, org, award_type, unit, present=3, votes=2):
    client.force_login(user)
    return client.post(
        reverse("awards_vote", args=[org.cluster.pk]),
        {
            "unit": unit.pk,
            "award_type": award_type.pk,
            "members_present": present,
            "votes_for": votes,
        },
    )


@pytest.mark.parametrize("who", ["admin", "staff", "leader", "deputy", "member"])
def test_awards_cluster_visible_to_managers_and_members(client, published, award_types, who):
    response = page(client, getattr(published, who), published.cluster)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cờ thi đua của Bộ Công an" in content
    assert 'data-excluded="M1"' in content


def test_awards_cluster_outsider_gets_404(client, published, award_types):
    assert page(client, published.outsider, published.cluster).status_code == 404


def test_awards_cluster_post_is_405(client, published):
    client.force_login(published.leader)
    response = client.post(reverse("awards_cluster", args=[published.cluster.pk]))
    assert response.status_code == 405


def test_awards_cluster_vote_form_for_leaders_only(client, published, award_types):
    assert "vote-form" in page(client, published.leader, published.cluster).content.decode()
    assert "vote-form" in page(client, published.staff, published.cluster).content.decode()
    assert "vote-form" not in page(client, published.member, published.cluster).content.decode()


def test_awards_cluster_unpublished_shows_the_reason(client, org, table, award_types):
    response = page(client, org.leader, org.cluster)
    assert response.status_code == 200
    assert 'data-empty="unpublished"' in response.content.decode()
    assert "vote-form" not in response.content.decode()


def test_awards_cluster_shows_vote_outcomes(client, published, award_types):
    flag, advanced = award_types
    services.vote_record(
        cluster=published.cluster,
        unit=published.leader_unit,
        award_type=flag,
        members_present=3,
        votes_for=2,
    )
    services.vote_record(
        cluster=published.cluster,
        unit=published.deputy_unit,
        award_type=advanced,
        members_present=8,
        votes_for=5,
    )
    content = page(client, published.member, published.cluster).content.decode()
    assert content.count('data-outcome="passed"') == 1
    assert content.count('data-outcome="failed"') == 1
    assert "(66,67%)" in content
    assert "(62,50%)" in content


@pytest.mark.parametrize("who", ["leader", "deputy", "staff", "admin"])
def test_awards_vote_records(client, published, award_types, who):
    # Nobody records the vote on their own unit: the deputy records the leader unit's.
    subject = published.leader_unit if who == "deputy" else published.deputy_unit
    response = vote(client, getattr(published, who), published, award_types[1], subject)
    assert response.status_code == 302
    stored = Vote.objects.get()
    assert (stored.unit, stored.members_present, stored.votes_for, stored.passed) == (
        subject,
        3,
        2,
        True,
    )
    assert stored.recorded_by == getattr(published, who)


def test_awards_vote_member_gets_403(client, published, award_types):
    response = vote(client, published.member, published, award_types[0], published.leader_unit)
    assert response.status_code == 403
    assert Vote.objects.count() == 0


def test_awards_vote_outsider_gets_404(client, published, award_types):
    response = vote(client, published.outsider, published, award_types[0], published.leader_unit)
    assert response.status_code == 404


def test_awards_vote_get_is_405(client, published):
    client.force_login(published.leader)
    response = client.get(reverse("awards_vote", args=[published.cluster.pk]))
    assert response.status_code == 405


def test_awards_vote_before_publication_gets_403(client, org, table, award_types):
    response = vote(client, org.leader, org, award_types[0], org.leader_unit)
    assert response.status_code == 403


def test_awards_vote_ineligible_unit_is_refused_with_a_message(client, published, award_types):
    response = vote(client, published.leader, published, award_types[0], published.member_unit)
    assert response.status_code == 302
    assert Vote.objects.count() == 0
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


def test_awards_vote_more_votes_than_present_is_refused(client, published, award_types):
    response = vote(
        client, published.leader, published, award_types[0], published.leader_unit, 3, 4
    )
    assert response.status_code == 302
    assert Vote.objects.count() == 0


def test_awards_vote_award_type_of_another_campaign_is_404(client, published, award_types):
    from tests.factories import CampaignFactory

    other = services.award_type_upsert(
        campaign=CampaignFactory(organiser=published.province, year=2024), code="x", name="X"
    )
    response = vote(client, published.leader, published, other, published.leader_unit)
    assert response.status_code == 404


def _grow(org, table, extra):
    units = [UnitFactory(code=f"X{i}", parent=org.province) for i in range(extra)]
    for unit in units:
        MembershipFactory(cluster=org.other_cluster, unit=unit)
    rows = [(org.outsider_unit, D("90"), "Xuất sắc", 1, True)]
    rows += [(u, D(80 - i), "Tốt", i + 2, False) for i, u in enumerate(units)]
    publish(org.other_cluster, table, rows)
    return org.other_cluster


@pytest.mark.parametrize("extra", [2, 8])
def test_awards_cluster_query_count_does_not_grow(
    client, org, table, award_types, django_assert_num_queries, extra
):
    cluster = _grow(org, table, extra)
    for unit in list(cluster.memberships.values_list("unit", flat=True))[:2]:
        Vote.objects.create(
            cluster=cluster, unit_id=unit, award_type=award_types[1], members_present=3, votes_for=3
        )
    client.force_login(org.staff)
    url = reverse("awards_cluster", args=[cluster.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    assert response.status_code == 200


# Measured at the small size; 4 of them read and offer next year's leaders (the election,
# who may record it, the member units to choose from), 1 the award types' title rules, 1 the
# decisions on the proposals (their status).
QUERIES = 20


def _docx_text(response) -> str:
    doc = read_docx(io.BytesIO(response.content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def _passed(published, award_types):
    flag, advanced = award_types
    c = {"cluster": published.cluster}
    services.vote_record(
        **c, unit=published.leader_unit, award_type=flag, members_present=3, votes_for=3
    )
    services.vote_record(
        **c, unit=published.deputy_unit, award_type=advanced, members_present=3, votes_for=2
    )
    services.vote_record(
        **c, unit=published.leader_unit, award_type=advanced, members_present=3, votes_for=1
    )


@pytest.mark.parametrize("name", ["awards_proposal_docx", "awards_submission_docx"])
def test_awards_documents_for_managers(client, published, award_types, name):
    _passed(published, award_types)
    client.force_login(published.staff)
    response = client.get(reverse(name, args=[published.campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('2023.docx"')
    text = _docx_text(response)
    assert "Cờ thi đua của Bộ Công an" in text
    assert "Đơn vị Tiên tiến" in text
    assert published.deputy_unit.name in text
    assert "66,67%" in text
    assert "1/3" not in text


def test_awards_proposal_docx_table_rows(client, published, award_types):
    _passed(published, award_types)
    client.force_login(published.admin)
    response = client.get(reverse("awards_proposal_docx", args=[published.campaign.pk]))
    tables = read_docx(io.BytesIO(response.content)).tables
    table = next(t for t in tables if t.rows[0].cells[0].text == "STT")
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["STT", "Đơn vị", "Cụm thi đua", "Tổng điểm", "Xếp loại", "Biểu quyết"]
    assert rows[1][:2] == ["I", "Cờ thi đua của Bộ Công an"]
    assert rows[2] == [
        "1",
        published.leader_unit.name,
        published.cluster.name,
        "95",
        "Xuất sắc",
        "3/3 (100%)",
    ]
    assert rows[3][:2] == ["II", "Đơn vị Tiên tiến"]
    assert rows[4][1:] == [
        published.deputy_unit.name,
        published.cluster.name,
        "88",
        "Tốt",
        "2/3 (66,67%)",
    ]
    assert len(rows) == 5


def test_awards_submission_docx_title(client, published, award_types):
    _passed(published, award_types)
    client.force_login(published.staff)
    response = client.get(reverse("awards_submission_docx", args=[published.campaign.pk]))
    text = _docx_text(response)
    assert "TỜ TRÌNH" in text
    assert "1. Cờ thi đua của Bộ Công an: 01 đơn vị" in text
    assert "2. Đơn vị Tiên tiến: 01 đơn vị" in text


@pytest.mark.parametrize("name", ["awards_proposal_docx", "awards_submission_docx"])
@pytest.mark.parametrize("who", ["leader", "member"])
def test_awards_documents_unit_officers_get_403(client, published, award_types, name, who):
    client.force_login(getattr(published, who))
    assert client.get(reverse(name, args=[published.campaign.pk])).status_code == 403


@pytest.mark.parametrize("name", ["awards_proposal_docx", "awards_submission_docx"])
def test_awards_documents_outside_scope_404(client, published, award_types, name):
    from tests.factories import CampaignFactory

    other = CampaignFactory(organiser=UnitFactory(code="CAX", kind="province"), year=2023)
    client.force_login(published.staff)
    assert client.get(reverse(name, args=[other.pk])).status_code == 404


@pytest.mark.parametrize("name", ["awards_proposal_docx", "awards_submission_docx"])
def test_awards_documents_post_is_405(client, published, name):
    client.force_login(published.staff)
    assert client.post(reverse(name, args=[published.campaign.pk])).status_code == 405


def test_cluster_page_awards_panel_counts_votes(client, published, award_types):
    services.vote_record(
        cluster=published.cluster,
        unit=published.leader_unit,
        award_type=award_types[0],
        members_present=3,
        votes_for=2,
    )
    client.force_login(published.member)
    response = client.get(reverse("cluster_detail", args=[published.cluster.pk]))
    content = response.content.decode()
    assert 'data-votes="1" data-passed="1"' in content
    assert reverse("awards_cluster", args=[published.cluster.pk]) in content


def test_awards_vote_on_own_unit_is_refused_and_the_page_says_who_may(
    client, published, award_types
):
    """Nobody judges their own unit: the leader unit's officers do not record the vote on the
    leader unit; the deputy unit (or the standing agency) does."""
    before = Vote.objects.count()

    response = vote(client, published.leader, published, award_types[0], published.leader_unit)

    assert response.status_code == 403
    assert Vote.objects.count() == before
    content = page(client, published.leader, published.cluster).content.decode()
    assert "data-own-unit" in content
    allowed = vote(client, published.deputy, published, award_types[0], published.leader_unit)
    assert allowed.status_code == 302
    assert Vote.objects.count() == before + 1
