"""Proposal files received from another organiser and the decision files answered to them
(docs/formats.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from awards.enums import (
    TitleLevel,
)
from clusters.models import Unit


class ReceivedProposal(models.Model):
    """A ``thidua.proposal/1`` file another organiser sent up to ``organiser`` (the deciding
    side of the file exchange, awards/incoming.py): the file's text as received, checked
    against its SHA-256. The sender and its units stay codes and names in the file: nothing
    of them is created among this organiser's own units."""

    organiser = models.ForeignKey(
        Unit,
        verbose_name=_("receiving organiser"),
        on_delete=models.PROTECT,
        related_name="received_proposals",
    )
    sender_code = models.CharField(_("sender's code"), max_length=64)
    sender_name = models.CharField(_("sender"), max_length=255)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1945), MaxValueValidator(2100)]
    )
    campaign_name = models.CharField(_("campaign"), max_length=255, blank=True)
    content = models.TextField(_("file content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("received proposal")
        verbose_name_plural = _("received proposals")
        ordering = ["organiser", "-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "sha256"],
                name="%(app_label)s_%(class)s_once_per_organiser",
                violation_error_message=_("This proposal file has already been received."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender_name} — {self.year}"


class ProposalAnswer(models.Model):
    """The decision an organiser made on a received proposal, as the ``thidua.decision/1``
    file written for the sender (``content``, sealed with ``sha256``): what was answered,
    when and by whom."""

    proposal = models.ForeignKey(
        ReceivedProposal,
        verbose_name=_("received proposal"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    number = models.CharField(_("decision number"), max_length=64)
    date = models.DateField(_("date of the decision"))
    signer_name = models.CharField(_("signed by"), max_length=150)
    signer_title = models.CharField(_("signer's position"), max_length=255)
    authority = models.CharField(_("deciding authority"), max_length=255)
    level = models.CharField(_("level"), max_length=12, choices=TitleLevel.choices)
    granted = models.PositiveSmallIntegerField(_("granted"), default=0)
    refused = models.PositiveSmallIntegerField(_("refused"), default=0)
    content = models.TextField(_("decision file"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer to a proposal")
        verbose_name_plural = _("answers to proposals")
        ordering = ["proposal", "-answered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"],
                name="%(app_label)s_%(class)s_number_once_per_proposal",
                violation_error_message=_("This decision number already answers this proposal."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d/%m/%Y})" if self.date else self.number
