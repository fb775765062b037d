import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0011_periods_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="publication",
            name="period",
            field=models.ForeignKey(
                blank=True,
                help_text="The review whose results were published; left empty, the year-end review.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="publications",
                to="clusters.period",
                verbose_name="review",
            ),
        ),
        migrations.AlterField(
            model_name="scoresheet",
            name="period",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Its table's review; set by the system from the table.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sheets",
                to="clusters.period",
                verbose_name="review",
            ),
        ),
        migrations.AlterField(
            model_name="scoretable",
            name="period",
            field=models.ForeignKey(
                blank=True,
                help_text="The review the table scores; left empty, the campaign's year-end review.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="score_tables",
                to="clusters.period",
                verbose_name="review",
            ),
        ),
        migrations.AddConstraint(
            model_name="scoresheet",
            constraint=models.UniqueConstraint(
                fields=("period", "cluster", "unit", "stage"),
                name="scoring_scoresheet_one_per_period_stage",
                violation_error_message="This unit already has a sheet at this stage.",
            ),
        ),
    ]
