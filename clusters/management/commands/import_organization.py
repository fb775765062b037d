"""``manage.py import_organization FILE``: read a ``thidua.organization/1`` file.

All or nothing: on any problem the command lists every error (each naming its record),
stores nothing and exits with status 1.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clusters.interchange import ImportSummary, OrganizationFileError, organization_import


def read_json(path: str) -> object:
    """The decoded JSON document in ``path``; CommandError when it cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(
            _("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc}
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            _("%(file)s is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
            % {"file": path, "error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from exc


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked for, in the active language
        return _(
            "Import clusters, units, leaders and deputies of one year from a "
            "thidua.organization/1 file (all or nothing)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("Path of the JSON file."))
        parser.add_argument(
            "--organiser",
            metavar="CODE",
            help=_(
                "Code of the organising unit, for a file that does not name one "
                "(default: the installation's default organiser)."
            ),
        )

    def handle(self, *args, file: str, organiser: str | None = None, **options) -> None:
        data = read_json(file)
        try:
            summary = organization_import(data=data, organiser_code=organiser)
        except OrganizationFileError as exc:
            count = len(exc.errors)
            header = ngettext(
                "%(file)s was not imported, nothing was stored: %(count)d error.",
                "%(file)s was not imported, nothing was stored: %(count)d errors.",
                count,
            ) % {"file": file, "count": count}
            raise CommandError("\n".join([header, *("  - " + e for e in exc.errors)])) from exc
        self.stdout.write(self.style.SUCCESS(self.describe(summary)))

    def describe(self, summary: ImportSummary) -> str:
        """The summary printed after a successful import."""
        campaign = summary.campaign
        lines = [
            (
                _("Created the campaign %(year)d of %(organiser)s (%(code)s).")
                if summary.campaign_created
                else _("Updated the campaign %(year)d of %(organiser)s (%(code)s).")
            )
            % {
                "year": campaign.year,
                "organiser": summary.organiser.name,
                "code": summary.organiser.code,
            },
            _("Units: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "created": len(summary.units_created),
                "updated": len(summary.units_updated),
                "unchanged": len(summary.units_unchanged),
            },
            _("Clusters: %(created)d created, %(updated)d updated; %(members)d memberships.")
            % {
                "created": len(summary.clusters_created),
                "updated": len(summary.clusters_updated),
                "members": summary.memberships,
            },
        ]
        for unit, old, new in summary.moved:
            lines.append(
                _("Moved %(unit)s from cluster %(old)s to cluster %(new)s.")
                % {"unit": unit, "old": old, "new": new}
            )
        if summary.kept_clusters:
            lines.append(
                _("Kept clusters the file does not list: %(codes)s.")
                % {"codes": ", ".join(summary.kept_clusters)}
            )
        return "\n".join(lines)
