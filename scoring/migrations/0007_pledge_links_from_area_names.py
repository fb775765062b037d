"""Set the explicit links between pledge items and criteria from the link by area name
that was used before them: an item is linked, in every score table applied to its
cluster, to the top-level criterion whose title is its area (compared without case and
surrounding spaces), where exactly one such criterion exists. Items without such a match,
or with more than one, are left for the cluster leader to choose."""

from django.db import migrations


def _key(text: str) -> str:
    return (text or "").strip().casefold()


def link_by_area(apps, schema_editor):
    PledgeItem = apps.get_model("clusters", "PledgeItem")
    ScoreTable = apps.get_model("scoring", "ScoreTable")
    Criterion = apps.get_model("scoring", "Criterion")
    PledgeItemCriterion = apps.get_model("scoring", "PledgeItemCriterion")
    links = []
    for item in PledgeItem.objects.select_related("pledge").order_by("pk"):
        tables = ScoreTable.objects.filter(clusters=item.pledge.cluster_id).order_by("pk")
        for table in tables:
            if PledgeItemCriterion.objects.filter(item=item, table=table).exists():
                continue
            matches = [
                c
                for c in Criterion.objects.filter(table=table, parent__isnull=True)
                if _key(c.title) == _key(item.area)
            ]
            if len(matches) == 1:
                links.append(PledgeItemCriterion(item=item, table=table, criterion=matches[0]))
    PledgeItemCriterion.objects.bulk_create(links)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0006_unit_target_history_pledge_links"),
    ]

    operations = [
        migrations.RunPython(link_by_area, migrations.RunPython.noop),
    ]
