"""Next year's leader and deputy units, as a cluster elects them at its year-end meeting
(domain.md section 9: clusters commonly elect next year's leader and deputy at the year-end
review). The copy of the year may hand the leadership to them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clusters.models.organisation import Cluster, Membership, Unit
from clusters.validators import validate_document


class LeadershipElection(models.Model):
    """The units a cluster elected to lead it next year (its leader and, where one was
    elected, its deputy), with the meeting's date, the vote and the minutes. Written by
    clusters.services.leadership_election_record; read by campaign_copy (leaders "elected")."""

    cluster = models.OneToOneField(
        Cluster,
        verbose_name=_("cluster"),
        on_delete=models.CASCADE,
        related_name="leadership_election",
    )
    held_on = models.DateField(_("meeting date"))
    members_present = models.PositiveSmallIntegerField(
        _("members present"), validators=[MinValueValidator(1)]
    )
    leader = models.ForeignKey(
        Unit,
        verbose_name=_("next year's leader"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    leader_votes = models.PositiveSmallIntegerField(_("votes for the leader"))
    deputy = models.ForeignKey(
        Unit,
        verbose_name=_("next year's deputy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deputy_votes = models.PositiveSmallIntegerField(
        _("votes for the deputy"), null=True, blank=True
    )
    minutes = models.FileField(
        _("minutes"),
        upload_to="clusters/elections/%Y/",
        blank=True,
        validators=[validate_document],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("election of next year's leaders")
        verbose_name_plural = _("elections of next year's leaders")
        ordering = ["cluster"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(leader=F("deputy")),
                name="%(app_label)s_%(class)s_two_units",
                violation_error_message=_("The leader and the deputy are two different units."),
            ),
            models.CheckConstraint(
                condition=Q(leader_votes__lte=F("members_present"))
                & (Q(deputy_votes__isnull=True) | Q(deputy_votes__lte=F("members_present"))),
                name="%(app_label)s_%(class)s_votes_within_present",
                violation_error_message=_("There are more votes than members present."),
            ),
            models.CheckConstraint(
                condition=Q(deputy__isnull=True, deputy_votes__isnull=True)
                | Q(deputy__isnull=False, deputy_votes__isnull=False),
                name="%(app_label)s_%(class)s_deputy_with_votes",
                violation_error_message=_("A deputy is recorded with the votes for it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cluster} — {self.leader}"

    def clean(self) -> None:
        if self.cluster_id is None:
            return
        members = set(
            Membership.objects.filter(cluster_id=self.cluster_id).values_list("unit_id", flat=True)
        )
        errors = {}
        for name in ("leader", "deputy"):
            unit_id = getattr(self, f"{name}_id")
            if unit_id is not None and unit_id not in members:
                errors[name] = _("Choose a member unit of the cluster.")
        if self.deputy_id is not None and self.deputy_votes is None:
            errors["deputy_votes"] = _("Enter the votes for the deputy.")
        if self.deputy_id is None and self.deputy_votes is not None:
            errors["deputy"] = _("Choose the deputy the votes were for.")
        if errors:
            raise ValidationError(errors)
