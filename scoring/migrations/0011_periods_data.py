"""Every campaign gets its year-end period, and the score tables, sheets and publications
that existed before periods belong to it (a single year-end period stays the default)."""

from django.db import migrations


def to_year_end(apps, schema_editor):
    Campaign = apps.get_model("clusters", "Campaign")
    Period = apps.get_model("clusters", "Period")
    ScoreTable = apps.get_model("scoring", "ScoreTable")
    ScoreSheet = apps.get_model("scoring", "ScoreSheet")
    Publication = apps.get_model("scoring", "Publication")
    for campaign_id in Campaign.objects.order_by("pk").values_list("pk", flat=True):
        period, _created = Period.objects.get_or_create(
            campaign_id=campaign_id, kind="year_end", defaults={"phase": ""}
        )
        ScoreTable.objects.filter(campaign_id=campaign_id, period__isnull=True).update(
            period=period
        )
        ScoreSheet.objects.filter(table__campaign_id=campaign_id, period__isnull=True).update(
            period=period
        )
        Publication.objects.filter(cluster__campaign_id=campaign_id, period__isnull=True).update(
            period=period
        )


def back(apps, schema_editor):
    """Nothing to undo: the next migration back removes the columns."""


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0010_periods"),
    ]

    operations = [migrations.RunPython(to_year_end, back)]
