"""The authority's decisions granting or refusing titles, item by item (docs/awards.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from awards.enums import (
    DecisionOutcome,
    TitleLevel,
)
from awards.models.types import AwardType
from clusters.models import Campaign, Unit
from clusters.validators import validate_document


class Decision(models.Model):
    """The authority's decision on proposals of one level (number, date, signer, deciding
    body, scanned copy): its items grant or refuse a title to a unit. Recorded by the
    organiser's staff (awards.services.decision_record) or imported from a
    ``thidua.decision/1`` file (awards/interchange/); granted items count as titles held in
    the campaign's year for the ladder of later years (awards/titles.py)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="decisions"
    )
    number = models.CharField(
        _("decision number"), max_length=64, help_text=_('As written on it, e.g. "123/QĐ-BCA".')
    )
    date = models.DateField(_("date of the decision"))
    signer_name = models.CharField(_("signed by"), max_length=150)
    signer_title = models.CharField(_("signer's position"), max_length=255)
    authority = models.CharField(
        _("deciding authority"),
        max_length=255,
        help_text=_("The body that decided, e.g. Bộ Công an, UBND tỉnh."),
    )
    level = models.CharField(_("level"), max_length=12, choices=TitleLevel.choices)
    scanned_copy = models.FileField(
        _("scanned copy"),
        upload_to="awards/decisions/%Y/",
        blank=True,
        validators=[validate_document],
    )
    source_sha256 = models.CharField(
        _("SHA-256 of the imported file"),
        max_length=64,
        blank=True,
        help_text=_("Set when the decision came as a thidua.decision/1 file."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["campaign", "-date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"],
                name="%(app_label)s_%(class)s_number_once_per_campaign",
                violation_error_message=_("This decision number is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d/%m/%Y})" if self.date else self.number


class DecisionItem(models.Model):
    """One unit and one title of a decision: granted or refused."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="items"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="decision_items"
    )
    award_type = models.ForeignKey(
        AwardType,
        verbose_name=_("award type"),
        on_delete=models.PROTECT,
        related_name="decision_items",
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=DecisionOutcome.choices)
    note = models.TextField(pgettext_lazy("remark", "note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision item")
        verbose_name_plural = _("decision items")
        ordering = ["decision", "award_type__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "unit", "award_type"],
                name="%(app_label)s_%(class)s_once_per_unit_and_title",
                violation_error_message=_("This decision already decides this unit's title."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.award_type} — {self.get_outcome_display()}"

    def clean(self) -> None:
        if (
            self.decision_id
            and self.award_type_id
            and self.award_type.campaign_id != self.decision.campaign_id
        ):
            raise ValidationError({"award_type": _("The award type is of another campaign.")})

    @property
    def granted(self) -> bool:
        return self.outcome == DecisionOutcome.GRANTED
