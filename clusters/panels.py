"""Panels other apps add to the organisation's pages, without clusters importing them.

Dependencies run one way (scoring → clusters), yet a cluster's page shows its score table,
scoring progress and published results. scoring registers a panel here (in its
AppConfig.ready); the cluster page renders every registered panel in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from clusters.models import Cluster


@dataclass(frozen=True)
class Panel:
    """What a panel contributes: a template to include and its context."""

    template: str
    context: dict


ClusterPanel = Callable[[HttpRequest, Cluster], Panel | None]
_cluster_panels: list[ClusterPanel] = []


def register_cluster_panel(panel: ClusterPanel) -> ClusterPanel:
    """Add ``panel`` to every cluster page (returns None to show nothing for this user)."""
    if panel not in _cluster_panels:
        _cluster_panels.append(panel)
    return panel


def cluster_panels(request: HttpRequest, cluster: Cluster) -> list[Panel]:
    return [p for p in (panel(request, cluster) for panel in _cluster_panels) if p is not None]


# --- Choices other apps add to each item of the pledge ----------------------------------------


@dataclass(frozen=True)
class PledgeItemChoice:
    """A choice another app adds to every item of a cluster's pledge (scoring: the criterion
    of the cluster's score table that scores the item), without clusters knowing what it is.

    ``choices`` are (value, label) pairs, the empty value first; ``initial`` and ``shown``
    (what the cluster page prints beside an item) are by pledge item id. ``save`` receives
    {item id: chosen value} for every item of the pledge once it is recorded, inside the same
    transaction, and raises ValidationError to refuse.
    """

    name: str
    label: str
    choices: list[tuple[str, str]]
    initial: dict[int, str]
    shown: dict[int, str]
    save: Callable[[dict[int, str]], None]
    help_text: str = ""


PledgeItemProvider = Callable[[HttpRequest, Cluster], PledgeItemChoice | None]
_pledge_item_providers: list[PledgeItemProvider] = []


def register_pledge_item_choice(provider: PledgeItemProvider) -> PledgeItemProvider:
    """Add ``provider``'s choice to every pledge item (it returns None to add nothing)."""
    if provider not in _pledge_item_providers:
        _pledge_item_providers.append(provider)
    return provider


def pledge_item_choices(request: HttpRequest, cluster: Cluster) -> list[PledgeItemChoice]:
    return [c for c in (provider(request, cluster) for provider in _pledge_item_providers) if c]
