"""Which criterion of a cluster's score table scores each item of the cluster's pledge.

The link lives in scoring (clusters knows no score table): ``PledgeItemCriterion``, one per
item and table, chosen in the pledge form of the signing pages (scoring adds the choice
through clusters.panels, see scoring/panels.py) and copied to a table's next version.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clusters.models import Cluster, PledgeItem
from scoring.models import Criterion, PledgeItemCriterion, ScoreTable


def pledge_table(cluster: Cluster, tables: QuerySet[ScoreTable] | None = None) -> ScoreTable | None:
    """The table a cluster's pledge is linked against: its published table, else its
    draft, the newest version first (the table the cluster page shows). ``tables`` may
    annotate what the caller needs."""
    tables = ScoreTable.objects.all() if tables is None else tables
    return (
        tables.filter(clusters=cluster)
        .order_by("-status", "-version", "-pk")  # published before draft, newest first
        .first()
    )


def pledge_links(table: ScoreTable, cluster: Cluster) -> dict[int, int]:
    """{pledge item id: criterion id} for the items of ``cluster``'s pledge in ``table``."""
    return dict(
        PledgeItemCriterion.objects.filter(table=table, item__pledge__cluster=cluster)
        .order_by()
        .values_list("item_id", "criterion_id")
    )


@transaction.atomic
def pledge_links_set(
    *, cluster: Cluster, table: ScoreTable, links: Mapping[int, Criterion | None]
) -> list[PledgeItemCriterion]:
    """Link each item of ``cluster``'s pledge given in ``links`` (by item id) to its
    criterion of ``table`` (None unlinks it). Refused, storing nothing, when the table
    does not apply to the cluster, an item is not one of its pledge's, or a criterion is
    not one of the table's. Returns the links now stored for those items."""
    if not table.clusters.filter(pk=cluster.pk).exists():
        raise ValidationError(
            _("The score table %(table)s does not apply to %(cluster)s.")
            % {"table": table, "cluster": cluster.name}
        )
    items = {
        i.pk: i for i in PledgeItem.objects.filter(pledge__cluster=cluster, pk__in=list(links))
    }
    if set(items) != set(links):
        raise ValidationError(_("Choose items of this cluster's pledge."))
    foreign = [c.code for c in links.values() if c is not None and c.table_id != table.pk]
    if foreign:
        raise ValidationError(
            _("%(codes)s: not a criterion of the score table %(table)s.")
            % {"codes": ", ".join(foreign), "table": table}
        )
    current = {
        link.item_id: link
        for link in PledgeItemCriterion.objects.filter(table=table, item_id__in=list(items))
    }
    stored = []
    for item_id, criterion in links.items():
        link = current.get(item_id)
        if criterion is None:
            if link is not None:
                link.delete()
            continue
        if link is None:
            link = PledgeItemCriterion(item=items[item_id], table=table)
        if link.pk is None or link.criterion_id != criterion.pk:
            link.criterion = criterion
            link.full_clean()
            link.save()
        stored.append(link)
    return stored


def pledge_links_copy(*, source: ScoreTable, target: ScoreTable) -> int:
    """Give ``target`` (a new version of ``source``) the pledge items' links of ``source``,
    to the criteria that keep their code. Returns how many links were copied."""
    criteria = dict(target.criteria.values_list("code", "pk"))
    links = [
        PledgeItemCriterion(item_id=item_id, table=target, criterion_id=criteria[code])
        for item_id, code in PledgeItemCriterion.objects.filter(table=source)
        .order_by("pk")
        .values_list("item_id", "criterion__code")
        if code in criteria
    ]
    PledgeItemCriterion.objects.bulk_create(links)
    return len(links)
