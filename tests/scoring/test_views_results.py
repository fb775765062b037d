"""Rankings, the campaign overview with its progress, and the phase control
(scoring/views/results.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from clusters.enums import MemberRole, Phase
from clusters.models import Campaign
from scoring import services, workflow
from scoring.enums import SheetStatus, Stage
from scoring.models import ScoreSheet
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
ROLES = ["admin", "staff", "leader", "deputy", "member", "outsider"]


# --- Helpers ----------------------------------------------------------------------------


def set_phase(org, phase):
    org.campaign.phase = phase
    org.campaign.save()


def fill(sheet, **codes):
    """Enter values through the service, criterion by criterion: fill(sheet, I_1={...})."""
    for code, values in codes.items():
        entry = sheet.entries.get(criterion__code=code.replace("_", "."))
        services.entry_update(entry=entry, values=values)
    sheet.refresh_from_db()
    return sheet


def fill_complete(sheet, i1, *, violated=False):
    """Every leaf entered: I.1 = i1, I.2 and I.3 at 10/10 (20 + 20), no bonus, no deduction."""
    return fill(
        sheet,
        I_1={"points": D(i1)},
        I_2={"numerator": 10, "denominator": 10},
        I_3={"numerator": 10, "denominator": 10},
        B={"count": 0},
        T={"points": D(0)},
        V={"violated": violated},
    )


def add_member(org, code, cluster=None):
    unit = UnitFactory(code=code, parent=org.province)
    MembershipFactory(cluster=cluster or org.cluster, unit=unit, role=MemberRole.MEMBER)
    return unit


def publish(org, cluster, units_points):
    """Final sheets copied from complete cluster sheets, then published by the admin."""
    for unit, points in units_points:
        sheet = services.sheet_get_or_create(cluster=cluster, unit=unit, stage=Stage.CLUSTER)
        fill_complete(sheet, points)
    workflow.stage_start(cluster=cluster, stage=Stage.FINAL, user=org.admin)
    return workflow.cluster_publish(cluster=cluster, user=org.admin)


def ranking_url(org, stage, cluster=None):
    return reverse("ranking", args=[(cluster or org.cluster).pk, stage])


def other_campaign():
    """A campaign of another province: outside everyone's scope but the administrator's."""
    province = UnitFactory(code="CAX", name="Công an tỉnh Khác", kind="province")
    campaign = CampaignFactory(organiser=province, year=2023)
    cluster = ClusterFactory(campaign=campaign, number=1, code="X1")
    MembershipFactory(cluster=cluster, unit=UnitFactory(code="XU1", parent=province))
    return campaign, cluster


def get(client, user, url, **headers):
    client.force_login(user)
    return client.get(url, **headers)


# --- campaign_list -------------------------------------------------------------------------


def test_campaign_list_anonymous_redirects_to_login(client, org):
    response = client.get(reverse("campaign_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ROLES)
def test_campaign_list_every_role_sees_the_campaign(client, org, who):
    response = get(client, getattr(org, who), reverse("campaign_list"))

    assert response.status_code == 200
    assert [c.pk for c in response.context["campaigns"]] == [org.campaign.pk]


def test_campaign_list_wrong_method_answers_405(client, org):
    client.force_login(org.staff)

    assert client.post(reverse("campaign_list")).status_code == 405


def test_campaign_list_newest_first_within_the_scope(client, org):
    older = CampaignFactory(organiser=org.province, year=2022)
    newer = CampaignFactory(organiser=org.province, year=2024)
    foreign, _ = other_campaign()

    staff = get(client, org.staff, reverse("campaign_list")).context["campaigns"]
    admin = get(client, org.admin, reverse("campaign_list")).context["campaigns"]

    assert [c.pk for c in staff] == [newer.pk, org.campaign.pk, older.pk]
    assert [c.pk for c in admin] == [newer.pk, org.campaign.pk, foreign.pk, older.pk]


def test_campaign_list_shows_phase_counts_and_links(client, org):
    set_phase(org, Phase.EXPLANATION)

    response = get(client, org.staff, reverse("campaign_list"))

    campaign = response.context["campaigns"][0]
    assert (campaign.cluster_count, campaign.unit_count) == (2, 4)
    assert campaign.can_view_overview is True
    page = response.content.decode()
    assert str(Phase.EXPLANATION.label) in page
    assert reverse("campaign_overview", args=[org.campaign.pk]) in page


def test_campaign_list_member_gets_their_clusters_ranking_links_by_phase(client, org):
    response = get(client, org.member, reverse("campaign_list"))
    campaign = response.context["campaigns"][0]
    assert campaign.can_view_overview is False
    assert campaign.my_cluster.pk == org.cluster.pk
    assert campaign.my_cluster.ranking_links == []

    set_phase(org, Phase.EXPLANATION)
    response = get(client, org.member, reverse("campaign_list"))

    links = [url for _, url in response.context["campaigns"][0].my_cluster.ranking_links]
    assert links == [ranking_url(org, Stage.CLUSTER)]
    assert reverse("campaign_overview", args=[org.campaign.pk]) not in response.content.decode()


def test_campaign_list_leader_gets_self_and_cluster_ranking_links(client, org):
    response = get(client, org.leader, reverse("campaign_list"))

    campaign = response.context["campaigns"][0]
    assert campaign.can_view_overview is True
    assert [url for _, url in campaign.my_cluster.ranking_links] == [
        ranking_url(org, Stage.SELF),
        ranking_url(org, Stage.CLUSTER),
    ]


def test_campaign_list_query_count_does_not_grow(client, org, django_assert_max_num_queries):
    client.force_login(org.staff)
    client.get(reverse("campaign_list"))
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("campaign_list"))
    for year in range(2010, 2020):
        campaign = CampaignFactory(organiser=org.province, year=year)
        for number in (1, 2):
            cluster = ClusterFactory(campaign=campaign, number=number)
            MembershipFactory(cluster=cluster, unit=UnitFactory(), role=MemberRole.LEADER)

    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(reverse("campaign_list"))

    assert len(response.context["campaigns"]) == 11
    assert len(large.captured_queries) == len(small.captured_queries)


def test_campaign_list_member_query_count_does_not_grow(client, org, django_assert_max_num_queries):
    client.force_login(org.member)
    client.get(reverse("campaign_list"))
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("campaign_list"))
    for year in range(2010, 2016):
        campaign = CampaignFactory(organiser=org.province, year=year)
        cluster = ClusterFactory(campaign=campaign, number=1)
        MembershipFactory(cluster=cluster, unit=org.member_unit, role=MemberRole.MEMBER)

    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(reverse("campaign_list"))

    assert len(response.context["campaigns"]) == 7
    assert len(large.captured_queries) == len(small.captured_queries)


# --- campaign_overview ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "clusters"),
    [
        ("admin", 200, ["C1", "C2"]),
        ("staff", 200, ["C1", "C2"]),
        ("leader", 200, ["C1"]),
        ("deputy", 200, ["C1"]),
        ("member", 403, None),
        ("outsider", 200, ["C2"]),  # the leader unit of the other cluster
    ],
)
def test_campaign_overview_matrix(client, org, who, status, clusters):
    response = get(client, getattr(org, who), reverse("campaign_overview", args=[org.campaign.pk]))

    assert response.status_code == status
    if clusters is not None:
        assert [c.code for c in response.context["clusters"]] == clusters


@pytest.mark.parametrize("who", ["staff", "leader", "member"])
def test_campaign_overview_outside_the_scope_answers_404(client, org, who):
    foreign, _ = other_campaign()

    response = get(client, getattr(org, who), reverse("campaign_overview", args=[foreign.pk]))

    assert response.status_code == 404


def test_campaign_overview_wrong_method_answers_405(client, org):
    client.force_login(org.staff)

    response = client.post(reverse("campaign_overview", args=[org.campaign.pk]))

    assert response.status_code == 405


def _progress(response, code, stage):
    cluster = next(c for c in response.context["clusters"] if c.code == code)
    return cluster, next(p for p in cluster.progress if p.stage == stage)


def test_campaign_overview_progress_counts_are_exact(client, org, table, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    own = {
        u.code: services.sheet_get_or_create(cluster=org.cluster, unit=u, stage=Stage.SELF)
        for u in (org.leader_unit, org.deputy_unit, org.member_unit)
    }
    fill_complete(own["L1"], 20)
    fill_complete(own["D1"], 18)
    workflow.sheet_submit(sheet=own["L1"], user=org.leader)
    workflow.sheet_submit(sheet=own["D1"], user=org.deputy)
    workflow.sheet_return(sheet=own["D1"], user=org.leader, comment="Bổ sung tài liệu")
    workflow.sheet_submit(sheet=own["M1"], user=org.member)
    fill(sheets["M1"], I_1={"points": D(12)})
    workflow.sheet_submit(sheet=sheets["M1"], user=org.leader)

    response = get(client, org.staff, reverse("campaign_overview", args=[org.campaign.pk]))

    cluster, self_stage = _progress(response, "C1", Stage.SELF)
    assert (self_stage.members, self_stage.sheets, self_stage.submitted) == (3, 3, 2)
    assert (self_stage.complete, self_stage.locked, self_stage.percent) == (2, 0, 67)
    assert self_stage.width_class == "w-pct-65"
    _, cluster_stage = _progress(response, "C1", Stage.CLUSTER)
    assert (cluster_stage.sheets, cluster_stage.submitted, cluster_stage.complete) == (3, 1, 0)
    assert [u.code for u in cluster_stage.leading] == ["M1"]
    _, final_stage = _progress(response, "C1", Stage.FINAL)
    assert (final_stage.sheets, final_stage.submitted, final_stage.locked) == (0, 0, 0)
    assert [u.code for u in cluster.not_handed_in[Stage.SELF]] == ["D1"]
    assert [u.code for u in cluster.not_handed_in[Stage.CLUSTER]] == ["L1", "D1"]
    statuses = {m.unit.code: [s[1] for s in m.statuses] for m in cluster.member_progress}
    assert statuses == {
        "L1": [SheetStatus.SUBMITTED, SheetStatus.DRAFT, ""],
        "D1": [SheetStatus.RETURNED, SheetStatus.DRAFT, ""],
        "M1": [SheetStatus.SUBMITTED, SheetStatus.SUBMITTED, ""],
    }
    _, other = _progress(response, "C2", Stage.SELF)
    assert (other.members, other.sheets, other.submitted) == (1, 0, 0)
    summary = {s["stage"]: (s["done"], s["whole"]) for s in response.context["summary"]}
    assert summary == {Stage.SELF: (2, 4), Stage.CLUSTER: (1, 4), Stage.FINAL: (0, 4)}
    page = response.content.decode()
    assert 'data-status="returned"' in page
    assert "w-pct-65" in page
    assert "style=" not in page


def test_campaign_overview_leader_sees_self_and_cluster_stages_only(client, org, table, sheets):
    response = get(client, org.leader, reverse("campaign_overview", args=[org.campaign.pk]))

    cluster = response.context["clusters"][0]
    assert cluster.visible_stages == [Stage.SELF, Stage.CLUSTER]
    assert [p.visible for p in cluster.progress] == [True, True, False]
    assert cluster.leader == org.leader_unit
    assert cluster.deputy == org.deputy_unit
    assert cluster.member_count == 3
    assert cluster.table == table
    assert response.context["can_set_phase"] is False
    assert reverse("campaign_phase", args=[org.campaign.pk]) not in response.content.decode()


def test_campaign_overview_shows_published_clusters(client, org, table):
    set_phase(org, Phase.FINAL_REVIEW)
    publish(org, org.cluster, [(org.leader_unit, 20), (org.deputy_unit, 15), (org.member_unit, 5)])

    response = get(client, org.staff, reverse("campaign_overview", args=[org.campaign.pk]))

    cluster, final = _progress(response, "C1", Stage.FINAL)
    assert cluster.is_published is True
    assert (final.sheets, final.complete, final.locked, final.percent) == (3, 3, 3, 100)
    assert [u.code for u in final.leading] == ["L1"]
    assert response.context["totals"]["published"] == 1


def test_campaign_overview_phase_control_for_managers(client, org):
    set_phase(org, Phase.SIGNING)

    response = get(client, org.staff, reverse("campaign_overview", args=[org.campaign.pk]))

    assert response.context["can_set_phase"] is True
    assert response.context["next_phase"] == Phase.SELF_ASSESSMENT
    assert [v for v, _ in response.context["phase_choices"]] == [
        Phase.SETUP,
        Phase.SELF_ASSESSMENT,
        Phase.CLUSTER_SCORING,
        Phase.EXPLANATION,
        Phase.FINAL_REVIEW,
        Phase.PUBLISHED,
    ]
    assert [p["state"] for p in response.context["phases"]] == [
        "done",
        "current",
        "todo",
        "todo",
        "todo",
        "todo",
        "todo",
    ]


def test_campaign_overview_shows_the_phase_history(client, org):
    client.force_login(org.staff)
    client.post(reverse("campaign_phase", args=[org.campaign.pk]), {"phase": Phase.SIGNING})
    client.post(reverse("campaign_phase", args=[org.campaign.pk]), {"phase": Phase.SELF_ASSESSMENT})

    response = client.get(reverse("campaign_overview", args=[org.campaign.pk]))

    history = response.context["history"]
    setup, signing, self_open = (
        str(p.label) for p in (Phase.SETUP, Phase.SIGNING, Phase.SELF_ASSESSMENT)
    )
    assert [(h["from"], h["to"], h["user"]) for h in history] == [
        (signing, self_open, org.staff),
        (setup, signing, org.staff),
        (None, setup, None),
    ]
    page = response.content.decode()
    assert self_open in page
    assert str(org.staff) in page


def test_campaign_overview_query_count_does_not_grow(
    client, org, table, django_assert_max_num_queries
):
    set_phase(org, Phase.CLUSTER_SCORING)
    for unit in (org.leader_unit, org.member_unit):
        services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.SELF)
    url = reverse("campaign_overview", args=[org.campaign.pk])
    client.force_login(org.staff)
    client.get(url)
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    for number in range(3, 9):
        cluster = ClusterFactory(campaign=org.campaign, number=number)
        table.clusters.add(cluster)
        for i, role in enumerate(("leader", "deputy", "member", "member")):
            unit = UnitFactory(parent=org.province)
            MembershipFactory(cluster=cluster, unit=unit, role=role)
            sheet = services.sheet_get_or_create(cluster=cluster, unit=unit, stage=Stage.SELF)
            if i % 2:
                workflow.sheet_submit(sheet=sheet, user=org.admin)
            services.sheet_get_or_create(cluster=cluster, unit=unit, stage=Stage.CLUSTER)
    set_phase(org, Phase.CLUSTER_SCORING)

    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url)

    assert len(response.context["clusters"]) == 8
    assert len(large.captured_queries) == len(small.captured_queries)


def test_campaign_overview_leader_query_count_does_not_grow(
    client, org, table, sheets, django_assert_max_num_queries
):
    url = reverse("campaign_overview", args=[org.campaign.pk])
    client.force_login(org.leader)
    client.get(url)
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    for _ in range(8):
        unit = add_member(org, f"N{_}")
        services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.SELF)
        services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.CLUSTER)

    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url)

    assert response.context["clusters"][0].member_count == 11
    assert len(large.captured_queries) == len(small.captured_queries)


# --- campaign_phase ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 302),
        ("staff", 302),
        ("leader", 403),
        ("deputy", 403),
        ("member", 403),
        ("outsider", 403),
    ],
)
def test_campaign_phase_matrix(client, org, who, status):
    client.force_login(getattr(org, who))

    response = client.post(
        reverse("campaign_phase", args=[org.campaign.pk]), {"phase": Phase.SIGNING}
    )

    assert response.status_code == status
    org.campaign.refresh_from_db()
    assert org.campaign.phase == (Phase.SIGNING if status == 302 else Phase.SETUP)


def test_campaign_phase_outside_the_scope_answers_404(client, org):
    foreign, _ = other_campaign()
    client.force_login(org.staff)

    response = client.post(reverse("campaign_phase", args=[foreign.pk]), {"phase": Phase.SIGNING})

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.phase == Phase.SETUP


def test_campaign_phase_wrong_method_answers_405(client, org):
    client.force_login(org.staff)

    assert client.get(reverse("campaign_phase", args=[org.campaign.pk])).status_code == 405


def test_campaign_phase_change_is_recorded_with_the_user(client, org):
    client.force_login(org.staff)

    response = client.post(
        reverse("campaign_phase", args=[org.campaign.pk]), {"phase": Phase.SELF_ASSESSMENT}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_overview", args=[org.campaign.pk])
    org.campaign.refresh_from_db()
    assert org.campaign.phase == Phase.SELF_ASSESSMENT
    latest = org.campaign.history.order_by("-history_date", "-pk").first()
    assert (latest.phase, latest.history_user) == (Phase.SELF_ASSESSMENT, org.staff)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_campaign_phase_managers_may_move_backwards(client, org):
    set_phase(org, Phase.CLUSTER_SCORING)
    client.force_login(org.staff)

    client.post(reverse("campaign_phase", args=[org.campaign.pk]), {"phase": Phase.SELF_ASSESSMENT})

    org.campaign.refresh_from_db()
    assert org.campaign.phase == Phase.SELF_ASSESSMENT


def test_campaign_phase_unknown_phase_changes_nothing(client, org):
    client.force_login(org.staff)
    before = org.campaign.history.count()

    response = client.post(reverse("campaign_phase", args=[org.campaign.pk]), {"phase": "bogus"})

    assert response.status_code == 302
    org.campaign.refresh_from_db()
    assert org.campaign.phase == Phase.SETUP
    assert org.campaign.history.count() == before
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


def test_campaign_phase_same_phase_records_nothing(client, org):
    client.force_login(org.staff)
    before = org.campaign.history.count()

    client.post(reverse("campaign_phase", args=[org.campaign.pk]), {"phase": Phase.SETUP})

    assert org.campaign.history.count() == before


def test_campaign_phase_publish_refused_while_a_cluster_is_unpublished(client, org, table):
    set_phase(org, Phase.FINAL_REVIEW)
    publish(org, org.cluster, [(org.leader_unit, 20), (org.deputy_unit, 15), (org.member_unit, 5)])
    client.force_login(org.staff)

    response = client.post(
        reverse("campaign_phase", args=[org.campaign.pk]), {"phase": Phase.PUBLISHED}
    )

    assert response.status_code == 302
    org.campaign.refresh_from_db()
    assert org.campaign.phase == Phase.FINAL_REVIEW
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "error"
    assert org.other_cluster.name in str(message)
    assert org.cluster.name not in str(message)


def test_campaign_phase_publish_once_every_cluster_is_published(client, org, table):
    set_phase(org, Phase.FINAL_REVIEW)
    publish(org, org.cluster, [(org.leader_unit, 20), (org.deputy_unit, 15), (org.member_unit, 5)])
    publish(org, org.other_cluster, [(org.outsider_unit, 10)])
    client.force_login(org.staff)

    client.post(reverse("campaign_phase", args=[org.campaign.pk]), {"phase": Phase.PUBLISHED})

    org.campaign.refresh_from_db()
    assert org.campaign.phase == Phase.PUBLISHED


def test_campaign_phase_publish_refused_after_a_reopen(client, org, table):
    set_phase(org, Phase.FINAL_REVIEW)
    publish(org, org.cluster, [(org.leader_unit, 20), (org.deputy_unit, 15), (org.member_unit, 5)])
    publish(org, org.other_cluster, [(org.outsider_unit, 10)])
    workflow.cluster_reopen(cluster=org.other_cluster, user=org.admin, reason="Sai số liệu")
    client.force_login(org.staff)

    client.post(reverse("campaign_phase", args=[org.campaign.pk]), {"phase": Phase.PUBLISHED})

    org.campaign.refresh_from_db()
    assert org.campaign.phase == Phase.FINAL_REVIEW


def test_campaign_phase_leaving_published_is_for_administrators(client, org):
    set_phase(org, Phase.PUBLISHED)
    url = reverse("campaign_phase", args=[org.campaign.pk])
    client.force_login(org.staff)

    refused = client.post(url, {"phase": Phase.FINAL_REVIEW})
    org.campaign.refresh_from_db()
    assert refused.status_code == 403
    assert org.campaign.phase == Phase.PUBLISHED

    client.force_login(org.admin)
    allowed = client.post(url, {"phase": Phase.FINAL_REVIEW})

    org.campaign.refresh_from_db()
    assert allowed.status_code == 302
    assert org.campaign.phase == Phase.FINAL_REVIEW


def test_campaign_phase_staff_sees_no_choices_once_published(client, org):
    set_phase(org, Phase.PUBLISHED)

    response = get(client, org.staff, reverse("campaign_overview", args=[org.campaign.pk]))

    assert response.context["can_set_phase"] is False
    assert response.context["phase_choices"] == []


# --- ranking: who sees which stage when ------------------------------------------------------

SELF_PHASE_MATRIX = {
    # stage: {role: status} while self-assessment is open
    Stage.SELF: {
        "admin": 200,
        "staff": 200,
        "leader": 200,
        "deputy": 200,
        "member": 403,
        "outsider": 404,
    },
    Stage.CLUSTER: {
        "admin": 200,
        "staff": 200,
        "leader": 200,
        "deputy": 200,
        "member": 403,
        "outsider": 404,
    },
    Stage.FINAL: {
        "admin": 200,
        "staff": 200,
        "leader": 403,
        "deputy": 403,
        "member": 403,
        "outsider": 404,
    },
}


@pytest.mark.parametrize("stage", list(SELF_PHASE_MATRIX))
@pytest.mark.parametrize("who", ROLES)
def test_ranking_matrix_during_self_assessment(client, org, table, sheets, stage, who):
    set_phase(org, Phase.SELF_ASSESSMENT)

    response = get(client, getattr(org, who), ranking_url(org, stage))

    assert response.status_code == SELF_PHASE_MATRIX[stage][who]


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        (Phase.CLUSTER_SCORING, {Stage.SELF: 403, Stage.CLUSTER: 403, Stage.FINAL: 403}),
        (Phase.EXPLANATION, {Stage.SELF: 403, Stage.CLUSTER: 200, Stage.FINAL: 403}),
        (Phase.FINAL_REVIEW, {Stage.SELF: 403, Stage.CLUSTER: 200, Stage.FINAL: 403}),
        (Phase.PUBLISHED, {Stage.SELF: 403, Stage.CLUSTER: 200, Stage.FINAL: 403}),
    ],
)
def test_ranking_member_by_phase(client, org, table, sheets, phase, expected):
    set_phase(org, phase)
    client.force_login(org.member)

    got = {stage: client.get(ranking_url(org, stage)).status_code for stage in expected}

    assert got == expected


def test_ranking_final_visible_to_members_and_leaders_once_published(client, org, table):
    set_phase(org, Phase.FINAL_REVIEW)
    publish(org, org.cluster, [(org.leader_unit, 20), (org.deputy_unit, 15), (org.member_unit, 5)])

    statuses = {
        who: get(client, getattr(org, who), ranking_url(org, Stage.FINAL)).status_code
        for who in ROLES
    }

    assert statuses == {
        "admin": 200,
        "staff": 200,
        "leader": 200,
        "deputy": 200,
        "member": 200,
        "outsider": 404,
    }


def test_ranking_final_hidden_again_after_a_reopen(client, org, table):
    set_phase(org, Phase.FINAL_REVIEW)
    publish(org, org.cluster, [(org.leader_unit, 20), (org.deputy_unit, 15), (org.member_unit, 5)])
    workflow.cluster_reopen(cluster=org.cluster, user=org.admin, reason="Phúc tra lại")

    response = get(client, org.member, ranking_url(org, Stage.FINAL))

    assert response.status_code == 403


def test_ranking_tabs_list_only_the_stages_the_user_may_view(client, org, table, sheets):
    set_phase(org, Phase.EXPLANATION)

    leader = get(client, org.leader, ranking_url(org, Stage.CLUSTER)).context["tabs"]
    member = get(client, org.member, ranking_url(org, Stage.CLUSTER)).context["tabs"]
    staff = get(client, org.staff, ranking_url(org, Stage.CLUSTER)).context["tabs"]

    assert [t[0] for t in leader] == [Stage.SELF, Stage.CLUSTER]
    assert [t[0] for t in member] == [Stage.CLUSTER]
    assert [t[0] for t in staff] == [Stage.SELF, Stage.CLUSTER, Stage.FINAL]


def test_ranking_unknown_stage_answers_404(client, org, table, sheets):
    response = get(client, org.staff, reverse("ranking", args=[org.cluster.pk, "vote"]))

    assert response.status_code == 404


def test_ranking_unknown_cluster_answers_404(client, org):
    response = get(client, org.admin, reverse("ranking", args=[99999, Stage.CLUSTER]))

    assert response.status_code == 404


def test_ranking_wrong_method_answers_405(client, org, table, sheets):
    client.force_login(org.staff)

    assert client.post(ranking_url(org, Stage.CLUSTER)).status_code == 405


def test_ranking_anonymous_redirects_to_login(client, org, table, sheets):
    response = client.get(ranking_url(org, Stage.CLUSTER))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- ranking: the figures ----------------------------------------------------------------


def _rows(response):
    return [
        (
            r.sheet.rank,
            r.sheet.unit.code,
            r.sheet.base,
            r.sheet.bonus,
            r.sheet.deduction,
            r.sheet.total,
            r.sheet.band,
            r.sheet.leading,
        )
        for r in response.context["rows"]
    ]


def test_ranking_figures_and_order_equal_hand_computed_values(client, org, table, sheets):
    extra = add_member(org, "X1")
    sheets["X1"] = services.sheet_get_or_create(cluster=org.cluster, unit=extra, stage="cluster")
    # L1: 18.5 + 20 = 38.5 base, bonus 3 → 41.5 (Khá)
    fill(
        sheets["L1"],
        I_1={"points": D("18.5")},
        I_2={"numerator": 10, "denominator": 10},
        B={"count": 3},
    )
    # D1: 20 + 20 = 40 → 40 (Khá)
    fill(sheets["D1"], I_1={"points": D(20)}, I_2={"numerator": 10, "denominator": 10})
    # M1: 20 + 20 = 40, bonus 1, deduction 1 → 40 (Khá): tied with D1
    fill(
        sheets["M1"],
        I_1={"points": D(20)},
        I_2={"numerator": 10, "denominator": 10},
        B={"count": 1},
        T={"points": D(1)},
    )
    # X1: 12.25, the rate below target gives 0 → 12.25 (Đạt)
    fill(sheets["X1"], I_1={"points": D("12.25")}, I_2={"numerator": 9, "denominator": 10})

    response = get(client, org.staff, ranking_url(org, Stage.CLUSTER))

    assert response.status_code == 200
    assert _rows(response) == [
        (1, "L1", D("38.50"), D("3.00"), D("0.00"), D("41.50"), "Khá", True),
        (2, "D1", D("40.00"), D("0.00"), D("0.00"), D("40.00"), "Khá", False),
        (2, "M1", D("40.00"), D("1.00"), D("1.00"), D("40.00"), "Khá", False),
        (4, "X1", D("12.25"), D("0.00"), D("0.00"), D("12.25"), "Đạt", False),
    ]
    assert [u.code for u in response.context["leading"]] == ["L1"]
    page = response.content.decode()
    assert "41,50" in page
    assert "12,25" in page
    assert page.count('class="is-leading') == 1


def test_ranking_units_tied_for_the_lead_are_all_leading(client, org, table, sheets):
    fill(sheets["L1"], I_1={"points": D(20)})
    fill(sheets["D1"], I_1={"points": D(20)})
    fill(sheets["M1"], I_1={"points": D("19.99")})

    response = get(client, org.leader, ranking_url(org, Stage.CLUSTER))

    assert [(r[0], r[1], r[7]) for r in _rows(response)] == [
        (1, "D1", True),
        (1, "L1", True),
        (3, "M1", False),
    ]
    assert [u.code for u in response.context["leading"]] == ["D1", "L1"]


def test_ranking_veto_keeps_the_top_unit_from_leading(client, org, table, sheets):
    # M1: 40 base − 5 for the violated veto = 35, rank 1 but excluded from leading.
    fill(
        sheets["M1"],
        I_1={"points": D(20)},
        I_2={"numerator": 10, "denominator": 10},
        V={"violated": True},
    )
    fill(sheets["L1"], I_1={"points": D(20)})
    fill(sheets["D1"], I_1={"points": D(20)})

    response = get(client, org.staff, ranking_url(org, Stage.CLUSTER))

    assert _rows(response) == [
        (1, "M1", D("40.00"), D("0.00"), D("5.00"), D("35.00"), "Khá", False),
        (2, "D1", D("20.00"), D("0.00"), D("0.00"), D("20.00"), "Đạt", True),
        (2, "L1", D("20.00"), D("0.00"), D("0.00"), D("20.00"), "Đạt", True),
    ]


def _self_sheets(org, points):
    result = {}
    for unit in (org.leader_unit, org.deputy_unit, org.member_unit):
        sheet = services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.SELF)
        result[unit.code] = fill(sheet, I_1={"points": D(points[unit.code])})
    return result


def test_ranking_difference_is_cluster_minus_self(client, org, table, sheets):
    _self_sheets(org, {"L1": "20", "D1": "15", "M1": "10"})
    fill(sheets["L1"], I_1={"points": D("18.5")})
    fill(sheets["D1"], I_1={"points": D("15")})
    fill(sheets["M1"], I_1={"points": D("12.75")})

    response = get(client, org.staff, ranking_url(org, Stage.CLUSTER))

    differences = {r.sheet.unit.code: r.difference for r in response.context["rows"]}
    assert differences == {"L1": D("-1.50"), "D1": D("0.00"), "M1": D("2.75")}
    page = response.content.decode()
    assert '<span class="diff-down"' in page
    assert ">-1,50</span>" in page
    assert ">+2,75</span>" in page


def test_ranking_difference_for_a_member_only_on_their_own_row(client, org, table, sheets):
    set_phase(org, Phase.EXPLANATION)
    _self_sheets(org, {"L1": "20", "D1": "15", "M1": "10"})
    fill(sheets["L1"], I_1={"points": D("18.5")})
    fill(sheets["M1"], I_1={"points": D("12.75")})

    response = get(client, org.member, ranking_url(org, Stage.CLUSTER))

    differences = {r.sheet.unit.code: r.difference for r in response.context["rows"]}
    assert differences == {"L1": None, "M1": D("2.75"), "D1": None}
    page = response.content.decode()
    # Other units' self-assessed totals never reach a member's page.
    assert "20,00 →" not in page


def test_ranking_without_a_self_sheet_shows_no_difference(client, org, table, sheets):
    fill(sheets["L1"], I_1={"points": D(5)})

    response = get(client, org.staff, ranking_url(org, Stage.CLUSTER))

    assert response.context["shows_difference"] is False
    assert {r.difference for r in response.context["rows"]} == {None}


def test_ranking_chart_bars_scale_to_the_best_total(client, org, table, sheets):
    fill(sheets["L1"], I_1={"points": D(20)})
    fill(sheets["D1"], I_1={"points": D(5)})

    response = get(client, org.staff, ranking_url(org, Stage.CLUSTER))

    bars = {b["row"].sheet.unit.code: b["width"] for b in response.context["chart"]["bars"]}
    assert bars == {"L1": "520.0", "D1": "130.0", "M1": "0.0"}
    page = response.content.decode()
    assert 'width="520.0"' in page
    assert '<svg class="results-chart"' in page
    assert "style=" not in page


def test_ranking_empty_stage_shows_an_empty_state(client, org, table):
    response = get(client, org.staff, ranking_url(org, Stage.FINAL))

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "results-chart" not in response.content.decode()


def test_ranking_htmx_request_gets_the_panel_only(client, org, table, sheets):
    response = get(client, org.staff, ranking_url(org, Stage.CLUSTER), HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="ranking-panel">')
    assert "<html" not in page


def test_ranking_query_count_does_not_grow(
    client, org, table, sheets, django_assert_max_num_queries
):
    for code, sheet in sheets.items():
        fill(sheet, I_1={"points": D(len(code) + 5)})
    url = ranking_url(org, Stage.CLUSTER)
    client.force_login(org.staff)
    client.get(url)
    with django_assert_max_num_queries(25) as small:
        client.get(url)
    for i in range(10):
        unit = add_member(org, f"N{i:02d}")
        services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.SELF)
        sheet = services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.CLUSTER)
        fill(sheet, I_1={"points": D(i)})

    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url)

    assert len(response.context["rows"]) == 13
    assert len(large.captured_queries) == len(small.captured_queries)


def test_ranking_member_query_count_does_not_grow(
    client, org, table, sheets, django_assert_max_num_queries
):
    set_phase(org, Phase.EXPLANATION)
    url = ranking_url(org, Stage.CLUSTER)
    client.force_login(org.member)
    client.get(url)
    with django_assert_max_num_queries(25) as small:
        client.get(url)
    for i in range(10):
        unit = add_member(org, f"N{i:02d}")
        services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.CLUSTER)

    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url)

    assert len(response.context["rows"]) == 13
    assert len(large.captured_queries) == len(small.captured_queries)


# --- ranking_default -----------------------------------------------------------------------


def test_ranking_default_redirects_to_the_most_advanced_stage_with_sheets(
    client, org, table, sheets
):
    response = get(client, org.staff, reverse("ranking_default", args=[org.cluster.pk]))

    assert response.status_code == 302
    assert response["Location"] == ranking_url(org, Stage.CLUSTER)


def test_ranking_default_member_before_explanations_is_told_to_wait(client, org, table, sheets):
    set_phase(org, Phase.SELF_ASSESSMENT)

    response = get(client, org.member, reverse("ranking_default", args=[org.cluster.pk]))

    assert response.status_code == 200
    assert response.context["unavailable"] is True
    # No other unit's name reaches the page (a bare code like "L1" could match the CSRF token).
    page = response.content.decode()
    assert org.leader_unit.name not in page


def test_ranking_default_outsider_answers_404(client, org, table, sheets):
    response = get(client, org.outsider, reverse("ranking_default", args=[org.cluster.pk]))

    assert response.status_code == 404


def test_ranking_default_wrong_method_answers_405(client, org):
    client.force_login(org.staff)

    assert client.post(reverse("ranking_default", args=[org.cluster.pk])).status_code == 405


# --- Pages and permissions together ----------------------------------------------------------


def test_phase_move_changes_what_a_member_sees(client, org, table, sheets):
    client.force_login(org.staff)
    client.post(reverse("campaign_phase", args=[org.campaign.pk]), {"phase": Phase.EXPLANATION})

    response = get(client, org.member, ranking_url(org, Stage.CLUSTER))

    assert response.status_code == 200
    assert Campaign.objects.get(pk=org.campaign.pk).phase == Phase.EXPLANATION


def test_unit_without_campaign_sees_an_empty_list(client, org):
    loner = UserFactory(username="loner", unit=UnitFactory(code="Z9"))

    response = get(client, loner, reverse("campaign_list"))

    assert response.status_code == 200
    assert list(response.context["campaigns"]) == []


def test_sheet_counts_come_from_the_database(client, org, table, sheets):
    """The overview's figures follow the stored sheets, not the members: a cluster whose
    sheets were never started shows none."""
    ScoreSheet.objects.filter(pk=sheets["M1"].pk).delete()

    response = get(client, org.staff, reverse("campaign_overview", args=[org.campaign.pk]))

    _, cluster_stage = _progress(response, "C1", Stage.CLUSTER)
    assert (cluster_stage.members, cluster_stage.sheets) == (3, 2)


# --- Links from the home page and the navigation ---------------------------------------------


def test_home_links_each_cluster_to_its_ranking_and_managers_to_the_overview(client, org):
    staff = get(client, org.staff, reverse("home")).content.decode()
    member = get(client, org.member, reverse("home")).content.decode()

    overview = reverse("campaign_overview", args=[org.campaign.pk])
    assert reverse("ranking_default", args=[org.cluster.pk]) in staff
    assert reverse("ranking_default", args=[org.other_cluster.pk]) in staff
    assert overview in staff
    assert reverse("ranking_default", args=[org.cluster.pk]) in member
    assert f'href="{overview}"' not in member  # (the deadlines' .ics link is under it)


def test_home_leader_gets_the_progress_link_of_their_cluster(client, org):
    page = get(client, org.leader, reverse("home")).content.decode()

    assert (
        f"{reverse('campaign_overview', args=[org.campaign.pk])}#cluster-{org.cluster.pk}" in page
    )


@pytest.mark.parametrize("who", ["staff", "member"])
def test_navigation_links_to_the_campaign_list(client, org, who):
    page = get(client, getattr(org, who), reverse("home")).content.decode()

    assert f'href="{reverse("campaign_list")}"' in page


def test_campaign_overview_progress_downloads_as_excel(client, org, table, sheets):
    import io

    from openpyxl import load_workbook

    response = get(
        client, org.staff, reverse("campaign_overview", args=[org.campaign.pk]) + "?format=xlsx"
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tien-do-cham-diem-2023.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["L1", "D1", "M1", "O1"]
    assert rows[1][0] == org.cluster.name
    assert rows[1][5] == str(SheetStatus.DRAFT.label)
