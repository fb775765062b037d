"""Deadlines of a period's phases, and the extensions staff grant a unit (issue 16).

A deadline is a date: the phase's work is due by the end of that day in Asia/Ho_Chi_Minh
(the project's TIME_ZONE). A campaign-wide deadline (no cluster) applies to every cluster;
a cluster's own deadline for the same period and phase overrides it. An extension moves
one unit's date for one deadline; the latest extension counts and every one is kept.
Reading them: clusters.services.deadlines (``due_for``, ``deadline_state``, ``late_units``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clusters.enums import DeadlineMode, Phase
from clusters.models.organisation import Campaign, Cluster, Unit
from clusters.models.periods import Period


class Deadline(models.Model):
    """The date by which a phase's work of one period is due, campaign-wide or for one
    cluster, and whether passing it only warns or closes input."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="deadlines"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("review"), on_delete=models.CASCADE, related_name="deadlines"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cluster"),
        on_delete=models.CASCADE,
        related_name="deadlines",
        null=True,
        blank=True,
        help_text=_("Empty: the whole campaign. A cluster's own deadline overrides it."),
    )
    due_date = models.DateField(
        _("due date"), help_text=_("The work is due by the end of this day.")
    )
    mode = models.CharField(
        _("when passed"), max_length=8, choices=DeadlineMode.choices, default=DeadlineMode.WARN
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["campaign", "period", "due_date", "phase", "cluster"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "phase"],
                condition=Q(cluster__isnull=True),
                name="%(app_label)s_%(class)s_one_per_phase",
                violation_error_message=_("This phase already has a deadline."),
            ),
            models.UniqueConstraint(
                fields=["period", "phase", "cluster"],
                condition=Q(cluster__isnull=False),
                name="%(app_label)s_%(class)s_one_per_cluster_phase",
                violation_error_message=_("This cluster already has a deadline for this phase."),
            ),
            models.CheckConstraint(
                condition=~Q(phase__in=[Phase.SETUP, Phase.PUBLISHED]),
                name="%(app_label)s_%(class)s_phase_with_work",
                violation_error_message=_("Setting up and publishing have no deadline."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} · {self.due_date:%d/%m/%Y}"

    def clean(self) -> None:
        errors = {}
        if self.period_id and self.campaign_id and self.period.campaign_id != self.campaign_id:
            errors["period"] = _("The review belongs to another campaign.")
        if self.cluster_id and self.campaign_id and self.cluster.campaign_id != self.campaign_id:
            errors["cluster"] = _("The cluster belongs to another campaign.")
        if self.period_id and not self.period.is_year_end and self.phase == Phase.SIGNING:
            errors["phase"] = _("A six-month review has no signing phase.")
        if errors:
            raise ValidationError(errors)


class DeadlineExtension(models.Model):
    """More time for one unit: its own date for a deadline, with the reason. The latest
    extension of a unit counts; earlier ones stay as its history."""

    deadline = models.ForeignKey(
        Deadline, verbose_name=_("deadline"), on_delete=models.CASCADE, related_name="extensions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="deadline_extensions"
    )
    due_date = models.DateField(_("new due date"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["deadline", "unit", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="%(app_label)s_%(class)s_reason",
                violation_error_message=_("Say why the unit gets more time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.due_date:%d/%m/%Y}"
