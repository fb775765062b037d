"""What the engine works on: criterion kinds and their parameters, a criterion, a unit's entry
and a classification band (plain frozen dataclasses and string enums)."""

from __future__ import annotations

import enum
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

# Whatever a caller uses to tell units (or sheets) apart: a pk, a code.
Key = TypeVar("Key", bound=Hashable)


class Kind(enum.StrEnum):
    """What a criterion is, and so which inputs it takes."""

    GROUP = "group"
    MANUAL = "manual"
    PASS_FAIL = "pass_fail"
    COUNT = "count"
    TARGET = "target"
    BONUS = "bonus"
    DEDUCTION = "deduction"
    VETO = "veto"


class Metric(enum.StrEnum):
    """How the measured number A of a `target` criterion is entered."""

    VALUE = "value"
    RATE = "rate"
    REDUCTION = "reduction"


class Direction(enum.StrEnum):
    """Whether a bigger or a smaller A is better."""

    HIGHER = "higher"
    LOWER = "lower"


class Method(enum.StrEnum):
    """How A is turned into points."""

    THRESHOLD = "threshold"
    PROPORTIONAL = "proportional"
    RELATIVE = "relative"


KINDS = frozenset(Kind)
METRICS = frozenset(Metric)
DIRECTIONS = frozenset(Direction)
METHODS = frozenset(Method)
# Base kinds make up a group's subtotal and the sheet's base; the others add or subtract.
BASE_KINDS = frozenset({Kind.MANUAL, Kind.PASS_FAIL, Kind.COUNT, Kind.TARGET})
LEAF_KINDS = KINDS - {Kind.GROUP}
# The parameters a criterion may have beside its code, kind and parent (CriterionSpec's
# fields, in its order), and those each kind uses: the editor shows only these, a score-table
# file takes only these, and a table's checks refuse the others (tables.py).
PARAMETERS = (
    "max_points",
    "per_item",
    "metric",
    "direction",
    "method",
    "target",
    "deduct",
    "max_band",
    "excludes_leading",
)
KIND_PARAMETERS: dict[str, tuple[str, ...]] = {
    Kind.GROUP: ("max_points",),
    Kind.MANUAL: ("max_points",),
    Kind.PASS_FAIL: ("max_points",),
    Kind.COUNT: ("max_points", "per_item"),
    Kind.TARGET: ("max_points", "metric", "direction", "method", "target"),
    Kind.BONUS: ("max_points", "per_item"),
    Kind.DEDUCTION: ("max_points", "per_item"),
    Kind.VETO: ("deduct", "max_band", "excludes_leading"),
}
ENTRY_FIELDS = (
    "points",
    "passed",
    "count",
    "actual",
    "numerator",
    "denominator",
    "baseline",
    "violated",
    "target",
    "override",
)


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion of a score table, with the parameters its kind uses."""

    code: str
    kind: str
    max_points: Decimal = Decimal(0)
    parent: str | None = None
    per_item: Decimal | None = None
    metric: str | None = None
    direction: str = "higher"
    method: str | None = None
    target: Decimal | None = None
    deduct: Decimal = Decimal(0)
    max_band: str | None = None
    excludes_leading: bool = True


@dataclass(frozen=True)
class EntryInput:
    """What one unit entered for one leaf at one stage; every field is optional."""

    points: Decimal | None = None
    passed: bool | None = None
    count: int | None = None
    actual: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None
    baseline: Decimal | None = None
    violated: bool | None = None
    target: Decimal | None = None
    override: Decimal | None = None


@dataclass(frozen=True)
class Band:
    """A classification band; a sheet falls in the best band whose `min` ≤ its total."""

    label: str
    min: Decimal
