"""``manage.py import_scoretable FILE [--draft] [--organiser CODE]``: read a
``thidua.scoretable/1`` file and publish the table (unless ``--draft``).

``manage.py import_scoretable FILE.xlsx|FILE.docx --year Y --cluster CODE [--cluster CODE
...] [--organiser CODE] [--draft]``: read the office's own table from Excel or Word
(scoring.interchange.office), then store it exactly as a JSON file is stored.

All or nothing: on any problem (a badly formed or refused file, or a table that could not
be published) the command lists every error, stores nothing and exits with status 1.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.interchange import ScoringFileError, read_json, refused, scoretable_import
from scoring.interchange.office import is_office_file, office_import, office_read


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a str: argparse cannot format a lazy description
        return _(
            "Import a score table from a thidua.scoretable/1 file, or from the office's own "
            "table in an .xlsx or .docx file (with --year and --cluster), and publish it "
            "(all or nothing; --draft keeps it a draft)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help=gettext_lazy("Path of the JSON file, or of an .xlsx or .docx file.")
        )
        parser.add_argument(
            "--year",
            type=int,
            help=gettext_lazy("Year of the campaign (for an .xlsx or .docx file)."),
        )
        parser.add_argument(
            "--cluster",
            action="append",
            metavar="CODE",
            dest="clusters",
            help=gettext_lazy(
                "Code of a cluster the table applies to (for an .xlsx or .docx file; "
                "repeat for several clusters)."
            ),
        )
        parser.add_argument(
            "--period",
            choices=["year_end", "six_month"],
            default="year_end",
            help=gettext_lazy(
                "Review a new table scores: year_end (default) or six_month (the campaign's "
                "six-month review)."
            ),
        )
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
        self,
        *args,
        file: str,
        draft: bool = False,
        organiser: str | None = None,
        year: int | None = None,
        clusters: list[str] | None = None,
        period: str = "year_end",
        **options,
    ) -> None:
        office = None
        try:
            if is_office_file(file, _head(file)):
                if year is None or not clusters:
                    raise CommandError(
                        _("An .xlsx or .docx file needs --year and at least one --cluster.")
                    )
                office = office_read(Path(file).read_bytes(), name=file)
                summary = office_import(
                    office,
                    year=year,
                    clusters=clusters,
                    organiser=organiser,
                    publish=not draft,
                    period=period,
                )
            else:
                if year is not None or clusters:
                    raise CommandError(
                        _(
                            "--year and --cluster are for .xlsx and .docx files; a JSON file "
                            "names its own year and clusters."
                        )
                    )
                summary = scoretable_import(
                    read_json(file),
                    source=file,
                    organiser=organiser,
                    publish=not draft,
                    period=period,
                )
        except OSError as exc:
            raise CommandError(
                refused(
                    file, [_("%(file)s: cannot be read (%(error)s)") % {"file": file, "error": exc}]
                )
            ) from exc
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
        if office is not None:
            self._office_report(office)
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

    def _office_report(self, office) -> None:
        self.stdout.write(
            _("Read %(count)d criteria from %(place)s.")
            % {"count": _count(office.criteria), "place": office.place}
        )
        if office.findings():
            self.stdout.write(
                self.style.WARNING(
                    "\n".join(
                        [
                            _(
                                "Rows not understood or that do not add up (correct them in the "
                                "editor):"
                            ),
                            *("  - " + line for line in office.findings()),
                        ]
                    )
                )
            )


def _count(criteria) -> int:
    return sum(1 + _count(c.children) for c in criteria)


def _head(path: str) -> bytes:
    """The first bytes of ``path`` (to tell an office file by its content); none when it
    cannot be read (the reader then says why)."""
    try:
        with open(path, "rb") as file:
            return file.read(8)
    except OSError:
        return b""
