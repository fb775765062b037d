"""The scoring rules of domain.md section 5, as pure Python.

No Django import and no I/O: plain values in (Decimal, small frozen dataclasses) and plain values
out, so every other part of the project (services, imports, exports, the grid) calls these
functions instead of re-implementing a formula. Where the domain text is ambiguous, the choice
made here is written down in docs/scoring.md.

Arithmetic: inputs and outputs are Decimal. Quotients (A / T, e / E, A / M...) are kept as exact
rationals (fractions.Fraction built exactly from the Decimals, never from binary floats) until the
single final rounding to 2 decimals, half up; so "x.xx5 exactly" rounds up however many divisions
lead to it. Sums of already rounded points are done on Decimals in a 50-digit local context.

The modules, each importing only those above it:

- numbers: the decimal context, rounding to cents, reading a value as a Decimal or a whole number;
- kinds: Kind, Metric, Direction, Method, the parameters each kind uses (KIND_PARAMETERS),
  CriterionSpec, EntryInput, Band;
- entries: which inputs a kind takes, validate_entry, is_entered, InputError;
- targets: A and T of a target criterion, threshold/proportional, relative_points;
- leaves: leaf_points by kind, points_for_cluster;
- sheets: sheet_figures (base, bonus, deduction, total, band, subtotals), the base of a unit
  some criteria are not assigned to (unassigned_leaves, normalised_base);
- signed: groups with no base leaf, shown as the signed net effect of their leaves
  (signed_groups, SignedGroup, signed_sign, points_sign, MINUS_KINDS);
- ranking: rank_cluster;
- lead: what it takes to lead the cluster (open_points, leader_total, gap_to_lead);
- tables: table_problems and check_table, the checks that stop a table from being published.

Callers import from here (`from scoring import engine`, `from scoring.engine import X`).
"""

from .entries import InputError, input_fields, is_entered, validate_entry
from .kinds import (
    BASE_KINDS,
    DIRECTIONS,
    ENTRY_FIELDS,
    KIND_PARAMETERS,
    KINDS,
    LEAF_KINDS,
    METHODS,
    METRICS,
    PARAMETERS,
    Band,
    CriterionSpec,
    Direction,
    EntryInput,
    Key,
    Kind,
    Method,
    Metric,
)
from .lead import OpenPoints, gap_to_lead, leader_total, open_points
from .leaves import leaf_points, points_for_cluster
from .ranking import RankInput, RankResult, rank_cluster
from .sheets import SheetFigures, normalised_base, sheet_figures, unassigned_leaves
from .signed import MINUS_KINDS, SignedGroup, points_sign, signed_groups, signed_sign
from .tables import PROBLEM_MESSAGES, TableProblem, check_table, table_problems
from .targets import relative_points

__all__ = [
    "BASE_KINDS",
    "DIRECTIONS",
    "ENTRY_FIELDS",
    "KIND_PARAMETERS",
    "KINDS",
    "LEAF_KINDS",
    "METHODS",
    "METRICS",
    "MINUS_KINDS",
    "PARAMETERS",
    "PROBLEM_MESSAGES",
    "Band",
    "CriterionSpec",
    "Direction",
    "EntryInput",
    "InputError",
    "Key",
    "Kind",
    "Method",
    "OpenPoints",
    "Metric",
    "RankInput",
    "RankResult",
    "SheetFigures",
    "SignedGroup",
    "TableProblem",
    "check_table",
    "input_fields",
    "gap_to_lead",
    "is_entered",
    "leader_total",
    "leaf_points",
    "normalised_base",
    "open_points",
    "points_for_cluster",
    "points_sign",
    "rank_cluster",
    "relative_points",
    "sheet_figures",
    "signed_groups",
    "signed_sign",
    "table_problems",
    "unassigned_leaves",
    "validate_entry",
]
