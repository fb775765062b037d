"""Admin for the signing records: conferences and photos, pledges, their items and
signatures, registrations; each record but a photo with its change history (read-only)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils.text import Truncator

from clusters import permissions
from clusters.admin.base import (
    ChoiceScope,
    ScopedAdmin,
    ScopedHistoryMixin,
    ScopedTabularInline,
    _memo,
    _signing_campaigns,
    _signing_conferences,
    _signing_member_units,
    _signing_pledges,
)
from clusters.admin.uploads import UploadCleaningForm
from clusters.forms.registration import RegistrationAdminForm
from clusters.models import (
    ConferencePhoto,
    LeadershipElection,
    Membership,
    Pledge,
    PledgeItem,
    Registration,
    Signature,
    SigningConference,
)

# --- Signing records ---------------------------------------------------------------------


class SigningRecordAdmin(ScopedAdmin):
    """Everything for whoever may record the signing of the record's cluster
    (``permissions.signing_clusters``); nothing else is visible."""

    cluster_path = "cluster"

    def scope(self, request, queryset):
        clusters = permissions.signing_clusters(request.user)
        return queryset.filter(**{f"{self.cluster_path}__in": clusters})

    def may_add(self, request):
        return _memo(
            request,
            ("signing", "any"),
            lambda: permissions.signing_clusters(request.user).exists(),
        )


class ConferencePhotoInline(ScopedTabularInline):
    model = ConferencePhoto
    form = UploadCleaningForm
    fields = ("image", "caption")
    extra = 1


@admin.register(SigningConference)
class SigningConferenceAdmin(ScopedHistoryMixin, SigningRecordAdmin):
    list_display = ("cluster", "cluster__campaign__year", "held_on", "place", "chair", "photos")
    list_filter = ("cluster__campaign__year", ("cluster", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("cluster__campaign",)
    search_fields = ("place", "chair", "cluster__code")
    folded_search_fields = ("cluster__search_name",)
    date_hierarchy = "held_on"
    ordering = ("-held_on",)
    fields = ("cluster", "held_on", "place", "chair", "attendees", "notes", "minutes")
    form = UploadCleaningForm
    inlines = (ConferencePhotoInline,)
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"cluster": permissions.signing_clusters}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(photo_count=Count("photos"))

    @admin.display(description=ConferencePhoto._meta.verbose_name_plural, ordering="photo_count")
    def photos(self, obj: SigningConference) -> int:
        return obj.photo_count


@admin.register(LeadershipElection)
class LeadershipElectionAdmin(ScopedHistoryMixin, SigningRecordAdmin):
    """Next year's leader and deputy a cluster elected, for whoever records its signing
    (the same rule as the page: clusters.permissions.can_record_leadership_election)."""

    form = UploadCleaningForm
    list_display = ("cluster", "cluster__campaign__year", "held_on", "leader", "deputy")
    list_filter = ("cluster__campaign__year",)
    list_select_related = ("cluster__campaign", "leader", "deputy")
    search_fields = ("cluster__code", "leader__code", "deputy__code")
    folded_search_fields = ("cluster__search_name",)
    ordering = ("-held_on", "pk")
    fields = (
        "cluster",
        "held_on",
        "members_present",
        "leader",
        "leader_votes",
        "deputy",
        "deputy_votes",
        "minutes",
    )
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "cluster": permissions.signing_clusters,
        "leader": _signing_member_units,
        "deputy": _signing_member_units,
    }


@admin.register(ConferencePhoto)
class ConferencePhotoAdmin(SigningRecordAdmin):
    cluster_path = "conference__cluster"
    form = UploadCleaningForm
    list_display = ("caption", "conference", "image")
    list_display_links = ("caption", "conference")
    list_filter = ("conference__cluster__campaign__year",)
    list_select_related = ("conference__cluster",)
    search_fields = ("caption",)
    folded_search_fields = ("conference__cluster__search_name",)
    ordering = ("-conference__held_on", "pk")
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"conference": _signing_conferences}


class PledgeItemInline(ScopedTabularInline):
    model = PledgeItem
    fields = ("order", "area", "content")
    extra = 1


class SignatureInline(ScopedTabularInline):
    model = Signature
    form = UploadCleaningForm
    fields = ("unit", "signatory", "position", "signed_on", "scanned_copy")
    autocomplete_fields = ("unit",)
    extra = 1
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"unit": _signing_member_units}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")


@admin.register(Pledge)
class PledgeAdmin(ScopedHistoryMixin, SigningRecordAdmin):
    list_display = ("cluster", "cluster__campaign__year", "slogan_excerpt", "items", "signatures")
    list_filter = ("cluster__campaign__year", ("cluster", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("cluster__campaign",)
    search_fields = ("slogan", "cluster__code")
    folded_search_fields = ("cluster__search_name",)
    ordering = ("-cluster__campaign__year", "cluster__number")
    fields = ("cluster", "slogan", "preamble")
    inlines = (PledgeItemInline, SignatureInline)
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"cluster": permissions.signing_clusters}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                item_count=Count("items", distinct=True),
                signature_count=Count("signatures", distinct=True),
            )
        )

    @admin.display(description=Pledge._meta.get_field("slogan").verbose_name)
    def slogan_excerpt(self, obj: Pledge) -> str:
        return Truncator(obj.slogan).chars(80)

    @admin.display(description=PledgeItem._meta.verbose_name_plural, ordering="item_count")
    def items(self, obj: Pledge) -> int:
        return obj.item_count

    @admin.display(description=Signature._meta.verbose_name_plural, ordering="signature_count")
    def signatures(self, obj: Pledge) -> int:
        return obj.signature_count


@admin.register(PledgeItem)
class PledgeItemAdmin(ScopedHistoryMixin, SigningRecordAdmin):
    cluster_path = "pledge__cluster"
    list_display = ("area", "pledge", "order")
    list_filter = ("pledge__cluster__campaign__year",)
    list_select_related = ("pledge__cluster",)
    search_fields = ("area", "content")
    folded_search_fields = ("pledge__cluster__search_name",)
    ordering = ("-pledge__cluster__campaign__year", "pledge__cluster__number", "order", "pk")
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"pledge": _signing_pledges}


@admin.register(Signature)
class SignatureAdmin(ScopedHistoryMixin, SigningRecordAdmin):
    cluster_path = "pledge__cluster"
    list_display = ("unit", "pledge", "signatory", "position", "signed_on")
    list_filter = (
        "pledge__cluster__campaign__year",
        ("pledge__cluster", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("unit", "pledge__cluster")
    search_fields = ("unit__code", "signatory")
    folded_search_fields = ("unit__search_name",)
    autocomplete_fields = ("unit",)
    date_hierarchy = "signed_on"
    ordering = ("-pledge__cluster__campaign__year", "pledge__cluster__number", "unit__code")
    fields = ("pledge", "unit", "signatory", "position", "signed_on", "scanned_copy")
    form = UploadCleaningForm
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "pledge": _signing_pledges,
        "unit": _signing_member_units,
    }


class RegistrationClusterFilter(admin.SimpleListFilter):
    """Registrations have no cluster of their own: it is the unit's cluster that year."""

    title = Membership._meta.get_field("cluster").verbose_name
    parameter_name = "cluster"

    def lookups(self, request, model_admin):
        clusters = (
            permissions.signing_clusters(request.user)
            .select_related("campaign")
            .order_by("-campaign__year", "number")
        )
        return [(c.pk, f"{c.name} ({c.campaign.year})") for c in clusters]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(
            Exists(
                Membership.objects.filter(
                    campaign_id=OuterRef("campaign_id"),
                    unit_id=OuterRef("unit_id"),
                    cluster_id=self.value(),
                )
            )
        )


@admin.register(Registration)
class RegistrationAdmin(ScopedHistoryMixin, SigningRecordAdmin):
    form = RegistrationAdminForm
    list_display = ("unit", "campaign__year", "cluster_name", "titles_display", "registered_on")
    list_filter = ("campaign__year", RegistrationClusterFilter)
    list_select_related = ("unit", "campaign")
    search_fields = ("unit__code",)
    folded_search_fields = ("unit__search_name",)
    autocomplete_fields = ("unit",)
    date_hierarchy = "registered_on"
    ordering = ("-campaign__year", "unit__code")
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "campaign": _signing_campaigns,
        "unit": _signing_member_units,
    }

    def scope(self, request, queryset):
        # The registration's cluster is the unit's cluster in that campaign.
        memberships = Membership.objects.filter(
            campaign_id=OuterRef("campaign_id"),
            unit_id=OuterRef("unit_id"),
            cluster__in=permissions.signing_clusters(request.user),
        )
        return queryset.filter(Exists(memberships))

    def get_queryset(self, request):
        cluster_name = Membership.objects.filter(
            campaign_id=OuterRef("campaign_id"), unit_id=OuterRef("unit_id")
        ).values("cluster__name")[:1]
        return super().get_queryset(request).annotate(cluster_name=Subquery(cluster_name))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.signing_clusters = permissions.signing_clusters(request.user)
        return form

    @admin.display(
        description=Membership._meta.get_field("cluster").verbose_name, ordering="cluster_name"
    )
    def cluster_name(self, obj: Registration) -> str:
        return obj.cluster_name or ""

    @admin.display(description=Registration._meta.get_field("titles").verbose_name)
    def titles_display(self, obj: Registration) -> str:
        return ", ".join(obj.get_titles_display())
