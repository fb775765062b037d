"""Django admin for score tables and sheets. Writes go through scoring.services: the
stored figures are read-only here, and a published table is frozen (view only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from scoring import engine, permissions, services
from scoring.enums import SheetStatus, TableStatus
from scoring.models import Criterion, ScoreEntry, ScoreSheet, ScoreTable

INDENT = "\u2003"  # an em space per level: the admin's own CSS, no inline style


def indented(criterion: Criterion) -> str:
    return f"{INDENT * criterion.depth}{criterion.code}. {criterion.title}"


# Decimals are typed and shown the local way (a decimal comma in Vietnamese).
LOCALIZED = {models.DecimalField: {"localize": True}}


class ScoringAdmin(admin.ModelAdmin):
    """Visible and changeable by administrators and province staff, within their scope."""

    formfield_overrides = LOCALIZED

    def has_module_permission(self, request) -> bool:
        return permissions.can_manage_scoring(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_scoring(request.user)

    def has_add_permission(self, request) -> bool:
        return permissions.can_manage_scoring(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_scoring(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ScopedInline(admin.TabularInline):
    formfield_overrides = {
        **LOCALIZED,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 24})},
    }

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_scoring(request.user)


@admin.register(ScoreTable)
class ScoreTableAdmin(ScoringAdmin):
    list_display = ["title", "version", "campaign", "status", "published_at", "bonus_cap"]
    list_filter = ["status", "campaign__year", "campaign"]
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
    list_select_related = ["campaign"]

    def get_queryset(self, request):
        return permissions.managed_tables(request.user).select_related("campaign")

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

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == TableStatus.PUBLISHED:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            from clusters.permissions import managed_campaigns

            kwargs["queryset"] = managed_campaigns(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description=_("Check and publish the selected tables"))
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

    @admin.action(description=_("Make a new draft version of the selected tables"))
    def new_version(self, request, queryset) -> None:
        for table in queryset:
            copy = services.table_new_version(table=table)
            self.message_user(request, _("%(table)s was created.") % {"table": copy})


@admin.register(Criterion)
class CriterionAdmin(ScoringAdmin):
    list_display = ["tree_title", "kind", "max_points", "method", "table"]
    list_filter = ["kind", "table__campaign__year", "table"]
    search_fields = ["code", "title"]
    ordering = ["table", "position"]
    list_select_related = ["table"]
    readonly_fields = ["position", "depth"]

    @admin.display(description=_("criterion"), ordering="position")
    def tree_title(self, obj: Criterion) -> str:
        return indented(obj)

    def get_queryset(self, request):
        return Criterion.objects.filter(table__in=permissions.managed_tables(request.user))

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.table.status == TableStatus.PUBLISHED:
            return False
        return super().has_change_permission(request, obj)

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
        allowed = permissions.can_manage_scoring(request.user)
        return allowed and (obj is None or obj.status != SheetStatus.LOCKED)


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ScoringAdmin):
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
    list_filter = ["stage", "status", "leading", "cluster__campaign__year", "cluster"]
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
    readonly_fields = ["table", "cluster", "unit", "stage", *figures]
    fields = ["table", "cluster", "unit", "stage", "status", *figures]
    inlines = [ScoreEntryInline]
    actions = ["recompute"]

    def get_queryset(self, request):
        return permissions.managed_sheets(request.user)

    def has_add_permission(self, request) -> bool:
        return False

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

    @admin.action(description=_("Recompute the selected sheets' clusters"))
    def recompute(self, request, queryset) -> None:
        summary = services.recompute_scope(queryset)
        self.message_user(
            request,
            ngettext("%(count)d sheet recomputed.", "%(count)d sheets recomputed.", summary.sheets)
            % {"count": summary.sheets},
        )
