"""Django admin for score tables, criteria, sheets and what hangs from them (entries,
evidence, explanations, units' own targets, links to pledge items, publications).

Who sees what: administrators and province staff, within the campaigns they manage
(``scoring.permissions.managed_tables`` / ``managed_sheets``), through ``ScopeMixin``, so an
object of another organiser is missing for them on every page (list, form, history,
actions, filters). Writes go through scoring.services: the stored figures are read-only,
a published table is frozen (view only), entries are corrected on their sheet's page by
``entry_update``, and the records the product writes on its own pages (entries, evidence,
explanations, targets, pledge links, publications) are read-only here."""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clusters import permissions as org
from clusters.admin.base import (
    ChoiceScope,
    ReadOnlyMixin,
    ScopedChoicesMixin,
    ScopedHistoryMixin,
    ScopeMixin,
)
from clusters.models import Cluster, Period, User
from scoring import engine, permissions, services
from scoring.enums import TableStatus
from scoring.models import (
    Criterion,
    Evidence,
    Explanation,
    NotAssigned,
    PledgeItemCriterion,
    Publication,
    ReviewMeeting,
    ScoreEntry,
    ScoreSheet,
    ScoreTable,
    UnitBaseline,
    UnitTarget,
)

INDENT = "\u2003"  # an em space per level: the admin's own CSS, no inline style


def indented(criterion: Criterion) -> str:
    return f"{INDENT * criterion.depth}{criterion.code}. {criterion.title}"


# Decimals are typed and shown the local way (a decimal comma in Vietnamese).
LOCALIZED = {models.DecimalField: {"localize": True}}


def _draft_tables(user: User) -> QuerySet[ScoreTable]:
    """Tables whose criteria may still change: the managed drafts."""
    return permissions.managed_tables(user).filter(status=TableStatus.DRAFT)


def _managed_periods(user: User) -> QuerySet[Period]:
    return Period.objects.filter(campaign__in=org.managed_campaigns(user))


def _draft_criteria(user: User) -> QuerySet[Criterion]:
    return Criterion.objects.filter(table__in=_draft_tables(user))


def _managed_clusters(user: User) -> QuerySet[Cluster]:
    return Cluster.objects.filter(campaign__in=org.managed_campaigns(user))


class ScoringAdmin(ScopeMixin, ScopedChoicesMixin, admin.ModelAdmin):
    """Administrators and province staff, within the campaigns they manage: ``scope`` says
    which objects; nothing is deleted here."""

    formfield_overrides = LOCALIZED
    list_per_page = 50

    def may_view_any(self, request) -> bool:
        return permissions.can_manage_scoring(request.user)

    def may_add(self, request) -> bool:
        return permissions.can_manage_scoring(request.user)

    def may_delete_any(self, request) -> bool:
        return False

    def may_delete(self, request, obj) -> bool:
        return False


def _by_sheet(request, queryset: QuerySet, path: str) -> QuerySet:
    """``queryset`` limited to the rows whose sheet (at ``path``) the user manages."""
    return queryset.filter(**{f"{path}__in": permissions.managed_sheets(request.user)})


def _by_table(request, queryset: QuerySet, path: str) -> QuerySet:
    return queryset.filter(**{f"{path}__in": permissions.managed_tables(request.user)})


class ScopedInline(admin.TabularInline):
    formfield_overrides = {
        **LOCALIZED,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 24})},
    }

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_scoring(request.user)

    def get_queryset(self, request):
        # Rows follow the scope of their own model's admin too.
        return self.admin_site.get_model_admin(self.model).scope(
            request, super().get_queryset(request)
        )


@admin.register(ScoreTable)
class ScoreTableAdmin(ScopedHistoryMixin, ScoringAdmin):
    list_display = [
        "title",
        "version",
        "campaign",
        "period",
        "status",
        "published_at",
        "bonus_cap",
    ]
    list_filter = [
        "status",
        "period__kind",
        "campaign__year",
        ("campaign", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title"]
    filter_horizontal = ["clusters"]
    readonly_fields = [
        "status",
        "published_at",
        "previous",
        "version",
        "bands_display",
        "criteria_tree",
    ]
    fields = [
        "campaign",
        "period",
        "title",
        "version",
        "previous",
        "status",
        "published_at",
        "clusters",
        "bands",
        "bands_display",
        "bonus_cap",
        "criteria_tree",
    ]
    actions = ["publish", "new_version"]
    list_select_related = ["campaign", "period"]
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "campaign": org.managed_campaigns,
        "period": _managed_periods,
    }

    def scope(self, request, queryset):
        return _by_table(request, queryset, "pk")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("period")
        if field is not None and obj is not None:
            # A table's review is one of its own campaign's (the model's clean() refuses
            # another campaign's on the add page, where the campaign is still to choose).
            field.queryset = field.queryset.filter(campaign_id=obj.campaign_id)
        return form

    def may_change(self, request, obj) -> bool:
        return obj.status != TableStatus.PUBLISHED

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "clusters":
            kwargs["queryset"] = _managed_clusters(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("bands, best first"))
    def bands_display(self, obj: ScoreTable) -> str:
        return "; ".join(f"{b['label']} ≥ {b['min']}" for b in obj.bands or []) or "—"

    @admin.display(description=_("criteria (in reading order)"))
    def criteria_tree(self, obj: ScoreTable) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (indented(c), c.get_kind_display(), c.max_points, c.get_method_display() or "")
                for c in obj.criteria.order_by("position")
            ),
        )
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("criterion"),
            _("kind"),
            _("maximum points"),
            _("method"),
            rows,
        )

    @admin.action(description=_("Check and publish the selected tables"), permissions=["change"])
    def publish(self, request, queryset) -> None:
        for table in queryset.filter(status=TableStatus.DRAFT):
            try:
                services.table_publish(table=table)
            except ValidationError as error:
                self.message_user(
                    request,
                    _("%(table)s cannot be published: %(problems)s")
                    % {"table": table, "problems": "; ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                self.message_user(request, _("%(table)s is published.") % {"table": table})

    @admin.action(
        description=_("Make a new draft version of the selected tables"), permissions=["change"]
    )
    def new_version(self, request, queryset) -> None:
        for table in queryset:
            copy = services.table_new_version(table=table)
            self.message_user(request, _("%(table)s was created.") % {"table": copy})


@admin.register(Criterion)
class CriterionAdmin(ScopedHistoryMixin, ScoringAdmin):
    list_display = ["tree_title", "kind", "max_points", "method", "table"]
    list_filter = ["kind", "table__campaign__year", ("table", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "title"]
    ordering = ["table", "position"]
    list_select_related = ["table"]
    readonly_fields = ["position", "depth"]
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "table": _draft_tables,
        "parent": _draft_criteria,
    }

    @admin.display(description=_("criterion"), ordering="position")
    def tree_title(self, obj: Criterion) -> str:
        return indented(obj)

    def scope(self, request, queryset):
        return _by_table(request, queryset, "table")

    def may_change(self, request, obj) -> bool:
        return obj.table.status != TableStatus.PUBLISHED

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        services.table_renumber(table=obj.table)


class EntryFormSet(forms.BaseInlineFormSet):
    """Validates every changed entry with the engine before anything is stored."""

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if not form.has_changed() or not form.is_valid():
                continue
            entry = form.instance
            spec = services.criterion_spec(entry.criterion, None)
            data = services.entry_input(
                ScoreEntry(
                    **{f: form.cleaned_data.get(f) for f in services.INPUT_FIELDS.values()},
                    override=form.cleaned_data.get("override"),
                )
            )
            errors = [str(e) for e in engine.validate_entry(spec, data)]
            if (
                form.cleaned_data.get("override") is not None
                and not (form.cleaned_data.get("override_reason") or "").strip()
            ):
                errors.append(_("An override needs a written reason."))
            for error in errors:
                form.add_error(None, error)


class ScoreEntryInline(ScopedInline):
    model = ScoreEntry
    formset = EntryFormSet
    extra = 0
    can_delete = False
    ordering = ["criterion__position"]
    fields = [
        "criterion_title",
        *services.INPUT_FIELDS.values(),
        "override",
        "override_reason",
        "comment",
        "points",
    ]
    readonly_fields = ["criterion_title", "points"]

    @admin.display(description=_("criterion"))
    def criterion_title(self, obj: ScoreEntry) -> str:
        return indented(obj.criterion)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return permissions.can_manage_scoring(request.user)
        return permissions.can_correct_sheet(request.user, obj)


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ScopedHistoryMixin, ScoringAdmin):
    list_display = [
        "unit",
        "cluster",
        "stage",
        "status",
        "total",
        "rank",
        "band",
        "leading",
        "complete",
    ]
    list_filter = [
        "stage",
        "status",
        "leading",
        "cluster__campaign__year",
        ("cluster", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["unit__search_name", "unit__code"]
    list_select_related = ["unit", "cluster"]
    ordering = ["cluster__number", "stage", "rank", "unit__code"]
    figures = [
        "base",
        "bonus",
        "deduction",
        "total",
        "band",
        "rank",
        "leading",
        "complete",
        "excluded_from_leading",
    ]
    # The status moves only through the workflow (submit, return, publish, reopen).
    readonly_fields = ["table", "cluster", "unit", "stage", "status", *figures]
    fields = ["table", "cluster", "unit", "stage", "status", *figures]
    inlines = [ScoreEntryInline]
    actions = ["recompute"]

    def scope(self, request, queryset):
        return _by_sheet(request, queryset, "pk")

    def may_add(self, request) -> bool:
        return False

    def may_change_any(self, request) -> bool:
        return permissions.can_manage_scoring(request.user)

    def save_formset(self, request, form, formset, change) -> None:
        """Entries are saved by scoring.services, which records who and recomputes."""
        if formset.model is not ScoreEntry:
            return super().save_formset(request, form, formset, change)
        # The admin's change message reads these lists.
        formset.new_objects, formset.deleted_objects, formset.changed_objects = [], [], []
        for entry_form in formset.forms:
            if not entry_form.has_changed():
                continue
            formset.changed_objects.append((entry_form.instance, entry_form.changed_data))
            data = entry_form.cleaned_data
            values = {name: data.get(field) for name, field in services.INPUT_FIELDS.items()}
            values.update(
                override=data.get("override"),
                reason=data.get("override_reason"),
                comment=data.get("comment"),
            )
            services.entry_update(entry=entry_form.instance, user=request.user, values=values)
        return None

    @admin.action(description=_("Recompute the selected sheets' clusters"), permissions=["change"])
    def recompute(self, request, queryset) -> None:
        summary = services.recompute_scope(queryset)
        self.message_user(
            request,
            ngettext("%(count)d sheet recomputed.", "%(count)d sheets recomputed.", summary.sheets)
            % {"count": summary.sheets},
        )


# --- Records written on the product's own pages: read-only here -----------------------------


class ScoringRecordAdmin(ReadOnlyMixin, ScoringAdmin):
    """Read by the campaign's managers; written only by the services behind the product's
    pages (which record who and recompute)."""


@admin.register(ScoreEntry)
class ScoreEntryAdmin(ScopedHistoryMixin, ScoringRecordAdmin):
    list_display = ["sheet", "criterion", "points", "override", "updated_by", "updated_at"]
    list_filter = [
        "sheet__stage",
        "sheet__cluster__campaign__year",
        ("sheet__cluster", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["sheet__unit", "criterion", "updated_by"]
    search_fields = ["sheet__unit__code", "sheet__unit__search_name", "criterion__code"]
    ordering = [
        "sheet__cluster__number",
        "sheet__unit__code",
        "sheet__stage",
        "criterion__position",
    ]

    def scope(self, request, queryset):
        return _by_sheet(request, queryset, "sheet")


@admin.register(Evidence)
class EvidenceAdmin(ScoringRecordAdmin):
    list_display = ["__str__", "entry", "activity", "advanced_model", "uploaded_at"]
    list_filter = [
        "entry__sheet__stage",
        "entry__sheet__cluster__campaign__year",
        ("entry__sheet__cluster", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["entry__sheet__unit", "entry__criterion", "activity", "advanced_model"]
    search_fields = ["description", "entry__sheet__unit__code", "entry__criterion__code"]
    ordering = ["-uploaded_at"]
    fields = ["entry", "download", "activity", "advanced_model", "description", "uploaded_at"]
    readonly_fields = fields

    def scope(self, request, queryset):
        return _by_sheet(request, queryset, "entry__sheet")

    @admin.display(description=_("file"))
    def download(self, obj: Evidence) -> str:
        # Through the permission check, never from MEDIA_URL.
        if not obj.file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("evidence_download", args=[obj.pk]), obj.file.name
        )


@admin.register(Explanation)
class ExplanationAdmin(ScopedHistoryMixin, ScoringRecordAdmin):
    list_display = ["entry", "author", "created_at", "updated_at"]
    list_filter = [
        "entry__sheet__cluster__campaign__year",
        ("entry__sheet__cluster", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["entry__sheet__unit", "entry__criterion", "author"]
    search_fields = ["text", "entry__sheet__unit__code", "entry__criterion__code"]
    ordering = ["-updated_at"]

    def scope(self, request, queryset):
        return _by_sheet(request, queryset, "entry__sheet")


@admin.register(UnitTarget)
class UnitTargetAdmin(ScopedHistoryMixin, ScoringRecordAdmin):
    list_display = ["unit", "criterion", "target", "version", "updated_by", "updated_at"]
    list_filter = [
        "criterion__table__campaign__year",
        ("criterion__table", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["unit", "criterion__table", "updated_by"]
    search_fields = ["unit__code", "unit__search_name", "criterion__code"]
    ordering = ["criterion__table", "criterion__position", "unit__code"]

    def scope(self, request, queryset):
        return _by_table(request, queryset, "criterion__table")


@admin.register(NotAssigned)
class NotAssignedAdmin(ScopedHistoryMixin, ScoringRecordAdmin):
    """Read here; marked and unmarked on the table's "Criteria not assigned" page, whose
    service keeps the entries' flags in step and recomputes the sheets concerned."""

    list_display = ["criterion", "unit", "unit_kind", "reason", "created_by", "created_at"]
    list_filter = [
        "unit_kind",
        "criterion__table__campaign__year",
        ("criterion__table", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["criterion__table", "unit", "created_by"]
    search_fields = ["unit__code", "unit__search_name", "criterion__code", "reason"]
    ordering = ["criterion__table", "criterion__position", "unit_kind", "unit__code"]

    def scope(self, request, queryset):
        return _by_table(request, queryset, "criterion__table")


@admin.register(PledgeItemCriterion)
class PledgeItemCriterionAdmin(ScoringRecordAdmin):
    list_display = ["item", "criterion", "table"]
    list_filter = [("table", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["item__pledge__cluster", "criterion", "table"]
    search_fields = ["item__area", "criterion__code"]
    ordering = ["table", "item__pledge__cluster__number", "item__order"]

    def scope(self, request, queryset):
        return _by_table(request, queryset, "table")


@admin.register(Publication)
class PublicationAdmin(ScoringRecordAdmin):
    list_display = ["cluster", "action", "user", "at", "reason"]
    list_filter = [
        "action",
        "cluster__campaign__year",
        ("cluster", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["cluster__campaign", "user"]
    search_fields = ["cluster__code", "cluster__name", "reason"]
    ordering = ["-at"]

    def scope(self, request, queryset):
        return queryset.filter(cluster__in=_managed_clusters(request.user))


@admin.register(UnitBaseline)
class UnitBaselineAdmin(ScopedHistoryMixin, ScoringRecordAdmin):
    """Read here; carried and typed on the table's "last year's figures" page
    (scoring.services.baselines), which prefills the reduction entries."""

    list_display = ["unit", "criterion", "value", "source", "source_year", "updated_by"]
    list_filter = [
        "source",
        "criterion__table__campaign__year",
        ("criterion__table", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["unit", "criterion__table", "updated_by"]
    search_fields = ["unit__code", "unit__search_name", "criterion__code", "reason"]
    ordering = ["criterion__table", "criterion__position", "unit__code"]

    def scope(self, request, queryset):
        return _by_table(request, queryset, "criterion__table")


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(ScopedHistoryMixin, ScoringRecordAdmin):
    """Read here; recorded above the minutes' print page (scoring.services.meetings)."""

    list_display = ["cluster", "period", "held_on", "place"]
    list_filter = [
        "period__kind",
        "cluster__campaign__year",
        ("cluster", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["cluster", "period__campaign"]
    search_fields = ["cluster__code", "cluster__name", "place"]
    ordering = ["-held_on"]

    def scope(self, request, queryset):
        return queryset.filter(cluster__in=_managed_clusters(request.user))
