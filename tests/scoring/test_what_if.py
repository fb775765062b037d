"""What it takes to lead (issue 16 point 5): the gap to the cluster's leading unit and the
points still open per criterion, hand-computed; the what-if mode recomputes with the same
engine as a save and stores nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.enums import MemberRole, Phase
from scoring import engine, services
from scoring.enums import Stage
from scoring.models import ScoreEntry, ScoreSheet
from tests.factories import MembershipFactory, UnitFactory

D = Decimal
pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}

# Cluster stage, the table of tests/scoring/conftest.py:
# L1: I.1 15, I.2 50/50 → 20, I.3 45/50 = 90% = T → 10; B 2; T 1 → base 45, total 46.
# D1: I.1 18, I.2 → 20, I.3 48/50 = 96%, e = 6/90, the largest → 20; → base 58, total 58.
# M1: I.1 10, I.2 40/50 = 80% < 100 → 0, I.3 → 10; B 1; T 2 → base 20, total 19.
VALUES = {
    "L1": {
        "I.1": {"points": D(15)},
        "I.2": {"numerator": 50, "denominator": 50},
        "I.3": {"numerator": 45, "denominator": 50},
        "B": {"count": 2},
        "T": {"points": D(1)},
        "V": {"violated": False},
    },
    "D1": {
        "I.1": {"points": D(18)},
        "I.2": {"numerator": 50, "denominator": 50},
        "I.3": {"numerator": 48, "denominator": 50},
        "B": {"count": 0},
        "T": {"points": D(0)},
        "V": {"violated": False},
    },
    "M1": {
        "I.1": {"points": D(10)},
        "I.2": {"numerator": 40, "denominator": 50},
        "I.3": {"numerator": 45, "denominator": 50},
        "B": {"count": 1},
        "T": {"points": D(2)},
        "V": {"violated": False},
    },
}


@pytest.fixture
def scored(org, sheets):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    for code, sheet in sheets.items():
        services.sheet_fill(sheet=sheet, values=VALUES[code])
    services.recompute_scope(ScoreSheet.objects.filter(cluster=org.cluster))
    return {code: ScoreSheet.objects.get(pk=s.pk) for code, s in sheets.items()}


def entry(sheet, code) -> ScoreEntry:
    return sheet.entries.select_related("criterion").get(criterion__code=code)


def test_the_figures_are_as_hand_computed(scored):
    assert [scored[c].total for c in ("L1", "D1", "M1")] == [D("46.00"), D("58.00"), D("19.00")]
    assert [scored[c].rank for c in ("L1", "D1", "M1")] == [2, 1, 3]


def test_engine_open_points_hand_computed():
    specs = [
        engine.CriterionSpec(code="I", kind="group", max_points=D(40)),
        engine.CriterionSpec(code="I.1", kind="manual", max_points=D(20), parent="I"),
        engine.CriterionSpec(code="I.2", kind="manual", max_points=D(20), parent="I"),
        engine.CriterionSpec(code="I.3", kind="manual", max_points=D(5), parent="I"),
        engine.CriterionSpec(code="B", kind="bonus", max_points=D(5)),
        engine.CriterionSpec(code="T", kind="deduction", max_points=D(10)),
        engine.CriterionSpec(code="V", kind="veto", max_points=D(0), deduct=D("2.5")),
    ]
    points = {"I.1": D("12.25"), "I.2": None, "B": D(1), "T": D("1.5"), "I.3": D(1)}
    found = engine.open_points(specs, points, {"V": True}, not_assigned={"I.3"})
    assert found["I.1"].open == D("7.75")
    assert found["I.2"].open == D("20.00")  # no input yet: everything is open
    assert "I.3" not in found  # not assigned: nothing open, nothing lost
    assert found["I"].open == D("27.75")
    assert found["B"].open == D("4.00")
    assert found["T"].suffered == D("1.50")
    assert found["V"].suffered == D("2.50")
    sheets = {1: engine.RankInput(D(50), True), 2: engine.RankInput(D(40), False)}
    assert engine.leader_total(sheets) == D(40)  # a vetoed unit does not lead
    assert engine.gap_to_lead(D("33.5"), D(40)) == D("6.50")
    assert engine.gap_to_lead(D(45), D(40)) == D("0.00")
    assert engine.gap_to_lead(D(45), None) is None


def test_gap_and_open_points_on_the_sheet_page(client, org, scored):
    client.force_login(org.leader)  # the leader unit sees the cluster's ranking
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("sheet_detail", args=[scored["M1"].pk]))
    page = response.content.decode()
    found = response.context["lead"]
    assert found.gap == D("39.00")  # 58 − 19
    assert found.leaders == [org.deputy_unit.name]
    assert found.open_base == D("40.00")  # I: (20 − 10) + (20 − 0) + (20 − 10)
    assert found.suffered == D("2.00")
    assert 'data-gap="39.00"' in page
    assert 'data-open="I.2"' in page
    assert 'data-suffered="T"' in page
    # The what-if mode costs the page nothing until used: the switch and an empty result
    # region, no second set of (trial) inputs, no trial points (static/js/what_if.js).
    assert response.context["can_edit"]
    assert "data-what-if-toggle" in page
    assert 'aria-pressed="false"' in page
    assert 'name="w' not in page
    assert 'id="wp-' not in page
    assert "Trial mode: nothing is saved." in page
    leader_page = client.get(reverse("sheet_detail", args=[scored["D1"].pk]))
    assert leader_page.context["lead"].gap == D("0.00")
    assert 'data-gap="0"' in leader_page.content.decode()


def test_a_read_only_sheet_has_no_what_if_switch(client, org, scored):
    # The member sees its unit's self-assessment read-only once the cluster scores: nothing
    # to try (the mode changes the sheet's own inputs), the open points still shown.
    sheet = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")
    client.force_login(org.member)
    response = client.get(reverse("sheet_detail", args=[sheet.pk]))
    assert response.status_code == 200
    assert not response.context["can_edit"]
    assert response.context["lead"] is not None
    assert 'data-open="I.1"' in response.content.decode()
    page = response.content.decode()
    assert "data-what-if-toggle" not in page
    assert "js/what_if.js" not in page


def test_no_gap_where_the_ranking_is_not_visible(client, org, table):
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    sheet = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")
    client.force_login(org.member)
    response = client.get(reverse("sheet_detail", args=[sheet.pk]))
    assert response.context["lead"].gap is None  # the others' self totals are not theirs
    assert response.context["lead"].open_base == D("60.00")
    assert "data-gap" not in response.content.decode()
    answer = client.post(
        reverse("sheet_what_if", args=[sheet.pk]),
        {f"w{entry(sheet, 'I.1').pk}-points": "12"},
        **HTMX,
    )
    assert answer.context["result"].figures.total == D("12.00")
    assert answer.context["result"].rank is None
    assert 'data-what-if-figure="rank"' not in answer.content.decode()


def _what_if_post(client, sheet, data):
    return client.post(reverse("sheet_what_if", args=[sheet.pk]), data, **HTMX)


def test_what_if_equals_the_engine_after_a_save_and_saves_nothing(client, org, scored):
    m1 = scored["M1"]
    i2, i3 = entry(m1, "I.2"), entry(m1, "I.3")
    data = {
        f"w{i2.pk}-numerator": "50",
        f"w{i2.pk}-denominator": "50",
        f"w{i3.pk}-numerator": "49",
        f"w{i3.pk}-denominator": "50",
        f"w{entry(m1, 'I.1').pk}-points": "10",  # unchanged: ignored
    }
    client.force_login(org.leader)
    history = ScoreEntry.history.count()
    versions = list(ScoreSheet.objects.order_by("pk").values_list("pk", "version", "total"))
    entries = list(ScoreEntry.objects.order_by("pk").values_list("pk", "version", "points"))
    with CaptureQueriesContext(connection) as queries:
        response = _what_if_post(client, m1, data)
    assert response.status_code == 200
    written = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    # The session and the request log may write; nothing of the scores does.
    assert not [sql for sql in written if "scoring_" in sql]
    assert ScoreEntry.history.count() == history
    assert list(ScoreSheet.objects.order_by("pk").values_list("pk", "version", "total")) == versions
    assert list(ScoreEntry.objects.order_by("pk").values_list("pk", "version", "points")) == entries

    # By hand: M1's I.3 at 98% (e = 8/90) becomes the largest: 20; D1's (e = 6/90) falls to
    # 10 × (1 + 6/8) = 17.50, so D1 totals 55.50. M1: 10 + 20 + 20 = 50 base, + 1 − 2 = 49.
    result = response.context["result"]
    assert result.figures.total == D("49.00")
    assert result.figures.band == "Khá"
    assert result.rank == 2
    assert result.leading is False
    assert result.leader_total == D("55.50")
    assert result.gap == D("6.50")
    assert result.points[i3.pk] == D("20.00")
    assert result.moved == {i2.pk, i3.pk}
    page = response.content.decode()
    assert f'id="wp-{i3.pk}"' in page
    assert 'data-what-if-figure="gap"' in page

    # The same change saved through the service gives the same figures.
    for changed, values in (
        (i2, {"numerator": 50, "denominator": 50}),
        (i3, {"numerator": 49, "denominator": 50}),
    ):
        services.entry_update(entry=changed, user=None, values=values)
    saved = ScoreSheet.objects.get(pk=m1.pk)
    assert (saved.total, saved.band, saved.rank, saved.leading) == (
        result.figures.total,
        result.figures.band,
        result.rank,
        result.leading,
    )
    assert ScoreSheet.objects.get(pk=scored["D1"].pk).total == result.leader_total


def test_what_if_refuses_bad_inputs_naming_the_criterion(client, org, scored):
    client.force_login(org.leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    m1 = scored["M1"]
    response = _what_if_post(client, m1, {f"w{entry(m1, 'I.1').pk}-points": "25"})
    assert response.context["result"] is None
    assert any("I.1" in e for e in response.context["errors"])
    assert "data-what-if-errors" in response.content.decode()


def test_what_if_scope(client, org, scored):
    client.force_login(org.outsider)
    m1 = scored["M1"]
    assert _what_if_post(client, m1, {}).status_code == 404
    client.force_login(org.member)  # the cluster stage is not the member's before explanations
    assert _what_if_post(client, m1, {}).status_code == 404
    assert client.get(reverse("sheet_what_if", args=[m1.pk])).status_code == 405


def _grow(org, n):
    for i in range(n):
        unit = UnitFactory(code=f"X{i}", parent=org.province)
        MembershipFactory(cluster=org.cluster, unit=unit, role=MemberRole.MEMBER)
        sheet = services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.CLUSTER)
        services.sheet_fill(sheet=sheet, values=VALUES["M1"])
    services.recompute_scope(ScoreSheet.objects.filter(cluster=org.cluster))


def test_what_if_query_count_does_not_grow(client, org, scored, django_assert_num_queries):
    client.force_login(org.leader)
    m1 = scored["M1"]
    i3 = entry(m1, "I.3")
    data = {f"w{i3.pk}-numerator": "49", f"w{i3.pk}-denominator": "50"}
    _what_if_post(client, m1, data)
    with CaptureQueriesContext(connection) as small:
        _what_if_post(client, m1, data)
    _grow(org, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        response = _what_if_post(client, m1, data)
    assert response.context["result"].figures is not None


def test_ranking_shows_each_units_gap_to_the_leader(client, org, scored):
    client.force_login(org.staff)
    response = client.get(reverse("ranking", args=[org.cluster.pk, Stage.CLUSTER]))
    gaps = {row.sheet.unit.code: row.gap for row in response.context["rows"]}
    assert gaps == {"D1": D("0.00"), "L1": D("12.00"), "M1": D("39.00")}
    assert 'data-gap="39.00"' in response.content.decode()
