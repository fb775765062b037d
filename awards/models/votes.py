"""The cluster's vote per unit and award type (domain.md section 6); whether it passes is
awards.rules' (``Vote.passed``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from awards import rules
from awards.models.types import AwardType
from clusters.models import Cluster, Unit


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
