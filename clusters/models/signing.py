"""The records of each cluster's signing conference: the conference and its photos, the
pledge with its items and signatures, and units' registrations (domain.md section 4).

The conference, the pledge and its items, the signatures and the registrations keep their
change history (django-simple-history): who recorded or corrected what, read by the recent
activity (clusters.recent) and shown in the admin. The services set the history's user.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clusters.enums import Title
from clusters.models.organisation import Campaign, Cluster, Membership, Unit
from clusters.validators import validate_document, validate_image


class SigningConference(models.Model):
    """The conference at which a cluster adopts its regulation, criteria and score table
    and its units sign the pledge (hội nghị ký kết giao ước thi đua)."""

    cluster = models.OneToOneField(
        Cluster,
        verbose_name=_("cluster"),
        on_delete=models.CASCADE,
        related_name="signing_conference",
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=255)
    chair = models.CharField(_("chair"), max_length=255, help_text=_("Who chaired the conference."))
    attendees = models.TextField(_("attendees"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    minutes = models.FileField(
        _("minutes"), upload_to="signing/minutes/%Y/", blank=True, validators=[validate_document]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signing conference")
        verbose_name_plural = _("signing conferences")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return str(self.cluster)


class ConferencePhoto(models.Model):
    """A photo taken at a signing conference."""

    conference = models.ForeignKey(
        SigningConference,
        verbose_name=_("signing conference"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.FileField(
        _("photo"), upload_to="signing/photos/%Y/", validators=[validate_image]
    )
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("conference photo")
        verbose_name_plural = _("conference photos")
        ordering = ["conference", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class Pledge(models.Model):
    """The emulation pledge (giao ước thi đua) a cluster's units sign for the year."""

    cluster = models.OneToOneField(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="pledge"
    )
    slogan = models.TextField(_("slogan"), blank=True)
    preamble = models.TextField(_("preamble"), blank=True)
    members_may_sign = models.BooleanField(
        _("member units record their own signature"),
        default=False,
        help_text=_("Set by the cluster leader: each member unit may then sign for itself."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["cluster"]

    def __str__(self) -> str:
        return str(self.cluster)


class PledgeItem(models.Model):
    """What the units pledge in one area of work (lĩnh vực công tác)."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    area = models.CharField(_("area of work"), max_length=255)
    content = models.TextField(_("content"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pledge item")
        verbose_name_plural = _("pledge items")
        ordering = ["pledge", "order", "pk"]

    def __str__(self) -> str:
        return self.area


class Signature(models.Model):
    """A member unit's signature of its cluster's pledge."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="signatures"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="signatures"
    )
    signatory = models.CharField(_("signatory"), max_length=150)
    position = models.CharField(_("rank and position"), max_length=255)
    signed_on = models.DateField(_("signed on"))
    scanned_copy = models.FileField(
        _("scanned copy"),
        upload_to="signing/signatures/%Y/",
        blank=True,
        validators=[validate_document],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["pledge", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "unit"],
                name="%(app_label)s_%(class)s_once_per_unit",
                violation_error_message=_("This unit has already signed the pledge."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.signatory}"

    def clean(self) -> None:
        if (
            self.pledge_id
            and self.unit_id
            and not Membership.objects.filter(
                cluster_id=self.pledge.cluster_id, unit_id=self.unit_id
            ).exists()
        ):
            raise ValidationError(
                {"unit": _("Only a member unit of the cluster can sign its pledge.")}
            )


class Registration(models.Model):
    """A unit's registration of the emulation titles it aims for in a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="registrations"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="registrations"
    )
    titles = models.JSONField(_("titles"), default=list, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    note = models.TextField(pgettext_lazy("remark", "note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["campaign", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                name="%(app_label)s_%(class)s_once_per_unit",
                violation_error_message=_("This unit has already registered this year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.campaign.year}"

    def clean(self) -> None:
        if not isinstance(self.titles, list) or any(t not in Title.values for t in self.titles):
            raise ValidationError({"titles": _("Choose titles from the list.")})
        if (
            self.campaign_id
            and self.unit_id
            and not Membership.objects.filter(
                campaign_id=self.campaign_id, unit_id=self.unit_id
            ).exists()
        ):
            raise ValidationError(
                {"unit": _("Only a unit in one of this year's clusters can register.")}
            )

    def get_titles_display(self) -> list[str]:
        labels = dict(Title.choices)
        return [str(labels.get(t, t)) for t in self.titles]
