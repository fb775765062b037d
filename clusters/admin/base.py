"""What every clusters ModelAdmin shares: rights from clusters.permissions, choices in the
user's scope, and accent-insensitive search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.utils import lookup_spawns_duplicates, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.text import smart_split, unescape_string_literal
from simple_history.admin import SimpleHistoryAdmin

from clusters import permissions
from clusters.enums import ORGANISING_KINDS
from clusters.models import (
    Campaign,
    Cluster,
    Membership,
    Pledge,
    SigningConference,
    Unit,
    User,
)
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

    def may_view_any(self, request: HttpRequest) -> bool:
        """Whether the changelist opens (and the model shows on the index)."""
        return (
            self.may_add(request) or self.scope(request, self.model._default_manager.all()).exists()
        )

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
            return self._ask(request, "view", lambda: self.may_view_any(request))
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


class ReadOnlyMixin:
    """Seen within the scope, never added, changed or deleted in the admin: the record is
    written by a service (through its page in the product) or by the system. A subclass
    says who may open the list (``may_view_any``) besides ``scope``."""

    def may_add(self, request: HttpRequest) -> bool:
        return False

    def may_change_any(self, request: HttpRequest) -> bool:
        return False

    def may_change(self, request: HttpRequest, obj: Model) -> bool:
        return False

    def may_delete_any(self, request: HttpRequest) -> bool:
        return False

    def may_delete(self, request: HttpRequest, obj: Model) -> bool:
        return False


class ScopedHistoryMixin(SimpleHistoryAdmin):
    """The object's history (django-simple-history's records: who changed what, when, and
    each version) on its history page, for the objects in the user's scope only.

    Read-only: simple-history's "revert" would save an old version past the services and
    their checks, so a version page answers a POST with 403. An administrator may also
    read the history of an object deleted since; for anyone else an object outside the
    scope (or gone) is answered as a missing object (a redirect to the admin index)."""

    def _history_refusal(self, request: HttpRequest, object_id: str) -> HttpResponse | None:
        if self.get_object(request, unquote(object_id)) is not None:
            return None
        if permissions.is_administrator(request.user):
            return None  # simple-history looks for the deleted object in its records
        return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        refused = self._history_refusal(request, object_id)
        if refused is not None:
            return refused
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        refused = self._history_refusal(request, object_id)
        if refused is not None:
            return refused
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True


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


def scoped_units(user: User) -> QuerySet[Unit]:
    """The units the admin shows and offers a user: those they may look up
    (``visible_units``: every unit for an administrator; for province staff their
    organiser's own tree and the members of their campaigns, never a unit inside another
    organiser's tree, even one stored below theirs; for a cluster leader their unit and their
    clusters' members) and, for province staff, the organising units placed directly under
    their organiser (the provinces under the Ministry: its members to be)."""
    units = permissions.visible_units(user)
    if not permissions.is_province_staff(user):
        return units
    below = Unit.objects.filter(
        parent_id__in=permissions.organiser_ids(user), kind__in=ORGANISING_KINDS
    )
    return Unit.objects.filter(Q(pk__in=units.values("pk")) | Q(pk__in=below.values("pk")))


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
