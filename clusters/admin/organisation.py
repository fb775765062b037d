"""Admin for units, users, campaigns, clusters and memberships."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Model
from django.utils.translation import gettext_lazy as _

from clusters import permissions
from clusters.admin.accounts import TemporaryAdminPasswordChangeForm, TemporaryPasswordCreationForm
from clusters.admin.base import (
    ChoiceScope,
    FoldedSearchMixin,
    ReadOnlyMixin,
    ScopedAdmin,
    ScopedHistoryMixin,
    ScopedTabularInline,
    ScopeMixin,
    _managed_clusters,
    _organiser_choices,
    scoped_units,
)
from clusters.admin.uploads import UploadCleaningForm
from clusters.enums import MemberRole
from clusters.models import (
    Campaign,
    Cluster,
    Membership,
    Period,
    Unit,
    User,
)
from clusters.queries import with_leaders, with_member_counts
from clusters.services import accounts as account_services

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
        (None, {"fields": ("code", "name", "short_name", "kind", "parent", "place")}),
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
    # A unit is placed only inside the user's own organiser tree.
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {
        "parent": permissions.account_units,
        "successor": permissions.account_units,
    }

    def scope(self, request, queryset):
        return queryset.filter(pk__in=scoped_units(request.user).values("pk"))

    def may_add(self, request):
        return permissions.can_manage_units(request.user)

    def may_change(self, request, obj):
        # Staff change the units of their organiser's own tree; another organiser's unit
        # that is a member of their clusters is only looked at.
        return (
            permissions.can_manage_units(request.user)
            and permissions.account_units(request.user).filter(pk=obj.pk).exists()
        )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        own = permissions.account_units(request.user)
        if obj is not None and obj.parent_id and not own.filter(pk=obj.parent_id).exists():
            # The top of the staff member's tree stays where it is (under the Ministry,
            # say): its parent is not theirs to choose.
            return (*fields, "parent")
        return fields

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
    # A password set here is temporary: the user changes it at the next sign-in.
    add_form = TemporaryPasswordCreationForm
    change_password_form = TemporaryAdminPasswordChangeForm
    actions = ("reset_second_factor",)
    fieldsets = (
        DjangoUserAdmin.fieldsets[0],
        (_("Unit and position"), {"fields": ("full_name", "unit", "position")}),
        *DjangoUserAdmin.fieldsets[1:],
        (_("Sign-in"), {"fields": ("must_change_password",)}),
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

    @admin.action(description=_("Reset two-step verification (the user sets it up again)"))
    def reset_second_factor(self, request, queryset):
        removed = sum(account_services.second_factor_remove(user=user) for user in queryset)
        self.message_user(
            request,
            _("%(count)d second-factor devices removed.") % {"count": removed},
        )


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
class CampaignAdmin(ScopedHistoryMixin, SetupAdmin):
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
    fk_scopes: ClassVar[dict[str, ChoiceScope]] = {"unit": scoped_units}

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
    form = UploadCleaningForm
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
        "unit": scoped_units,
    }

    def scope(self, request, queryset):
        return queryset.filter(cluster__in=permissions.visible_clusters(request.user))


@admin.register(Period)
class PeriodAdmin(ScopedHistoryMixin, ReadOnlyMixin, SetupAdmin):
    """A campaign's reviews (year-end, six-month), seen by whoever sees the campaign.
    Read-only here: the six-month review is added and its phases moved on the campaign's
    pages (scoring.services.periods, with their rules: once per campaign, published once
    every scoring cluster is); each change is in the history."""

    list_display = ("__str__", "campaign", "kind", "phase", "created_at")
    list_filter = ("kind", "campaign__year", ("campaign", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("campaign",)
    search_fields = ("campaign__name",)
    ordering = ("-campaign__year", "campaign__organiser__code", "kind")
    fields = ("campaign", "kind", "phase", "created_at")
    readonly_fields = fields

    def scope(self, request, queryset):
        return queryset.filter(campaign__in=permissions.visible_campaigns(request.user))
