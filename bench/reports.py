"""Reports and exports benchmark: the province report page and the national Excel export.

Run by ``make bench`` after bench.pages, or alone with ``python -m bench.reports
[--repeat N] [--export-runs N]``. Same database as bench.scoring (``thidua_bench``, with
the same refusal of anything that is not a bench database); it uses the data sets the
other two benchmarks leave there and seeds nothing itself:

- the province report (``report_province``, stage "cluster") of bench.pages' ``pages``
  campaign, 15 clusters of 15 units, as its province staff user, through the test client
  (as bench.pages measures pages: N runs after 5 untimed ones, queries counted), and its
  ``?format=xlsx`` download;
- the Excel export of every cluster's results of bench.scoring's ``national`` campaign
  (5,000 units in 400 clusters, stage "cluster") by the background job's own function
  (``jobs.tasks.export_campaign_results``), called synchronously. Each run is a child
  process (``python -m bench.reports --export-child``): its wall time, its peak resident
  memory (``getrusage(RUSAGE_CHILDREN).ru_maxrss`` read by the parent after it exits: the
  whole process, Python and Django included) and its tracemalloc peak (Python objects
  only, measured inside the child around the export alone). The job row and its file are
  deleted afterwards; the file goes to a temporary MEDIA_ROOT.

Figures are printed and written to bench-results/reports.json; docs/performance.md records
them (section "Reports and exports").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.scoring import ROOT, print_table, setup_django

RESULTS = ROOT / "bench-results" / "reports.json"
STAGE = "cluster"
REPORT_GOAL_MS = 200
EXPORT_GOAL_S = 20
EXPORT_GOAL_MIB = 300


def export_child(traced: bool) -> int:
    """In the child: run the national export once; print one JSON line with its figures.
    With ``traced`` tracemalloc follows the export (it makes Python 2-4 times slower, so
    the timed runs go without it and one more run gives the Python peak)."""
    import tracemalloc

    setup_django(os.environ["DATABASE_URL"])
    from bench.scoring_data import NATIONAL
    from clusters.models import User
    from jobs.models import JobKind, JobProgress, JobStatus
    from jobs.tasks import export_campaign_results

    campaign = NATIONAL.campaign()
    if campaign is None:
        sys.exit("bench.reports: no national data set; run python -m bench.scoring first")
    user, _ = User.objects.get_or_create(username="bench-reports-export")
    job = JobProgress.objects.create(
        kind=JobKind.RESULTS_EXPORT, user=user, campaign=campaign, stage=STAGE
    )
    try:
        if traced:
            tracemalloc.start()
        start = time.perf_counter()
        export_campaign_results.func(str(job.pk))
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if traced else None
        tracemalloc.stop()
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.status
        size = job.file.size
        clusters = job.total
        job.file.delete(save=False)
    finally:
        job.delete()
    print(
        json.dumps(
            {"seconds": seconds, "tracemalloc_peak": peak, "bytes": size, "clusters": clusters}
        )
    )
    return 0


def export_runs(url: str, runs: int, *, traced: bool = False) -> list[dict]:
    """Each run in its own child; ru_maxrss of the children is the largest of them so far,
    so each run's figure is read after it alone (runs are made one after another)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as media:
        env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": media}
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "bench.reports", "--export-child"]
                + (["--traced"] if traced else []),
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - started
            if done.returncode:
                sys.exit(f"bench.reports: the export child failed:\n{done.stderr[-3000:]}")
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
            figures["process_seconds"] = wall
            # ru_maxrss of the children is a maximum over all of them: a run smaller than
            # an earlier one shows the earlier figure (so the figure is an upper bound).
            figures["peak_rss_kib"] = maxrss
            figures["peak_rss_grew"] = maxrss > before
            results.append(figures)
            log_line = (
                f"national export: {figures['seconds']:.1f} s in the export, "
                f"{wall:.1f} s for the process; peak RSS {maxrss / 1024:.0f} MiB"
                + (
                    f", tracemalloc peak {peak / 2**20:.0f} MiB"
                    if (peak := figures["tracemalloc_peak"])
                    else ""
                )
            )
            print(log_line, file=sys.stderr)
            if figures["seconds"] > 60:
                break
    return results


def report_figures(runs: int) -> list:
    from django.test import Client
    from django.urls import reverse

    from bench.pages import page, timed_request
    from bench.scoring_measure import Figure
    from clusters.models import Campaign, User

    campaign = Campaign.objects.get(organiser__code="BENCH-PAGES")
    staff = User.objects.get(username="bench-pages-staff")  # bench.pages' province staff
    client = Client()
    client.force_login(staff)
    url = f"{reverse('report_province', args=[campaign.pk])}?stage={STAGE}"
    figures = [page("province report, cluster stage (staff)", "pages", client, url, runs)]
    figure = Figure("province report .xlsx, cluster stage (staff)", "pages")
    for run in range(5 + runs):
        response, *result = timed_request(lambda: client.get(f"{url}&format=xlsx"))
        if response.status_code != 200:
            raise AssertionError(f"xlsx: status {response.status_code}")
        if run >= 5:
            figure.add(*result)
    figure.note = f"{len(response.content):,} bytes of .xlsx"
    figures.append(figure)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--repeat", type=int, default=30, help="requests per page figure")
    parser.add_argument("--export-runs", type=int, default=3, help="national export runs")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.export_child:
        return export_child(args.traced)

    began = time.perf_counter()
    from bench.pages import plain_static, start_for_the_client

    url = start_for_the_client()  # migrated: the jobs app's table, when the database predates it

    from bench.scoring import finish, machine, print_machine

    load_before = [round(x, 2) for x in os.getloadavg()]
    with plain_static():
        rows = [figure.summary() for figure in report_figures(args.repeat)]
    exports = export_runs(url, args.export_runs)
    traced = export_runs(url, 1, traced=True)[0]

    page_row = rows[0]
    slowest = max(e["seconds"] for e in exports)
    rss_mib = max(e["peak_rss_kib"] for e in exports) / 1024
    checks = [
        {
            "goal": f"province report, 15 clusters x 15 units: median < {REPORT_GOAL_MS} ms",
            "figure": f"{page_row['median_ms']:.1f} ms (p95 {page_row['p95_ms']:.1f})",
            "met": page_row["median_ms"] < REPORT_GOAL_MS,
        },
        {
            "goal": f"national Excel export (5,000 units): < {EXPORT_GOAL_S} s",
            "figure": f"{slowest:.1f} s slowest of {len(exports)}",
            "met": slowest < EXPORT_GOAL_S,
        },
        {
            "goal": f"national Excel export: peak memory < {EXPORT_GOAL_MIB} MB",
            "figure": f"{rss_mib:.0f} MiB peak RSS of the process",
            "met": rss_mib < EXPORT_GOAL_MIB,
        },
    ]
    report = {
        "machine": machine(),
        "load_average_at_start": load_before,
        "figures": rows,
        "national_export": exports,
        "national_export_traced": traced,
        "goals": checks,
        "seconds_in_all": round(time.perf_counter() - began, 1),
    }
    print()
    print_machine(report["machine"])
    print()
    print_table(rows)
    print()
    for e in exports:
        print(
            f"national export: {e['seconds']:.1f} s ({e['process_seconds']:.1f} s process), "
            f"peak RSS {e['peak_rss_kib'] / 1024:.0f} MiB, {e['bytes']:,} bytes, "
            f"{e['clusters']} sheets"
        )
    print(
        f"national export under tracemalloc: {traced['seconds']:.1f} s, Python peak "
        f"{traced['tracemalloc_peak'] / 2**20:.0f} MiB"
    )
    print()
    return finish(report, args.output)


if __name__ == "__main__":
    sys.exit(main())
