"""Django admin for background work: the progress of jobs (read-only; only the task running
a job writes its progress) within ``jobs.permissions.admin_jobs``, the workers' heartbeats
and django-tasks' own result records for administrators only. Files are named, not linked:
a job's file is served only to the user who started it, through its job page."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from clusters.admin.accounts import AdministratorsOnlyMixin
from clusters.admin.base import ReadOnlyMixin, ScopeMixin
from jobs import permissions
from jobs.models import JobProgress, WorkerHeartbeat


@admin.register(JobProgress)
class JobProgressAdmin(ReadOnlyMixin, ScopeMixin, admin.ModelAdmin):
    list_display = ["__str__", "campaign", "stage", "user", "progress", "created_at", "finished_at"]
    list_filter = ["kind", "status", ("campaign", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["campaign__organiser", "user"]
    search_fields = ["message", "user__username", "user__full_name"]
    ordering = ["-created_at"]
    list_per_page = 50
    fields = [
        "kind",
        "status",
        "campaign",
        "stage",
        "user",
        "task_id",
        "progress",
        "message",
        "file_name",
        "upload_name",
        "errors",
        "created_at",
        "finished_at",
    ]
    readonly_fields = fields

    def scope(self, request, queryset):
        return queryset.filter(pk__in=permissions.admin_jobs(request.user).values("pk"))

    def may_view_any(self, request) -> bool:
        return permissions.can_see_jobs(request.user)

    @admin.display(description=_("Progress"))
    def progress(self, obj: JobProgress) -> str:
        return f"{obj.done}/{obj.total} ({obj.percent}%)"

    @admin.display(description=_("file"))
    def file_name(self, obj: JobProgress) -> str:
        return obj.file.name or "—"

    @admin.display(description=_("uploaded file"))
    def upload_name(self, obj: JobProgress) -> str:
        return obj.upload.name or "—"


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker_id", "hostname", "pid", "started_at", "beat_at"]
    ordering = ["-beat_at"]

    def has_module_permission(self, request) -> bool:
        return permissions.can_see_workers(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_see_workers(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# django-tasks' result records (a task's arguments name campaigns and users): administrators
# only, whatever Django permissions a group might hold.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
admin.site.register(
    DBTaskResult, type("DBTaskResultAdmin", (AdministratorsOnlyMixin, DBTaskResultAdmin), {})
)
