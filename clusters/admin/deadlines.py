"""The deadlines in the admin (docs/deadlines.md): read-only, seen by whoever sees the
campaign. They are set, extended and removed on the campaign's deadlines page
(clusters.services.deadlines, with its checks); each change is in the history, and each
deadline's extensions are listed on its page."""

from __future__ import annotations

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from clusters import permissions
from clusters.admin.base import ReadOnlyMixin, ScopedHistoryMixin
from clusters.admin.organisation import SetupAdmin
from clusters.models import Deadline, DeadlineExtension


@admin.register(Deadline)
class DeadlineAdmin(ScopedHistoryMixin, ReadOnlyMixin, SetupAdmin):
    list_display = ("__str__", "campaign", "period", "phase", "cluster", "due_date", "mode")
    list_filter = (
        "phase",
        "mode",
        "campaign__year",
        ("campaign", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("campaign", "period__campaign", "cluster")
    search_fields = ("campaign__name", "cluster__code")
    ordering = ("-campaign__year", "campaign__organiser__code", "due_date", "phase")
    fields = ("campaign", "period", "phase", "cluster", "due_date", "mode", "extension_list")
    readonly_fields = fields

    @admin.display(description=_("Extensions"))
    def extension_list(self, obj: Deadline) -> str:
        rows = obj.extensions.select_related("unit", "created_by")
        return (
            format_html_join(
                "",
                "<p>{}: {} — {} ({}, {})</p>",
                (
                    (
                        e.unit,
                        date_format(e.due_date, "d/m/Y"),
                        e.reason,
                        e.created_by or "—",
                        date_format(e.created_at, "SHORT_DATETIME_FORMAT"),
                    )
                    for e in rows
                ),
            )
            or "—"
        )

    def scope(self, request, queryset):
        return queryset.filter(campaign__in=permissions.visible_campaigns(request.user))


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyMixin, SetupAdmin):
    """A unit's extension of a deadline, with its reason, who and when: read-only (granted
    on the campaign's deadlines page, never changed: a later one replaces it)."""

    list_display = ("__str__", "deadline", "unit", "due_date", "created_by", "created_at")
    list_filter = ("deadline__phase", "deadline__campaign__year")
    list_select_related = ("deadline__campaign", "unit", "created_by")
    search_fields = ("unit__code", "unit__name", "reason")
    ordering = ("-deadline__campaign__year", "deadline", "unit__code", "-created_at")
    fields = ("deadline", "unit", "due_date", "reason", "created_by", "created_at")
    readonly_fields = fields

    def campaign_of(self, obj: DeadlineExtension):
        return obj.deadline.campaign

    def scope(self, request, queryset):
        return queryset.filter(deadline__campaign__in=permissions.visible_campaigns(request.user))
