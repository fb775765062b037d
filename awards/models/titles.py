"""The title ladder's records: rules of a title, titles held before the product and the
unit's own figures of the year (docs/awards.md)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from awards import ladder
from awards.enums import (
    Comparison,
    Figure,
    FiguresStatus,
    PastTitleSource,
    QuotaScope,
    RuleKind,
)
from awards.models.types import AwardType
from clusters.models import Campaign, Unit


class TitleRule(models.Model):
    """One rule of a title (award type): its kind and the parameters that kind reads
    (awards/ladder.py, docs/awards.md), with the article it rests on."""

    award_type = models.ForeignKey(
        AwardType,
        verbose_name=_("award type"),
        on_delete=models.CASCADE,
        related_name="title_rules",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    band = models.CharField(_("band"), max_length=64, blank=True)
    titles = models.CharField(
        _("title codes"),
        max_length=255,
        blank=True,
        help_text=_("Codes of other titles, separated by commas: any one of them counts."),
    )
    years = models.PositiveSmallIntegerField(
        _("past years"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("The number of years before the campaign's year that are read."),
    )
    at_least = models.PositiveSmallIntegerField(
        _("in at least"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Years of those that must meet it; blank: every one (in a row)."),
    )
    scope = models.CharField(_("quota scope"), max_length=8, choices=QuotaScope.choices, blank=True)
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    share = models.DecimalField(
        _("share"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("A fraction, e.g. 0.7 for 70%."),
    )
    figure = models.CharField(_("figure"), max_length=20, choices=Figure.choices, blank=True)
    comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, blank=True
    )
    article = models.CharField(
        _("legal basis"),
        max_length=255,
        blank=True,
        help_text=_("The article of the law or circular the rule rests on."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("title rule")
        verbose_name_plural = _("title rules")
        ordering = ["award_type", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.award_type} — {self.get_kind_display()}"

    @property
    def share_percent(self) -> Decimal | None:
        return None if self.share is None else (self.share * 100).quantize(Decimal("0.01"))

    @property
    def title_codes(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.titles.split(",") if c.strip())

    def clean(self) -> None:
        kind = self.kind
        errors: dict[str, str] = {}
        if kind in (RuleKind.MIN_BAND, RuleKind.PAST_BANDS) and not self.band:
            errors["band"] = _("Give the band.")
        if kind in (RuleKind.REQUIRES_TITLE, RuleKind.EXCLUDES, RuleKind.PAST_TITLES) and not (
            self.title_codes
        ):
            errors["titles"] = _("Give at least one title code.")
        if kind in (RuleKind.PAST_TITLES, RuleKind.PAST_BANDS):
            if not self.years:
                errors["years"] = _("Give the number of past years.")
            elif self.at_least and self.at_least > self.years:
                errors["at_least"] = _("At most the number of past years.")
        if kind == RuleKind.QUOTA:
            if (self.number is None) == (self.share is None):
                errors["number"] = _("Give either a number or a share.")
            if not self.scope:
                errors["scope"] = _("Choose per cluster or per campaign.")
        if kind == RuleKind.FIGURE_SHARE:
            if not self.figure:
                errors["figure"] = _("Choose the figure.")
            if self.share is None:
                errors["share"] = _("Give the share.")
            if not self.comparison:
                errors["comparison"] = _("Choose at least or at most.")
        if (
            self.award_type_id
            and self.award_type.code in self.title_codes
            and kind
            in (
                RuleKind.REQUIRES_TITLE,
                RuleKind.EXCLUDES,
            )
        ):
            errors["titles"] = _("A title cannot name itself the same year.")
        if errors:
            raise ValidationError(errors)

    def spec(self) -> ladder.RuleSpec:
        return ladder.RuleSpec(
            kind=self.kind,
            band=self.band,
            titles=self.title_codes,
            years=self.years,
            at_least=self.at_least,
            scope=self.scope or ladder.CLUSTER,
            number=self.number,
            share=self.share,
            figure=self.figure,
            comparison=self.comparison or ladder.AT_LEAST,
            article=self.article,
        )


class PastTitle(models.Model):
    """A unit held title ``code`` in ``year``: entered by hand or imported for the years
    before the product, and written by decisions. Rules that need titles in past years
    read it (whoever recorded it); ``organiser`` is the organiser whose staff keep the
    record."""

    organiser = models.ForeignKey(
        Unit, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="past_titles"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1945), MaxValueValidator(2100)]
    )
    code = models.SlugField(_("title code"), max_length=32)
    name = models.CharField(_("title"), max_length=255)
    source = models.CharField(
        _("source"), max_length=10, choices=PastTitleSource.choices, default=PastTitleSource.ENTERED
    )
    reference = models.CharField(
        _("reference"),
        max_length=255,
        blank=True,
        help_text=_("The decision that granted it: number, date, authority."),
    )
    note = models.TextField(pgettext_lazy("remark", "note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("past title")
        verbose_name_plural = _("past titles")
        ordering = ["-year", "unit__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "code"],
                name="%(app_label)s_%(class)s_once_per_unit_year",
                violation_error_message=_("This unit already holds this title for that year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.name} ({self.year})"


class UnitFigures(models.Model):
    """The unit's own figures for the year, entered by the unit and checked by staff:
    rules read them as shares of the headcount once checked."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="unit_figures"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="figures"
    )
    headcount = models.PositiveIntegerField(_("headcount"))
    advanced_soldiers = models.PositiveIntegerField(Figure.ADVANCED_SOLDIERS.label)
    emulation_soldiers = models.PositiveIntegerField(Figure.EMULATION_SOLDIERS.label)
    disciplined = models.PositiveIntegerField(Figure.DISCIPLINED.label)
    note = models.TextField(pgettext_lazy("remark", "note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FiguresStatus.choices, default=FiguresStatus.SUBMITTED
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    check_note = models.TextField(_("staff's note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit figures")
        verbose_name_plural = _("unit figures")
        ordering = ["campaign", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                name="%(app_label)s_%(class)s_once_per_unit",
                violation_error_message=_("This unit's figures for the year are recorded."),
            ),
            models.CheckConstraint(
                condition=Q(advanced_soldiers__lte=F("headcount"))
                & Q(emulation_soldiers__lte=F("headcount"))
                & Q(disciplined__lte=F("headcount")),
                name="%(app_label)s_%(class)s_within_headcount",
                violation_error_message=_("A figure is above the headcount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.campaign.year}"

    def facts(self) -> ladder.Figures:
        return ladder.Figures(
            headcount=self.headcount,
            counts={f: getattr(self, f) for f in Figure.values},
            checked=self.status == FiguresStatus.CHECKED,
        )
