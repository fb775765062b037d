"""Admin for the exchange activities (with their photos) and the registry of models and
advanced examples. Rights from ``clusters.permissions``: an activity is changed by whoever
records the activities of one of its clusters (``activity_clusters``); a model by whoever
records the models of its unit (``model_units``), and so are its photos. Activities and
models show their change history (read-only)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.db.models import Count, QuerySet

from clusters import permissions
from clusters.admin.base import (
    ChoiceScope,
    ScopedAdmin,
    ScopedHistoryMixin,
    ScopedTabularInline,
    _memo,
    scoped_units,
)
from clusters.admin.uploads import UploadCleaningForm
from clusters.models import (
    Activity,
    ActivityPhoto,
    AdvancedModel,
    AdvancedModelPhoto,
    Campaign,
    Membership,
    Unit,
)


def _activity_campaigns(user) -> QuerySet[Campaign]:
    clusters = permissions.activity_clusters(user)
    return Campaign.objects.filter(pk__in=clusters.values("campaign_id"))


def _activity_units(user) -> QuerySet[Unit]:
    """Members of the campaigns whose activities the user records (activities may join
    clusters, so the other clusters' units are choices too)."""
    campaigns = permissions.activity_clusters(user).values("campaign_id")
    return Unit.objects.filter(
        pk__in=Membership.objects.filter(campaign_id__in=campaigns).values("unit_id")
    )


class ActivityPhotoInline(ScopedTabularInline):
    model = ActivityPhoto
    form = UploadCleaningForm
    fields = ("image", "caption")
    extra = 1


class ActivityRecordAdmin(ScopedAdmin):
    """Whoever records the activities of one of the record's clusters does everything."""

    activity_path = "pk"

    def scope(self, request, queryset):
        linked = Activity.clusters.through.objects.filter(
            cluster__in=permissions.activity_clusters(request.user)
        )
        return queryset.filter(**{f"{self.activity_path}__in": linked.values("activity_id")})

    def may_add(self, request):
        return _memo(
            request,
            ("activities", "any"),
            lambda: permissions.can_record_activities(request.user),
        )


def _model_units(user) -> QuerySet[Unit]:
    """Units whose models the user records here: for administrators and staff the units of
    their organiser's own tree (``account_units``; a member unit of another organiser keeps
    its models with its own staff), for a cluster leader their own unit (``model_units``)."""
    if permissions.can_manage_units(user):
        return permissions.account_units(user)
    return permissions.model_units(user)


def _activities(user) -> QuerySet[Activity]:
    linked = Activity.clusters.through.objects.filter(
        cluster__in=permissions.activity_clusters(user)
    )
    return Activity.objects.filter(pk__in=linked.values("activity_id"))


@admin.register(Activity)
class ActivityAdmin(ScopedHistoryMixin, ActivityRecordAdmin):
    list_display = ("title", "held_on", "host", "campaign__year", "photo_count")
    list_filter = ("campaign__year", ("clusters", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("host", "campaign")
    search_fields = ("title", "host__code")
    folded_search_fields = ("host__search_name",)
    autocomplete_fields = ("host",)
    date_hierarchy = "held_on"
    ordering = ("-held_on", "pk")
    fields = ("campaign", "clusters", "held_on", "host", "participants", "title", "content")
    filter_horizontal = ("clusters", "participants")
    inlines = (ActivityPhotoInline,)
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "campaign": _activity_campaigns,
        "host": _activity_units,
    }

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "clusters":
            campaigns = _activity_campaigns(request.user)
            kwargs["queryset"] = db_field.related_model.objects.filter(campaign__in=campaigns)
        elif db_field.name == "participants":
            kwargs["queryset"] = _activity_units(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(photos_total=Count("photos"))

    @admin.display(description=ActivityPhoto._meta.verbose_name_plural, ordering="photos_total")
    def photo_count(self, obj: Activity) -> int:
        return obj.photos_total


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(ActivityRecordAdmin):
    activity_path = "activity"
    form = UploadCleaningForm
    list_display = ("caption", "activity", "image")
    list_display_links = ("caption", "activity")
    list_filter = ("activity__campaign__year",)
    list_select_related = ("activity",)
    search_fields = ("caption", "activity__title")
    ordering = ("-activity__held_on", "pk")
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"activity": _activities}


class AdvancedModelPhotoInline(ScopedTabularInline):
    model = AdvancedModelPhoto
    form = UploadCleaningForm
    fields = ("image", "caption")
    extra = 1


class ModelRecordAdmin(ScopedAdmin):
    """A model, or a photo of it: whoever records the models of its unit."""

    unit_path = "unit"

    def scope(self, request, queryset):
        if permissions.is_administrator(request.user):
            return queryset
        if permissions.can_manage_units(request.user):
            units = scoped_units(request.user)
        else:
            units = permissions.model_units(request.user)
        return queryset.filter(**{f"{self.unit_path}__in": units.values("pk")})

    def may_add(self, request):
        return permissions.can_record_models(request.user)

    def may_change(self, request, obj):
        unit_id = obj.unit_id if isinstance(obj, AdvancedModel) else obj.advanced_model.unit_id
        return _model_units(request.user).filter(pk=unit_id).exists()


def _models(user) -> QuerySet[AdvancedModel]:
    return AdvancedModel.objects.filter(unit__in=_model_units(user).values("pk"))


@admin.register(AdvancedModel)
class AdvancedModelAdmin(ScopedHistoryMixin, ModelRecordAdmin):
    list_display = ("title", "unit", "area", "since", "replicas")
    list_filter = ("area",)
    list_select_related = ("unit",)
    search_fields = ("title", "area", "unit__code")
    folded_search_fields = ("unit__search_name",)
    autocomplete_fields = ("unit",)
    ordering = ("unit__code", "title")
    fields = ("unit", "title", "area", "since", "description", "replicated_by")
    filter_horizontal = ("replicated_by",)
    inlines = (AdvancedModelPhotoInline,)
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"unit": _model_units}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "replicated_by":
            kwargs["queryset"] = scoped_units(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(replica_count=Count("replicated_by"))

    @admin.display(
        description=AdvancedModel._meta.get_field("replicated_by").verbose_name,
        ordering="replica_count",
    )
    def replicas(self, obj: AdvancedModel) -> int:
        return obj.replica_count


@admin.register(AdvancedModelPhoto)
class AdvancedModelPhotoAdmin(ModelRecordAdmin):
    unit_path = "advanced_model__unit"
    form = UploadCleaningForm
    list_display = ("caption", "advanced_model", "image")
    list_display_links = ("caption", "advanced_model")
    list_select_related = ("advanced_model",)
    search_fields = ("caption", "advanced_model__title")
    ordering = ("advanced_model__title", "pk")
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"advanced_model": _models}
