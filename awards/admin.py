"""Django admin for award types, restrictions and votes: administrators and province staff,
within the campaigns they manage (``clusters.permissions.managed_campaigns``), through
``ScopeMixin``: another organiser's records are missing on every page. Writes go through
awards.services; votes are recorded on a cluster's awards page (where nobody votes on their
own unit), so they are read-only here."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from awards import permissions, services
from awards.models import AwardType, UnitRestriction, Vote
from clusters import permissions as org
from clusters.admin.base import (
    ChoiceScope,
    ReadOnlyMixin,
    ScopedChoicesMixin,
    ScopedHistoryMixin,
    ScopeMixin,
    scoped_units,
)

LOCALIZED = {models.DecimalField: {"localize": True}}


class AwardsAdmin(ScopeMixin, ScopedChoicesMixin, admin.ModelAdmin):
    """Administrators and province staff, within the campaigns they manage: the record's
    campaign is at ``campaign_path``."""

    formfield_overrides = LOCALIZED
    list_per_page = 50
    campaign_path = "campaign"
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "campaign": org.managed_campaigns,
        "unit": scoped_units,
    }

    def scope(self, request, queryset):
        campaigns = org.managed_campaigns(request.user)
        return queryset.filter(**{f"{self.campaign_path}__in": campaigns})

    def may_view_any(self, request) -> bool:
        return permissions.can_manage_awards(request.user)

    def may_add(self, request) -> bool:
        return permissions.can_manage_awards(request.user)


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
    list_select_related = ["campaign"]
    search_fields = ["name", "code"]

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
class UnitRestrictionAdmin(ScopedHistoryMixin, AwardsAdmin):
    list_display = ["unit", "kind", "campaign", "starts_on", "ends_on", "reason"]
    list_filter = ["kind", "campaign__year"]
    list_select_related = ["campaign", "unit"]
    search_fields = ["unit__name", "unit__code", "reason"]

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
class VoteAdmin(ScopedHistoryMixin, ReadOnlyMixin, AwardsAdmin):
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
    list_filter = [
        "award_type__campaign__year",
        ("award_type", admin.RelatedOnlyFieldListFilter),
        ("cluster", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["unit", "award_type", "cluster", "recorded_by"]
    search_fields = ["unit__name", "unit__code"]
    readonly_fields = ["recorded_by", "recorded_at"]
    campaign_path = "cluster__campaign"

    @admin.display(boolean=True, description=_("passed"))
    def passed(self, obj: Vote) -> bool:
        return obj.passed
