"""The scoring grid (cluster scoring and final review): who may see and do what at each
phase, saving cells (parsed values, errors on the cell, stale versions, crafted requests),
overrides, starting stages, publishing and reopening, and a fixed number of queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from clusters.enums import MemberRole, Phase
from scoring import services, workflow
from scoring.enums import SheetStatus, Stage
from scoring.models import (
    Criterion,
    Explanation,
    Publication,
    ScoreEntry,
    ScoreSheet,
    ScoreTable,
    UnitTarget,
)
from scoring.views.grid_build import build_grid
from scoring.views.grid_html import Marks, cell_html
from tests.factories import ClusterFactory, MembershipFactory, UnitFactory, UserFactory

D = Decimal
pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ROLES = ["admin", "staff", "leader", "deputy", "member", "outsider"]
STALE = "Người khác đã thay đổi điểm này trước; đang hiển thị giá trị mới nhất."

FULL = {
    "I.1": {"points": D("15")},
    "I.2": {"numerator": 50, "denominator": 50},
    "I.3": {"numerator": 45, "denominator": 50},
    "B": {"count": 2},
    "T": {"points": D("1")},
    "V": {"violated": False},
}


def set_phase(org, phase):
    org.campaign.phase = phase
    org.campaign.save()


def entry(sheet, code) -> ScoreEntry:
    return ScoreEntry.objects.get(sheet=sheet, criterion__code=code)


def grid_url(cluster, stage="cluster", **query) -> str:
    url = reverse("grid", args=[cluster.pk, stage])
    return f"{url}?by=units" if query.get("by") == "units" else url


def save_url(cluster, e, stage="cluster") -> str:
    return reverse("grid_cell_save", args=[cluster.pk, stage, e.pk])


def override_url(cluster, e, stage="final") -> str:
    return reverse("grid_override", args=[cluster.pk, stage, e.pk])


def as_user(client, user):
    client.force_login(user)
    return client


def post_cell(client, cluster, e, field, value, *, stage="cluster", version=None, **extra):
    data = {"field": field, "value": value, "version": e.version if version is None else version}
    data.update({k: str(v) for k, v in extra.items()})
    return client.post(save_url(cluster, e, stage), data, **HTMX)


def save(client, user, cluster, e, field, value, **kwargs):
    return post_cell(as_user(client, user), cluster, e, field, value, **kwargs)


def cells(response, prefix: str) -> dict[int, str]:
    """{sheet id: text} of the figure cells with ids like ``ftotal-<sheet>``."""
    html = response.content.decode()
    pattern = rf'id="{prefix}-(\d+)"[^>]*>([^<]*)'
    return {int(pk): text.strip() for pk, text in re.findall(pattern, html)}


def input_tag(response, e, field) -> str:
    match = re.search(rf'<input id="i{e.pk}-{field}"[^>]*>', response.content.decode())
    assert match, f"no input for entry {e.pk} {field}"
    return match.group(0)


def fill_all(sheets, values=FULL):
    for sheet in sheets:
        services.sheet_fill(sheet=sheet, values=values)
    services.recompute_scope(ScoreSheet.objects.filter(pk__in=[s.pk for s in sheets]))


@pytest.fixture
def final(org, sheets):
    """The final review open, every cluster sheet complete, the final stage started."""
    fill_all(sheets.values())
    set_phase(org, Phase.FINAL_REVIEW)
    started = workflow.stage_start(cluster=org.cluster, stage=Stage.FINAL)
    return {s.unit.code: s for s in started}


# --- The grid page: who sees it --------------------------------------------------------------

GRID_OPEN = {
    "admin": 200,
    "staff": 200,
    "leader": 200,
    "deputy": 200,
    "member": 403,
    "outsider": 404,
}
FINAL_GRID = {
    "admin": 200,
    "staff": 200,
    "leader": 403,
    "deputy": 403,
    "member": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("phase", [Phase.CLUSTER_SCORING, Phase.EXPLANATION])
@pytest.mark.parametrize("role", ROLES)
def test_grid_cluster_stage_by_role_and_phase(client, org, sheets, role, phase):
    set_phase(org, phase)

    response = as_user(client, getattr(org, role)).get(grid_url(org.cluster))

    assert response.status_code == GRID_OPEN[role]


@pytest.mark.parametrize("role", ROLES)
def test_grid_final_stage_by_role(client, org, final, role):
    response = as_user(client, getattr(org, role)).get(grid_url(org.cluster, "final"))

    assert response.status_code == FINAL_GRID[role]


def test_grid_unknown_stage_not_found(client, org, sheets):
    response = as_user(client, org.staff).get(reverse("grid", args=[org.cluster.pk, "self"]))

    assert response.status_code == 404


def test_grid_post_not_allowed(client, org, sheets):
    response = as_user(client, org.leader).post(grid_url(org.cluster))

    assert response.status_code == 405


def test_grid_anonymous_goes_to_login(client, org, sheets):
    response = client.get(grid_url(org.cluster))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_grid_leader_scores_members_but_not_own_unit(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)

    response = as_user(client, org.leader).get(grid_url(org.cluster))

    assert "readonly" in input_tag(response, entry(sheets["L1"], "I.1"), "points")
    assert "readonly" not in input_tag(response, entry(sheets["D1"], "I.1"), "points")
    assert "readonly" not in input_tag(response, entry(sheets["M1"], "I.1"), "points")


def test_grid_deputy_scores_only_the_leader_unit(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)

    response = as_user(client, org.deputy).get(grid_url(org.cluster))

    assert "readonly" not in input_tag(response, entry(sheets["L1"], "I.1"), "points")
    assert "readonly" in input_tag(response, entry(sheets["D1"], "I.1"), "points")
    assert "readonly" in input_tag(response, entry(sheets["M1"], "I.1"), "points")


def test_grid_closed_phase_is_read_only(client, org, sheets):
    set_phase(org, Phase.EXPLANATION)

    response = as_user(client, org.leader).get(grid_url(org.cluster))

    for code in ("L1", "D1", "M1"):
        assert "readonly" in input_tag(response, entry(sheets[code], "I.1"), "points")


def test_grid_shows_every_input_line_and_self_values(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    own = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF)
    services.sheet_fill(sheet=own, values={"I.2": {"numerator": 7, "denominator": 9}})
    e = entry(sheets["M1"], "I.2")

    response = as_user(client, org.leader).get(grid_url(org.cluster))

    html = response.content.decode()
    assert f'id="i{e.pk}-numerator"' in html
    assert f'id="i{e.pk}-denominator"' in html
    cell = re.search(rf'<td id="c{e.pk}-numerator".*?</td>', html).group(0)
    assert '<span class="gs">7</span>' in cell
    cell = re.search(rf'<td id="c{e.pk}-denominator".*?</td>', html).group(0)
    assert '<span class="gs">9</span>' in cell


def test_grid_units_as_rows_swaps_the_coordinates(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], "I.2")  # M1 is the third column (leader, deputy, member)

    by_criteria = as_user(client, org.leader).get(grid_url(org.cluster))
    by_units = client.get(grid_url(org.cluster, by="units"))

    # I.1 is input line 0, I.2's numerator line 1 and its denominator line 2.
    assert 'data-r="1" data-c="2"' in input_tag(by_criteria, e, "numerator")
    assert 'data-r="2" data-c="1"' in input_tag(by_units, e, "numerator")
    assert "score-grid by-units" in by_units.content.decode()


def test_grid_htmx_refresh_gets_the_card_only(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)

    response = as_user(client, org.leader).get(grid_url(org.cluster), **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="grid-card"')
    assert "<html" not in html


def test_grid_stage_not_started_offers_start(client, org, table):
    set_phase(org, Phase.CLUSTER_SCORING)

    response = as_user(client, org.leader).get(grid_url(org.cluster))

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("stage_start", args=[org.cluster.pk, "cluster"]) in html
    assert 'id="score-grid"' not in html


def test_grid_stage_not_started_without_start_for_staff_in_wrong_phase(client, org, table):
    set_phase(org, Phase.EXPLANATION)

    response = as_user(client, org.staff).get(grid_url(org.cluster, "final"))

    assert reverse("stage_start", args=[org.cluster.pk, "final"]) not in response.content.decode()


def test_grid_without_table_says_so(client, org):
    set_phase(org, Phase.CLUSTER_SCORING)

    response = as_user(client, org.leader).get(grid_url(org.cluster))

    assert response.status_code == 200
    assert response.context["grid"].table is None
    assert 'id="score-grid"' not in response.content.decode()


def test_grid_final_shows_explanations(client, org, final, sheets):
    e = entry(sheets["M1"], "I.3")
    Explanation.objects.create(entry=e, text="Đơn vị đã xử lý đủ 50 tin báo", author=org.member)

    response = as_user(client, org.staff).get(grid_url(org.cluster, "final"))

    html = response.content.decode()
    final_entry = entry(final["M1"], "I.3")
    cell = re.search(rf'<td id="c{final_entry.pk}-denominator".*?</td>', html, re.S).group(0)
    assert 'data-bs-content="Đơn vị đã xử lý đủ 50 tin báo"' in cell


def test_grid_return_action_only_for_submitted_self_sheets(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    submitted = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF
    )
    workflow.sheet_submit(sheet=submitted, user=org.member)
    draft = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.deputy_unit, stage=Stage.SELF
    )

    response = as_user(client, org.leader).get(grid_url(org.cluster))

    html = response.content.decode()
    assert f'id="return-{submitted.pk}"' in html
    assert f'id="return-{draft.pk}"' not in html


# --- Saving a cell: who may ----------------------------------------------------------------

SAVE_OPEN = {
    "admin": 403,
    "staff": 403,
    "leader": 200,
    "deputy": 403,
    "member": 404,  # a member does not see the cluster's scores while they are made
    "outsider": 404,
}
SAVE_CLOSED = {
    "admin": 403,
    "staff": 403,
    "leader": 403,
    "deputy": 403,
    "member": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_cell_save_member_column_during_cluster_scoring(client, org, sheets, role):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], "I.1")

    response = save(client, getattr(org, role), org.cluster, e, "points", "12")

    assert response.status_code == SAVE_OPEN[role]
    expected = D("12") if SAVE_OPEN[role] == 200 else None
    assert entry(sheets["M1"], "I.1").input_points == expected


@pytest.mark.parametrize("role", ROLES)
def test_cell_save_refused_when_cluster_scoring_closed(client, org, sheets, role):
    set_phase(org, Phase.EXPLANATION)
    e = entry(sheets["M1"], "I.1")

    response = save(client, getattr(org, role), org.cluster, e, "points", "12")

    assert response.status_code == SAVE_CLOSED[role]
    assert entry(sheets["M1"], "I.1").input_points is None


def test_cell_save_leader_cannot_score_own_unit(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["L1"], "I.1")

    response = save(client, org.leader, org.cluster, e, "points", "12")

    assert response.status_code == 403
    assert entry(sheets["L1"], "I.1").input_points is None


def test_cell_save_deputy_scores_the_leader_unit(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["L1"], "I.1")

    response = save(client, org.deputy, org.cluster, e, "points", "12")

    assert response.status_code == 200
    assert entry(sheets["L1"], "I.1").input_points == D("12")


def test_cell_save_get_not_allowed(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], "I.1")

    response = as_user(client, org.leader).get(save_url(org.cluster, e))

    assert response.status_code == 405


# --- Saving a cell: what it does -------------------------------------------------------------


def test_cell_save_stores_the_parsed_value_and_answers_totals_and_ranks(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], "I.1")

    response = save(client, org.leader, org.cluster, e, "points", "12,5")

    stored = entry(sheets["M1"], "I.1")
    assert (stored.input_points, stored.points, stored.version) == (D("12.5"), D("12.50"), 2)
    assert ScoreSheet.objects.get(pk=sheets["M1"].pk).total == D("12.50")
    totals = cells(response, "ftotal")
    ranks = cells(response, "frank")
    assert totals == {sheets["L1"].pk: "0,00", sheets["D1"].pk: "0,00", sheets["M1"].pk: "12,50"}
    assert {pk: text.split()[0] for pk, text in ranks.items()} == {
        sheets["L1"].pk: "2",
        sheets["D1"].pk: "2",
        sheets["M1"].pk: "1",
    }
    assert cells(response, "fband") == {
        sheets["L1"].pk: "Đạt",
        sheets["D1"].pk: "Đạt",
        sheets["M1"].pk: "Đạt",
    }
    assert 'value="12,5"' in input_tag(response, stored, "points")
    assert 'data-version="2"' in input_tag(response, stored, "points")
    html = response.content.decode()
    # The unit's subtotal of group I, and every unit's header figures, swapped out of band.
    group = Criterion.objects.get(table=sheets["M1"].table, code="I")
    assert re.search(
        rf'<td id="s{sheets["M1"].pk}-{group.pk}" class="gsub" hx-swap-oob="true">12,50<', html
    )
    assert f'id="h{sheets["L1"].pk}"' in html


def test_cell_save_rate_inputs_together(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], "I.2")

    response = save(client, org.leader, org.cluster, e, "numerator", "10", denominator="10")

    stored = entry(sheets["M1"], "I.2")
    assert response.status_code == 200
    assert (stored.numerator, stored.denominator, stored.points) == (10, 10, D("20.00"))
    assert cells(response, "ftotal")[sheets["M1"].pk] == "20,00"


def test_cell_save_relative_criterion_updates_every_unit(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    services.entry_update(
        entry=entry(sheets["L1"], "I.3"), values={"numerator": 50, "denominator": 50}
    )
    e = entry(sheets["M1"], "I.3")

    response = save(client, org.leader, org.cluster, e, "numerator", "45", denominator="50")

    # M1 90% meets the 90% target (10 points); L1 100% is the leader (20 points).
    assert response.status_code == 200
    leader_entry = entry(sheets["L1"], "I.3")
    assert (leader_entry.points, entry(sheets["M1"], "I.3").points) == (D("20.00"), D("10.00"))
    html = response.content.decode()
    assert re.search(rf'id="p{leader_entry.pk}"[^>]*hx-swap-oob="true">20,00<', html)
    assert cells(response, "ftotal")[sheets["L1"].pk] == "20,00"
    assert cells(response, "frank")[sheets["L1"].pk].startswith("1")


@pytest.mark.parametrize(
    ("code", "field", "value", "extra", "message"),
    [
        ("I.1", "points", "abc", {}, "I.1: điểm phải là số"),
        ("I.1", "points", "25", {}, "I.1: điểm 25 vượt quá mức tối đa"),
        (
            "I.2",
            "numerator",
            "12",
            {"denominator": "10"},
            "I.2: tử số 12 không được lớn hơn mẫu số 10",
        ),
    ],
)
def test_cell_save_invalid_input_shows_error_and_stores_nothing(
    client, org, sheets, code, field, value, extra, message
):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], code)

    response = save(client, org.leader, org.cluster, e, field, value, **extra)

    assert response.status_code == 422
    stored = entry(sheets["M1"], code)
    assert (stored.version, stored.input_points, stored.numerator, stored.points) == (
        1,
        None,
        None,
        None,
    )
    html = response.content.decode()
    cell = re.search(rf'<td id="c{e.pk}-{field}" class="([^"]*)".*?</td>', html, re.S)
    assert "is-invalid" in cell.group(1)
    assert message in cell.group(0)
    assert f'value="{value}"' in input_tag(response, e, field)


def test_cell_save_pass_fail_and_veto_take_yes_no(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    veto = entry(sheets["M1"], "V")

    response = save(client, org.leader, org.cluster, veto, "violated", "có")

    assert response.status_code == 200
    assert entry(sheets["M1"], "V").violated is True
    assert 'value="1"' in input_tag(response, veto, "violated")


def test_cell_save_stale_version_refused_with_newer_value(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], "I.1")
    save(client, org.leader, org.cluster, e, "points", "10")  # someone saves first

    response = save(client, org.leader, org.cluster, e, "points", "5", version=1)

    assert response.status_code == 409
    stored = entry(sheets["M1"], "I.1")
    assert (stored.input_points, stored.version) == (D("10"), 2)
    tag = input_tag(response, e, "points")
    assert 'value="10"' in tag
    assert 'data-version="2"' in tag
    assert STALE in response.content.decode()


def test_cell_save_stale_pair_shows_the_other_input_too(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], "I.2")
    services.entry_update(entry=e, values={"numerator": 3, "denominator": 4})

    response = save(
        client, org.leader, org.cluster, e, "numerator", "1", version=1, denominator="1"
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert re.search(rf'<td id="c{e.pk}-denominator" class="[^"]*" hx-swap-oob="true">', html)
    assert 'value="4"' in input_tag(response, e, "denominator")
    assert entry(sheets["M1"], "I.2").numerator == 3


def test_cell_save_bad_requests(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], "I.1")
    as_user(client, org.leader)

    no_version = client.post(save_url(org.cluster, e), {"field": "points", "value": "1"})
    wrong_field = client.post(
        save_url(org.cluster, e), {"field": "numerator", "value": "1", "version": "1"}
    )

    assert (no_version.status_code, wrong_field.status_code) == (400, 400)
    assert entry(sheets["M1"], "I.1").version == 1


def test_cell_save_entry_of_another_cluster_not_found(client, org, table, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    other = services.sheet_get_or_create(
        cluster=org.other_cluster, unit=org.outsider_unit, stage=Stage.CLUSTER
    )
    e = entry(other, "I.1")

    as_staff = save(client, org.staff, org.cluster, e, "points", "5")
    # The other cluster's leader sees the entry, but not through this cluster's grid.
    as_its_leader = save(client, org.outsider, org.cluster, e, "points", "5")

    assert (as_staff.status_code, as_its_leader.status_code) == (404, 404)
    assert entry(other, "I.1").version == 1


def test_cell_save_entry_of_another_stage_not_found(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    own = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF)
    e = entry(own, "I.1")

    response = save(client, org.leader, org.cluster, e, "points", "5")

    assert response.status_code == 404
    assert entry(own, "I.1").version == 1


def test_cell_save_url_of_another_cluster_not_found(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], "I.1")

    response = save(client, org.leader, org.other_cluster, e, "points", "5")

    assert response.status_code == 404
    assert entry(sheets["M1"], "I.1").version == 1


def test_cell_save_final_stage_by_staff(client, org, final):
    e = entry(final["M1"], "I.1")

    response = save(client, org.staff, org.cluster, e, "points", "18", stage="final")

    assert response.status_code == 200
    assert entry(final["M1"], "I.1").input_points == D("18")


@pytest.mark.parametrize(("role", "status"), [("leader", 404), ("member", 404), ("admin", 200)])
def test_cell_save_final_stage_roles(client, org, final, role, status):
    e = entry(final["M1"], "I.1")

    response = save(client, getattr(org, role), org.cluster, e, "points", "18", stage="final")

    assert response.status_code == status


def test_cell_save_locked_stage_refused(client, org, final):
    workflow.cluster_publish(cluster=org.cluster, user=org.staff)
    e = entry(final["M1"], "I.1")

    response = save(client, org.admin, org.cluster, e, "points", "3", stage="final")

    assert response.status_code == 403
    stored = entry(final["M1"], "I.1")
    assert (stored.input_points, stored.version) == (D("15"), e.version)


def test_grid_published_stage_is_read_only(client, org, final):
    workflow.cluster_publish(cluster=org.cluster, user=org.staff)

    response = as_user(client, org.staff).get(grid_url(org.cluster, "final"))

    assert "readonly" in input_tag(response, entry(final["M1"], "I.1"), "points")
    assert 'id="override-modal"' not in response.content.decode()


# --- Overrides -----------------------------------------------------------------------------------


def test_override_needs_a_reason(client, org, final):
    e = entry(final["M1"], "I.2")

    response = as_user(client, org.staff).post(
        override_url(org.cluster, e),
        {"override": "7,5", "reason": "", "version": e.version},
        **HTMX,
    )

    assert response.status_code == 422
    assert "I.2: điều chỉnh điểm phải ghi rõ lý do." in response.content.decode()
    stored = entry(final["M1"], "I.2")
    assert (stored.override, stored.version) == (None, e.version)


def test_override_with_reason_counts_and_clears(client, org, final):
    e = entry(final["M1"], "I.2")
    as_user(client, org.staff)

    response = client.post(
        override_url(org.cluster, e),
        {"override": "7,5", "reason": "Số liệu xác minh lại", "version": e.version},
        **HTMX,
    )

    stored = entry(final["M1"], "I.2")
    assert response.status_code == 200
    assert (stored.override, stored.override_reason, stored.points) == (
        D("7.5"),
        "Số liệu xác minh lại",
        D("7.50"),
    )
    # I.1 15 + I.2 7.5 + I.3 10 (90% meets the 90% target, others equal) + bonus 2 − 1
    assert ScoreSheet.objects.get(pk=final["M1"].pk).total == D("33.50")
    assert cells(response, "ftotal")[final["M1"].pk] == "33,50"
    assert re.search(rf'id="p{e.pk}" class="gp is-override"', response.content.decode())

    cleared = client.post(
        override_url(org.cluster, e),
        {"override": "", "reason": "", "version": stored.version},
        **HTMX,
    )

    stored = entry(final["M1"], "I.2")
    assert cleared.status_code == 200
    assert (stored.override, stored.override_reason, stored.points) == (None, "", D("20.00"))


def test_override_without_htmx_redirects_with_message(client, org, final):
    e = entry(final["M1"], "I.1")

    response = as_user(client, org.staff).post(
        override_url(org.cluster, e),
        {"override": "3", "reason": "Thiếu hồ sơ", "version": e.version},
    )

    assert response.status_code == 302
    assert response["Location"] == grid_url(org.cluster, "final")
    assert entry(final["M1"], "I.1").override == D("3")
    assert len(list(get_messages(response.wsgi_request))) == 1


def test_override_stale_version_refused(client, org, final):
    e = entry(final["M1"], "I.1")
    services.entry_update(entry=e, values={"points": D("14")})

    response = as_user(client, org.staff).post(
        override_url(org.cluster, e), {"override": "3", "reason": "Lý do", "version": 1}, **HTMX
    )

    assert response.status_code == 409
    assert STALE in response.content.decode()
    assert entry(final["M1"], "I.1").override is None


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("staff", 200), ("leader", 404), ("member", 404), ("outsider", 404)],
)
def test_override_final_stage_roles(client, org, final, role, status):
    e = entry(final["M1"], "I.1")

    response = as_user(client, getattr(org, role)).post(
        override_url(org.cluster, e),
        {"override": "3", "reason": "Lý do", "version": e.version},
        **HTMX,
    )

    assert response.status_code == status
    assert (entry(final["M1"], "I.1").override == D("3")) == (status == 200)


def test_override_veto_refused(client, org, final):
    e = entry(final["M1"], "V")

    response = as_user(client, org.staff).post(
        override_url(org.cluster, e),
        {"override": "1", "reason": "Lý do", "version": e.version},
        **HTMX,
    )

    assert response.status_code == 403


def test_override_locked_stage_refused(client, org, final):
    workflow.cluster_publish(cluster=org.cluster, user=org.staff)
    e = entry(final["M1"], "I.1")

    response = as_user(client, org.admin).post(
        override_url(org.cluster, e),
        {"override": "3", "reason": "Lý do", "version": e.version},
        **HTMX,
    )

    assert response.status_code == 403
    assert entry(final["M1"], "I.1").override is None


def test_override_get_not_allowed(client, org, final):
    e = entry(final["M1"], "I.1")

    response = as_user(client, org.staff).get(override_url(org.cluster, e))

    assert response.status_code == 405


def test_override_at_cluster_stage_by_its_scorer(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)
    e = entry(sheets["M1"], "I.2")

    response = as_user(client, org.leader).post(
        override_url(org.cluster, e, "cluster"),
        {"override": "12", "reason": "Chưa giao chỉ tiêu", "version": e.version},
        **HTMX,
    )

    assert response.status_code == 200
    assert entry(sheets["M1"], "I.2").override == D("12")


# --- Starting a stage ------------------------------------------------------------------------

START_CLUSTER = {
    "admin": 302,
    "staff": 302,
    "leader": 302,
    "deputy": 302,
    "member": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_stage_start_cluster_by_role(client, org, table, role):
    set_phase(org, Phase.CLUSTER_SCORING)

    response = as_user(client, getattr(org, role)).post(
        reverse("stage_start", args=[org.cluster.pk, "cluster"])
    )

    assert response.status_code == START_CLUSTER[role]
    created = ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.CLUSTER).count()
    assert created == (3 if START_CLUSTER[role] == 302 else 0)


def test_stage_start_cluster_refused_when_phase_closed(client, org, table):
    set_phase(org, Phase.EXPLANATION)

    response = as_user(client, org.leader).post(
        reverse("stage_start", args=[org.cluster.pk, "cluster"])
    )

    assert response.status_code == 403
    assert not ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.CLUSTER).exists()


@pytest.mark.parametrize(("role", "status"), [("staff", 302), ("admin", 302), ("leader", 403)])
def test_stage_start_final_copies_the_cluster_scores(client, org, sheets, role, status):
    fill_all(sheets.values())
    set_phase(org, Phase.FINAL_REVIEW)

    response = as_user(client, getattr(org, role)).post(
        reverse("stage_start", args=[org.cluster.pk, "final"])
    )

    assert response.status_code == status
    finals = ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.FINAL)
    if status == 302:
        assert response["Location"] == grid_url(org.cluster, "final")
        assert sorted(finals.values_list("total", flat=True)) == [D("46.00")] * 3
    else:
        assert not finals.exists()


def test_stage_start_get_not_allowed_and_unknown_stage(client, org, table):
    set_phase(org, Phase.CLUSTER_SCORING)
    as_user(client, org.staff)

    wrong_method = client.get(reverse("stage_start", args=[org.cluster.pk, "cluster"]))
    unknown = client.post(reverse("stage_start", args=[org.cluster.pk, "self"]))

    assert (wrong_method.status_code, unknown.status_code) == (405, 404)


# --- Publishing and reopening -----------------------------------------------------------------


def test_publish_locks_every_final_sheet_and_records_it(client, org, final):
    response = as_user(client, org.staff).post(reverse("cluster_publish", args=[org.cluster.pk]))

    assert response.status_code == 302
    statuses = set(
        ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.FINAL).values_list(
            "status", flat=True
        )
    )
    assert statuses == {SheetStatus.LOCKED}
    publication = Publication.objects.get(cluster=org.cluster)
    assert (publication.action, publication.user) == (Publication.Action.PUBLISH, org.staff)
    assert workflow.is_published(org.cluster)


def test_publish_refused_while_sheets_incomplete(client, org, sheets):
    set_phase(org, Phase.FINAL_REVIEW)
    workflow.stage_start(cluster=org.cluster, stage=Stage.FINAL)

    response = as_user(client, org.staff).post(reverse("cluster_publish", args=[org.cluster.pk]))

    assert response.status_code == 302
    assert not Publication.objects.exists()
    assert len(list(get_messages(response.wsgi_request))) == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("staff", 302),
        ("leader", 403),
        ("deputy", 403),
        ("member", 403),
        ("outsider", 404),
    ],
)
def test_publish_by_role(client, org, final, role, status):
    response = as_user(client, getattr(org, role)).post(
        reverse("cluster_publish", args=[org.cluster.pk])
    )

    assert response.status_code == status
    assert Publication.objects.filter(cluster=org.cluster).exists() == (status == 302)


def test_publish_refused_outside_final_review(client, org, final):
    set_phase(org, Phase.EXPLANATION)

    response = as_user(client, org.staff).post(reverse("cluster_publish", args=[org.cluster.pk]))

    assert response.status_code == 403
    assert not Publication.objects.exists()


def test_publish_get_not_allowed(client, org, final):
    response = as_user(client, org.staff).get(reverse("cluster_publish", args=[org.cluster.pk]))

    assert response.status_code == 405


def test_grid_final_offers_publish_then_reopen(client, org, final):
    as_user(client, org.admin)
    before = client.get(grid_url(org.cluster, "final")).content.decode()
    workflow.cluster_publish(cluster=org.cluster, user=org.staff)

    after = client.get(grid_url(org.cluster, "final")).content.decode()
    as_staff = as_user(client, org.staff).get(grid_url(org.cluster, "final")).content.decode()

    publish = reverse("cluster_publish", args=[org.cluster.pk])
    reopen = reverse("cluster_reopen", args=[org.cluster.pk])
    assert (publish in before, reopen in before) == (True, False)
    assert (publish in after, reopen in after) == (False, True)
    assert (publish in as_staff, reopen in as_staff) == (False, False)


def test_reopen_by_administrator_with_reason_is_recorded(client, org, final):
    workflow.cluster_publish(cluster=org.cluster, user=org.staff)

    response = as_user(client, org.admin).post(
        reverse("cluster_reopen", args=[org.cluster.pk]), {"reason": "Sai số liệu I.2 của M1"}
    )

    assert response.status_code == 302
    last = Publication.objects.filter(cluster=org.cluster).order_by("-at", "-pk").first()
    assert (last.action, last.user, last.reason) == (
        Publication.Action.REOPEN,
        org.admin,
        "Sai số liệu I.2 của M1",
    )
    statuses = set(
        ScoreSheet.objects.filter(cluster=org.cluster, stage=Stage.FINAL).values_list(
            "status", flat=True
        )
    )
    assert statuses == {SheetStatus.DRAFT}


def test_reopen_needs_a_reason(client, org, final):
    workflow.cluster_publish(cluster=org.cluster, user=org.staff)

    response = as_user(client, org.admin).post(
        reverse("cluster_reopen", args=[org.cluster.pk]), {"reason": "  "}
    )

    assert response.status_code == 302
    assert Publication.objects.filter(cluster=org.cluster).count() == 1
    assert workflow.is_published(org.cluster)


@pytest.mark.parametrize(
    ("role", "status"),
    [("staff", 403), ("leader", 403), ("deputy", 403), ("member", 403), ("outsider", 404)],
)
def test_reopen_only_by_administrators(client, org, final, role, status):
    workflow.cluster_publish(cluster=org.cluster, user=org.staff)

    response = as_user(client, getattr(org, role)).post(
        reverse("cluster_reopen", args=[org.cluster.pk]), {"reason": "Lý do"}
    )

    assert response.status_code == status
    assert workflow.is_published(org.cluster)


def test_reopen_get_not_allowed(client, org, final):
    response = as_user(client, org.admin).get(reverse("cluster_reopen", args=[org.cluster.pk]))

    assert response.status_code == 405


# --- A fixed number of queries -------------------------------------------------------------------


def _bigger_cluster(org, units: int, extra_criteria: int):
    """A third cluster of ``units`` units (leader first) scored on a table with the
    fixture's criteria plus ``extra_criteria`` manual leaves in group I; self sheets (one
    submitted), an explanation and a unit target, so every part of the page has rows."""
    cluster = ClusterFactory(campaign=org.campaign, number=3, code="C3")
    members = []
    for i in range(units):
        unit = UnitFactory(code=f"Q{i:02d}", parent=org.province)
        role = MemberRole.LEADER if i == 0 else MemberRole.MEMBER
        MembershipFactory(cluster=cluster, unit=unit, role=role)
        members.append(unit)
    leader = UserFactory(username="leader3", unit=members[0])
    table = _table(org, cluster, extra_criteria)
    _populate(org, cluster, table, members)
    return cluster, leader, members


def _table(org, cluster, extra: int) -> ScoreTable:
    table = ScoreTable.objects.create(
        campaign=org.campaign,
        title=f"Thang điểm {cluster.code}",
        bands=[{"label": "Xuất sắc", "min": "50"}, {"label": "Đạt", "min": "0"}],
    )
    table.clusters.set([cluster])
    group = Criterion.objects.create(
        table=table, code="I", title="Nhóm I", kind="group", max_points=D(40 + 5 * extra), order=1
    )
    Criterion.objects.create(
        table=table, parent=group, code="I.1", title="A", kind="manual", max_points=D(20), order=1
    )
    Criterion.objects.create(
        table=table,
        parent=group,
        code="I.2",
        title="B",
        kind="target",
        max_points=D(20),
        metric="rate",
        method="relative",
        target=D(90),
        order=2,
    )
    for i in range(extra):
        Criterion.objects.create(
            table=table,
            parent=group,
            code=f"I.{i + 3}",
            title=f"C{i}",
            kind="manual",
            max_points=D(5),
            order=i + 3,
        )
    Criterion.objects.create(table=table, code="V", title="V", kind="veto", deduct=D(5), order=2)
    services.table_renumber(table=table)
    return services.table_publish(table=table)


def _populate(org, cluster, table, units):
    for i, unit in enumerate(units):
        sheet = services.sheet_get_or_create(cluster=cluster, unit=unit, stage=Stage.CLUSTER)
        services.sheet_fill(sheet=sheet, values={"I.2": {"numerator": 8 + i, "denominator": 20}})
        own = services.sheet_get_or_create(cluster=cluster, unit=unit, stage=Stage.SELF)
        services.sheet_fill(sheet=own, values={"I.1": {"points": D(10 + i)}})
        if i == 1:
            workflow.sheet_submit(sheet=own, user=None)
            Explanation.objects.create(entry=entry(sheet, "I.2"), text="Giải trình")
        UnitTarget.objects.create(
            criterion=table.criteria.get(code="I.2"), unit=unit, target=D(80 + i)
        )
    services.recompute_scope(ScoreSheet.objects.filter(cluster=cluster))


def _small_cluster(org, table, sheets):
    """The fixture's cluster (3 units × 7 criteria) populated like the bigger one."""
    units = [org.leader_unit, org.deputy_unit, org.member_unit]
    for i, unit in enumerate(units):
        services.sheet_fill(
            sheet=sheets[unit.code], values={"I.3": {"numerator": 8 + i, "denominator": 10}}
        )
        own = services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage=Stage.SELF)
        services.sheet_fill(sheet=own, values={"I.1": {"points": D(10 + i)}})
        if i == 1:
            workflow.sheet_submit(sheet=own, user=None)
            Explanation.objects.create(entry=entry(sheets[unit.code], "I.3"), text="Giải trình")
        UnitTarget.objects.create(
            criterion=table.criteria.get(code="I.3"), unit=unit, target=D(80 + i)
        )
    services.recompute_scope(ScoreSheet.objects.filter(cluster=org.cluster))


# The grid page's queries: the session, the user and their group (staff: their organisers,
# one query per level of their unit), the cluster, its members, units, sheets, entries,
# self-assessments, explanations, own targets, the navigation's roles, and the deadline
# banner's deadline (docs/deadlines.md); the published table is read once per process.
GRID_QUERIES = {"leader": 14, "staff": 14}


@pytest.mark.parametrize("role", ["leader", "staff"])
def test_grid_query_count_does_not_grow(
    client, org, table, sheets, django_assert_num_queries, django_assert_max_num_queries, role
):
    set_phase(org, Phase.CLUSTER_SCORING)
    _small_cluster(org, table, sheets)
    big, big_leader, _units = _bigger_cluster(org, units=8, extra_criteria=10)  # 8 × 12 + groups
    small_user, big_user = (org.leader, big_leader) if role == "leader" else (org.staff, org.staff)
    as_user(client, small_user).get(grid_url(org.cluster))  # warm the caches (session, etc.)

    with django_assert_max_num_queries(GRID_QUERIES[role]) as small:
        first = client.get(grid_url(org.cluster))
    measured = len(small.captured_queries)  # read before the next request clears the log
    as_user(client, big_user).get(grid_url(big))
    with django_assert_num_queries(measured):
        second = client.get(grid_url(big))

    assert (first.status_code, second.status_code) == (200, 200)
    assert len(second.context["grid"].columns) == 8
    assert sum(1 for line in second.context["grid"].lines if line["k"] == "i") == 14


def test_cell_save_query_count_does_not_grow(
    client, org, table, sheets, django_assert_num_queries, django_assert_max_num_queries
):
    set_phase(org, Phase.CLUSTER_SCORING)
    _small_cluster(org, table, sheets)
    big, big_leader, units = _bigger_cluster(org, units=8, extra_criteria=10)
    small_entry = entry(sheets["D1"], "I.1")  # D1 overtakes M1: ranks change, as in the big one
    big_sheet = ScoreSheet.objects.get(cluster=big, unit=units[3], stage=Stage.CLUSTER)
    big_entry = entry(big_sheet, "I.1")
    as_user(client, org.leader).get(grid_url(org.cluster))

    with django_assert_max_num_queries(12) as small:  # docs/performance.md, issue 13
        first = post_cell(client, org.cluster, small_entry, "points", "12")
    measured = len(small.captured_queries)  # read before the next request clears the log
    as_user(client, big_leader).get(grid_url(big))
    with django_assert_num_queries(measured):
        second = post_cell(client, big, big_entry, "points", "12")

    assert (first.status_code, second.status_code) == (200, 200)
    assert entry(big_sheet, "I.1").input_points == D("12")


def test_grid_marks_the_column_the_user_does_not_score(client, org, sheets):
    set_phase(org, Phase.CLUSTER_SCORING)

    response = as_user(client, org.leader).get(grid_url(org.cluster))

    columns = {c["unit"].code: c for c in response.context["grid"].columns}
    assert [code for code, c in columns.items() if c.get("lock")] == ["L1"]
    assert "gu-lock" in response.content.decode()


def test_grid_footer_shows_self_totals_and_group_sums(client, org):
    set_phase(org, Phase.CLUSTER_SCORING)
    table = ScoreTable.objects.create(
        campaign=org.campaign, title="Có nhóm điểm thưởng", bands=[{"label": "Đạt", "min": "0"}]
    )
    table.clusters.set([org.cluster])
    Criterion.objects.create(table=table, code="A", title="A", kind="manual", max_points=D(10))
    bonus = Criterion.objects.create(table=table, code="B", title="Thưởng", kind="group", order=2)
    for i in (1, 2):
        Criterion.objects.create(
            table=table,
            parent=bonus,
            code=f"B.{i}",
            title="b",
            kind="bonus",
            max_points=D(3),
            order=i,
        )
    services.table_renumber(table=table)
    services.table_publish(table=table)
    sheet = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="cluster")
    own = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")
    services.sheet_fill(sheet=sheet, values={"B.1": {"points": D("1.5")}, "B.2": {"points": D(2)}})
    services.sheet_fill(sheet=own, values={"A": {"points": D("9.25")}})
    services.recompute_scope(ScoreSheet.objects.filter(cluster=org.cluster))

    response = as_user(client, org.leader).get(grid_url(org.cluster))

    group = Criterion.objects.get(table=table, code="B")
    html = response.content.decode()
    assert f'<td id="s{sheet.pk}-{group.pk}" class="gsub">3,50</td>' in html
    assert cells(response, "fself") == {sheet.pk: "9,25"}
    assert cells(response, "fbonus") == {sheet.pk: "3,50"}


@pytest.mark.parametrize("by_units", [False, True])
def test_grid_page_cells_are_the_cells_a_save_answers(org, table, sheets, by_units):
    # The page writes its cells straight from the rows (page_cell_html); a save answers
    # with cell_html of build_grid's cells. Both must give the same HTML, for every kind
    # of cell: read-only (L1), own values, an explanation (D1, I.3), own targets (I.3),
    # an override (M1, I.1), pairs of inputs (I.2, I.3), a veto.
    set_phase(org, Phase.CLUSTER_SCORING)
    _small_cluster(org, table, sheets)
    services.entry_update(
        entry=entry(sheets["M1"], "I.1"), values={"override": D(3), "reason": "Sai số"}
    )

    page = build_grid(org.cluster, Stage.CLUSTER, org.leader, by_units=by_units)
    html = "".join(row["html"] for row in page.rows) if by_units else page.body
    marks = Marks()
    cells = [
        cell
        for code in ["I.1", "I.2", "I.3", "B", "T", "V"]
        for cell in build_grid(
            org.cluster, Stage.CLUSTER, org.leader, by_units=by_units, focus=code
        ).cells.values()
    ]

    assert len(cells) == 3 * 8  # 3 units × (1 + 2 + 2 + 1 + 1 + 1) inputs
    assert [cell["id"] for cell in cells if cell_html(cell, marks) not in html] == []
    assert sum(1 for cell in cells if cell["ro"]) == 8  # the leader's own unit
    assert sum(1 for cell in cells if cell["x"]) == 1
