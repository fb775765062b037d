"""Copy of a year benchmark: a province's year copied completely (issue 14 point 7).

Run by ``make bench`` after the other benchmarks, or alone with ``python -m bench.year_copy
[--repeat N]``. Same database as bench.scoring (``thidua_bench``, or BENCH_DATABASE_URL,
with the same refusal of anything that is not a bench database); it seeds only its own
organiser (``BENCH-COPY``) the first time:

- the year 2030: 15 clusters of 15 units (leader, deputy, members), one score table per
  cluster of 150 criteria (10 areas of 15 leaves, 3 of them targets: 30 target criteria, a
  third reductions), published; every unit's own target on each target criterion of its
  table (6,750 targets); every unit's published final sheet with the target criteria
  entered (the figures the copy carries: 6,750 entries); 5 award types;
- one unit of each cluster dissolved at the end of 2030 into a new unit (its successor),
  so the copy replaces it and carries its figures.

Each run, after one untimed, copies 2030 into 2031 with ``campaign_copy`` (clusters,
members, leaders rotated, the score tables as drafts with their 2,250 criteria, the units'
targets, the award types, the 6,750 last-year figures carried), timed, inside a
transaction that is rolled back afterwards so every run copies the same year. Goal: under
5 s. Figures are printed and written to bench-results/year_copy.json; docs/performance.md
records them (section "Copy of a year").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from decimal import Decimal

from bench.scoring import ROOT, bench_database_url, ensure_database, setup_django

RESULTS = ROOT / "bench-results" / "year_copy.json"
ORGANISER = "BENCH-COPY"
YEAR = 2030
CLUSTERS = 15
UNITS = 15
AREAS = 10
LEAVES = 15
TARGETS_PER_AREA = 3
GOAL_S = 5.0


class Rollback(Exception):
    """Raised to undo a timed copy."""


def _seed():
    """The 2030 year described in the module (once; found again by its organiser)."""
    from django.db import transaction
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from awards.models import AwardType
    from clusters.enums import MemberRole, Phase, UnitKind
    from clusters.models import Campaign, Cluster, Membership, Period, Unit
    from scoring.enums import SheetStatus, Stage, TableStatus
    from scoring.models import (
        Criterion,
        Publication,
        ScoreEntry,
        ScoreSheet,
        ScoreTable,
        UnitTarget,
    )
    from scoring.services import table_renumber

    existing = Campaign.objects.filter(organiser__code=ORGANISER, year=YEAR).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        organiser = Unit.objects.create(
            code=ORGANISER, name="Công an tỉnh (bench sao chép năm)", kind=UnitKind.PROVINCE
        )
        campaign = Campaign.objects.create(
            organiser=organiser, year=YEAR, name=f"Phong trào thi đua {YEAR}", phase=Phase.PUBLISHED
        )
        period = Period.objects.year_end(campaign)
        for c in range(1, CLUSTERS + 1):
            cluster = Cluster.objects.create(
                campaign=campaign, number=c, code=f"C{c}", name=f"Cụm thi đua số {c}"
            )
            units = [
                Unit.objects.create(
                    code=f"BC{c:02}-{u:02}",
                    name=f"Đơn vị {u} cụm {c}",
                    kind=UnitKind.DISTRICT,
                    parent=organiser,
                )
                for u in range(1, UNITS + 1)
            ]
            roles = [MemberRole.LEADER, MemberRole.DEPUTY] + [MemberRole.MEMBER] * (UNITS - 2)
            for unit, role in zip(units, roles, strict=True):
                Membership.objects.create(cluster=cluster, unit=unit, role=role)
            table = ScoreTable.objects.create(
                campaign=campaign, period=period, title=f"Thang điểm cụm {c}", bands=[]
            )
            table.clusters.set([cluster])
            criteria = []
            for a in range(1, AREAS + 1):
                area = Criterion.objects.create(
                    table=table, code=f"{a}", title=f"Lĩnh vực {a}", kind="group", order=a,
                    max_points=Decimal(LEAVES),
                )  # fmt: skip
                leaves = []
                for n in range(1, LEAVES + 1):
                    params = {"kind": "manual"}
                    if n <= TARGETS_PER_AREA:
                        params = {
                            "kind": "target",
                            "metric": "reduction" if n == 1 else "value",
                            "method": "threshold",
                            "target": Decimal(5),
                        }
                    leaves.append(
                        Criterion(
                            table=table, parent=area, code=f"{a}.{n}", order=n,
                            title=f"Tiêu chí {a}.{n}", max_points=Decimal(1), **params,
                        )
                    )  # fmt: skip
                criteria += bulk_create_with_history(leaves, Criterion)
            table_renumber(table=table)
            ScoreTable.objects.filter(pk=table.pk).update(
                status=TableStatus.PUBLISHED, published_at=timezone.now()
            )
            targets = [c for c in criteria if c.kind == "target"]
            UnitTarget.objects.bulk_create(
                UnitTarget(criterion=t, unit=u, target=Decimal(5)) for t in targets for u in units
            )
            sheets = ScoreSheet.objects.bulk_create(
                ScoreSheet(
                    table=table, period=period, cluster=cluster, unit=u, stage=Stage.FINAL,
                    status=SheetStatus.LOCKED,
                )
                for u in units
            )  # fmt: skip
            ScoreEntry.objects.bulk_create(
                ScoreEntry(
                    sheet=s, criterion=t, baseline=Decimal(20) if t.metric == "reduction" else None,
                    actual=Decimal(10 + i),
                )
                for i, s in enumerate(sheets)
                for t in targets
            )  # fmt: skip
            Publication.objects.create(
                cluster=cluster, period=period, action=Publication.Action.PUBLISH
            )
            merged = Unit.objects.create(
                code=f"BC{c:02}-NEW", name=f"Đơn vị hợp nhất cụm {c}", kind=UnitKind.DISTRICT,
                parent=organiser,
            )  # fmt: skip
            Unit.objects.filter(pk=units[-1].pk).update(
                is_active=False, deactivated_on=dt.date(YEAR, 12, 31), successor=merged
            )
        AwardType.objects.bulk_create(
            AwardType(campaign=campaign, code=f"t{n}", name=f"Danh hiệu {n}", order=n)
            for n in range(1, 6)
        )
    return campaign


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.year_copy", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--repeat", type=int, default=5, help="timed runs")
    args = parser.parse_args(argv)

    url = bench_database_url()
    ensure_database(url, drop=False)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from clusters.enums import NextLeaders
    from clusters.services import setup as setup_services
    from scoring.models import Criterion, UnitBaseline, UnitTarget

    source = _seed()
    seconds: list[float] = []
    counts: dict = {}
    for run in range(args.repeat + 1):
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                result = setup_services.campaign_copy(
                    source=source, year=YEAR + 1, leaders=NextLeaders.ROTATE
                )
                elapsed = time.perf_counter() - start
                campaign = result.campaign
                counts = {
                    "clusters": campaign.clusters.count(),
                    "units": campaign.memberships.count(),
                    "criteria": Criterion.objects.filter(table__campaign=campaign).count(),
                    "targets": UnitTarget.objects.filter(
                        criterion__table__campaign=campaign
                    ).count(),
                    "carried": UnitBaseline.objects.filter(
                        criterion__table__campaign=campaign
                    ).count(),
                    "queries": len(captured.captured_queries),
                }
                raise Rollback
        except Rollback:
            pass
        if run >= 1:
            seconds.append(elapsed)
    ordered = sorted(seconds)
    row = {
        "name": "copy a province's year (15 × 15 units, 15 tables of 150 criteria)",
        "runs": len(seconds),
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(ordered[-1], 3),
        "min_s": round(ordered[0], 3),
        "goal_s": GOAL_S,
        "met": statistics.median(seconds) < GOAL_S,
        **counts,
    }
    print(f"{'measurement':70} {'runs':>4} {'median s':>9} {'max s':>7} {'goal':>6}")
    met = "met" if row["met"] else "MISSED"
    print(
        f"{row['name']:70} {row['runs']:>4} {row['median_s']:>9.3f} {row['max_s']:>7.3f} "
        f"{'< ' + str(GOAL_S):>6} {met}"
    )
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    RESULTS.parent.mkdir(exist_ok=True)
    report = {"rows": [row], "load": [round(x, 2) for x in os.getloadavg()]}
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if row["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
