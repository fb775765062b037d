"""Django admin for the organisation: every model of the app, in Vietnamese.

Who sees and changes what is decided by ``clusters.permissions``, never by Django's model
permissions (only superusers hold those). Three families of rights:

- units and users: administrators do everything; province staff view, add and change the
  units in their scope (never delete: a unit is deactivated, its history stays); other
  admin users (cluster leaders) may look units up, which autocomplete needs. Users are for
  administrators only;
- campaign set-up (campaigns, clusters, memberships): administrators and province staff
  change the campaigns they manage; cluster leaders only look at their own;
- signing records (conference and photos, pledge, items and signatures, registrations):
  whoever may record the signing of the record's cluster (``signing_clusters``) does
  everything with it, and sees nothing else.

An object outside the user's scope is not in ``get_queryset``, so its pages answer as
for a missing object (a redirect to the admin index) and a crafted POST changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.text import Truncator, smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from clusters import permissions
from clusters.enums import MemberRole
from clusters.forms import RegistrationAdminForm
from clusters.models import (
    Campaign,
    Cluster,
    ConferencePhoto,
    Membership,
    Pledge,
    PledgeItem,
    Registration,
    Signature,
    SigningConference,
    Unit,
    User,
)
from clusters.queries import with_leaders, with_member_counts
from clusters.text import fold

# --- Rights ----------------------------------------------------------------------------


def _memo(request: HttpRequest, key: tuple, compute: Callable[[], bool]) -> bool:
    """Remember an answer for the rest of the request: one admin page asks the same
    question many times (every model on the index, every inline of a form)."""
    cache = request.__dict__.setdefault("_clusters_admin_rights", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


class ScopeMixin:
    """Rights from ``clusters.permissions`` instead of Django's model permissions.

    A subclass says which objects the user may see (``scope``), whether they may add
    (``may_add``), and whether they may change or delete an object they can see
    (``may_change``, ``may_delete``). Everything else follows.
    """

    def scope(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        raise NotImplementedError

    def may_add(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    def may_change(self, request: HttpRequest, obj: Model) -> bool:
        return True

    def may_delete(self, request: HttpRequest, obj: Model) -> bool:
        return self.may_change(request, obj)

    def may_change_any(self, request: HttpRequest) -> bool:
        return self.may_add(request)

    def may_delete_any(self, request: HttpRequest) -> bool:
        return self.may_change_any(request)

    def _ask(self, request: HttpRequest, question: str, compute: Callable[[], bool]) -> bool:
        return _memo(request, (self.opts.label, question), compute)

    def in_scope(self, request: HttpRequest, obj: Model) -> bool:
        return _memo(
            request,
            (self.opts.label, "in_scope", obj.pk),
            lambda: self.scope(request, self.model._default_manager.filter(pk=obj.pk)).exists(),
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope(request, super().get_queryset(request))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return self._ask(
                request,
                "view",
                lambda: (
                    self.may_add(request)
                    or self.scope(request, self.model._default_manager.all()).exists()
                ),
            )
        return self.in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._ask(request, "add", lambda: self.may_add(request))

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return self._ask(request, "change", lambda: self.may_change_any(request))
        return self.in_scope(request, obj) and self.may_change(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return self._ask(request, "delete", lambda: self.may_delete_any(request))
        return self.in_scope(request, obj) and self.may_delete(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


ChoiceScope = Callable[[User], QuerySet]


class ScopedChoicesMixin:
    """Limits foreign-key choices to the user's scope. ``fk_scopes`` maps a field name to
    a function of the user that returns the objects they may pick."""

    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {}

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        scope = self.fk_scopes.get(db_field.name)
        if scope is not None and "queryset" not in kwargs:
            kwargs["queryset"] = scope(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FoldedSearchMixin:
    """Search that ignores Vietnamese diacritics: "dak mil" finds "Đắk Mil".

    Each word of the search must match one of ``search_fields`` (as typed; a leading ``^``
    or ``=`` works as in Django) or, folded with ``clusters.text.fold``, one of the
    ``folded_search_fields``: paths to a column that stores folded text (``search_name``).
    """

    folded_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        folded_fields = self.folded_search_fields
        if not folded_fields or not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        lookups = [_search_lookup(str(f)) for f in self.get_search_fields(request)]
        folded_lookups = [f"{path}__icontains" for path in folded_fields]
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            condition = Q.create([(lookup, bit) for lookup in lookups], connector=Q.OR)
            folded_bit = fold(bit)
            for lookup in folded_lookups:
                condition |= Q(**{lookup: folded_bit})
            queryset = queryset.filter(condition)
        may_have_duplicates = any(
            lookup_spawns_duplicates(self.opts, lookup) for lookup in [*lookups, *folded_lookups]
        )
        return queryset, may_have_duplicates


def _search_lookup(field: str) -> str:
    if field.startswith("^"):
        return f"{field[1:]}__istartswith"
    if field.startswith("="):
        return f"{field[1:]}__iexact"
    return f"{field}__icontains"


class ScopedAdmin(ScopeMixin, ScopedChoicesMixin, FoldedSearchMixin, admin.ModelAdmin):
    """The base of every admin of the app."""

    list_per_page = 50


class ParentRightsMixin:
    """An inline's rows may be changed by whoever may change the parent object (or add
    it, on the add page), and seen by whoever may see it."""

    def _parent_admin(self) -> admin.ModelAdmin:
        return self.admin_site.get_model_admin(self.parent_model)

    def _may_edit(self, request: HttpRequest, obj: Model | None) -> bool:
        parent = self._parent_admin()
        if obj is None:
            return parent.has_add_permission(request)
        return parent.has_change_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_edit(request, obj)


class ScopedTabularInline(ParentRightsMixin, ScopedChoicesMixin, admin.TabularInline):
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Rows follow the scope of their own model's admin too: a leader looking at a
        # campaign sees their own cluster in it, not the others.
        return self.admin_site.get_model_admin(self.model).scope(
            request, super().get_queryset(request)
        )


# --- Choices in the user's scope ------------------------------------------------------


def _organiser_choices(user: User) -> QuerySet[Unit]:
    """Units whose campaigns the user may set up."""
    if permissions.is_administrator(user):
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=permissions.organiser_ids(user))


def _managed_clusters(user: User) -> QuerySet[Cluster]:
    return Cluster.objects.filter(campaign__in=permissions.managed_campaigns(user))


def _signing_campaigns(user: User) -> QuerySet[Campaign]:
    clusters = permissions.signing_clusters(user)
    return Campaign.objects.filter(pk__in=clusters.values("campaign_id"))


def _signing_member_units(user: User) -> QuerySet[Unit]:
    memberships = Membership.objects.filter(cluster__in=permissions.signing_clusters(user))
    return Unit.objects.filter(pk__in=memberships.values("unit_id"))


def _signing_conferences(user: User) -> QuerySet[SigningConference]:
    return SigningConference.objects.filter(cluster__in=permissions.signing_clusters(user))


def _signing_pledges(user: User) -> QuerySet[Pledge]:
    return Pledge.objects.filter(cluster__in=permissions.signing_clusters(user))


# --- Units and users ---------------------------------------------------------------------


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = (
        "code",
        "name",
        "short_name",
        "kind",
        "parent",
        "is_active",
        "deactivated_on",
        "successor",
    )
    list_filter = ("kind", "is_active")
    list_select_related = ("parent", "successor")
    search_fields = ("code", "name", "short_name")
    folded_search_fields = ("search_name",)
    autocomplete_fields = ("parent", "successor")
    ordering = ("code",)
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "kind", "parent")}),
        (
            _("Dissolution or merger"),
            {
                "fields": ("is_active", "deactivated_on", "successor"),
                "description": _(
                    "A dissolved or merged unit is never deleted: clear “active”, give the "
                    "date, and the unit that took over its work where there is one."
                ),
            },
        ),
    )
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "parent": permissions.visible_units,
        "successor": permissions.visible_units,
    }

    def scope(self, request, queryset):
        return queryset.filter(pk__in=permissions.visible_units(request.user).values("pk"))

    def may_add(self, request):
        return permissions.can_manage_units(request.user)

    def may_change(self, request, obj):
        return permissions.can_manage_units(request.user)

    def may_delete_any(self, request):
        # History is kept: only an administrator may remove a unit (one entered by mistake).
        return permissions.is_administrator(request.user)

    def may_delete(self, request, obj):
        return self.may_delete_any(request)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and not permissions.is_administrator(request.user):
            # A unit without a parent would fall outside the staff member's own scope.
            form.base_fields["parent"].required = True
        return form


@admin.register(User)
class UserAdmin(ScopeMixin, FoldedSearchMixin, DjangoUserAdmin):
    fieldsets = (
        DjangoUserAdmin.fieldsets[0],
        (_("Unit and position"), {"fields": ("full_name", "unit", "position")}),
        *DjangoUserAdmin.fieldsets[1:],
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (
            _("Unit and position"),
            {"classes": ("wide",), "fields": ("full_name", "unit", "position", "groups")},
        ),
    )
    list_display = ("username", "full_name", "unit", "position", "is_active", "is_superuser")
    list_filter = ("is_active", "is_superuser", "groups", "unit__kind")
    list_select_related = ("unit",)
    search_fields = ("username", "full_name", "email", "unit__code")
    folded_search_fields = ("unit__search_name",)
    autocomplete_fields = ("unit",)
    ordering = ("username",)

    def scope(self, request, queryset):
        return queryset if permissions.is_administrator(request.user) else queryset.none()

    def may_add(self, request):
        return permissions.is_administrator(request.user)


# --- Campaign set-up ---------------------------------------------------------------------


class SetupAdmin(ScopedAdmin):
    """Administrators and province staff change the campaigns they manage; cluster leaders
    look at what their unit belongs to."""

    def campaign_of(self, obj: Model) -> Campaign:
        return obj.campaign

    def may_add(self, request):
        return permissions.managed_campaigns(request.user).exists()

    def may_change(self, request, obj):
        return permissions.can_manage_campaign(request.user, self.campaign_of(obj))


class ClusterInline(ScopedTabularInline):
    model = Cluster
    fields = ("number", "code", "name")
    show_change_link = True


@admin.register(Campaign)
class CampaignAdmin(SetupAdmin):
    list_display = ("year", "name", "organiser", "phase", "cluster_count")
    list_filter = ("year", "phase")
    list_select_related = ("organiser",)
    search_fields = ("name", "organiser__code")
    folded_search_fields = ("organiser__search_name",)
    autocomplete_fields = ("organiser",)
    ordering = ("-year", "organiser__code")
    fields = ("organiser", "year", "name", "slogan", "phase", "created_at")
    readonly_fields = ("created_at",)
    inlines = (ClusterInline,)
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"organiser": _organiser_choices}

    def scope(self, request, queryset):
        return queryset.filter(pk__in=permissions.visible_campaigns(request.user).values("pk"))

    def may_add(self, request):
        user = request.user
        return permissions.is_administrator(user) or permissions.is_province_staff(user)

    def campaign_of(self, obj):
        return obj

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cluster_count=Count("clusters"))

    @admin.display(description=Cluster._meta.verbose_name_plural, ordering="cluster_count")
    def cluster_count(self, obj: Campaign) -> int:
        return obj.cluster_count


class MembershipInline(ScopedTabularInline):
    model = Membership
    fields = ("unit", "role")
    autocomplete_fields = ("unit",)
    extra = 1
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"unit": permissions.visible_units}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")


def _head(obj: Cluster, role: str) -> Unit | None:
    return next((m.unit for m in obj.heads if m.role == role), None)


@admin.register(Cluster)
class ClusterAdmin(SetupAdmin):
    list_display = ("number", "code", "name", "campaign", "member_count", "leader", "deputy")
    list_display_links = ("number", "code", "name")
    list_filter = ("campaign__year", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("campaign",)
    search_fields = ("code", "name")
    folded_search_fields = ("search_name",)
    ordering = ("-campaign__year", "campaign__organiser__code", "number")
    fields = ("campaign", "number", "code", "name", "description", "regulation")
    inlines = (MembershipInline,)
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"campaign": permissions.managed_campaigns}

    def scope(self, request, queryset):
        return queryset.filter(pk__in=permissions.visible_clusters(request.user).values("pk"))

    def get_queryset(self, request):
        return with_leaders(with_member_counts(super().get_queryset(request)))

    @admin.display(description=_("member units"), ordering="member_count")
    def member_count(self, obj: Cluster) -> int:
        return obj.member_count

    @admin.display(description=MemberRole.LEADER.label)
    def leader(self, obj: Cluster) -> Unit | None:
        return _head(obj, MemberRole.LEADER)

    @admin.display(description=MemberRole.DEPUTY.label)
    def deputy(self, obj: Cluster) -> Unit | None:
        return _head(obj, MemberRole.DEPUTY)


@admin.register(Membership)
class MembershipAdmin(SetupAdmin):
    list_display = ("unit", "cluster", "campaign__year", "role")
    list_filter = (
        "campaign__year",
        ("cluster", admin.RelatedOnlyFieldListFilter),
        "role",
        "unit__kind",
    )
    list_select_related = ("unit", "cluster", "campaign")
    search_fields = ("unit__code", "cluster__code")
    folded_search_fields = ("unit__search_name", "cluster__search_name")
    autocomplete_fields = ("unit",)
    ordering = ("-campaign__year", "cluster__number", "unit__code")
    fields = ("cluster", "unit", "role")
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "cluster": _managed_clusters,
        "unit": permissions.visible_units,
    }

    def scope(self, request, queryset):
        return queryset.filter(cluster__in=permissions.visible_clusters(request.user))


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
    fields = ("image", "caption")
    extra = 1


@admin.register(SigningConference)
class SigningConferenceAdmin(SigningRecordAdmin):
    list_display = ("cluster", "cluster__campaign__year", "held_on", "place", "chair", "photos")
    list_filter = ("cluster__campaign__year", ("cluster", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("cluster__campaign",)
    search_fields = ("place", "chair", "cluster__code")
    folded_search_fields = ("cluster__search_name",)
    date_hierarchy = "held_on"
    ordering = ("-held_on",)
    fields = ("cluster", "held_on", "place", "chair", "attendees", "notes", "minutes")
    inlines = (ConferencePhotoInline,)
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"cluster": permissions.signing_clusters}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(photo_count=Count("photos"))

    @admin.display(description=ConferencePhoto._meta.verbose_name_plural, ordering="photo_count")
    def photos(self, obj: SigningConference) -> int:
        return obj.photo_count


@admin.register(ConferencePhoto)
class ConferencePhotoAdmin(SigningRecordAdmin):
    cluster_path = "conference__cluster"
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
    fields = ("unit", "signatory", "position", "signed_on", "scanned_copy")
    autocomplete_fields = ("unit",)
    extra = 1
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"unit": _signing_member_units}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")


@admin.register(Pledge)
class PledgeAdmin(SigningRecordAdmin):
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
class PledgeItemAdmin(SigningRecordAdmin):
    cluster_path = "pledge__cluster"
    list_display = ("area", "pledge", "order")
    list_filter = ("pledge__cluster__campaign__year",)
    list_select_related = ("pledge__cluster",)
    search_fields = ("area", "content")
    folded_search_fields = ("pledge__cluster__search_name",)
    ordering = ("-pledge__cluster__campaign__year", "pledge__cluster__number", "order", "pk")
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"pledge": _signing_pledges}


@admin.register(Signature)
class SignatureAdmin(SigningRecordAdmin):
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
class RegistrationAdmin(SigningRecordAdmin):
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
