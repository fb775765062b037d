"""``manage.py export_scoretable --year Y (--cluster C | --title T [--table-version N])
[--output FILE] [--organiser CODE]``: write a score table as ``thidua.scoretable/1``.

With ``--cluster`` the table is the newest published one that applies to the cluster; with
``--title`` it is the newest version of that title (or ``--table-version N``), draft or not.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring import services
from scoring.interchange import dumps, find_campaign, scoretable_export
from scoring.models import ScoreTable


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a str: argparse cannot format a lazy description
        return _("Export a score table as a thidua.scoretable/1 file.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help=gettext_lazy("Year."))
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--cluster",
            metavar="CODE",
            help=gettext_lazy("The newest published table that applies to this cluster."),
        )
        which.add_argument("--title", help=gettext_lazy("The table with this title."))
        parser.add_argument(
            "--table-version",
            dest="table_version",
            type=int,
            help=gettext_lazy("With --title: this version (default: the newest)."),
        )
        parser.add_argument(
            "--output", metavar="FILE", help=gettext_lazy("File to write (default: stdout).")
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
        cluster: str | None = None,
        title: str | None = None,
        table_version: int | None = None,
        output: str | None = None,
        organiser: str | None = None,
        **options,
    ) -> None:
        try:
            campaign = find_campaign(year=year, organiser=organiser)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        table = None
        if cluster is not None:
            found = campaign.clusters.filter(code=cluster).first()
            if found is None:
                raise CommandError(
                    _('The campaign %(year)d has no cluster "%(cluster)s".')
                    % {"year": year, "cluster": cluster}
                )
            table = services.table_for_cluster(found)
        else:
            tables = ScoreTable.objects.filter(campaign=campaign, title=title)
            if table_version is not None:
                tables = tables.filter(version=table_version)
            table = tables.order_by("-version").first()
        if table is None:
            raise CommandError(
                _("No score table matches (year %(year)d, %(which)s).")
                % {"year": year, "which": cluster or title}
            )
        text = dumps(scoretable_export(table))
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc}
                ) from exc
        else:
            self.stdout.write(text, ending="")
