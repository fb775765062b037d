"""Award types per campaign with their rules, restrictions on units (discipline,
inspection) and the cluster's vote per unit and award type (domain.md section 6).

Who is eligible is computed by awards/rules.py from the published final results; whether
a vote passes too (``Vote.passed``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from awards import rules
from awards.enums import RestrictionKind
from clusters.models import Campaign, Cluster, Unit


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


class Vote(models.Model):
    """The cluster's vote on proposing one unit for one award type."""

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="award_votes"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="award_votes"
    )
    award_type = models.ForeignKey(
        AwardType, verbose_name=_("award type"), on_delete=models.PROTECT, related_name="votes"
    )
    members_present = models.PositiveSmallIntegerField(
        _("members present"), validators=[MinValueValidator(1)]
    )
    votes_for = models.PositiveSmallIntegerField(_("votes for"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["cluster", "award_type__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "unit", "award_type"],
                name="%(app_label)s_%(class)s_one_per_unit_and_award",
                violation_error_message=_("This unit's vote on this award is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(votes_for__lte=F("members_present")),
                name="%(app_label)s_%(class)s_votes_within_present",
                violation_error_message=_("There are more votes for than members present."),
            ),
            models.CheckConstraint(
                condition=Q(members_present__gte=1),
                name="%(app_label)s_%(class)s_someone_present",
                violation_error_message=_("At least one member is present."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.award_type}"

    def clean(self) -> None:
        if (
            self.award_type_id
            and self.cluster_id
            and self.award_type.campaign_id != self.cluster.campaign_id
        ):
            raise ValidationError({"award_type": _("The award type is of another campaign.")})

    @property
    def share(self) -> Decimal:
        return rules.vote_share(self.members_present, self.votes_for)

    @property
    def percent(self) -> Decimal:
        return (self.share * 100).quantize(Decimal("0.01"))

    @property
    def passed(self) -> bool:
        return rules.vote_passed(self.members_present, self.votes_for, self.award_type.pass_share)
