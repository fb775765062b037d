"""Score tables: building, checking, publishing and versioning them; unit targets."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from clusters.enums import Phase
from clusters.models import Campaign, Cluster, Period, Unit
from scoring import engine
from scoring.enums import CriterionKind, TableStatus
from scoring.models import Criterion, NotAssigned, ScoreSheet, ScoreTable, UnitTarget
from scoring.periods import of_period, period_id_of, phase_of
from scoring.services.checks import TableCheck, word_problems
from scoring.services.pledge_links import pledge_links_copy

# The model fields that hold an entry's inputs, by the engine's EntryInput field name.
from scoring.services.specs import (
    TableFrozen,
    TableNotPublishable,
    TableSpec,
    load_table,
)
from scoring.services.targets import unit_target_save

# --- Score tables -----------------------------------------------------------------------


def _ensure_draft(table: ScoreTable) -> None:
    if table.status != TableStatus.DRAFT:
        raise TableFrozen(
            _("The table %(table)s is published and frozen; make a new version to change it."),
            params={"table": str(table)},
        )


@transaction.atomic
def table_renumber(*, table: ScoreTable) -> None:
    """Set every criterion's reading position and depth from the tree (pre-order)."""
    criteria = list(table.criteria.order_by("order", "pk"))
    children: dict[int | None, list[Criterion]] = defaultdict(list)
    for criterion in criteria:
        children[criterion.parent_id].append(criterion)
    position = 0
    stack: list[tuple[Criterion, int]] = [(c, 0) for c in reversed(children[None])]
    while stack:
        criterion, depth = stack.pop()
        criterion.position, criterion.depth = position, depth
        position += 1
        stack.extend((c, depth + 1) for c in reversed(children[criterion.pk]))
    Criterion.objects.bulk_update(criteria, ["position", "depth"])


def table_checks(table: ScoreTable, loaded: TableSpec | None = None) -> list[TableCheck]:
    """Every reason the table cannot be published (empty when it can), in the user's
    language, each with the criterion (or band) it concerns. ``loaded``: the table as the
    caller already read it (the editor reads it once per change)."""
    loaded = loaded or load_table(table)
    checks = word_problems(engine.table_problems(loaded.spec_list, loaded.bands, table.bonus_cap))
    if not loaded.criteria:
        checks.insert(0, TableCheck(reason="no_criteria", message=_("The table has no criteria.")))
    return checks


def table_problems(table: ScoreTable) -> list[str]:
    """Every reason the table cannot be published (empty when it can), as lines that start
    with the criterion's code ("I.2: …")."""
    return [str(check) for check in table_checks(table)]


@transaction.atomic
def table_publish(*, table: ScoreTable) -> ScoreTable:
    """Check the table and publish (freeze) it; refuse with every problem at once."""
    _ensure_draft(table)
    problems = table_problems(table)
    if problems:
        raise TableNotPublishable(problems)
    table.status = TableStatus.PUBLISHED
    table.published_at = timezone.now()
    table.full_clean()
    table.save(update_fields=["status", "published_at"])
    return table


def next_version(campaign: Campaign | int, title: str) -> int:
    """The version a new score table titled ``title`` in ``campaign`` gets: one past the
    highest stored (1 for the first). New versions, the editor's drafts and imported tables
    all number themselves here."""
    latest = (
        ScoreTable.objects.filter(campaign=campaign, title=title)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return (latest or 0) + 1


@transaction.atomic
def table_new_version(*, table: ScoreTable) -> ScoreTable:
    """A draft copy of ``table`` (criteria, unit targets, criteria not assigned, clusters) as
    its next version."""
    copy = ScoreTable(
        campaign=table.campaign,
        period_id=table.period_id,
        title=table.title,
        version=next_version(table.campaign_id, table.title),
        previous=table,
        bands=table.bands,
        bonus_cap=table.bonus_cap,
    )
    copy.full_clean()
    copy.save()
    copy.clusters.set(table.clusters.all())
    old = list(table.criteria.order_by("position", "pk"))
    new_by_old: dict[int, Criterion] = {}
    for criterion in old:  # pre-order: parents come before their children
        new_by_old[criterion.pk] = Criterion.objects.create(
            table=copy,
            parent=new_by_old.get(criterion.parent_id),
            **{
                f.name: getattr(criterion, f.name)
                for f in Criterion._meta.concrete_fields
                if f.name not in {"id", "table", "parent"}
            },
        )
    UnitTarget.objects.bulk_create(
        UnitTarget(criterion=new_by_old[t.criterion_id], unit_id=t.unit_id, target=t.target)
        for t in UnitTarget.objects.filter(criterion__table=table)
    )
    # The criteria not assigned to a unit or kind stay so in the next version.
    bulk_create_with_history(
        [
            NotAssigned(
                criterion=new_by_old[m.criterion_id],
                unit_id=m.unit_id,
                unit_kind=m.unit_kind,
                reason=m.reason,
                created_by_id=m.created_by_id,
            )
            for m in NotAssigned.objects.filter(criterion__table=table).order_by("pk")
        ],
        NotAssigned,
        default_change_reason=f"v{table.version} → v{copy.version}",
    )
    pledge_links_copy(source=table, target=copy)
    return copy


def table_for_cluster(cluster: Cluster, period: Period | None = None) -> ScoreTable | None:
    """The newest published table of ``period`` (None: the year-end review) that applies
    to ``cluster``."""
    return (
        ScoreTable.objects.filter(
            of_period(period_id_of(period)), clusters=cluster, status=TableStatus.PUBLISHED
        )
        .order_by("-version", "-published_at")
        .first()
    )


@dataclass(frozen=True)
class CriterionData:
    """One criterion of a tree to store (imports build these), children in order."""

    code: str
    title: str
    kind: str
    guidance: str = ""
    max_points: Decimal = Decimal(0)
    per_item: Decimal | None = None
    metric: str = ""
    direction: str = "higher"
    method: str = ""
    target: Decimal | None = None
    deduct: Decimal = Decimal(0)
    max_band: str = ""
    excludes_leading: bool = True
    children: tuple[CriterionData, ...] = ()


def _tree_store(
    table: ScoreTable,
    *,
    criteria: Iterable[CriterionData],
    clusters: Iterable[Cluster],
    bands: list[dict],
    bonus_cap: Decimal | None,
) -> None:
    table.bands = list(bands)
    table.bonus_cap = bonus_cap
    table.full_clean()
    table.save()
    table.clusters.set(list(clusters))

    # One insert per level of the tree (and one for its history rows) rather than a save per
    # criterion: a 200-criterion table is stored in a dozen queries instead of some 1,600.
    # Each row's own fields are checked as full_clean does; its table and parent are the rows
    # just stored, and codes are unique by construction (the callers check them; the
    # database constraint backs them), so those checks would only cost a query per row.
    level = [(item, None, order) for order, item in enumerate(criteria, start=1)]
    while level:
        rows = []
        for item, parent, order in level:
            criterion = Criterion(
                table=table,
                parent=parent,
                order=order,
                **{k: v for k, v in item.__dict__.items() if k != "children"},
            )
            criterion.full_clean(
                exclude=["table", "parent"], validate_unique=False, validate_constraints=False
            )
            rows.append(criterion)
        rows = bulk_create_with_history(rows, Criterion)
        level = [
            (child, criterion, order)
            for (item, _parent, _order), criterion in zip(level, rows, strict=True)
            for order, child in enumerate(item.children, start=1)
        ]
    table_renumber(table=table)


@transaction.atomic
def table_create_from_tree(
    *,
    campaign: Campaign,
    title: str,
    criteria: Iterable[CriterionData],
    clusters: Iterable[Cluster] = (),
    bands: list[dict] | None = None,
    bonus_cap: Decimal | None = None,
    previous: ScoreTable | None = None,
    period: Period | None = None,
) -> ScoreTable:
    """A new draft table holding the tree ``criteria`` (siblings in the given order), for
    ``period`` (None: the year-end review; a next version keeps its previous one's).

    With ``previous`` it is that table's next version: numbered one above the newest
    version of the title, and the units' own targets of ``previous`` carry over to the
    target criteria that keep their code.
    """
    if previous is not None:
        period_id = previous.period_id
    else:
        period_id = period.pk if period is not None else None
    table = ScoreTable(
        campaign=campaign,
        period_id=period_id,
        title=title,
        version=next_version(campaign, title),
        previous=previous,
    )
    _tree_store(table, criteria=criteria, clusters=clusters, bands=bands or [], bonus_cap=bonus_cap)
    if previous is not None:
        new = {
            c.code: c for c in table.criteria.filter(kind=CriterionKind.TARGET).only("pk", "code")
        }
        UnitTarget.objects.bulk_create(
            UnitTarget(criterion=new[t.criterion.code], unit_id=t.unit_id, target=t.target)
            for t in UnitTarget.objects.filter(criterion__table=previous).select_related(
                "criterion"
            )
            if t.criterion.code in new
        )
        pledge_links_copy(source=previous, target=table)
    return table


@transaction.atomic
def table_replace_tree(
    *,
    table: ScoreTable,
    criteria: Iterable[CriterionData],
    clusters: Iterable[Cluster] = (),
    bands: list[dict] | None = None,
    bonus_cap: Decimal | None = None,
) -> ScoreTable:
    """Replace a draft table's criteria (and their unit targets), bands, bonus cap and
    clusters; refused for a published table or a draft that already has sheets."""
    _ensure_draft(table)
    if table.sheets.exists():
        raise ValidationError(
            _("The draft table %(table)s already has score sheets; its criteria cannot change."),
            params={"table": str(table)},
        )
    table.criteria.all().delete()
    _tree_store(table, criteria=criteria, clusters=clusters, bands=bands or [], bonus_cap=bonus_cap)
    return table


@transaction.atomic
def unit_target_set(
    *, criterion: Criterion, unit: Unit, target: Decimal | None, recompute: bool = True
) -> None:
    """Give ``unit`` its own target for ``criterion`` (None removes it), then recompute
    (unless ``recompute`` is false: a caller changing many recomputes once at the end)."""
    unit_target_save(criterion=criterion, unit=unit, target=target, recompute=recompute)


@transaction.atomic
def table_set_clusters(*, table: ScoreTable, clusters: Iterable[Cluster]) -> ScoreTable:
    """Apply ``table`` to exactly ``clusters`` (clusters of its campaign).

    Refused, with every cluster at fault named, for a cluster that would gain the table
    while it already has sheets scored with another table, or lose it while it has sheets
    scored with this one; and for a campaign whose results are published.
    """
    clusters = list(clusters)
    if phase_of(table.campaign, table.period) == Phase.PUBLISHED:
        raise ValidationError(
            _("The campaign %(campaign)s is published; its score tables can no longer change."),
            params={"campaign": str(table.campaign)},
        )
    foreign = [c.name for c in clusters if c.campaign_id != table.campaign_id]
    if foreign:
        raise ValidationError(
            _("%(clusters)s: not a cluster of this table's campaign."),
            params={"clusters": ", ".join(foreign)},
        )
    current = set(table.clusters.values_list("pk", flat=True))
    wanted = {c.pk for c in clusters}
    problems = []
    scored_elsewhere = (
        ScoreSheet.objects.filter(cluster_id__in=wanted - current, period_id=table.period_id)
        .exclude(table=table)
        .values_list("cluster__name", flat=True)
        .distinct()
        .order_by("cluster__name")
    )
    if scored_elsewhere:
        problems.append(
            ValidationError(
                _("%(clusters)s already scored sheets with another table."),
                params={"clusters": ", ".join(scored_elsewhere)},
            )
        )
    scored_here = (
        ScoreSheet.objects.filter(cluster_id__in=current - wanted, table=table)
        .values_list("cluster__name", flat=True)
        .distinct()
        .order_by("cluster__name")
    )
    if scored_here:
        problems.append(
            ValidationError(
                _("%(clusters)s already scored sheets with this table."),
                params={"clusters": ", ".join(scored_here)},
            )
        )
    if problems:
        raise ValidationError(problems)
    table.clusters.set(clusters)
    return table
