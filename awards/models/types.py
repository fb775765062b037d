"""Award types per campaign with their rules and restrictions on units (discipline,
inspection) (domain.md section 6)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from awards import ladder, rules
from awards.enums import (
    RestrictionKind,
    RuleKind,
    TitleLevel,
)
from clusters.models import Campaign, Unit

if TYPE_CHECKING:
    from awards.models.titles import TitleRule

# The heading of a certificate by the level of the title when the award type sets none: the
# head of a unit or of the provincial police grants a Giấy khen, the Minister and the Prime
# Minister a Bằng khen; the State's titles come with a Giấy chứng nhận. Printed words, fixed
# by the form (Vietnamese whatever the interface language).
CERTIFICATE_HEADINGS = {
    TitleLevel.UNIT: "GIẤY KHEN",
    TitleLevel.PROVINCE: "GIẤY KHEN",
    TitleLevel.MINISTRY: "BẰNG KHEN",
    TitleLevel.GOVERNMENT: "BẰNG KHEN",
    TitleLevel.STATE: "GIẤY CHỨNG NHẬN",
}


class AwardType(models.Model):
    """A title the campaign's clusters may propose (Cờ thi đua của Bộ Công an, ...) and who
    may be proposed for it."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="award_types"
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=255)
    leading_only = models.BooleanField(
        _("leading unit only"),
        default=False,
        help_text=_("Only the leading unit of a cluster may be proposed."),
    )
    min_band = models.CharField(
        _("lowest band"),
        max_length=64,
        blank=True,
        help_text=_("Units at or above this band of the cluster's score table; blank: any."),
    )
    max_per_cluster = models.PositiveSmallIntegerField(
        _("at most per cluster"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Units tied at the limit all stay eligible; the vote decides."),
    )
    pass_share = models.DecimalField(
        _("share of votes to pass"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.5000"),
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal(1))],
        help_text=_(
            "A fraction of the members present, e.g. 0.5 or 0.6667 for two thirds; a "
            "proposal passes when its share of votes (rounded to 4 decimals) is at least this."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    level = models.CharField(
        _("level"), max_length=12, choices=TitleLevel.choices, default=TitleLevel.UNIT
    )
    preset = models.BooleanField(
        _("shipped default"),
        default=False,
        help_text=_("Installed from the product's presets: the organiser confirms or edits it."),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    certificate_heading = models.CharField(
        _("certificate heading"),
        max_length=64,
        blank=True,
        help_text=_(
            "The word printed at the top of its certificates, e.g. GIẤY KHEN, BẰNG KHEN, "
            "CỜ THI ĐUA; blank: from the level (unit and province: GIẤY KHEN; ministry and "
            "government: BẰNG KHEN; state: GIẤY CHỨNG NHẬN)."
        ),
    )

    class Meta:
        verbose_name = _("award type")
        verbose_name_plural = _("award types")
        ordering = ["campaign", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"],
                name="%(app_label)s_%(class)s_code_per_campaign",
                violation_error_message=_("This campaign already has this award code."),
            ),
            models.CheckConstraint(
                condition=Q(pass_share__gt=0, pass_share__lte=1),
                name="%(app_label)s_%(class)s_pass_share_fraction",
                violation_error_message=_("The share of votes is a fraction above 0, at most 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def pass_percent(self) -> Decimal:
        return (self.pass_share * 100).quantize(Decimal("0.01"))

    @property
    def awaiting_confirmation(self) -> bool:
        return self.preset and self.confirmed_at is None

    @property
    def certificate_word(self) -> str:
        """The heading of its certificates: the one set, else its level's."""
        return (self.certificate_heading or "").strip().upper() or CERTIFICATE_HEADINGS.get(
            self.level, "GIẤY KHEN"
        )

    def title_spec(self, title_rules: list[TitleRule] | None = None) -> ladder.TitleSpec:
        """Its rules for awards/ladder.py: the award type's own settings first (no
        discipline or inspection, leading unit, lowest band, at most per cluster: the rules
        votes have always followed), then its title rules in order."""
        specs = []
        title_rules = list(self.title_rules.all()) if title_rules is None else title_rules
        if not any(r.kind == RuleKind.NO_RESTRICTION for r in title_rules):
            specs.append(ladder.RuleSpec(ladder.NO_RESTRICTION, implicit=True))
        if self.leading_only:
            specs.append(ladder.RuleSpec(ladder.LEADING, implicit=True))
        if self.min_band:
            specs.append(ladder.RuleSpec(ladder.MIN_BAND, band=self.min_band, implicit=True))
        if self.max_per_cluster:
            specs.append(ladder.RuleSpec(ladder.QUOTA, number=self.max_per_cluster, implicit=True))
        specs.extend(r.spec() for r in title_rules)
        return ladder.TitleSpec(self.code, tuple(specs))

    def rule(self) -> rules.AwardRule:
        return rules.AwardRule(
            code=self.code,
            leading_only=self.leading_only,
            min_band=self.min_band,
            max_per_cluster=self.max_per_cluster,
        )


class UnitRestriction(models.Model):
    """A unit under discipline or inspection: it may not be proposed for any award of the
    campaign while the restriction runs (Circular 12/2019/TT-BCA)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="restrictions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="restrictions"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RestrictionKind.choices)
    reason = models.TextField(_("reason"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit restriction")
        verbose_name_plural = _("unit restrictions")
        ordering = ["campaign", "unit__code", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("The end date is before the start date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.get_kind_display()}"
