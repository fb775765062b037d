"""Search in the header (issue 16 point 6): units, clusters, criteria and documents across
years, accent-insensitive, only what the user may see.

Each kind of thing is found by a *provider*: a function given the user and the folded words
of the search that returns a ``SearchGroup`` (or None). clusters provides units, clusters,
exchange activities and models; upper floors register theirs from their
``AppConfig.ready`` (scoring: the criteria of score tables), so clusters never imports them.

Accents: every word is folded with ``clusters.text.fold`` ("Đắk" → "dak"); a record matches
when each word is found in one of its fields, folded the same way: units and clusters by
their stored ``search_name``, titles by ``clusters.text.Folded`` in the query. Each provider
answers with one query whatever the number of records (at most ``LIMIT`` + 1 rows read).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clusters import permissions
from clusters.text import Folded, fold

LIMIT = 20  # results shown per kind
MIN_LENGTH = 2  # shorter searches find nothing (a single letter matches everything)


@dataclass(frozen=True)
class Hit:
    """One result: what it is called, a line saying where it belongs, and its page."""

    title: str
    detail: str = ""
    url: str | None = None


@dataclass
class SearchGroup:
    """The results of one kind, ``more`` when there were more than ``LIMIT``."""

    key: str
    label: str
    icon: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False


Provider = Callable[[object, Sequence[str]], SearchGroup | None]
_providers: list[Provider] = []


def register_search(provider: Provider) -> Provider:
    """Add a kind of result to the search (the provider returns None to add nothing)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def words(query: str) -> list[str]:
    """The folded words of a search (each must match); empty when too short."""
    folded = fold(query or "")
    if len(folded.replace(" ", "")) < MIN_LENGTH:
        return []
    return folded.split()[:8]


def matching(qs: QuerySet, fields: Sequence[str], terms: Sequence[str]) -> QuerySet:
    """``qs`` where every term is in one of ``fields`` folded (``Folded`` in SQL)."""
    qs = qs.annotate(**{f"_folded_{i}": Folded(name) for i, name in enumerate(fields)})
    for term in terms:
        condition = Q()
        for i in range(len(fields)):
            condition |= Q(**{f"_folded_{i}__contains": term})
        qs = qs.filter(condition)
    return qs


def matching_stored(qs: QuerySet, column: str, terms: Sequence[str]) -> QuerySet:
    """``qs`` where every term is in the stored folded ``column`` (``search_name``)."""
    for term in terms:
        qs = qs.filter(**{f"{column}__contains": term})
    return qs


def group(key: str, label, icon: str, rows: list, hit: Callable[[object], Hit]) -> SearchGroup:
    """A group from at most LIMIT + 1 rows (the extra one only says there are more)."""
    return SearchGroup(
        key=key,
        label=str(label),
        icon=icon,
        hits=[hit(row) for row in rows[:LIMIT]],
        more=len(rows) > LIMIT,
    )


def _url(name: str, *args) -> str | None:
    """A page of an upper floor (a unit's results are scoring's), if it is installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def search(user, query: str) -> list[SearchGroup]:
    """Every kind's results for ``query``, the kinds with no result left out."""
    terms = words(query)
    if not terms:
        return []
    groups = (provider(user, terms) for provider in _providers)
    return [g for g in groups if g is not None and g.hits]


# --- What clusters provides ------------------------------------------------------------------


@register_search
def _units(user, terms: Sequence[str]) -> SearchGroup:
    rows = list(
        matching_stored(permissions.visible_units(user), "search_name", terms)
        .order_by("name", "pk")
        .only("pk", "code", "name", "short_name", "is_active")[: LIMIT + 1]
    )

    def hit(unit) -> Hit:
        detail = unit.code if unit.is_active else f"{unit.code} · {_('inactive')}"
        return Hit(unit.name, detail, _url("report_unit_history", unit.pk))

    return group("units", pgettext_lazy("search results", "Units"), "building", rows, hit)


@register_search
def _clusters(user, terms: Sequence[str]) -> SearchGroup:
    rows = list(
        matching_stored(permissions.visible_clusters(user), "search_name", terms)
        .select_related("campaign")
        .order_by("-campaign__year", "campaign_id", "number")[: LIMIT + 1]
    )

    def hit(cluster) -> Hit:
        detail = f"{cluster.campaign.year} · {cluster.campaign.name}"
        return Hit(cluster.name, detail, reverse("cluster_detail", args=[cluster.pk]))

    return group("clusters", pgettext_lazy("search results", "Clusters"), "diagram-3", rows, hit)


@register_search
def _activities(user, terms: Sequence[str]) -> SearchGroup:
    rows = list(
        matching(permissions.visible_activities(user), ["title"], terms)
        .select_related("campaign")
        .order_by("-held_on", "-pk")[: LIMIT + 1]
    )

    def hit(activity) -> Hit:
        detail = f"{_('Exchange activity')} · {activity.held_on:%d/%m/%Y}"
        return Hit(activity.title, detail, reverse("activity_detail", args=[activity.pk]))

    return group("activities", _("Exchange activities"), "people", rows, hit)


@register_search
def _models(user, terms: Sequence[str]) -> SearchGroup:
    rows = list(
        matching(permissions.visible_models(user), ["title", "area"], terms)
        .select_related("unit")
        .order_by("title", "pk")[: LIMIT + 1]
    )

    def hit(model) -> Hit:
        detail = " · ".join(x for x in [model.unit.name, model.area] if x)
        return Hit(model.title, detail, reverse("model_detail", args=[model.pk]))

    return group("models", _("Models and advanced examples"), "stars", rows, hit)
