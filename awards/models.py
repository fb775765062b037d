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
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from awards import ladder, rules
from awards.enums import (
    Comparison,
    DecisionOutcome,
    Figure,
    FiguresStatus,
    PastTitleSource,
    QuotaScope,
    RestrictionKind,
    RuleKind,
    TitleLevel,
)
from clusters.models import Campaign, Cluster, Unit
from clusters.validators import validate_document

# The heading of a certificate by the level of the title when the award type sets none: the
# head of a unit or of the provincial police grants a Giấy khen, the Minister and the Prime
# Minister a Bằng khen; the State's titles come with a Giấy chứng nhận. Printed words, fixed
# by the form (Vietnamese whatever the interface language).
CERTIFICATE_HEADINGS = {
    TitleLevel.UNIT: "GIẤY KHEN",
    TitleLevel.PROVINCE: "GIẤY KHEN",
    TitleLevel.MINISTRY: "BẰNG KHEN",
    TitleLevel.GOVERNMENT: "BẰNG KHEN",
    TitleLevel.STATE: "GIẤY CHỨNG NHẬN",
}


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
    level = models.CharField(
        _("level"), max_length=12, choices=TitleLevel.choices, default=TitleLevel.UNIT
    )
    preset = models.BooleanField(
        _("shipped default"),
        default=False,
        help_text=_("Installed from the product's presets: the organiser confirms or edits it."),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    certificate_heading = models.CharField(
        _("certificate heading"),
        max_length=64,
        blank=True,
        help_text=_(
            "The word printed at the top of its certificates, e.g. GIẤY KHEN, BẰNG KHEN, "
            "CỜ THI ĐUA; blank: from the level (unit and province: GIẤY KHEN; ministry and "
            "government: BẰNG KHEN; state: GIẤY CHỨNG NHẬN)."
        ),
    )

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

    @property
    def awaiting_confirmation(self) -> bool:
        return self.preset and self.confirmed_at is None

    @property
    def certificate_word(self) -> str:
        """The heading of its certificates: the one set, else its level's."""
        return (self.certificate_heading or "").strip().upper() or CERTIFICATE_HEADINGS.get(
            self.level, "GIẤY KHEN"
        )

    def title_spec(self, title_rules: list[TitleRule] | None = None) -> ladder.TitleSpec:
        """Its rules for awards/ladder.py: the award type's own settings first (no
        discipline or inspection, leading unit, lowest band, at most per cluster: the rules
        votes have always followed), then its title rules in order."""
        specs = []
        title_rules = list(self.title_rules.all()) if title_rules is None else title_rules
        if not any(r.kind == RuleKind.NO_RESTRICTION for r in title_rules):
            specs.append(ladder.RuleSpec(ladder.NO_RESTRICTION, implicit=True))
        if self.leading_only:
            specs.append(ladder.RuleSpec(ladder.LEADING, implicit=True))
        if self.min_band:
            specs.append(ladder.RuleSpec(ladder.MIN_BAND, band=self.min_band, implicit=True))
        if self.max_per_cluster:
            specs.append(ladder.RuleSpec(ladder.QUOTA, number=self.max_per_cluster, implicit=True))
        specs.extend(r.spec() for r in title_rules)
        return ladder.TitleSpec(self.code, tuple(specs))

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


class TitleRule(models.Model):
    """One rule of a title (award type): its kind and the parameters that kind reads
    (awards/ladder.py, docs/awards.md), with the article it rests on."""

    award_type = models.ForeignKey(
        AwardType,
        verbose_name=_("award type"),
        on_delete=models.CASCADE,
        related_name="title_rules",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    band = models.CharField(_("band"), max_length=64, blank=True)
    titles = models.CharField(
        _("title codes"),
        max_length=255,
        blank=True,
        help_text=_("Codes of other titles, separated by commas: any one of them counts."),
    )
    years = models.PositiveSmallIntegerField(
        _("past years"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("The number of years before the campaign's year that are read."),
    )
    at_least = models.PositiveSmallIntegerField(
        _("in at least"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Years of those that must meet it; blank: every one (in a row)."),
    )
    scope = models.CharField(_("quota scope"), max_length=8, choices=QuotaScope.choices, blank=True)
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    share = models.DecimalField(
        _("share"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("A fraction, e.g. 0.7 for 70%."),
    )
    figure = models.CharField(_("figure"), max_length=20, choices=Figure.choices, blank=True)
    comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, blank=True
    )
    article = models.CharField(
        _("legal basis"),
        max_length=255,
        blank=True,
        help_text=_("The article of the law or circular the rule rests on."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("title rule")
        verbose_name_plural = _("title rules")
        ordering = ["award_type", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.award_type} — {self.get_kind_display()}"

    @property
    def share_percent(self) -> Decimal | None:
        return None if self.share is None else (self.share * 100).quantize(Decimal("0.01"))

    @property
    def title_codes(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.titles.split(",") if c.strip())

    def clean(self) -> None:
        kind = self.kind
        errors: dict[str, str] = {}
        if kind in (RuleKind.MIN_BAND, RuleKind.PAST_BANDS) and not self.band:
            errors["band"] = _("Give the band.")
        if kind in (RuleKind.REQUIRES_TITLE, RuleKind.EXCLUDES, RuleKind.PAST_TITLES) and not (
            self.title_codes
        ):
            errors["titles"] = _("Give at least one title code.")
        if kind in (RuleKind.PAST_TITLES, RuleKind.PAST_BANDS):
            if not self.years:
                errors["years"] = _("Give the number of past years.")
            elif self.at_least and self.at_least > self.years:
                errors["at_least"] = _("At most the number of past years.")
        if kind == RuleKind.QUOTA:
            if (self.number is None) == (self.share is None):
                errors["number"] = _("Give either a number or a share.")
            if not self.scope:
                errors["scope"] = _("Choose per cluster or per campaign.")
        if kind == RuleKind.FIGURE_SHARE:
            if not self.figure:
                errors["figure"] = _("Choose the figure.")
            if self.share is None:
                errors["share"] = _("Give the share.")
            if not self.comparison:
                errors["comparison"] = _("Choose at least or at most.")
        if (
            self.award_type_id
            and self.award_type.code in self.title_codes
            and kind
            in (
                RuleKind.REQUIRES_TITLE,
                RuleKind.EXCLUDES,
            )
        ):
            errors["titles"] = _("A title cannot name itself the same year.")
        if errors:
            raise ValidationError(errors)

    def spec(self) -> ladder.RuleSpec:
        return ladder.RuleSpec(
            kind=self.kind,
            band=self.band,
            titles=self.title_codes,
            years=self.years,
            at_least=self.at_least,
            scope=self.scope or ladder.CLUSTER,
            number=self.number,
            share=self.share,
            figure=self.figure,
            comparison=self.comparison or ladder.AT_LEAST,
            article=self.article,
        )


class PastTitle(models.Model):
    """A unit held title ``code`` in ``year``: entered by hand or imported for the years
    before the product, and written by decisions. Rules that need titles in past years
    read it (whoever recorded it); ``organiser`` is the organiser whose staff keep the
    record."""

    organiser = models.ForeignKey(
        Unit, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="past_titles"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1945), MaxValueValidator(2100)]
    )
    code = models.SlugField(_("title code"), max_length=32)
    name = models.CharField(_("title"), max_length=255)
    source = models.CharField(
        _("source"), max_length=10, choices=PastTitleSource.choices, default=PastTitleSource.ENTERED
    )
    reference = models.CharField(
        _("reference"),
        max_length=255,
        blank=True,
        help_text=_("The decision that granted it: number, date, authority."),
    )
    note = models.TextField(pgettext_lazy("remark", "note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("past title")
        verbose_name_plural = _("past titles")
        ordering = ["-year", "unit__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "code"],
                name="%(app_label)s_%(class)s_once_per_unit_year",
                violation_error_message=_("This unit already holds this title for that year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.name} ({self.year})"


class UnitFigures(models.Model):
    """The unit's own figures for the year, entered by the unit and checked by staff:
    rules read them as shares of the headcount once checked."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="unit_figures"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="figures"
    )
    headcount = models.PositiveIntegerField(_("headcount"))
    advanced_soldiers = models.PositiveIntegerField(Figure.ADVANCED_SOLDIERS.label)
    emulation_soldiers = models.PositiveIntegerField(Figure.EMULATION_SOLDIERS.label)
    disciplined = models.PositiveIntegerField(Figure.DISCIPLINED.label)
    note = models.TextField(pgettext_lazy("remark", "note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FiguresStatus.choices, default=FiguresStatus.SUBMITTED
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    check_note = models.TextField(_("staff's note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit figures")
        verbose_name_plural = _("unit figures")
        ordering = ["campaign", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                name="%(app_label)s_%(class)s_once_per_unit",
                violation_error_message=_("This unit's figures for the year are recorded."),
            ),
            models.CheckConstraint(
                condition=Q(advanced_soldiers__lte=F("headcount"))
                & Q(emulation_soldiers__lte=F("headcount"))
                & Q(disciplined__lte=F("headcount")),
                name="%(app_label)s_%(class)s_within_headcount",
                violation_error_message=_("A figure is above the headcount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.campaign.year}"

    def facts(self) -> ladder.Figures:
        return ladder.Figures(
            headcount=self.headcount,
            counts={f: getattr(self, f) for f in Figure.values},
            checked=self.status == FiguresStatus.CHECKED,
        )


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
