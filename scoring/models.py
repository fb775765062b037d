"""Score tables (criteria trees), unit targets, score sheets and their entries.

The formulas live in scoring/engine/; the stored computed numbers (an entry's points, a
sheet's figures, ranks and bands) are set only by scoring/services/ (``recompute_*``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clusters.enums import UnitKind
from clusters.models import Activity, AdvancedModel, Campaign, Cluster, Period, PledgeItem, Unit
from clusters.validators import validate_document
from scoring.enums import (
    BaselineSource,
    CriterionKind,
    Direction,
    Method,
    Metric,
    SheetStatus,
    Stage,
    TableStatus,
)

POINTS = {"max_digits": 9, "decimal_places": 2}
# The kinds whose points make up a sheet's base (the engine's BASE_KINDS).
BASE_CRITERION_KINDS = (
    CriterionKind.MANUAL,
    CriterionKind.PASS_FAIL,
    CriterionKind.COUNT,
    CriterionKind.TARGET,
)
# Measured values (counts, rates, amounts) keep more precision than points.
MEASURE = {"max_digits": 18, "decimal_places": 4}


class Versioned(models.Model):
    """A row changed in place under an optimistic lock: ``version`` goes up by one at every
    saved change (a save that names an older version is refused), ``updated_at`` is the last
    change. Each model keeps its own ``history`` (django-simple-history), which leaves
    ``updated_at`` out."""

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Tracked(Versioned):
    """A ``Versioned`` row that also names who made its last change."""

    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class ScoreTable(models.Model):
    """A score table (thang bảng điểm) of a campaign, applied to one or more clusters.

    A published table is frozen: a change makes a new draft version (``previous`` points to
    the version it came from), and sheets keep the version they were scored with.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="score_tables"
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("review"),
        on_delete=models.PROTECT,
        blank=True,
        related_name="score_tables",
        help_text=_("The review the table scores; left empty, the campaign's year-end review."),
    )
    clusters = models.ManyToManyField(
        Cluster, verbose_name=_("clusters"), related_name="score_tables", blank=True
    )
    title = models.CharField(_("title"), max_length=255)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TableStatus.choices, default=TableStatus.DRAFT
    )
    bands = models.JSONField(
        _("bands"),
        default=list,
        blank=True,
        help_text=_('Classification bands, best first: [{"label": "...", "min": "90.00"}, ...]'),
    )
    bonus_cap = models.DecimalField(
        _("bonus cap"), null=True, blank=True, validators=[MinValueValidator(0)], **POINTS
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    revision = models.PositiveIntegerField(
        _("revision"),
        default=1,
        editable=False,
        help_text=_(
            "Grows with every change made in the table editor, so that two people editing "
            "at once do not overwrite each other; set by scoring.services.editor."
        ),
    )
    # Who changed the title, bands, bonus cap or status, and when (the editor records why).
    history = HistoricalRecords(excluded_fields=["created_at", "revision"])

    class Meta:
        verbose_name = _("score table")
        verbose_name_plural = _("score tables")
        ordering = ["campaign", "title", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "title", "version"],
                name="%(app_label)s_%(class)s_version_unique",
                violation_error_message=_("This version of the table already exists."),
            ),
            models.CheckConstraint(
                condition=Q(status=TableStatus.DRAFT) | Q(published_at__isnull=False),
                name="%(app_label)s_%(class)s_published_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args, **kwargs) -> None:
        if self.period_id is None and self.campaign_id is not None:
            self.period = Period.objects.year_end(self.campaign_id)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.campaign_id is None:
            return
        if self.period_id is None:
            self.period = Period.objects.year_end(self.campaign_id)
        elif self.period.campaign_id != self.campaign_id:
            raise ValidationError({"period": _("Choose a review of the table's campaign.")})

    @property
    def is_published(self) -> bool:
        return self.status == TableStatus.PUBLISHED


class Criterion(models.Model):
    """One node of a score table's tree: an area or group, or a leaf that is scored.

    ``position`` and ``depth`` give the tree's reading order and indentation; they are set
    by scoring.services.table_renumber() whenever the tree changes.
    """

    table = models.ForeignKey(
        ScoreTable, verbose_name=_("score table"), on_delete=models.CASCADE, related_name="criteria"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=32)
    order = models.PositiveIntegerField(_("order"), default=0)
    position = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_("Reading order; computed by the system (table_renumber)."),
    )
    depth = models.PositiveSmallIntegerField(
        default=0,
        editable=False,
        help_text=_("Level in the tree, 0 at the top; computed by the system (table_renumber)."),
    )
    title = models.TextField(_("title"))
    guidance = models.TextField(_("guidance"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind.choices)
    max_points = models.DecimalField(
        _("maximum points"), default=Decimal(0), validators=[MinValueValidator(0)], **POINTS
    )
    per_item = models.DecimalField(
        _("points per item"), null=True, blank=True, validators=[MinValueValidator(0)], **POINTS
    )
    metric = models.CharField(_("metric"), max_length=10, choices=Metric.choices, blank=True)
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    method = models.CharField(_("method"), max_length=12, choices=Method.choices, blank=True)
    target = models.DecimalField(_("default target"), null=True, blank=True, **MEASURE)
    deduct = models.DecimalField(
        _("points deducted"), default=Decimal(0), validators=[MinValueValidator(0)], **POINTS
    )
    max_band = models.CharField(_("highest band allowed"), max_length=64, blank=True)
    excludes_leading = models.BooleanField(_("excludes from leading the cluster"), default=True)
    # Who added, renamed, moved, changed or deleted the criterion (the editor records why);
    # position and depth follow from the tree and are not recorded.
    history = HistoricalRecords(excluded_fields=["position", "depth"])

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["table", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "code"],
                name="%(app_label)s_%(class)s_code_unique_in_table",
                violation_error_message=_("This code is already used in the table."),
            ),
            models.CheckConstraint(
                condition=Q(max_points__gte=0) & Q(deduct__gte=0),
                name="%(app_label)s_%(class)s_points_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class UnitTarget(Tracked):
    """A unit's own target for a target criterion (chỉ tiêu giao riêng).

    Written through scoring.services.targets (``unit_target_save``), which keeps
    ``version`` for optimistic locking and records who changed what in the history.
    """

    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.CASCADE,
        related_name="unit_targets",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="targets"
    )
    target = models.DecimalField(_("target"), validators=[MinValueValidator(0)], **MEASURE)
    copied = models.BooleanField(
        _("copied from last year"),
        default=False,
        help_text=_(
            "Set when the copy of a year brought this target from last year's table; "
            "cleared by its first change (scoring.services.targets.unit_target_save)."
        ),
    )
    # Every saved change to a unit's target: who, when, the value before and after.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("unit target")
        verbose_name_plural = _("unit targets")
        ordering = ["criterion", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "unit"], name="%(app_label)s_%(class)s_once_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(target__gte=0),
                name="%(app_label)s_%(class)s_target_not_negative",
                violation_error_message=_("A target must not be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.criterion.code}: {self.target}"

    def clean(self) -> None:
        criterion = self.criterion if self.criterion_id else None
        if criterion is None:
            return
        if criterion.kind != CriterionKind.TARGET:
            raise ValidationError(
                {
                    "criterion": ValidationError(
                        _("%(code)s is not a target criterion; it takes no target."),
                        params={"code": criterion.code},
                    )
                }
            )
        percentage = criterion.metric in (Metric.RATE, Metric.REDUCTION)
        if percentage and self.target is not None and self.target > 100:
            raise ValidationError(
                {
                    "target": ValidationError(
                        _("%(code)s is measured as a percentage: the target must be at most 100."),
                        params={"code": criterion.code},
                    )
                }
            )


class NotAssigned(models.Model):
    """A criterion of a score table not assigned (không giao) to one unit, or to every unit
    of a kind (a commune police has no economic-security work): its entries take no input,
    count no points, take no part in a relative criterion's leader or maximum, and the
    unit's base is normalised to the whole table (domain.md section 5).

    A group marks every base criterion under it. Written by scoring.services.assignments
    (``not_assigned_set``), which keeps the entries' ``not_assigned`` flag in step and
    recomputes the sheets concerned; who marked or unmarked what is in the history.
    """

    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.CASCADE,
        related_name="not_assigned",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit_kind = models.CharField(
        _("every unit of the kind"), max_length=16, choices=UnitKind.choices, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("criterion not assigned")
        verbose_name_plural = _("criteria not assigned")
        ordering = ["criterion__table", "criterion__position", "unit_kind", "unit__code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(unit_kind=""))
                | (Q(unit__isnull=True) & ~Q(unit_kind="")),
                name="%(app_label)s_%(class)s_unit_or_kind",
                violation_error_message=_("Choose either a unit or a kind of unit."),
            ),
            models.UniqueConstraint(
                fields=["criterion", "unit"],
                condition=Q(unit__isnull=False),
                name="%(app_label)s_%(class)s_once_per_unit",
                violation_error_message=_("This criterion is already not assigned to the unit."),
            ),
            models.UniqueConstraint(
                fields=["criterion", "unit_kind"],
                condition=~Q(unit_kind=""),
                name="%(app_label)s_%(class)s_once_per_kind",
                violation_error_message=_(
                    "This criterion is already not assigned to that kind of unit."
                ),
            ),
        ]

    def __str__(self) -> str:
        whom = self.unit if self.unit_id else self.get_unit_kind_display()
        return f"{self.criterion.code} — {whom}"

    def clean(self) -> None:
        if self.criterion_id and self.criterion.kind not in (
            CriterionKind.GROUP,
            *BASE_CRITERION_KINDS,
        ):
            raise ValidationError(
                {
                    "criterion": ValidationError(
                        _(
                            "%(code)s is a bonus, deduction or veto criterion: those always "
                            "apply to every unit."
                        ),
                        params={"code": self.criterion.code},
                    )
                }
            )


class UnitBaseline(Tracked):
    """A unit's last-year figure for a target criterion of this year's table: the baseline
    of a reduction (last year's count), or last year's measured value or rate.

    Carried from the unit's published final sheet of the previous year where the same
    criterion code exists (a merged unit: the sum over its predecessors), with its source;
    or typed by staff, with a reason. Written only by scoring.services.baselines, which
    prefills the baseline of the unit's reduction entries; every change is in the history.
    """

    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.CASCADE,
        related_name="baselines",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(
        _("last year's figure"), validators=[MinValueValidator(0)], **MEASURE
    )
    source = models.CharField(_("source"), max_length=8, choices=BaselineSource.choices)
    source_year = models.PositiveSmallIntegerField(_("year carried from"), null=True, blank=True)
    source_published_on = models.DateField(_("published on"), null=True, blank=True)
    source_units = models.CharField(
        _("units carried from"),
        max_length=255,
        blank=True,
        help_text=_("The codes of the units whose figures were added (a merged unit)."),
    )
    reason = models.TextField(_("reason"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("last year's figure")
        verbose_name_plural = _("last year's figures")
        ordering = ["criterion", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "unit"], name="%(app_label)s_%(class)s_once_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="%(app_label)s_%(class)s_value_not_negative",
                violation_error_message=_("Last year's figure must not be negative."),
            ),
            models.CheckConstraint(
                condition=Q(
                    source=BaselineSource.CARRIED,
                    source_year__isnull=False,
                    source_published_on__isnull=False,
                )
                | (Q(source=BaselineSource.TYPED) & ~Q(reason="")),
                name="%(app_label)s_%(class)s_source_told",
                violation_error_message=_(
                    "A carried figure names its year and publication; a typed one its reason."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.criterion.code}: {self.value}"

    @property
    def source_text(self) -> str:
        """Where the figure comes from: "2023, final, published 20/12/2023" or "typed"."""
        if self.source == BaselineSource.CARRIED:
            return _("%(year)s, final, published %(date)s") % {
                "year": self.source_year,
                "date": self.source_published_on.strftime("%d/%m/%Y"),
            }
        return str(BaselineSource.TYPED.label)


class PledgeItemCriterion(models.Model):
    """The criterion of a score table that scores one item of a cluster's pledge, chosen in
    the signing pages (at most one per item and table). Lives in scoring, since clusters
    does not know score tables; written by scoring.services.pledge_links_set()."""

    item = models.ForeignKey(
        PledgeItem,
        verbose_name=_("pledge item"),
        on_delete=models.CASCADE,
        related_name="criterion_links",
    )
    table = models.ForeignKey(
        ScoreTable,
        verbose_name=_("score table"),
        on_delete=models.CASCADE,
        related_name="pledge_links",
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.CASCADE,
        related_name="pledge_links",
    )

    class Meta:
        verbose_name = _("criterion of a pledge item")
        verbose_name_plural = _("criteria of pledge items")
        ordering = ["item", "table"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "table"],
                name="%(app_label)s_%(class)s_once_per_table",
                violation_error_message=_("This pledge item already has a criterion here."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.criterion.code}"

    def clean(self) -> None:
        if self.criterion_id and self.table_id and self.criterion.table_id != self.table_id:
            raise ValidationError({"criterion": _("Choose a criterion of the score table.")})


class ScoreSheet(Versioned):
    """A unit's scores at one stage (self, cluster, final) in one cluster.

    The figures (base, bonus, deduction, total, band, complete) are set only by
    scoring.services.recompute_sheets(); rank and leading only by recompute_ranks().
    ``version`` grows with every change, for optimistic locking.
    """

    table = models.ForeignKey(
        ScoreTable, verbose_name=_("score table"), on_delete=models.PROTECT, related_name="sheets"
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("review"),
        on_delete=models.PROTECT,
        blank=True,
        editable=False,
        related_name="sheets",
        help_text=_("Its table's review; set by the system from the table."),
    )
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="sheets"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="sheets"
    )
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    raw_base = models.DecimalField(
        _("raw base points"),
        default=Decimal(0),
        help_text=_(
            "The sum of the assigned base criteria's points, before it is normalised to the "
            "whole table; computed by the system (recompute_sheets)."
        ),
        **POINTS,
    )
    base = models.DecimalField(
        _("base points"),
        default=Decimal(0),
        help_text=_(
            "The raw base normalised to the whole table (equal to it where every criterion "
            "is assigned); computed by the system (recompute_sheets)."
        ),
        **POINTS,
    )
    bonus = models.DecimalField(
        _("bonus"),
        default=Decimal(0),
        help_text=_("Computed by the system (recompute_sheets)."),
        **POINTS,
    )
    deduction = models.DecimalField(
        _("deduction"),
        default=Decimal(0),
        help_text=_("Computed by the system (recompute_sheets)."),
        **POINTS,
    )
    total = models.DecimalField(
        _("total"),
        default=Decimal(0),
        help_text=_("Computed by the system (recompute_sheets)."),
        **POINTS,
    )
    band = models.CharField(
        _("band"),
        max_length=64,
        blank=True,
        help_text=_("Computed by the system (recompute_sheets)."),
    )
    complete = models.BooleanField(
        _("complete"), default=False, help_text=_("Computed by the system (recompute_sheets).")
    )
    excluded_from_leading = models.BooleanField(
        _("excluded from leading"),
        default=False,
        help_text=_("Computed by the system (recompute_sheets)."),
    )
    rank = models.PositiveIntegerField(
        _("rank"), null=True, blank=True, help_text=_("Computed by the system (recompute_ranks).")
    )
    leading = models.BooleanField(
        _("leading unit"), default=False, help_text=_("Computed by the system (recompute_ranks).")
    )
    return_comment = models.TextField(_("comment when returned"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Who changed the status, when, and why; the figures are derived, not recorded.
    history = HistoricalRecords(
        excluded_fields=[
            "raw_base",
            "base",
            "bonus",
            "deduction",
            "total",
            "band",
            "complete",
            "excluded_from_leading",
            "rank",
            "leading",
            "updated_at",
        ]
    )

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["cluster", "stage", "rank", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "cluster", "unit", "stage"],
                name="%(app_label)s_%(class)s_one_per_period_stage",
                violation_error_message=_("This unit already has a sheet at this stage."),
            )
        ]
        indexes = [models.Index(fields=["cluster", "stage", "total"])]

    def __str__(self) -> str:
        return f"{self.unit} — {self.get_stage_display()}"

    def save(self, *args, **kwargs) -> None:
        # A sheet scores its table's review: the one place its period comes from.
        if self.period_id is None:
            self.period_id = self.table.period_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.period_id is None and self.table_id is not None:
            self.period_id = self.table.period_id


class ScoreEntry(Tracked):
    """What was entered for one criterion on one sheet, and the points it earns.

    Which inputs are used depends on the criterion's kind (domain.md section 5). ``points``
    is the computed value (None while incomplete), set only by scoring.services; an
    ``override`` with its reason replaces it.
    """

    sheet = models.ForeignKey(
        ScoreSheet, verbose_name=_("score sheet"), on_delete=models.CASCADE, related_name="entries"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="entries"
    )
    input_points = models.DecimalField(_("points entered"), null=True, blank=True, **POINTS)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    actual = models.DecimalField(_("actual"), null=True, blank=True, **MEASURE)
    numerator = models.PositiveIntegerField(_("numerator"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("denominator"), null=True, blank=True)
    baseline = models.DecimalField(_("baseline"), null=True, blank=True, **MEASURE)
    violated = models.BooleanField(_("violated"), null=True, blank=True)
    override = models.DecimalField(_("override points"), null=True, blank=True, **POINTS)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    not_assigned = models.BooleanField(
        _("not assigned"),
        default=False,
        help_text=_(
            "The criterion is not assigned to the sheet's unit (NotAssigned): the entry takes "
            "no input and counts no points; set by the system (scoring.services.assignments)."
        ),
    )
    points = models.DecimalField(
        _("points"),
        null=True,
        blank=True,
        help_text=_("Computed by the system (scoring.services)."),
        **POINTS,
    )
    # Every saved change to an entry: who, when, the values before and after, and why.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("score entry")
        verbose_name_plural = _("score entries")
        ordering = ["sheet", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "criterion"], name="%(app_label)s_%(class)s_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(override__isnull=True) | ~Q(override_reason=""),
                name="%(app_label)s_%(class)s_override_has_reason",
                violation_error_message=_("An override needs a written reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} — {self.criterion.code}"


class Evidence(models.Model):
    """Evidence a unit gives for an entry: a file it attaches (minutes, reports, photos), or
    an exchange activity or a model / advanced example it cites (then the file is
    optional)."""

    entry = models.ForeignKey(
        ScoreEntry, verbose_name=_("score entry"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(
        _("file"), upload_to="evidence/%Y/", validators=[validate_document], blank=True
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("exchange activity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citations",
    )
    advanced_model = models.ForeignKey(
        AdvancedModel,
        verbose_name=_("model or advanced example"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citations",
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["entry", "uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | Q(activity__isnull=False) | Q(advanced_model__isnull=False),
                name="%(app_label)s_%(class)s_file_or_citation",
                violation_error_message=_(
                    "Attach a file, or cite an exchange activity or a model."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.file.name or str(self.activity or self.advanced_model)

    def clean(self) -> None:
        if not self.file and self.activity_id is None and self.advanced_model_id is None:
            # On the file, so that the constraint saying the same is not checked twice.
            raise ValidationError(
                {"file": _("Attach a file, or cite an exchange activity or a model.")}
            )


class Explanation(models.Model):
    """A unit's explanation (giải trình) of a criterion where the cluster scored it lower
    than the unit did itself. Attached to the cluster-stage entry."""

    entry = models.OneToOneField(
        ScoreEntry,
        verbose_name=_("score entry"),
        on_delete=models.CASCADE,
        related_name="explanation",
    )
    text = models.TextField(_("explanation"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("explanation")
        verbose_name_plural = _("explanations")
        ordering = ["entry"]

    def __str__(self) -> str:
        return f"{self.entry}: {self.text[:40]}"


class Publication(models.Model):
    """The record of publishing a cluster's final results, or of reopening them (which
    only an administrator may do, with a written reason). Append-only."""

    class Action(models.TextChoices):
        PUBLISH = "publish", _("Published")
        REOPEN = "reopen", _("Reopened")

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="publications"
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("review"),
        on_delete=models.PROTECT,
        blank=True,
        related_name="publications",
        help_text=_("The review whose results were published; left empty, the year-end review."),
    )
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["cluster", "-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="publish") | ~Q(reason=""),
                name="%(app_label)s_%(class)s_reopen_has_reason",
                violation_error_message=_("Reopening needs a written reason."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cluster} — {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.period_id is None:
            self.period = Period.objects.year_end(self.cluster.campaign_id)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.period_id is None and self.cluster_id is not None:
            self.period = Period.objects.year_end(self.cluster.campaign_id)


class ReviewMeeting(models.Model):
    """The cluster's meeting that reviews and ranks one period (họp tổng kết, sơ kết): its
    minutes (scoring.documents.minutes_document) are dated on ``held_on`` and placed at
    ``place``, never on the day they are printed. Set by scoring.services.meetings."""

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="meetings"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("review"), on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("meeting day"))
    place = models.CharField(
        _("place"),
        max_length=255,
        blank=True,
        help_text=_("Where it met; left empty, the minutes say the leader unit's premises."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["cluster", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "period"],
                name="%(app_label)s_%(class)s_one_per_cluster_and_period",
                violation_error_message=_("This cluster's meeting for this review is recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.cluster} — {self.period}"

    def clean(self) -> None:
        if self.cluster_id is None or self.period_id is None or self.held_on is None:
            return
        campaign = self.cluster.campaign
        if self.period.campaign_id != campaign.pk:
            raise ValidationError({"period": _("The review is of another campaign.")})
        # A review is held in its year, or early the next year for the year-end review.
        if self.held_on.year not in (campaign.year, campaign.year + 1):
            raise ValidationError(
                {
                    "held_on": _(
                        "The meeting of a %(year)s review is held in %(year)s or %(next)s."
                    )
                    % {"year": campaign.year, "next": campaign.year + 1}
                }
            )
