"""Cell saves at the same moment, on the real PostgreSQL database: threads, each with its
own connection and its own transactions, through the whole request (the test client's
grid_cell_save, as grid.js posts it).

Saving different cells of one cluster at once must never deadlock and never lose an
update: every value is stored, the history has every change, and the stored points,
figures and ranks are what a fresh recompute gives. Two saves of the same cell based on
the same version: one is stored, the other is refused (409) and nothing is lost.

SQLite has no row locks and one writer at a time, so these tests run on PostgreSQL only
(CI runs the suite on PostgreSQL; locally: DATABASE_URL=postgres://…).
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from clusters.enums import Phase
from scoring import services
from scoring.enums import Stage
from scoring.models import ScoreEntry, ScoreSheet
from tests.scoring.test_query_counts import entry, scaled_cluster, set_phase

D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}
ROUNDS = 6

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: concurrent transactions and row locks (set DATABASE_URL)",
)


def run_together(jobs):
    """Run each job in its own thread (its own database connection), all released at
    once by a barrier; return their results in order, re-raising the first error."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def run(i, job):
        try:
            barrier.wait(timeout=30)
            results[i] = job()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a save never finished"
    if errors:
        raise errors[0]
    return results


def post(client, cluster, pk, field, value, version, **others):
    url = reverse("grid_cell_save", args=[cluster.pk, Stage.CLUSTER, pk])
    data = {"field": field, "value": value, "version": version, **others}
    return client.post(url, data, **HTMX)


def stored_figures(cluster):
    sheets = ScoreSheet.objects.filter(cluster=cluster, stage=Stage.CLUSTER).order_by("pk")
    figures = list(
        sheets.values_list("pk", "base", "bonus", "deduction", "total", "band", "rank", "leading")
    )
    points = list(
        ScoreEntry.objects.filter(sheet__in=sheets).order_by("pk").values_list("pk", "points")
    )
    return figures, points


@pytest.fixture
def cluster_at_scoring(transactional_db, org):
    """A cluster of 10 units (8 manual leaves, a relative rate I.R, a bonus and a veto),
    every sheet filled, cluster scoring open; its leader's officer."""
    cluster, leader, units = scaled_cluster(org, 7, units=10, leaves=8)
    set_phase(org, Phase.CLUSTER_SCORING)
    return cluster, leader, units


def test_concurrent_saves_of_different_cells_lose_nothing_and_never_deadlock(cluster_at_scoring):
    cluster, leader, units = cluster_at_scoring
    # Four cells of one sheet (one sheet row, four entries), two relative cells (the
    # criterion is recomputed across the cluster and every rank may move) and two plain
    # cells of other sheets: eight sessions of the leader, each saving its cell ROUNDS
    # times, all at once.
    cells = [
        *((units[2], f"I.{n}") for n in range(1, 5)),
        (units[3], "I.R"),
        (units[4], "I.R"),
        (units[5], "I.5"),
        (units[6], "I.6"),
    ]
    targets = [entry(cluster, unit, Stage.CLUSTER, code) for unit, code in cells]
    before = {e.pk: e.history.count() for e in targets}
    clients = []
    for _ in targets:
        client = Client()
        client.force_login(leader)
        clients.append(client)

    def job(client, e):
        def saves():
            sent = []
            for n in range(ROUNDS):
                version = ScoreEntry.objects.values_list("version", flat=True).get(pk=e.pk)
                if e.criterion.code == "I.R":
                    value, others = str(6 + (n + e.pk) % 5), {"denominator": "10"}
                    response = post(client, cluster, e.pk, "numerator", value, version, **others)
                else:
                    value = ["0,5", "1", "0,25"][(n + e.pk) % 3]
                    response = post(client, cluster, e.pk, "points", value, version)
                sent.append((response.status_code, value))
            return sent

        return saves

    results = run_together([job(client, e) for client, e in zip(clients, targets, strict=True)])

    assert [[status for status, _ in sent] for sent in results] == [[200] * ROUNDS] * len(cells)
    for e, sent in zip(targets, results, strict=True):
        stored = ScoreEntry.objects.get(pk=e.pk)
        last = D(sent[-1][1].replace(",", "."))
        assert (stored.numerator if e.criterion.code == "I.R" else stored.input_points) == last
        assert stored.version == e.version + ROUNDS
        changes = list(
            stored.history.order_by("history_date", "history_id").values_list(
                "version", "input_points", "numerator"
            )
        )
        assert len(changes) == before[e.pk] + ROUNDS
        assert [v for v, _, _ in changes[-ROUNDS:]] == list(
            range(e.version + 1, e.version + ROUNDS + 1)
        )
        typed = [D(value.replace(",", ".")) for _, value in sent]
        if e.criterion.code == "I.R":
            assert [n for _, _, n in changes[-ROUNDS:]] == typed
        else:
            assert [p for _, p, _ in changes[-ROUNDS:]] == typed
    # What is stored is what a recompute from the inputs gives: points, figures, ranks.
    stored = stored_figures(cluster)
    summary = services.recompute_scope(ScoreSheet.objects.filter(cluster=cluster))
    assert (summary.entries_changed, summary.sheets_changed) == (0, 0)
    assert stored_figures(cluster) == stored


def test_two_saves_of_the_same_cell_on_the_same_version_store_one(cluster_at_scoring):
    cluster, leader, units = cluster_at_scoring
    e = entry(cluster, units[2], Stage.CLUSTER, "I.1")
    history = e.history.count()
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(leader)
        clients.append(client)

    responses = run_together(
        [
            lambda client=client, value=value: post(
                client, cluster, e.pk, "points", value, e.version
            )
            for client, value in zip(clients, ["0,5", "0,25"], strict=True)
        ]
    )

    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200, 409]
    winner = ["0,5", "0,25"][statuses.index(200)]
    loser = responses[statuses.index(409)].content.decode()
    stored = ScoreEntry.objects.get(pk=e.pk)
    assert stored.input_points == D(winner.replace(",", "."))
    assert stored.version == e.version + 1
    assert e.history.count() == history + 1
    # The refused save shows the stored value and its version, to type again on.
    assert f'data-version="{stored.version}"' in loser
    assert f'value="{winner}"' in loser
    stored_before = stored_figures(cluster)
    summary = services.recompute_scope(ScoreSheet.objects.filter(cluster=cluster))
    assert (summary.entries_changed, summary.sheets_changed) == (0, 0)
    assert stored_figures(cluster) == stored_before
