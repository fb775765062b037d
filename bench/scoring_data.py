"""The scoring benchmark's data sets: a realistic 150-leaf table, units, clusters, sheets
and entries with random but seeded, valid inputs. Imported after django.setup().

Everything is written with bulk_create for speed, except the table's numbering and
publication and the stored figures, which go through scoring.services as in real use.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from clusters.enums import MemberRole, UnitKind
from clusters.models import Campaign, Cluster, Membership, Unit
from clusters.services import organisation as organisation_services
from clusters.text import fold
from scoring import services
from scoring.enums import SheetStatus
from scoring.models import Criterion, ScoreEntry, ScoreSheet, ScoreTable, UnitTarget

D = Decimal
STAGE = "cluster"
YEAR = 2025
# Bump when the seeded data changes shape, so a national set kept from before is reseeded.
SEED_VERSION = 1
SEEDED = f"bench data set v{SEED_VERSION}, complete"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _target(most: int, metric: str, method: str, target: int | None, **more: object) -> dict:
    return {"kind": "target", "max_points": D(most), "metric": metric, "method": method,
            "target": None if target is None else D(target), **more}  # fmt: skip


# One group's 14 leaves: every kind of base leaf, every metric and method (two relative),
# direction lower, and targets some units have of their own (``own_targets``: the range
# they are drawn from, for half the units). 100 points a group.
GROUP_LEAVES: list[dict] = [
    {"kind": "manual", "max_points": D(10)},
    {"kind": "manual", "max_points": D(5)},
    {"kind": "pass_fail", "max_points": D(5)},
    {"kind": "pass_fail", "max_points": D(5)},
    {"kind": "count", "max_points": D(5), "per_item": D(1)},
    _target(10, "value", "threshold", 100, own_targets=(60, 120)),
    _target(10, "rate", "threshold", 90),
    _target(10, "value", "proportional", 50),
    _target(5, "value", "proportional", 20, direction="lower"),
    _target(5, "reduction", "threshold", 10),
    _target(5, "reduction", "proportional", 15),
    _target(10, "rate", "relative", 80),
    _target(10, "value", "relative", None, own_targets=(40, 120)),
    _target(5, "rate", "proportional", 95),
]
# Leaves outside the groups: bonus, deduction and veto.
EXTRA_LEAVES: list[dict] = [
    {"code": "B1", "kind": "bonus", "max_points": D(5), "per_item": D(1)},
    {"code": "B2", "kind": "bonus", "max_points": D(5)},
    {"code": "B3", "kind": "bonus", "max_points": D(3), "per_item": D("0.5")},
    {"code": "B4", "kind": "bonus", "max_points": D(2)},
    {"code": "T1", "kind": "deduction", "max_points": D(10), "per_item": D(1)},
    {"code": "T2", "kind": "deduction", "max_points": D(5)},
    {"code": "T3", "kind": "deduction", "max_points": D(5)},
    {"code": "V1", "kind": "veto", "deduct": D(20), "max_band": "Khá"},
    {"code": "V2", "kind": "veto", "deduct": D(10), "excludes_leading": False},
    {"code": "V3", "kind": "veto", "deduct": D(5)},
]
# Band floors as shares of the table's base maximum, best first; "Chưa đạt" from 0.
BANDS = [("Xuất sắc", D("0.9")), ("Tốt", D("0.8")), ("Khá", D("0.7")), ("Đạt", D("0.5"))]


@dataclass(frozen=True)
class DataSet:
    key: str
    organiser: str  # the organiser unit's code marks the data set
    prefix: str  # of its units' codes
    units: int
    clusters: int
    groups: int
    extras: tuple[int, ...]  # indexes into EXTRA_LEAVES

    @property
    def leaves(self) -> int:
        return self.groups * len(GROUP_LEAVES) + len(self.extras)

    def campaign(self) -> Campaign | None:
        return Campaign.objects.filter(organiser__code=self.organiser, year=YEAR).first()

    def first_cluster(self) -> Cluster:
        """The cluster the one-entry and export figures are measured in."""
        return Cluster.objects.get(campaign__organiser__code=self.organiser, number=1)


TINY = DataSet("tiny", "BENCH-TINY", "BT-", units=4, clusters=1, groups=1, extras=(0, 7))
CLUSTER = DataSet("cluster", "BENCH-CLUSTER", "BC-", 15, 1, 10, tuple(range(10)))
NATIONAL = DataSet("national", "BENCH-NATIONAL", "BN-", 5000, 400, 10, tuple(range(10)))


def random_inputs(criterion: Criterion, rng: random.Random) -> dict[str, object]:
    """Valid random inputs for a leaf, by the engine's names (services.INPUT_FIELDS)."""
    kind, most = criterion.kind, criterion.max_points
    if kind == "manual" or (kind in ("bonus", "deduction") and criterion.per_item is None):
        low = int(most * 50) if kind == "manual" else 0
        return {"points": D(rng.randint(low, int(most * 100))) / 100}
    if kind == "pass_fail":
        return {"passed": rng.random() < 0.9}
    if kind in ("count", "bonus", "deduction"):
        return {"count": rng.randint(0, 8 if kind == "count" else 4)}
    if kind == "veto":
        return {"violated": rng.random() < 0.03}
    if criterion.metric == "rate":
        denominator = rng.randint(1, 400)
        numerator = rng.randint(denominator * 6 // 10, denominator)
        return {"numerator": numerator, "denominator": denominator}
    if criterion.metric == "reduction":
        baseline = rng.randint(1, 200)
        return {"baseline": baseline, "actual": rng.randint(0, baseline + baseline // 10)}
    upper = 4000 if criterion.direction == "lower" else 15000
    return {"actual": D(rng.randint(0, upper)) / 100}


def _model_inputs(values: dict[str, object]) -> dict[str, object]:
    return {services.INPUT_FIELDS[name]: value for name, value in values.items()}


def build_table(
    campaign: Campaign, clusters: list[Cluster], data_set: DataSet
) -> tuple[ScoreTable, list[Criterion], dict[int, tuple[int, int]]]:
    """A published table with the data set's leaves, applied to all its clusters; returns
    the table, its leaves and {criterion id: range of the units' own targets}."""
    base_max = D(100) * data_set.groups
    table = ScoreTable.objects.create(
        campaign=campaign,
        title=f"Thang điểm thi đua ({data_set.key})",
        bands=[{"label": label, "min": str(base_max * share)} for label, share in BANDS]
        + [{"label": "Chưa đạt", "min": "0"}],
        bonus_cap=D(10),
    )
    table.clusters.set(clusters)
    group_max = sum((leaf["max_points"] for leaf in GROUP_LEAVES), D(0))
    groups = Criterion.objects.bulk_create(
        Criterion(
            table=table,
            code=str(g),
            order=g,
            title=f"Lĩnh vực công tác {g}",
            kind="group",
            max_points=group_max,
        )
        for g in range(1, data_set.groups + 1)
    )
    leaves: list[Criterion] = []
    spans: list[tuple[int, int] | None] = []
    for group in groups:
        for order, template in enumerate(GROUP_LEAVES, start=1):
            params = {k: v for k, v in template.items() if k != "own_targets"}
            code = f"{group.code}.{order}"
            title = f"Tiêu chí {code}"
            leaves.append(
                Criterion(table=table, parent=group, code=code, order=order, title=title, **params)
            )
            spans.append(template.get("own_targets"))
    for order, index in enumerate(data_set.extras, start=data_set.groups + 1):
        params = dict(EXTRA_LEAVES[index])
        title = f"Tiêu chí {params['code']}"
        leaves.append(Criterion(table=table, order=order, title=title, **params))
        spans.append(None)
    leaves = Criterion.objects.bulk_create(leaves)
    own = {leaf.pk: span for leaf, span in zip(leaves, spans, strict=True) if span}
    services.table_renumber(table=table)
    services.table_publish(table=table)
    return table, leaves, own


@dataclass(frozen=True)
class World:
    """A data set's rows, as build_world made them."""

    organiser: Unit
    campaign: Campaign
    units: list[Unit]
    clusters: list[Cluster]
    members: dict[int, list[Unit]]  # by cluster id, in order: the leader unit, the deputy, ...
    table: ScoreTable
    leaves: list[Criterion]
    sheets: list[ScoreSheet]


def build_world(
    data_set: DataSet,
    rng: random.Random,
    *,
    stages: Mapping[str, str],
    organiser_name: str,
    organiser_kind: str,
    under_organiser: bool,
    digits: int = 4,
    cluster_digits: int = 2,
) -> World:
    """The organiser (``organiser_name``, ``organiser_kind``) and its campaign; the data set's
    units (communes numbered with ``digits`` digits, under the organiser when
    ``under_organiser``) shared out in order among its clusters (numbered with
    ``cluster_digits``; the first clusters take one more where they do not divide evenly), the
    first of each its leader and the second its deputy; the table (build_table); units' own
    targets for half the units; for every member unit a sheet of each stage of ``stages``
    ({stage: status}; submitted ones dated) with every entry filled; then one recompute_scope
    stores the points, figures and ranks. Rows go with bulk_create, the entries in batches of
    their own transaction."""
    started = time.perf_counter()
    with transaction.atomic():
        organiser = organisation_services.unit_upsert(
            code=data_set.organiser, name=organiser_name, kind=organiser_kind
        )
        campaign = organisation_services.campaign_upsert(
            organiser=organiser, year=YEAR, name=f"Phong trào thi đua {YEAR} ({data_set.key})"
        )
        units = Unit.objects.bulk_create(
            (
                Unit(
                    code=f"{data_set.prefix}{i:0{digits}d}",
                    name=f"Công an xã {i:0{digits}d}",
                    kind=UnitKind.COMMUNE,
                    parent=organiser if under_organiser else None,
                    search_name=fold(f"{data_set.prefix}{i:0{digits}d} Công an xã {i:0{digits}d}"),
                )
                for i in range(1, data_set.units + 1)
            ),
            batch_size=2000,
        )
        clusters = Cluster.objects.bulk_create(
            Cluster(
                campaign=campaign,
                number=n,
                code=f"C{n:0{cluster_digits}d}",
                name=f"Cụm thi đua số {n}",
                search_name=fold(f"C{n:0{cluster_digits}d} Cụm thi đua số {n}"),
            )
            for n in range(1, data_set.clusters + 1)
        )
        # 5,000 units in 400 clusters: 200 clusters of 13, then 200 of 12.
        size, extra = divmod(data_set.units, data_set.clusters)
        members: dict[int, list[Unit]] = {}
        start = 0
        for index, cluster in enumerate(clusters):
            count = size + (1 if index < extra else 0)
            members[cluster.pk] = units[start : start + count]
            start += count
        roles = [MemberRole.LEADER, MemberRole.DEPUTY]
        Membership.objects.bulk_create(
            (
                Membership(
                    campaign=campaign,
                    cluster=cluster,
                    unit=unit,
                    role=roles[i] if i < len(roles) else MemberRole.MEMBER,
                )
                for cluster in clusters
                for i, unit in enumerate(members[cluster.pk])
            ),
            batch_size=5000,
        )
        table, leaves, own = build_table(campaign, clusters, data_set)
        UnitTarget.objects.bulk_create(
            (
                UnitTarget(criterion_id=pk, unit=unit, target=D(rng.randint(*span)))
                for pk, span in own.items()
                for unit in units
                if rng.random() < 0.5
            ),
            batch_size=5000,
        )
        sheets = ScoreSheet.objects.bulk_create(
            (
                ScoreSheet(
                    table=table,
                    period_id=table.period_id,  # bulk_create skips save(), which sets it
                    cluster=cluster,
                    unit=unit,
                    stage=stage,
                    status=status,
                    submitted_at=campaign.created_at if status == SheetStatus.SUBMITTED else None,
                )
                for stage, status in stages.items()
                for cluster in clusters
                for unit in members[cluster.pk]
            ),
            batch_size=5000,
        )
    # Entries go in batches, each its own transaction: one transaction of 750,000 rows
    # spent minutes at COMMIT on PostgreSQL's deferred foreign-key checks.
    total = len(sheets) * len(leaves)
    log(
        f"{data_set.key}: {len(units):,} units, {len(clusters)} clusters, "
        f"{len(leaves)} leaf criteria; writing {total:,} entries"
    )
    batch: list[ScoreEntry] = []
    written = 0
    for sheet in sheets:
        batch += [
            ScoreEntry(sheet=sheet, criterion=leaf, **_model_inputs(random_inputs(leaf, rng)))
            for leaf in leaves
        ]
        if len(batch) >= 50_000 or sheet is sheets[-1]:
            with transaction.atomic():
                ScoreEntry.objects.bulk_create(batch, batch_size=5000)
            written += len(batch)
            batch = []
            if total > 100_000:
                log(f"  {written:,} / {total:,} entries ({time.perf_counter() - started:.0f} s)")
    log(f"{data_set.key}: points, figures and ranks by services.recompute_scope")
    services.recompute_scope(ScoreSheet.objects.filter(cluster__campaign=campaign))
    return World(organiser, campaign, units, clusters, members, table, leaves, sheets)


def seed(data_set: DataSet, rng: random.Random) -> None:
    """Create the data set (build_world: a cluster-stage sheet with every entry filled for
    every unit, its figures stored); the campaign's slogan then marks the set complete."""
    started = time.perf_counter()
    world = build_world(
        data_set,
        rng,
        stages={STAGE: SheetStatus.DRAFT},
        organiser_name=f"Đơn vị tổ chức ({data_set.key})",
        organiser_kind=UnitKind.OTHER,
        under_organiser=False,
        digits=5,
        cluster_digits=3,
    )
    Campaign.objects.filter(pk=world.campaign.pk).update(slogan=SEEDED)
    log(f"{data_set.key}: seeded in {time.perf_counter() - started:.1f} s")


def drop(data_set: DataSet) -> None:
    """Delete a (small) data set, dependants first."""
    campaign = data_set.campaign()
    with transaction.atomic():
        if campaign is not None:
            ScoreEntry.objects.filter(sheet__cluster__campaign=campaign).delete()
            ScoreSheet.objects.filter(cluster__campaign=campaign).delete()
            UnitTarget.objects.filter(criterion__table__campaign=campaign).delete()
            Criterion.objects.filter(table__campaign=campaign).delete()
            ScoreTable.objects.filter(campaign=campaign).delete()
            campaign.delete()
        Unit.objects.filter(code__startswith=data_set.prefix).delete()
        Unit.objects.filter(code=data_set.organiser).delete()


def vacuum_analyze() -> None:
    """Fresh planner statistics and no dead rows, as on a database in steady use."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
