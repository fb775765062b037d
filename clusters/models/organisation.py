"""Units, users, campaigns, clusters and their members (domain.md sections 2–3)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clusters.enums import KIND_WORDS, ClusterKind, MemberRole, Phase, UnitKind
from clusters.text import fold
from clusters.validators import validate_document


class Unit(models.Model):
    """A police unit: a ministry, a provincial force, a department, a district or a commune.

    Units are long-lived but not eternal: a dissolved or merged unit is deactivated (with a
    date and, where there is one, the unit that took over its work), never deleted, so past
    campaigns keep showing it. Codes are unique in the installation: files name units by
    code only.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    place = models.CharField(
        _("place name"),
        max_length=100,
        blank=True,
        help_text=_(
            "The place its official documents are dated from (địa danh: “Đắk Lắk” in "
            "“Đắk Lắk, ngày 20 tháng 12 năm 2023”). Empty: its name without “Công an tỉnh”, "
            "or Hà Nội for the Ministry."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    deactivated_on = models.DateField(_("deactivated on"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        help_text=_("The unit that took over this unit's work after it was dissolved or merged."),
    )
    search_name = models.CharField(
        max_length=400,
        editable=False,
        db_index=True,
        help_text=_("Code and names without diacritics, for searching; computed by the system."),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=True, deactivated_on__isnull=True)
                | Q(is_active=False, deactivated_on__isnull=False),
                name="%(app_label)s_%(class)s_deactivation_dated",
                violation_error_message=_(
                    "An inactive unit needs the date it was deactivated; an active one has none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(successor=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_successor",
                violation_error_message=_("A unit cannot be its own successor."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message=_("A unit cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold(" ".join([self.code, self.name, self.short_name]))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """The short name where there is one: tables are narrow."""
        return self.short_name or self.name


class User(AbstractUser):
    """A person who signs in. Everyone but a superuser belongs to a unit, and acts for it.

    The role follows from the unit and the groups: members of the province staff group act
    for the standing agency of the campaigns their unit (or a unit above it) organises; other
    users are officers of their unit, and act as cluster leader in a year where their unit
    is the cluster's leader (or deputy) unit.
    """

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when someone else chose the password (a new account or a reset, on the "
            "account pages or in admin): the user is sent to the password change page "
            "until they choose their own there."
        ),
    )

    notify_by_email = models.BooleanField(
        _("notifications by e-mail"),
        default=True,
        help_text=_(
            "Also send this person's notifications to their e-mail address, where the "
            "installation has a mail server (they choose on their notification settings)."
        ),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class Campaign(models.Model):
    """One organiser's emulation movement "Vì an ninh Tổ quốc" for one year."""

    organiser = models.ForeignKey(
        Unit,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="organised_campaigns",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField(_("name"), max_length=255)
    slogan = models.TextField(_("slogan"), blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.SETUP)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Who opened or closed which phase, and when.
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "organiser__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "year"],
                name="%(app_label)s_%(class)s_one_per_organiser_year",
                violation_error_message=_("This organiser already has a campaign for that year."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="%(app_label)s_%(class)s_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class Cluster(models.Model):
    """An emulation cluster (Cụm thi đua) of one campaign. Clusters are renumbered and
    regrouped every year, so each year's clusters are their own rows."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="clusters"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=32)
    kind = models.CharField(
        _("kind"),
        max_length=8,
        choices=ClusterKind.choices,
        default=ClusterKind.CLUSTER,
        help_text=_("A cluster (cụm thi đua) or a block (khối thi đua)."),
    )
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    regulation = models.FileField(
        _("regulation"),
        upload_to="clusters/regulations/%Y/",
        blank=True,
        validators=[validate_document],
        help_text=_("The cluster's operating regulation (quy chế tổ chức hoạt động)."),
    )
    search_name = models.CharField(
        max_length=400,
        editable=False,
        db_index=True,
        help_text=_("Code and name without diacritics, for searching; computed by the system."),
    )

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"],
                name="%(app_label)s_%(class)s_code_unique_in_campaign",
                violation_error_message=_("A cluster with this code already exists this year."),
            ),
            models.UniqueConstraint(
                fields=["campaign", "number"],
                name="%(app_label)s_%(class)s_number_unique_in_campaign",
                violation_error_message=_("A cluster with this number already exists this year."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold(f"{self.code} {self.name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """Its kind and number, in the page's language: "Khối thi đua số 2"."""
        return _("%(kind)s no. %(number)s") % {
            "kind": ClusterKind(self.kind).label,
            "number": self.number,
        }

    @property
    def words(self) -> dict[str, str]:
        """The Vietnamese words official documents use for it, its leader and its deputy
        ("Khối thi đua", "Khối trưởng", "Khối phó" for a block)."""
        return KIND_WORDS[ClusterKind(self.kind)]

    @property
    def heading(self) -> str:
        """Its kind and number as official documents print them: "Cụm thi đua số 4"."""
        return f"{self.words['group']} số {self.number}"


class Membership(models.Model):
    """A unit's place in a cluster for one campaign, with its role that year.

    ``campaign`` repeats the cluster's campaign so that the database itself can refuse a
    unit in two clusters of one campaign; ``save()`` copies it from the cluster.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="memberships", editable=False
    )
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["cluster", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                name="%(app_label)s_%(class)s_one_cluster_per_campaign",
                violation_error_message=_("This unit is already in a cluster this year."),
            ),
            models.UniqueConstraint(
                fields=["cluster"],
                condition=Q(role=MemberRole.LEADER),
                name="%(app_label)s_%(class)s_one_leader",
                violation_error_message=_("This cluster already has a leader unit."),
            ),
            models.UniqueConstraint(
                fields=["cluster"],
                condition=Q(role=MemberRole.DEPUTY),
                name="%(app_label)s_%(class)s_one_deputy",
                violation_error_message=_("This cluster already has a deputy unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.cluster} ({self.get_role_display()})"

    def save(self, *args, **kwargs) -> None:
        self.campaign_id = self.cluster.campaign_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.cluster_id is None:
            return
        self.campaign_id = self.cluster.campaign_id
        if self.unit_id is not None:
            unit = self.unit
            campaign = self.cluster.campaign
            # A unit dissolved by the first day of the campaign's year did not exist that
            # year; one dissolved during the year keeps its place (history is never lost).
            if not unit.is_active and unit.deactivated_on <= dt.date(campaign.year, 1, 1):
                message = _(
                    "%(unit)s was dissolved or merged on %(date)s and cannot join a cluster."
                )
                params = {"unit": unit.name, "date": unit.deactivated_on.strftime("%d/%m/%Y")}
                raise ValidationError({"unit": ValidationError(message, params=params)})

    def validate_constraints(self, exclude=None) -> None:
        # ``campaign`` is not a form field, so Django would skip the constraints that use
        # it; it is always derived from the cluster, so check them all.
        if self.cluster_id is not None:
            self.campaign_id = self.cluster.campaign_id
        if exclude:
            exclude = set(exclude) - {"campaign", "unit", "cluster"}
        super().validate_constraints(exclude=exclude)
