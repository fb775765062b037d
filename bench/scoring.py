"""Scoring benchmark: recompute after one changed entry, full recompute, export.

Run with ``make bench`` or ``python -m bench.scoring [--reseed] [--repeat N]``. It uses its
own PostgreSQL database, ``thidua_bench`` (created when missing) on the server of
DATABASE_URL or else postgres://postgres@127.0.0.1:5432; BENCH_DATABASE_URL overrides
both. It never touches the development or test database: it refuses a database whose
name does not contain "bench", or that is DATABASE_URL's own.

Data sets (one "cluster" stage; random but seeded inputs, random.Random(42)):

- ``tiny``: 1 cluster of 4 units, 16 leaf criteria (to show query counts do not grow);
- ``cluster``: 1 cluster of 15 units, 150 leaf criteria (10 groups of 14 + 10 bonus,
  deduction and veto leaves): the size the 30 ms goal is about;
- ``national``: 5,000 units in 400 clusters of 12-13 under one shared published table
  with the same 150 leaves: 750,000 entries. Seeding it takes minutes, so it is kept
  between runs (its campaign's slogan marks it complete); ``--reseed`` drops and
  recreates the whole bench database.

The small sets are recreated on every run. Figures are printed and written to
bench-results/scoring.json; docs/performance.md records them, the machine and the goals.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/thidua_bench"
RESULTS = ROOT / "bench-results" / "scoring.json"

# --- The database (before Django starts) ---------------------------------------------------


def bench_database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    dev = os.environ.get("DATABASE_URL", "")
    if dev.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(dev)._replace(path="/thidua_bench"))
    return DEFAULT_URL


def check_isolated(url: str, word: str = "bench") -> str:
    """The database's name; exits unless it is clearly a ``word`` database (a PostgreSQL
    database whose name holds ``word``, not DATABASE_URL's own): the bench's, or the load
    test's (bench.load.run)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit(f"{word}: PostgreSQL only (got {parts.scheme!r}); set {word.upper()}_DATABASE_URL")
    name = unquote(parts.path.lstrip("/"))
    if word not in name:
        sys.exit(f"{word}: refusing the database {name!r}: its name must contain '{word}'")
    dev = urlsplit(os.environ.get("DATABASE_URL", ""))
    if (dev.hostname, dev.port, unquote(dev.path.lstrip("/"))) == (
        parts.hostname,
        parts.port,
        name,
    ):
        sys.exit(f"{word}: the {word} database is DATABASE_URL's own; refusing")
    return name


def ensure_database(url: str, *, drop: bool, word: str = "bench") -> None:
    """Create the ``word`` database when it is missing (dropping it first with ``drop``),
    after check_isolated."""
    import psycopg2

    name = check_isolated(url, word)
    parts = urlsplit(url)
    conn = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None,
        dbname="postgres",
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            if drop:
                print(f"{word}: dropping the database {name}", flush=True)
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                print(f"{word}: creating the database {name}", flush=True)
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # As in production: DEBUG off, so Django keeps no log of queries in memory.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "emulation.settings"
    import django

    django.setup()


# --- The report ------------------------------------------------------------------------------


def machine() -> dict:
    from django import get_version
    from django.db import connection

    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    cpu = next(
        (line.split(":", 1)[1].strip() for line in lscpu.splitlines() if "Model name" in line),
        "",
    )
    kib = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    settings = connection.settings_dict
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory": f"{kib / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": get_version(),
        "postgresql": f"{server} (shared_buffers {shared_buffers})",
        "database": f"{settings['HOST']}:{settings['PORT']}/{settings['NAME']}",
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        # Other work on the machine skews the figures; the load shows how much there was.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def goals(rows: list[dict]) -> list[dict]:
    """The goals of docs/performance.md, checked against the figures."""
    by_key = {(row["name"], row["data_set"]): row for row in rows}
    checks = []
    for kind in ("plain", "relative"):
        row = by_key.get((f"entry_update, {kind} criterion", "cluster"))
        if row:
            checks.append(
                {
                    "goal": f"one changed entry ({kind}), 15 x 150 cluster: median < 30 ms",
                    "figure": f"{row['median_ms']:.1f} ms",
                    "met": row["median_ms"] < 30,
                }
            )
    for name in ("entry_update", "recompute_after_change"):
        for kind in ("plain", "relative"):
            counts = {
                row["data_set"]: (row["queries_min"], row["queries_max"])
                for row in rows
                if row["name"] == f"{name}, {kind} criterion"
            }
            if len(counts) > 1:
                # Fewer queries when a change moves no figure or rank; the most a change
                # takes must not grow with units or criteria.
                smallest = counts[next(iter(counts))][1]
                checks.append(
                    {
                        "goal": f"queries of {name} ({kind}) do not grow with the data",
                        "figure": ", ".join(f"{k} {lo}-{hi}" for k, (lo, hi) in counts.items()),
                        "met": all(hi <= smallest for _, hi in counts.values()),
                    }
                )
    row = by_key.get(("full recompute, every point rewritten", "all"))
    if row:
        checks.append(
            {
                "goal": "national full recompute (every point rewritten): < 60 s",
                "figure": f"{row['median_ms'] / 1000:.1f} s median",
                "met": row["median_ms"] < 60_000,
            }
        )
    return checks


def print_machine(found: dict) -> None:
    """The machine's description (machine()), one line a key."""
    for key, value in found.items():
        print(f"{key:>20}: {value}")


def finish(report: dict, output: Path) -> int:
    """Say which of ``report["goals"]`` are met, write the report as JSON to ``output`` and
    say where; the exit status (0)."""
    for goal in report["goals"]:
        print(f"{'met   ' if goal['met'] else 'MISSED'}  {goal['goal']}: {goal['figure']}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nFigures in {output}; {report['seconds_in_all']:.0f} s in all.")
    return 0


def print_table(rows: list[dict]) -> None:
    header = ["measurement", "data set", "runs", "median ms", "p95 ms", "min ms", "queries"]
    header.append("db ms")
    lines = [header]
    for row in rows:
        low, high = row["queries_min"], row["queries_max"]
        lines.append(
            [
                row["name"],
                row["data_set"],
                str(row["runs"]),
                f"{row['median_ms']:,.1f}",
                f"{row['p95_ms']:,.1f}",
                f"{row['min_ms']:,.1f}",
                f"{low:,}" if low == high else f"{low:,}-{high:,}",
                f"{row['db_median_ms']:,.1f}",
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        cells = zip(line, widths, strict=True)
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(cells)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


# --- The run -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scoring", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--reseed", action="store_true", help="drop the bench database and seed everything again"
    )
    parser.add_argument("--repeat", type=int, default=50, help="runs per one-entry figure")
    parser.add_argument("--full-repeat", type=int, default=3, help="national full recomputes")
    parser.add_argument(
        "--no-national", action="store_true", help="leave out the national set (a quick look)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    url = bench_database_url()
    ensure_database(url, drop=args.reseed)
    setup_django(url)

    from django.core.management import call_command
    from django.db import connections

    from bench import scoring_data as data
    from bench import scoring_measure as measure

    data.log(f"migrate {urlsplit(url).path.lstrip('/')}")
    call_command("migrate", verbosity=0, interactive=False)
    load_before = [round(x, 2) for x in os.getloadavg()]

    national = None if args.no_national else data.NATIONAL.campaign()
    if national is not None and national.slogan != data.SEEDED:
        data.log("the national set is incomplete or from another version: starting over")
        connections.close_all()
        ensure_database(url, drop=True)
        call_command("migrate", verbosity=0, interactive=False)
        national = None
    for data_set in (data.TINY, data.CLUSTER):
        data.drop(data_set)
        data.seed(data_set, random.Random(42))
    if not args.no_national:
        if national is None:
            data.seed(data.NATIONAL, random.Random(42))
        else:
            data.log("national set kept from an earlier run (--reseed starts over)")
    data.vacuum_analyze()

    sets = [data.TINY, data.CLUSTER] + ([] if args.no_national else [data.NATIONAL])
    figures: list[measure.Figure] = []
    rng = random.Random(42)
    for data_set in sets:
        for relative in (False, True):
            for recompute_only in (False, True):
                figure = measure.change_entry(
                    data_set,
                    relative=relative,
                    runs=args.repeat,
                    rng=rng,
                    recompute_only=recompute_only,
                )
                s = figure.summary()
                data.log(
                    f"{data_set.key}: {figure.name}: median {s['median_ms']:.1f} ms, "
                    f"queries {s['queries_min']}-{s['queries_max']}"
                )
                figures.append(figure)
    for data_set in sets[1:]:
        figures += measure.export_cluster(data_set, runs=10)
    if not args.no_national:
        figures += measure.full_recompute(args.full_repeat)

    rows = [figure.summary() for figure in figures]
    report = {
        "machine": machine(),
        "load_average_at_start": load_before,
        "data_sets": {
            ds.key: {"units": ds.units, "clusters": ds.clusters, "leaf_criteria": ds.leaves}
            for ds in sets
        },
        "figures": rows,
        "goals": goals(rows),
        "seconds_in_all": round(time.perf_counter() - began, 1),
    }
    print()
    print_machine(report["machine"])
    print()
    print_table(rows)
    print()
    return finish(report, args.output)


if __name__ == "__main__":
    sys.exit(main())
