"""During the year: exchange activities (giao lưu, trao đổi kinh nghiệm) within a cluster
and between clusters, and the registry of models and advanced examples (mô hình, điển
hình tiên tiến), each with its photos. Both can be cited as evidence for a criterion; both
keep their change history (the recent activity tells an activity recorded)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clusters.models.organisation import Campaign, Cluster, Unit
from clusters.validators import validate_image


class Activity(models.Model):
    """An exchange activity: who hosted it, when, which units took part, what was shared."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="activities"
    )
    clusters = models.ManyToManyField(
        Cluster,
        verbose_name=_("clusters"),
        related_name="activities",
        help_text=_(
            "The clusters taking part: one for an activity within a cluster, more "
            "for one between clusters."
        ),
    )
    held_on = models.DateField(_("date"))
    host = models.ForeignKey(
        Unit,
        verbose_name=_("host unit"),
        on_delete=models.PROTECT,
        related_name="hosted_activities",
    )
    participants = models.ManyToManyField(
        Unit, verbose_name=_("participating units"), related_name="activities", blank=True
    )
    title = models.CharField(_("title"), max_length=255)
    content = models.TextField(_("content"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("exchange activity")
        verbose_name_plural = _("exchange activities")
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d/%m/%Y})"

    def clean(self) -> None:
        if self.campaign_id and self.held_on and self.held_on.year != self.campaign.year:
            raise ValidationError({"held_on": _("The date must fall in the campaign's year.")})


class ActivityPhoto(models.Model):
    """A photo of an exchange activity."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("exchange activity"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.FileField(
        _("photo"), upload_to="activities/photos/%Y/", validators=[validate_image]
    )
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["activity", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class AdvancedModel(models.Model):
    """A model or advanced example (mô hình, điển hình tiên tiến) a unit built, and the
    units that replicated it. Long-lived: it is not tied to one campaign."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="advanced_models"
    )
    title = models.CharField(_("title"), max_length=255)
    area = models.CharField(_("area of work"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    replicated_by = models.ManyToManyField(
        Unit, verbose_name=_("replicated by"), related_name="replicated_models", blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("model or advanced example")
        verbose_name_plural = _("models and advanced examples")
        ordering = ["unit__code", "title"]

    def __str__(self) -> str:
        return self.title


class AdvancedModelPhoto(models.Model):
    """A photo of a model or advanced example, stored as an activity's photo is (same
    folder, cleaned by clusters.images) and served only to whoever may see the model."""

    advanced_model = models.ForeignKey(
        AdvancedModel,
        verbose_name=_("model or advanced example"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.FileField(
        _("photo"), upload_to="activities/photos/%Y/", validators=[validate_image]
    )
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("model photo")
        verbose_name_plural = _("model photos")
        ordering = ["advanced_model", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name
