"""``manage.py import_scores FILE [--organiser CODE]``: read a ``thidua.scores/1`` file.

All or nothing: every refused value is listed as ``FILE: unit U, criterion C: message``,
nothing is stored and the command exits with status 1. Commands act as an administrator:
they do not wait for the campaign's phase, but never change a locked stage.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.interchange import ScoringFileError, read_json, refused, scores_import


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a str: argparse cannot format a lazy description
        return _(
            "Import the scores of one cluster at one stage from a thidua.scores/1 file "
            "(all or nothing)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=gettext_lazy("Path of the JSON file."))
        parser.add_argument(
            "--organiser",
            metavar="CODE",
            help=gettext_lazy(
                "Code of the organising unit, for a file that does not name one "
                "(default: the installation's default organiser)."
            ),
        )

    def handle(self, *args, file: str, organiser: str | None = None, **options) -> None:
        try:
            summary = scores_import(read_json(file), source=file, organiser=organiser)
        except ScoringFileError as exc:
            raise CommandError(refused(file, exc.errors)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Cluster %(cluster)s, stage %(stage)s: sheets created %(created)d, "
                    "updated %(updated)d; entries stored %(entries)d; unit targets set "
                    "%(targets)d; results recomputed."
                )
                % {
                    "cluster": summary.cluster.code,
                    "stage": summary.stage,
                    "created": len(summary.sheets_created),
                    "updated": len(summary.sheets_updated),
                    "entries": summary.entries,
                    "targets": summary.targets,
                }
            )
        )
