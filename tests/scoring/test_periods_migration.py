"""The migrations that bring periods: the data that existed before belongs to each
campaign's year-end period afterwards. The tests run without migrations, so this one
migrates a database of its own in a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps

old = migrate([("clusters", "0006_cluster_kind_leadership_election"),
               ("scoring", "0009_unit_baselines_copied_targets")])
Unit = old.get_model("clusters", "Unit")
Campaign = old.get_model("clusters", "Campaign")
Cluster = old.get_model("clusters", "Cluster")
ScoreTable = old.get_model("scoring", "ScoreTable")
ScoreSheet = old.get_model("scoring", "ScoreSheet")
Publication = old.get_model("scoring", "Publication")
organiser = Unit.objects.create(code="CAT", name="CA tinh", kind="province", search_name="cat")
unit = Unit.objects.create(code="PV01", name="Phong 1", kind="department", search_name="pv01")
campaigns = [
    Campaign.objects.create(organiser=organiser, year=y, name=str(y)) for y in (2023, 2024)
]
cluster = Cluster.objects.create(
    campaign=campaigns[0], number=1, code="C1", name="C1", search_name="c1"
)
table = ScoreTable.objects.create(campaign=campaigns[0], title="T")
for stage in ("self", "cluster", "final"):
    ScoreSheet.objects.create(table=table, cluster=cluster, unit=unit, stage=stage)
Publication.objects.create(cluster=cluster, action="publish")

new = migrate([("clusters", "0007_periods"), ("scoring", "0012_periods_required")])
Period = new.get_model("clusters", "Period")
year_end = Period.objects.get(campaign__year=2023).pk
print(json.dumps({
    "periods": list(Period.objects.order_by("campaign__year").values_list(
        "campaign__year", "kind", "phase")),
    "tables": list(new.get_model("scoring", "ScoreTable").objects.values_list("period", flat=True)),
    "sheets": list(new.get_model("scoring", "ScoreSheet").objects.values_list("period", flat=True)),
    "publications": list(
        new.get_model("scoring", "Publication").objects.values_list("period", flat=True)),
    "year_end": year_end,
}))
"""


def test_existing_tables_sheets_and_publications_join_the_year_end_period(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="emulation.settings",
        DEBUG="0",
        SECRET_KEY="test-only-not-secret",
        DATABASE_URL=os.environ.get("PERIODS_MIGRATION_DATABASE_URL")
        or f"sqlite:///{tmp_path / 'periods.sqlite3'}",
    )
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr

    result = json.loads(run.stdout.strip().splitlines()[-1])
    year_end = result["year_end"]
    assert result["periods"] == [[2023, "year_end", ""], [2024, "year_end", ""]]
    assert result["tables"] == [year_end]
    assert result["sheets"] == [year_end, year_end, year_end]
    assert result["publications"] == [year_end]
