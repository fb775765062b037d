"""Recent activity of a cluster and a campaign (clusters.recent, scoring.recent): sentences
from the change history, newest first, paged, only what the reader may see, and a fixed
number of queries whatever the size of the history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters import recent
from clusters.enums import Phase, Title
from clusters.services import signing as signing_services
from clusters.services.activities import activity_record
from scoring import services, workflow
from scoring.enums import Stage
from scoring.models import ScoreEntry

D = Decimal
pytestmark = pytest.mark.django_db


def entry(sheet, code) -> ScoreEntry:
    return sheet.entries.select_related("criterion", "sheet").get(criterion__code=code)


def set_phase(org, phase):
    org.campaign.phase = phase
    org.campaign.save()


@pytest.fixture
def history(org, table):
    """Self-assessment: M1's officer scores I.1 10 then 12; L1's officer scores its own unit;
    O1 (the other cluster) scores its own. Then cluster scoring: L1 scores M1's I.1 at 9."""
    set_phase(org, Phase.SELF_ASSESSMENT)
    own = {}
    for unit, user, cluster in (
        (org.member_unit, org.member, org.cluster),
        (org.leader_unit, org.leader, org.cluster),
        (org.outsider_unit, org.outsider, org.other_cluster),
    ):
        own[unit.code] = services.sheet_get_or_create(cluster=cluster, unit=unit, stage=Stage.SELF)
        services.entry_update(
            entry=entry(own[unit.code], "I.1"), user=user, values={"points": D(10)}
        )
    services.entry_update(entry=entry(own["M1"], "I.1"), user=org.member, values={"points": D(12)})
    set_phase(org, Phase.CLUSTER_SCORING)
    cluster_m1 = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.CLUSTER
    )
    services.entry_update(entry=entry(cluster_m1, "I.1"), user=org.leader, values={"points": D(9)})
    org.own, org.cluster_m1 = own, cluster_m1
    return org


def texts(user, org, cluster_ids=None):
    ids = cluster_ids if cluster_ids is not None else [org.cluster.pk, org.other_cluster.pk]
    return [e.text for e in recent.recent(user, org.campaign, ids).events]


def test_sentences_newest_first_with_before_and_after(history, settings):
    settings.LANGUAGE_CODE = "en"
    events = texts(history.admin, history)
    name = history.member_unit.name
    assert events[0] == f"{history.leader} scored criterion I.1 of {name} (Cluster scoring): — → 9"
    assert f"{history.member} scored criterion I.1 of {name} (Self-assessment): 10 → 12" in events
    assert f"{history.member} scored criterion I.1 of {name} (Self-assessment): — → 10" in events
    assert events.index(
        f"{history.member} scored criterion I.1 of {name} (Self-assessment): 10 → 12"
    ) < (events.index(f"{history.member} scored criterion I.1 of {name} (Self-assessment): — → 10"))


def test_a_unit_officer_sees_only_their_units_sheets(history, settings):
    settings.LANGUAGE_CODE = "en"
    member = texts(history.member, history)
    assert any(history.member_unit.name in t for t in member)
    assert not any(history.leader_unit.name in t for t in member)
    assert not any(history.outsider_unit.name in t for t in member)
    # The cluster's score of M1 is not theirs before explanations open.
    assert not any("(Cluster scoring)" in t for t in member)
    set_phase(history, Phase.EXPLANATION)
    assert any("(Cluster scoring)" in t for t in texts(history.member, history))


def test_the_clusters_leader_sees_the_members_and_staff_see_all(history, settings):
    settings.LANGUAGE_CODE = "en"
    leader = texts(history.leader, history)
    assert any(history.member_unit.name in t for t in leader)
    assert not any(history.outsider_unit.name in t for t in leader)
    staff = texts(history.staff, history)
    assert any(history.outsider_unit.name in t for t in staff)


def test_status_changes_and_phases(history, client):
    set_phase(history, Phase.SELF_ASSESSMENT)
    sheet = history.own["M1"]
    services.sheet_fill(
        sheet=sheet,
        values={
            "I.1": {"points": D(12)},
            "I.2": {"numerator": 1, "denominator": 1},
            "I.3": {"numerator": 1, "denominator": 1},
            "B": {"count": 0},
            "T": {"points": D(0)},
            "V": {"violated": False},
        },
    )
    workflow.sheet_submit(sheet=sheet, user=history.member)
    workflow.sheet_return(sheet=sheet, user=history.leader, comment="Thiếu minh chứng")
    client.force_login(history.member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("cluster_recent", args=[history.cluster.pk])).content.decode()
    name = history.member_unit.name
    assert f"{history.member} submitted the self-assessment sheet of {name}." in page
    assert f"{history.leader} returned the self-assessment sheet of {name} for correction." in page
    assert "moved the campaign to the phase" in page
    # Inputs stored by an import (points computed afterwards) are told as inputs.
    assert f"The system entered 1 / 1 for criterion I.2 of {name} (Self-assessment)." in page


def test_pages_and_panels(history, client):
    client.force_login(history.leader)
    cluster_page = client.get(reverse("cluster_detail", args=[history.cluster.pk]))
    assert reverse("cluster_recent", args=[history.cluster.pk]) in cluster_page.content.decode()
    response = client.get(reverse("campaign_recent", args=[history.campaign.pk]))
    assert response.status_code == 200
    assert response.context["page"].events
    client.force_login(history.outsider)
    assert client.get(reverse("cluster_recent", args=[history.cluster.pk])).status_code == 404


def test_paging(history, monkeypatch):
    monkeypatch.setattr(recent, "PER_PAGE", 2)
    first = recent.recent(history.admin, history.campaign, [history.cluster.pk], 1)
    second = recent.recent(history.admin, history.campaign, [history.cluster.pk], 2)
    assert len(first.events) == 2
    assert first.has_next
    assert second.has_previous
    assert not set(first.events) & set(second.events)
    assert first.events[-1].when >= second.events[0].when


def _sign(org) -> None:
    """Every kind of signing record, each by a user, and two activities of the cluster."""
    signing_services.signing_conference_record(
        cluster=org.cluster, held_on=dt.date(2023, 2, 20), place="P", chair="C", user=org.leader
    )
    pledge = signing_services.pledge_record(
        cluster=org.cluster, slogan="S", items=[("A", "B")], user=org.leader
    )
    for unit in (org.member_unit, org.leader_unit):
        signing_services.signature_sign(
            pledge=pledge,
            unit=unit,
            signatory="X",
            position="Y",
            signed_on=dt.date(2023, 2, 20),
            user=org.deputy,
        )
        signing_services.registration_record(
            campaign=org.campaign, unit=unit, titles=[Title.ADVANCED], user=org.member
        )
    for day in (1, 2):
        activity_record(
            clusters=[org.cluster],
            held_on=dt.date(2023, 5, day),
            host=org.member_unit,
            title=f"Giao lưu {day}",
            user=org.leader,
        )


def test_query_count_does_not_grow_with_the_history(history, client, django_assert_num_queries):
    client.force_login(history.leader)
    url = reverse("cluster_recent", args=[history.cluster.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        small_events = client.get(url).context["page"].events
    sheet = history.own["M1"]
    for points in range(1, 15):
        services.entry_update(
            entry=entry(sheet, "I.1"), user=history.member, values={"points": D(points)}
        )
    _sign(history)  # the signing records and activities (clusters.recent) cost no more either
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].events) > len(small_events)
