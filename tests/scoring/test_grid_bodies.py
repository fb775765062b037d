"""The grid page's cells kept between requests, a unit's column at a time
(scoring/views/grid_bodies.py): reused while nothing they show changed, written again as
soon as anything did, however it changed.

The key reads PostgreSQL's row versions, committed ones: these tests commit (the
``transactional_db`` fixture) and run on PostgreSQL only (CI runs the suite there; locally
DATABASE_URL=postgres://…). Each compares the page as served with the page written from
scratch (the kept bodies dropped first), after every kind of change.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from clusters.enums import Phase
from scoring import services
from scoring.models import Criterion, Explanation, ScoreEntry, ScoreSheet, UnitTarget
from scoring.views import grid_bodies
from tests.scoring.test_views_grid import FULL, as_user, fill_all, grid_url, save, set_phase

D = Decimal

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the kept grid bodies read PostgreSQL's row versions (set DATABASE_URL)",
)


@pytest.fixture
def grid(transactional_db, org, table, sheets):
    """Cluster scoring open, every cluster-stage sheet filled (three units), no column kept
    yet."""
    fill_all(sheets.values(), FULL)
    set_phase(org, Phase.CLUSTER_SCORING)
    grid_bodies.clear()
    yield sheets
    grid_bodies.clear()


def written(response) -> str:
    """The grid's body as the page printed it (criteria as rows, or units as rows)."""
    page = response.context["grid"]
    if page.by_units:
        return page.line_heads + "".join(row["html"] for row in page.rows)
    return page.body


def served_and_fresh(client, url: str) -> tuple[str, str]:
    """The body served now (kept or not), then the body written from scratch."""
    served = client.get(url)
    grid_bodies.clear()
    fresh = client.get(url)
    assert (served.status_code, fresh.status_code) == (200, 200)
    return written(served), written(fresh)


def test_a_second_request_reuses_the_columns_with_fewer_queries(client, org, grid):
    as_user(client, org.leader)
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(grid_url(org.cluster))
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(grid_url(org.cluster))

    assert grid_bodies.kept_count() == 3  # one column per unit
    assert written(second) == written(first)
    assert 'id="score-grid"' in second.content.decode()
    # The entries, the self-assessments' entries, the explanations and the own targets are
    # not read again; one query reads their versions instead.
    assert len(second_queries) == len(first_queries) - 4


def _entry(sheets, unit_code: str, code: str) -> ScoreEntry:
    return ScoreEntry.objects.get(sheet=sheets[unit_code], criterion__code=code)


def _save_in_the_grid(client, org, sheets):
    save(client, org.leader, org.cluster, _entry(sheets, "M1", "I.1"), "points", "7")


def _update_by_the_orm(client, org, sheets):
    ScoreEntry.objects.filter(pk=_entry(sheets, "D1", "T").pk).update(points=D("2"))


def _update_by_sql(client, org, sheets):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scoring_scoreentry SET points = 3 WHERE id = %s",
            [_entry(sheets, "M1", "T").pk],
        )


def _two_changes_in_one_transaction(client, org, sheets):
    with transaction.atomic():
        ScoreEntry.objects.filter(pk=_entry(sheets, "M1", "I.1").pk).update(points=D("4"))
        ScoreEntry.objects.filter(pk=_entry(sheets, "M1", "I.1").pk).update(points=D("5"))


def _explanation_written(client, org, sheets):
    Explanation.objects.create(entry=_entry(sheets, "M1", "I.1"), text="Đơn vị giải trình")


def _own_target_given(client, org, sheets):
    criterion = Criterion.objects.get(table=sheets["M1"].table, code="I.2")
    services.unit_target_set(criterion=criterion, unit=org.member_unit, target=D("80"))


def _own_target_removed(client, org, sheets):  # given first (BEFORE)
    UnitTarget.objects.all().delete()


def _criterion_renamed(client, org, sheets):  # as the admin saves it
    criterion = Criterion.objects.get(table=sheets["M1"].table, code="I.1")
    criterion.title = "Tên mới"
    criterion.save()


def _not_assigned(client, org, sheets):
    ScoreEntry.objects.filter(pk=_entry(sheets, "D1", "I.1").pk).update(not_assigned=True)


def _figures_changed(client, org, sheets):
    ScoreSheet.objects.filter(pk=sheets["L1"].pk).update(rank=9, band="Đạt")


CHANGES = [
    _save_in_the_grid,
    _update_by_the_orm,
    _update_by_sql,
    _two_changes_in_one_transaction,
    _explanation_written,
    _own_target_given,
    _own_target_removed,
    _criterion_renamed,
    _not_assigned,
    _figures_changed,
]

# What is there before the change, when the change takes it away.
BEFORE = {_own_target_removed: _own_target_given}


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
@pytest.mark.parametrize("by", ["criteria", "units"])
def test_any_change_is_shown_at_once(client, org, grid, change, by):
    url = grid_url(org.cluster, by=by)
    if change in BEFORE:
        BEFORE[change](client, org, grid)
    as_user(client, org.leader)
    before = written(client.get(url))
    assert grid_bodies.kept_count() == 3

    change(client, org, grid)
    as_user(client, org.leader)
    served, fresh = served_and_fresh(client, url)

    assert served == fresh
    assert served != before


def test_each_user_layout_and_language_has_its_own_columns(client, org, grid):
    """The leader may edit, the standing agency only reads; by criteria or by units; in
    Vietnamese or English: each body is kept apart and each is what a fresh page writes."""
    pages = []
    for user in (org.leader, org.staff):
        for by in ("criteria", "units"):
            for language in ("vi", "en"):
                as_user(client, user)
                with translation.override(language):
                    client.cookies["django_language"] = language
                    pages.append(((user.username, by, language), grid_url(org.cluster, by=by)))
                    client.get(pages[-1][1])
    # Three columns each, but the leader's own unit is read-only to the leader as to the
    # standing agency: that column is the same for both.
    assert grid_bodies.kept_count() == 4 * (3 + 2)
    for (username, _by, language), url in pages:
        as_user(client, org.leader if username == "leader" else org.staff)
        client.cookies["django_language"] = language
        served, fresh = served_and_fresh(client, url)
        assert served == fresh


def test_a_closed_column_is_not_served_from_the_open_one(client, org, grid):
    as_user(client, org.leader)
    open_body = written(client.get(grid_url(org.cluster)))
    assert 'class="gc is-edit"' in open_body

    set_phase(org, Phase.EXPLANATION)  # the stage closes: every column read-only
    served, fresh = served_and_fresh(client, grid_url(org.cluster))

    assert served == fresh
    assert "is-edit" not in served


def test_the_size_bounds_the_columns_kept_and_zero_keeps_none(client, org, grid, settings):
    settings.GRID_CACHE_COLUMNS = 4
    as_user(client, org.leader)
    client.get(grid_url(org.cluster))
    assert grid_bodies.kept_count() == 3
    client.get(grid_url(org.cluster, by="units"))  # three other columns
    assert grid_bodies.kept_count() == 4

    settings.GRID_CACHE_COLUMNS = 0
    grid_bodies.clear()
    client.get(grid_url(org.cluster))
    assert grid_bodies.kept_count() == 0


def test_a_change_to_one_unit_writes_only_its_column_again(client, org, grid, monkeypatch):
    from scoring.views import grid_build

    as_user(client, org.leader)
    client.get(grid_url(org.cluster))
    ScoreEntry.objects.filter(pk=_entry(grid, "M1", "I.1").pk).update(points=D("3"))
    real, written_units = grid_build._write_columns, []

    def write_columns(page, stale, *args):
        written_units.extend(c["unit"].code for c in stale)
        return real(page, stale, *args)

    monkeypatch.setattr(grid_build, "_write_columns", write_columns)
    served = client.get(grid_url(org.cluster))

    assert written_units == ["M1"]
    assert grid_bodies.kept_count() == 4  # the member's new column kept too
    grid_bodies.clear()
    assert written(served) == written(client.get(grid_url(org.cluster)))


def test_nothing_is_kept_inside_a_transaction(client, org, grid):
    """Rows a transaction writes share its xmin however often it changes them: inside one,
    the page is always written afresh."""
    as_user(client, org.leader)
    with transaction.atomic():
        client.get(grid_url(org.cluster))
    assert grid_bodies.kept_count() == 0


def test_a_cell_save_answer_is_never_served_from_kept_columns(client, org, grid):
    as_user(client, org.leader)
    client.get(grid_url(org.cluster))
    e = _entry(grid, "M1", "I.1")

    response = save(client, org.leader, org.cluster, e, "points", "6")

    assert response.status_code == 200
    assert 'value="6"' in response.content.decode()
    assert ScoreEntry.objects.get(pk=e.pk).points == D("6")
    served, fresh = served_and_fresh(as_user(Client(), org.leader), grid_url(org.cluster))
    assert served == fresh
    assert 'value="6"' in served
