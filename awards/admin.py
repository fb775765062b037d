"""Django admin for award types, restrictions and votes: administrators and province staff,
within the campaigns they manage. Writes go through awards.services."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from awards import permissions, services
from awards.models import AwardType, UnitRestriction, Vote
from clusters import permissions as org

LOCALIZED = {models.DecimalField: {"localize": True}}


class AwardsAdmin(admin.ModelAdmin):
    """Visible and changeable by administrators and province staff, within their scope."""

    formfield_overrides = LOCALIZED

    def has_module_permission(self, request) -> bool:
        return permissions.can_manage_awards(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_awards(request.user)

    def has_add_permission(self, request) -> bool:
        return permissions.can_manage_awards(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_awards(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_awards(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            kwargs["queryset"] = org.managed_campaigns(request.user)
        elif db_field.name == "cluster":
            kwargs["queryset"] = org.visible_clusters(request.user)
        elif db_field.name == "unit":
            kwargs["queryset"] = org.visible_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AwardType)
class AwardTypeAdmin(AwardsAdmin):
    list_display = [
        "name",
        "code",
        "campaign",
        "leading_only",
        "min_band",
        "max_per_cluster",
        "pass_share",
        "order",
    ]
    list_filter = ["campaign__year", "leading_only"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("campaign")
        return qs.filter(campaign__in=org.managed_campaigns(request.user))

    def save_model(self, request, obj, form, change) -> None:
        if change:  # the code itself may change: save this row, checked
            obj.full_clean()
            obj.save()
            return
        saved = services.award_type_upsert(
            campaign=obj.campaign,
            code=obj.code,
            name=obj.name,
            leading_only=obj.leading_only,
            min_band=obj.min_band,
            max_per_cluster=obj.max_per_cluster,
            pass_share=obj.pass_share,
            order=obj.order,
        )
        obj.pk = saved.pk


@admin.register(UnitRestriction)
class UnitRestrictionAdmin(AwardsAdmin):
    list_display = ["unit", "kind", "campaign", "starts_on", "ends_on", "reason"]
    list_filter = ["kind", "campaign__year"]
    search_fields = ["unit__name", "unit__code", "reason"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("campaign", "unit")
        return qs.filter(campaign__in=org.managed_campaigns(request.user))

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj._history_user = request.user
            obj.full_clean()
            obj.save()
            return
        saved = services.restriction_record(
            campaign=obj.campaign,
            unit=obj.unit,
            kind=obj.kind,
            reason=obj.reason,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            user=request.user,
        )
        obj.pk = saved.pk


@admin.register(Vote)
class VoteAdmin(AwardsAdmin):
    list_display = [
        "unit",
        "award_type",
        "cluster",
        "members_present",
        "votes_for",
        "passed",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["award_type__campaign__year", "award_type"]
    search_fields = ["unit__name", "unit__code"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def get_queryset(self, request):
        qs = (
            super()
            .get_queryset(request)
            .select_related("unit", "award_type", "cluster", "recorded_by")
        )
        return qs.filter(cluster__campaign__in=org.managed_campaigns(request.user))

    @admin.display(boolean=True, description=_("passed"))
    def passed(self, obj: Vote) -> bool:
        return obj.passed

    def save_model(self, request, obj, form, change) -> None:
        saved = services.vote_record(
            cluster=obj.cluster,
            unit=obj.unit,
            award_type=obj.award_type,
            members_present=obj.members_present,
            votes_for=obj.votes_for,
            user=request.user,
        )
        obj.pk = saved.pk
