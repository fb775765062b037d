"""``manage.py export_results --year Y --cluster C --stage S [--format json|csv|xlsx]
[--output FILE] [--organiser CODE]``: write a cluster's stored results at one stage.

JSON (``thidua.results/1``) and CSV go to standard output unless ``--output`` is given;
xlsx needs ``--output``. Nothing is recomputed: the figures are the stored ones.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.enums import PeriodKind
from clusters.models import Cluster
from scoring.enums import Stage
from scoring.interchange import dumps, find_campaign, results_csv, results_export, results_xlsx


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a str: argparse cannot format a lazy description
        return _("Export a cluster's results at one stage as JSON, CSV or xlsx.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help=gettext_lazy("Year."))
        parser.add_argument(
            "--cluster", required=True, metavar="CODE", help=gettext_lazy("Cluster code.")
        )
        parser.add_argument(
            "--stage", required=True, choices=Stage.values, help=gettext_lazy("Stage.")
        )
        parser.add_argument(
            "--period",
            choices=PeriodKind.values,
            default=PeriodKind.YEAR_END,
            help=gettext_lazy("Review: year_end (default) or six_month."),
        )
        parser.add_argument(
            "--format",
            dest="output_format",
            choices=["json", "csv", "xlsx"],
            default="json",
            help=gettext_lazy("Output format (default json)."),
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            help=gettext_lazy("File to write (default: standard output; required for xlsx)."),
        )
        parser.add_argument(
            "--organiser",
            metavar="CODE",
            help=gettext_lazy(
                "Code of the organising unit (default: the installation's default organiser)."
            ),
        )

    def handle(
        self,
        *args,
        year: int,
        cluster: str,
        stage: str,
        period: str = PeriodKind.YEAR_END,
        output_format: str = "json",
        output: str | None = None,
        organiser: str | None = None,
        **options,
    ) -> None:
        if output_format == "xlsx" and not output:
            raise CommandError(_("The xlsx format needs --output FILE."))
        try:
            campaign = find_campaign(year=year, organiser=organiser)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        found = (
            Cluster.objects.filter(campaign=campaign, code=cluster)
            .select_related("campaign__organiser")
            .first()
        )
        if found is None:
            raise CommandError(
                _('The campaign %(year)d of "%(organiser)s" has no cluster "%(cluster)s".')
                % {"year": year, "organiser": campaign.organiser.code, "cluster": cluster}
            )
        document = results_export(cluster=found, stage=stage, period=period)
        try:
            if output_format == "xlsx":
                with Path(output).open("wb") as stream:
                    results_xlsx(document, stream)
                return
            text = dumps(document) if output_format == "json" else results_csv(document)
            if output:
                Path(output).write_text(text, encoding="utf-8", newline="")
            else:
                self.stdout.write(text, ending="")
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc}
            ) from exc
