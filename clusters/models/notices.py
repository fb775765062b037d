"""Notifications: what the product tells a person (the bell, the list, the e-mail).

They live on the lowest floor so that every app can send them (scoring when a sheet is
returned, awards when a decision is recorded, the daily reminders). Written only by
clusters.services.notices.notify, which keeps a campaign's news to those who may see it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.enums import NoticeKind
from clusters.models.organisation import Campaign


class Notification(models.Model):
    """One piece of news for one user: a phase opened or closing, a sheet returned, an
    explanation answered, results published, a decision recorded, a reminder.

    The text is not stored in one language: ``params`` holds the values the kind's sentence
    needs, and clusters.notices renders it in the reader's language (Vietnamese in e-mails).
    ``key`` names the event (``phase_closing:12:year_end:self_assessment:3``): one
    notification per recipient and key, so an event is told once however often its sender
    runs.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    params = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_("The values the kind's sentence is written with."),
    )
    url = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("The page the notification leads to.")
    )
    key = models.CharField(
        _("key"),
        max_length=200,
        help_text=_("Names the event: a recipient is told of an event once."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(
        _("e-mailed at"),
        null=True,
        blank=True,
        help_text=_("When the background worker mailed it; set by the mail task only."),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                name="%(app_label)s_%(class)s_once_per_key",
                violation_error_message=_("This person has already been told of this event."),
            ),
        ]
        indexes = [
            # The bell's count: a user's unread notifications.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="clusters_notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="clusters_notification_list"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
