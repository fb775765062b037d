"""The periods a campaign scores: the year-end review (tổng kết), which every campaign has,
and the six-month review (sơ kết), which a campaign may add (domain.md section 4)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clusters.enums import PeriodKind, Phase
from clusters.models.organisation import Campaign

# The phases of a six-month review: the signing belongs to the year, not to a period.
SIX_MONTH_PHASES = [p for p in Phase.values if p != Phase.SIGNING]


class PeriodQuerySet(models.QuerySet):
    def year_end(self, campaign: Campaign | int) -> Period:
        """The campaign's year-end period, created when it is asked for the first time
        (every campaign has one; the migration made them for the campaigns before)."""
        campaign_id = campaign if isinstance(campaign, int) else campaign.pk
        period, _created = self.get_or_create(campaign_id=campaign_id, kind=PeriodKind.YEAR_END)
        return period


class Period(models.Model):
    """A scored period of a campaign, with its own score tables, sheets, stages and
    published results.

    The year-end period's phase is its campaign's (``Campaign.phase``: the year's signing
    phase comes before its stages), so its own ``phase`` stays empty; a six-month review
    moves through its own phases (set by scoring.services.periods.period_set_phase).
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="periods"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    phase = models.CharField(
        _("phase"),
        max_length=20,
        choices=Phase.choices,
        blank=True,
        help_text=_("A six-month review's own phase; the year-end review follows the campaign's."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Who added the period and moved its phases, and when.
    history = HistoricalRecords(excluded_fields=["created_at"])

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("scoring", "period")
        verbose_name_plural = pgettext_lazy("scoring", "periods")
        ordering = ["campaign", "kind"]  # six_month before year_end
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind"],
                name="%(app_label)s_%(class)s_one_per_kind",
                violation_error_message=_("This campaign already has this review."),
            ),
            models.CheckConstraint(
                condition=(Q(kind=PeriodKind.YEAR_END) & Q(phase=""))
                | (Q(kind=PeriodKind.SIX_MONTH) & Q(phase__in=SIX_MONTH_PHASES)),
                name="%(app_label)s_%(class)s_phase_of_kind",
                violation_error_message=_(
                    "A six-month review has a phase of its own; the year-end review follows "
                    "its campaign's."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_year_end(self) -> bool:
        return self.kind == PeriodKind.YEAR_END

    @property
    def current_phase(self) -> str:
        """Where this period's scoring is: the campaign's phase for the year-end review."""
        return self.campaign.phase if self.is_year_end else self.phase

    @property
    def label(self) -> str:
        """What documents and pages call it: "Sơ kết 6 tháng đầu năm 2024"."""
        return period_label(self.kind, self.campaign.year)


def period_label(kind: str, year: int) -> str:
    """A period's name for a year, without reading the period."""
    if kind == PeriodKind.SIX_MONTH:
        return gettext("Six-month review, first half of %(year)s") % {"year": year}
    return gettext("Year-end review %(year)s") % {"year": year}


# The words of official documents (always Vietnamese, whatever the page's language).
PERIOD_WORDS = {
    PeriodKind.SIX_MONTH: "Sơ kết 6 tháng đầu năm {year}",
    PeriodKind.YEAR_END: "Tổng kết năm {year}",
}


def period_words(kind: str, year: int) -> str:
    """A period's name in documents: "Sơ kết 6 tháng đầu năm 2024", "Tổng kết năm 2024"."""
    return PERIOD_WORDS[PeriodKind(kind)].format(year=year)
