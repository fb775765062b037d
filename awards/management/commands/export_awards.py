"""``manage.py export_awards --year Y [--organiser CODE]``: write the campaign's
``thidua.awards/1`` document (docs/formats.md) to standard output: per unit its cluster,
the titles it is eligible for, the failed conditions of the others, the titles proposed and
the decisions granting or refusing them."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.interchange.awards_file import awards_export
from clusters.models import Campaign


def find_campaign(year: int, organiser: str | None) -> Campaign:
    """The campaign of ``year`` of ``organiser``; without it, the year's only campaign.
    A CommandError listing the organisers' codes otherwise."""
    campaigns = Campaign.objects.filter(year=year).select_related("organiser")
    codes = sorted(c.organiser.code for c in campaigns)
    if organiser:
        found = next((c for c in campaigns if c.organiser.code == organiser), None)
        if found is None:
            raise CommandError(
                _(
                    'The organiser "%(organiser)s" has no campaign in %(year)d (organisers '
                    "with one: %(codes)s)."
                )
                % {"organiser": organiser, "year": year, "codes": ", ".join(codes) or "-"}
            )
        return found
    if not codes:
        raise CommandError(_("No campaign in %(year)d.") % {"year": year})
    if len(codes) > 1:
        raise CommandError(
            _(
                "Several organisers have a campaign in %(year)d: %(codes)s; choose one with "
                "--organiser CODE."
            )
            % {"year": year, "codes": ", ".join(codes)}
        )
    return campaigns.get()


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a str: argparse cannot format a lazy description
        return _("Write the year's awards per unit (thidua.awards/1) to standard output.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help=gettext_lazy("Year."))
        parser.add_argument(
            "--organiser",
            metavar="CODE",
            help=gettext_lazy("Code of the organising unit (default: the year's only one)."),
        )

    def handle(self, *args, year: int, organiser: str | None = None, **options) -> None:
        campaign = find_campaign(year, organiser)
        document = awards_export(campaign)
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
