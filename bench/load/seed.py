"""The deadline day's data and accounts, on the load database (imported after
django.setup(); run by bench.load.run).

Two provincial campaigns of the same year, as a national installation has them on one
day, each with ``clusters`` clusters of 15 units and the 150-leaf table of
bench.scoring_data (random but seeded inputs, random.Random(42)):

- **LOAD-A**, in self-assessment: every unit's self-assessment is a draft, filled in; one
  unit officer account per unit (``load-a-0001`` …) keeps filling it;
- **LOAD-B**, in cluster scoring: self-assessments submitted, the cluster's sheets drafts,
  both filled in; two officer accounts of each cluster's leader unit (``load-b-c01-1`` and
  ``load-b-c01-2``: two people, or one in two browser tabs) save cells of the grid at once.
- province staff: ``load-staff-a1``, ``load-staff-a2`` of LOAD-A's organiser, and the same
  of LOAD-B, open rankings, reports and the overview.

Every account has the password ``PASSWORD``. Rows go with bulk_create for speed, except
the table's numbering and publication, the stored figures (services.recompute_scope), the
phases (clusters.services.organisation.campaign_set_phase) and the accounts
(clusters.services.accounts.user_upsert), as in real use. ``plan()`` writes what the
scenario needs (accounts, sheet, cluster and entry ids, entries' versions and largest
points) to a JSON file.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password

from bench.scoring_data import DataSet, build_world
from clusters.enums import MemberRole, Phase, UnitKind
from clusters.models import Cluster, Membership, User
from clusters.services import accounts as account_services
from clusters.services import organisation as organisation_services
from scoring.enums import SheetStatus, Stage
from scoring.models import ScoreEntry, ScoreSheet

PASSWORD = "Ngay-han-cuoi-2025"
UNITS_PER_CLUSTER = 15
# Leaves whose one input is "points" (manual, and bonus or deduction without a per-item
# value): the inputs the scenario types.
POINTS_KINDS = ("manual", "bonus", "deduction")


def data_sets(clusters: int) -> tuple[DataSet, DataSet]:
    units = clusters * UNITS_PER_CLUSTER
    self_set = DataSet("load-a", "LOAD-A", "LA-", units, clusters, 10, tuple(range(10)))
    cluster_set = DataSet("load-b", "LOAD-B", "LB-", units, clusters, 10, tuple(range(10)))
    return self_set, cluster_set


def _province(data_set: DataSet, stages: dict[str, str], phase: str, rng: random.Random):
    """Units, clusters, members, the table, own targets and the sheets of ``stages``
    ({stage: status}) with every entry filled (bench.scoring_data's build_world), then the
    campaign's phase; returns (campaign, organiser, {cluster: units})."""
    world = build_world(
        data_set,
        rng,
        stages=stages,
        organiser_name=f"Công an tỉnh ({data_set.key})",
        organiser_kind=UnitKind.PROVINCE,
        under_organiser=True,
    )
    organisation_services.campaign_set_phase(campaign=world.campaign, phase=phase)
    return world.campaign, world.organiser, world.members


def seed(clusters: int) -> dict:
    """Create both provinces and every account; return the plan (see module docstring)."""
    rng = random.Random(42)
    self_set, cluster_set = data_sets(clusters)
    campaign_a, organiser_a, members_a = _province(
        self_set, {Stage.SELF: SheetStatus.DRAFT}, Phase.SELF_ASSESSMENT, rng
    )
    campaign_b, organiser_b, members_b = _province(
        cluster_set,
        {Stage.SELF: SheetStatus.SUBMITTED, Stage.CLUSTER: SheetStatus.DRAFT},
        Phase.CLUSTER_SCORING,
        rng,
    )
    staff = settings.PROVINCE_STAFF_GROUP
    officers, leaders, staff_accounts = [], [], []
    for cluster_units in members_a.values():
        for unit in cluster_units:
            name = f"load-a-{unit.code[len(self_set.prefix) :]}"
            account_services.user_upsert(username=name, unit=unit)
            officers.append({"username": name, "unit": unit.pk})
    for cluster_pk, cluster_units in members_b.items():
        number = Cluster.objects.get(pk=cluster_pk).number
        for seat in (1, 2):
            name = f"load-b-c{number:02d}-{seat}"
            account_services.user_upsert(username=name, unit=cluster_units[0])
            leaders.append({"username": name, "cluster": cluster_pk})
    for letter, organiser, campaign in (
        ("a", organiser_a, campaign_a),
        ("b", organiser_b, campaign_b),
    ):
        for seat in (1, 2):
            name = f"load-staff-{letter}{seat}"
            account_services.user_upsert(username=name, unit=organiser, groups=[staff])
            staff_accounts.append({"username": name, "campaign": campaign.pk})
    # One Argon2 hash for every account (the same password): hashing it 200 times would
    # only slow the seeding down.
    User.objects.filter(username__startswith="load-").update(password=make_password(PASSWORD))
    return _plan(officers, leaders, staff_accounts, campaign_a, campaign_b)


def _points_entries(sheets) -> dict[int, list[list]]:
    """{sheet id: [[entry id, version, largest points], ...]} of the points inputs."""
    found: dict[int, list[list]] = {}
    rows = (
        ScoreEntry.objects.filter(sheet__in=sheets, criterion__kind__in=POINTS_KINDS)
        .filter(criterion__per_item__isnull=True)
        .order_by("pk")
        .values_list("sheet_id", "pk", "version", "criterion__max_points")
    )
    for sheet_id, pk, version, most in rows:
        found.setdefault(sheet_id, []).append([pk, version, int(most)])
    return found


def _plan(officers, leaders, staff_accounts, campaign_a, campaign_b) -> dict:
    self_sheets = {
        s.unit_id: s.pk
        for s in ScoreSheet.objects.filter(cluster__campaign=campaign_a, stage=Stage.SELF)
    }
    entries_a = _points_entries(list(self_sheets.values()))
    for officer in officers:
        officer["sheet"] = self_sheets[officer["unit"]]
        officer["entries"] = entries_a[officer["sheet"]]
    grid_entries: dict[int, list[list]] = {}
    for leader in leaders:
        if leader["cluster"] in grid_entries:
            continue
        leader_unit = Membership.objects.get(cluster_id=leader["cluster"], role=MemberRole.LEADER)
        # The leader unit scores its members; the deputy unit scores the leader unit.
        sheets = ScoreSheet.objects.filter(
            cluster_id=leader["cluster"], stage=Stage.CLUSTER
        ).exclude(unit_id=leader_unit.unit_id)
        grid_entries[leader["cluster"]] = [
            row for rows in _points_entries(sheets).values() for row in rows
        ]
    return {
        "password": PASSWORD,
        "officers": officers,
        "leaders": leaders,
        "grid_entries": {str(k): v for k, v in grid_entries.items()},
        "staff": staff_accounts,
        "campaigns": {"self": campaign_a.pk, "cluster": campaign_b.pk},
        "clusters": {
            "self": list(Cluster.objects.filter(campaign=campaign_a).values_list("pk", flat=True)),
            "cluster": list(
                Cluster.objects.filter(campaign=campaign_b).values_list("pk", flat=True)
            ),
        },
    }


def write_plan(plan: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan), encoding="utf-8")
