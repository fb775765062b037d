"""The scoring benchmark's measurements, on the data sets of bench.scoring_data. Imported
after django.setup().

Times are wall-clock (time.perf_counter) around the real service calls, each in its own
transaction as in a request. Queries are counted with CaptureQueriesContext (which counts
BEGIN and COMMIT too), except in the full recompute, whose hundreds of very long UPDATE
statements are only counted (QueryCounter, which sees no BEGIN or COMMIT). The database
time is the time spent in SQL statements, without the COMMIT.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from math import ceil
from pathlib import Path

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.scoring_data import STAGE, DataSet, log, random_inputs, vacuum_analyze
from clusters.models import Cluster
from scoring import services
from scoring.models import ScoreEntry, ScoreSheet

WARM_UP = 5


@dataclass
class Figure:
    """One measurement: the time (ms), query count and database time (ms) of each run."""

    name: str
    data_set: str
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    db_ms: list[float] = field(default_factory=list)
    note: str = ""

    def add(self, seconds: float, queries: int, db_seconds: float) -> None:
        self.times_ms.append(seconds * 1000)
        self.queries.append(queries)
        self.db_ms.append(db_seconds * 1000)

    def summary(self) -> dict:
        times = sorted(self.times_ms)
        return {
            "name": self.name,
            "data_set": self.data_set,
            "runs": len(times),
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[max(0, ceil(0.95 * len(times)) - 1)], 2),  # nearest rank
            "min_ms": round(times[0], 2),
            "max_ms": round(times[-1], 2),
            "queries_min": min(self.queries),
            "queries_max": max(self.queries),
            "db_median_ms": round(statistics.median(self.db_ms), 2),
            "note": self.note,
        }


class QueryCounter:
    """An execute wrapper that counts queries and their time without keeping their SQL."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - start


@contextmanager
def counted() -> Iterator[QueryCounter]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


def _timed(action: Callable[[], object]) -> tuple[float, int, float]:
    """(seconds, queries, seconds in SQL statements) of one call. The count is
    CaptureQueriesContext's, so it includes BEGIN and COMMIT; the database time is
    QueryCounter's (CaptureQueriesContext rounds each query's to the millisecond), and
    leaves out the COMMIT."""
    # The log CaptureQueriesContext reads holds at most 9,000 queries (and nothing else
    # empties it here): start it empty, or the count reads 0 once it is full.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured, counted() as counter:
        start = time.perf_counter()
        action()
        elapsed = time.perf_counter() - start
    return elapsed, len(captured.captured_queries), counter.seconds


def _recompute(entry: ScoreEntry) -> None:
    # entry_update recomputes inside its transaction; so does this.
    with transaction.atomic():
        services.recompute_after_change(entry)


def change_entry(
    data_set: DataSet, *, relative: bool, runs: int, rng: random.Random, recompute_only: bool
) -> Figure:
    """Give a random entry of the data set's first cluster a new valid value, ``runs`` times
    after WARM_UP untimed runs. Times services.entry_update (lock, validate, save with its
    history row, recompute what the change affects: one transaction), or with
    ``recompute_only`` services.recompute_after_change alone, after an untimed save."""
    cluster = data_set.first_cluster()
    pool = [
        pk
        for pk, method in ScoreEntry.objects.filter(sheet__cluster=cluster, sheet__stage=STAGE)
        .order_by("pk")
        .values_list("pk", "criterion__method")
        if (method == "relative") == relative
    ]
    what = "recompute_after_change" if recompute_only else "entry_update"
    figure = Figure(f"{what}, {'relative' if relative else 'plain'} criterion", data_set.key)
    units = cluster.memberships.count()
    figure.note = f"random entry of {len(pool)} in a cluster of {units} units"
    for run in range(WARM_UP + runs):
        current = ScoreEntry.objects.select_related("criterion").get(pk=rng.choice(pool))
        old = {name: getattr(current, f) for name, f in services.INPUT_FIELDS.items()}
        values = random_inputs(current.criterion, rng)
        while all(old[name] == value for name, value in values.items()):
            values = random_inputs(current.criterion, rng)
        if recompute_only:
            entry = services.entry_update(entry=current, values=values, recompute=False)
            result = _timed(lambda entry=entry: _recompute(entry))
        else:
            result = _timed(
                lambda current=current, values=values: services.entry_update(
                    entry=current, values=values
                )
            )
        if run >= WARM_UP:
            figure.add(*result)
    return figure


def export_cluster(data_set: DataSet, runs: int) -> list[Figure]:
    """Export the results of the data set's first cluster as JSON and as xlsx to a file,
    through scoring.interchange as ``manage.py export_results`` does; [] without it."""
    try:
        from scoring import interchange
    except ImportError:
        log("export: scoring.interchange is not there; skipped")
        return []

    def write_json(document: dict, path: Path) -> None:
        path.write_text(interchange.dumps(document), encoding="utf-8")

    def write_xlsx(document: dict, path: Path) -> None:
        with path.open("wb") as stream:
            interchange.results_xlsx(document, stream)

    cluster_pk = data_set.first_cluster().pk
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        for fmt, write in (("json", write_json), ("xlsx", write_xlsx)):
            figure = Figure(f"export one cluster ({fmt})", data_set.key)
            path = Path(folder) / f"results.{fmt}"

            def export(write=write, path=path) -> None:
                # As the command: find the cluster with its campaign, build, write.
                found = Cluster.objects.select_related("campaign__organiser").get(pk=cluster_pk)
                write(interchange.results_export(cluster=found, stage=STAGE), path)

            for run in range(1 + runs):
                result = _timed(export)
                if run >= 1:
                    figure.add(*result)
            figure.note = f"{path.stat().st_size:,} bytes"
            figures.append(figure)
    return figures


def full_recompute(repeat: int) -> tuple[Figure, Figure]:
    """services.recompute_scope over every sheet of the database: ``repeat`` times after
    setting every stored point to NULL (so every entry is written again), then once with
    nothing to change (reads and the engine only)."""
    sheets = ScoreSheet.objects.count()
    entries = ScoreEntry.objects.count()
    groups = ScoreSheet.objects.values("cluster_id", "stage").distinct().count()
    invalidated = Figure("full recompute, every point rewritten", "all")
    invalidated.note = (
        f"{sheets:,} sheets, {entries:,} entries, {groups} (cluster, stage) groups; "
        "points set to NULL first (untimed)"
    )
    for run in range(1, repeat + 1):
        log(f"full recompute {run}/{repeat}: setting {entries:,} points to NULL (untimed)")
        ScoreEntry.objects.update(points=None)
        vacuum_analyze()
        with counted() as counter:
            start = time.perf_counter()
            summary = services.recompute_scope(ScoreSheet.objects.all())
            elapsed = time.perf_counter() - start
        log(
            f"  {elapsed:.1f} s, {counter.count:,} queries ({counter.seconds:.1f} s in the "
            f"database), {summary.entries_changed:,} points written"
        )
        invalidated.add(elapsed, counter.count, counter.seconds)
    unchanged = Figure("full recompute, nothing to change", "all")
    unchanged.note = "right after: every stored figure already right, so nothing is written"
    with counted() as counter:
        start = time.perf_counter()
        summary = services.recompute_scope(ScoreSheet.objects.all())
        elapsed = time.perf_counter() - start
    if summary.entries_changed or summary.sheets_changed:
        raise AssertionError(f"a second recompute changed something: {summary}")
    log(f"  nothing to change: {elapsed:.1f} s, {counter.count:,} queries")
    unchanged.add(elapsed, counter.count, counter.seconds)
    return invalidated, unchanged
