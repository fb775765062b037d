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
