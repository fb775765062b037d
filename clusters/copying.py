"""Steps other apps add to the copy of a year, without clusters importing them.

Dependencies run one way (awards → scoring → clusters), yet copying a year also copies the
score tables with the units' targets (scoring) and the award types (awards). Each app
registers a step here in its AppConfig.ready(); ``campaign_copy`` (clusters.services.setup) copies
the clusters and their members, then runs every registered step in order inside its own
transaction: a step that raises ValidationError undoes the whole copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from clusters.models import Campaign, Cluster, Period, Unit


@dataclass
class CopyContext:
    """What a step is given: the campaign copied and the new one, the new cluster of every
    old cluster (by old cluster id), the unit that took each old member's place (by old unit
    id; a dissolved unit maps to its successor, a unit left out is missing), the new period
    of every old one (by old period id: the year-end review, and the six-month review where
    the old year had one), and the lines a step adds to the report shown after the copy."""

    source: Campaign
    campaign: Campaign
    clusters: dict[int, Cluster]
    units: dict[int, Unit]
    periods: dict[int, Period] = field(default_factory=dict)
    user: object = None
    report: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CopyStep:
    """A named step; ``order`` sorts the steps (score tables before award types)."""

    name: str
    run: Callable[[CopyContext], None]
    order: int = 100


_copy_steps: dict[str, CopyStep] = {}


def register_copy_step(name: str, run: Callable[[CopyContext], None], order: int = 100) -> None:
    """Add (or replace, by name) a step every copy of a year runs after the clusters."""
    _copy_steps[name] = CopyStep(name=name, run=run, order=order)


def copy_steps() -> list[CopyStep]:
    return sorted(_copy_steps.values(), key=lambda s: (s.order, s.name))
