"""Score table editor benchmark: one change to a draft table, request to response.

Run by ``make bench`` after bench.reports, or alone with ``python -m bench.editor
[--repeat N]``. Same database as bench.scoring (``thidua_bench``, with the same refusal of
anything that is not a bench database).

Data sets (recreated on every run, through the services: ``table_create_from_tree``):

- ``editor-200``: a draft table of 200 criteria (10 areas of 19 criteria each), the size
  the goal is about (issue 12, point 6: one change answered in under 100 ms median);
- ``editor-20``: the same shape cut to 20 criteria (2 areas of 9), to show that the query
  count of a change does not grow with the table.

Each figure is a request through Django's test client (the whole middleware stack, the
view, its service, the queries and the rendering of the fragments it answers with), as an
htmx request from the editor's page, logged in as a province staff member of the
organiser, N runs after 5 untimed ones: renaming a criterion in place, moving one down (and
back up, alternately), changing a criterion's maximum in the side panel (the group's sum
and the checks follow) and the editor's page itself for reference. The table's revision is
read before each run (untimed), as the page would hold it.

Figures are printed and written to bench-results/editor.json; docs/performance.md records
them (section "Score table editor").
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench.pages import WARM_UP, check, plain_static, start_for_the_client, timed_request
from bench.scoring import ROOT, print_table

RESULTS = ROOT / "bench-results" / "editor.json"
ORGANISER = "BENCH-EDITOR"
STAFF = "bench-editor-staff"
GOAL_MS = 100
SIZES = {"editor-20": (2, 9), "editor-200": (10, 19)}  # areas × criteria in each


def drop() -> None:
    """Delete the editor's data set (its tables, their criteria and history, the campaign,
    the units); the bench user stays and loses its unit."""
    from django.db import transaction

    from clusters.models import Campaign, Unit, User
    from scoring.models import Criterion, ScoreTable

    with transaction.atomic():
        User.objects.filter(username=STAFF).update(unit=None)
        campaigns = Campaign.objects.filter(organiser__code=ORGANISER)
        tables = ScoreTable.objects.filter(campaign__in=campaigns)
        for queryset in (
            Criterion.history.filter(table_id__in=tables.values("pk")),
            ScoreTable.history.filter(campaign_id__in=campaigns.values("pk")),
            Criterion.objects.filter(table__in=tables),
            ScoreTable.clusters.through.objects.filter(scoretable__in=tables),
            tables,
            Campaign.history.filter(organiser__code=ORGANISER),
            campaigns,
        ):
            queryset._raw_delete(queryset.db)
        Unit.objects.filter(code__startswith=f"{ORGANISER}-").delete()
        Unit.objects.filter(code=ORGANISER).delete()


def seed() -> dict[str, int]:
    """The organiser, its campaign, the staff user and one draft table per size; returns
    {data set: table id}."""
    from django.conf import settings
    from django.db import transaction

    from bench.scoring_data import YEAR
    from clusters.enums import UnitKind
    from clusters.services import accounts as account_services
    from clusters.services import organisation as organisation_services
    from scoring.services import CriterionData, table_create_from_tree

    with transaction.atomic():
        organiser = organisation_services.unit_upsert(
            code=ORGANISER, name="Công an tỉnh (bench editor)", kind=UnitKind.PROVINCE
        )
        office = organisation_services.unit_upsert(
            code=f"{ORGANISER}-PX01",
            name="Phòng Tổ chức cán bộ",
            kind=UnitKind.DEPARTMENT,
            parent=organiser,
        )
        campaign = organisation_services.campaign_upsert(
            organiser=organiser, year=YEAR, name=f"Phong trào thi đua {YEAR} (bench editor)"
        )
        account_services.user_upsert(
            username=STAFF, unit=office, groups=[settings.PROVINCE_STAFF_GROUP]
        )
        tables = {}
        for key, (areas, leaves) in SIZES.items():
            tree = [
                CriterionData(
                    code=f"A{a}",
                    title=f"Lĩnh vực {a}",
                    kind="group",
                    max_points=Decimal(leaves * 2),
                    children=tuple(
                        CriterionData(
                            code=f"A{a}.{n}",
                            title=f"Tiêu chí {a}.{n}",
                            kind="manual",
                            max_points=Decimal(2),
                        )
                        for n in range(1, leaves + 1)
                    ),
                )
                for a in range(1, areas + 1)
            ]
            table = table_create_from_tree(campaign=campaign, title=key, criteria=tree)
            tables[key] = table.pk
    return tables


class Timed:
    """A figure of bench.scoring_measure, and the application process's CPU time of each
    run (time.process_time: what the change costs in Python, less disturbed than the wall
    time by other work on a shared machine)."""

    def __init__(self, name: str, key: str) -> None:
        from bench.scoring_measure import Figure

        self.figure = Figure(name, key)
        self.cpu_ms: list[float] = []

    def run(self, call):
        cpu = time.process_time()
        response, *result = timed_request(call)
        return response, result, (time.process_time() - cpu) * 1000

    def add(self, result, cpu_ms: float) -> None:
        self.figure.add(*result)
        self.cpu_ms.append(cpu_ms)

    def summary(self) -> dict:
        import statistics

        return {**self.figure.summary(), "cpu_median_ms": round(statistics.median(self.cpu_ms), 2)}


def measure(key: str, table_pk: int, client, runs: int) -> list:
    from django.urls import reverse

    from scoring.models import Criterion, ScoreTable

    table = ScoreTable.objects.get(pk=table_pk)
    args = [table.campaign_id, table.pk]
    leaf = Criterion.objects.get(table=table, code="A1.2")
    headers = {"HX-Request": "true"}

    def revision() -> int:
        return ScoreTable.objects.values_list("revision", flat=True).get(pk=table_pk)

    def change(name: str, route: str, data) -> Timed:
        timed = Timed(name, key)
        url = reverse(route, args=args)
        for run in range(WARM_UP + runs):
            values = {"revision": revision(), **data(run)}
            response, result, cpu_ms = timed.run(
                lambda values=values: client.post(url, values, headers=headers)
            )
            check(response, 200, f"{name} ({key})")
            if run >= WARM_UP:
                timed.add(result, cpu_ms)
        timed.figure.note = f"{len(response.content):,} bytes answered"
        return timed

    figures = [
        change(
            "rename a criterion",
            "campaign_table_criterion_rename",
            lambda run: {"criterion": leaf.pk, "title": f"Tiêu chí đổi tên {run}"},
        ),
        change(
            "move a criterion (down, up)",
            "campaign_table_criterion_move",
            lambda run: {"criterion": leaf.pk, "action": "down" if run % 2 == 0 else "up"},
        ),
        change(
            "maximum changed in the panel",
            "campaign_table_criterion_update",
            lambda run: {
                "criterion": leaf.pk,
                "code": "A1.2",
                "title": "Tiêu chí 1.2",
                "kind": "manual",
                "max_points": "3" if run % 2 == 0 else "2",
                "guidance": "",
            },
        ),
    ]
    page = Timed("the editor's page", key)
    url = reverse("campaign_table_editor", args=args)
    for run in range(WARM_UP + runs):
        response, result, cpu_ms = page.run(lambda: client.get(url))
        check(response, 200, f"editor page ({key})")
        if run >= WARM_UP:
            page.add(result, cpu_ms)
    page.figure.note = f"{len(response.content):,} bytes of HTML"
    return [*figures, page]


def goals(rows: list[dict]) -> list[dict]:
    big = [r for r in rows if r["data_set"] == "editor-200" and r["name"] != "the editor's page"]
    worst = max(big, key=lambda r: r["median_ms"])
    counts = {}
    for row in rows:
        if row["name"] != "the editor's page":
            counts.setdefault(row["name"], set()).add((row["queries_min"], row["queries_max"]))
    return [
        {
            "goal": f"one change in a 200-criterion draft under {GOAL_MS} ms median",
            "figure": f"slowest: {worst['name']}, {worst['median_ms']:.1f} ms median",
            "met": worst["median_ms"] < GOAL_MS,
        },
        {
            "goal": "a change's query count the same at 20 and 200 criteria",
            "figure": "; ".join(
                f"{name}: {sorted(found)}" for name, found in sorted(counts.items())
            ),
            "met": all(len(found) == 1 for found in counts.values()),
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.editor", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--repeat", type=int, default=30, help="requests per figure")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    start_for_the_client()

    from django.test import Client

    from bench.scoring import finish, machine
    from bench.scoring_data import log
    from clusters.models import User

    drop()
    tables = seed()
    load_before = [round(x, 2) for x in os.getloadavg()]
    client = Client()
    client.force_login(User.objects.get(username=STAFF))

    rows = []
    with plain_static():
        for key, table_pk in tables.items():
            for figure in measure(key, table_pk, client, args.repeat):
                summary = figure.summary()
                log(
                    f"{key}: {summary['name']}: median {summary['median_ms']:.1f} ms, "
                    f"CPU {summary['cpu_median_ms']:.1f} ms"
                )
                rows.append(summary)
    report = {
        "machine": machine(),
        "load_average_at_start": load_before,
        "figures": rows,
        "goals": goals(rows),
        "seconds_in_all": round(time.perf_counter() - began, 1),
    }
    print()
    print_table(rows)
    print()
    for row in rows:
        print(f"{row['data_set']:>10}  {row['name']:<30} CPU median {row['cpu_median_ms']:.1f} ms")
    after = report["machine"]["load_average_1_5_15"]
    print(f"load average at the start {load_before}, at the end {after}")
    print()
    return finish(report, args.output)


if __name__ == "__main__":
    sys.exit(main())
