"""``manage.py import_scoretable FILE [--draft] [--organiser CODE]``: read a
``thidua.scoretable/1`` file and publish the table (unless ``--draft``).

All or nothing: on any problem (a badly formed file, or a table that could not be
published) the command lists every error, stores nothing and exits with status 1.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.interchange import ScoringFileError, read_json, refused, scoretable_import


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a str: argparse cannot format a lazy description
        return _(
            "Import a score table from a thidua.scoretable/1 file and publish it "
            "(all or nothing; --draft keeps it a draft)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=gettext_lazy("Path of the JSON file."))
        parser.add_argument(
            "--draft",
            action="store_true",
            help=gettext_lazy("Store the table as a draft instead of publishing it."),
        )
        parser.add_argument(
            "--organiser",
            metavar="CODE",
            help=gettext_lazy(
                "Code of the organising unit, for a file that does not name one "
                "(default: the installation's default organiser)."
            ),
        )

    def handle(
        self, *args, file: str, draft: bool = False, organiser: str | None = None, **options
    ) -> None:
        try:
            summary = scoretable_import(
                read_json(file), source=file, organiser=organiser, publish=not draft
            )
        except ScoringFileError as exc:
            raise CommandError(refused(file, exc.errors)) from exc
        table = summary.table
        params = {"table": str(table), "year": table.campaign.year}
        messages = {
            "created": _("Created the score table %(table)s of %(year)d."),
            "replaced": _("Replaced the content of the draft score table %(table)s of %(year)d."),
            "new_version": _(
                "Created %(table)s of %(year)d, the next version of the published table."
            ),
            "unchanged": _("The score table %(table)s of %(year)d already holds this file."),
        }
        lines = [messages[summary.action] % params]
        if summary.published and summary.action != "unchanged":
            lines.append(_("Published it."))
        elif summary.published:
            lines.append(_("It is published; nothing changed."))
        else:
            lines.append(_("It stays a draft."))
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
        if summary.problems:
            self.stdout.write(
                self.style.WARNING(
                    "\n".join(
                        [
                            _("It cannot be published yet:"),
                            *("  - " + problem for problem in summary.problems),
                        ]
                    )
                )
            )
