"""Admin for notifications: administrators only, read-only (a notification is written by
clusters.services.notices.notify and read by its recipient on /notifications/)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clusters import permissions
from clusters.admin.base import ReadOnlyMixin, ScopeMixin
from clusters.models import Notification
from clusters.notices import text_of


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, ScopeMixin, admin.ModelAdmin):
    """Who was told what, when, and whether they read it or were mailed it: for an
    administrator looking into "I was never told". Nobody else: a notification is one
    person's."""

    list_display = ("created_at", "recipient", "kind", "campaign", "read_at", "emailed_at")
    list_filter = ("kind", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("recipient", "campaign")
    search_fields = ("recipient__username", "recipient__full_name", "key")
    ordering = ("-created_at", "-pk")
    list_per_page = 50
    fields = (
        "recipient",
        "kind",
        "campaign",
        "sentence",
        "url",
        "key",
        "created_at",
        "read_at",
        "emailed_at",
    )
    readonly_fields = fields

    @admin.display(description=_("text"))
    def sentence(self, obj: Notification) -> str:
        return text_of(obj)

    def scope(self, request, queryset):
        if permissions.is_administrator(request.user):
            return queryset
        return queryset.none()

    def may_view_any(self, request) -> bool:
        return permissions.is_administrator(request.user)
