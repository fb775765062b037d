"""Writes to score tables and sheets, and the one place computed numbers are stored.

Every figure a sheet shows (an entry's points, the sheet's base, bonus, deduction, total,
band, completeness, rank and leading mark) is computed by scoring.engine and stored here:
``recompute_after_change`` for one changed entry (it recomputes only what that change
affects), ``recompute_scope`` for whole clusters or campaigns. Forms, imports, commands and
the demo all call these services.
"""

from scoring.services.checks import TableCheck, word_problems
from scoring.services.entries import (
    citable_activities,
    citable_models,
    entry_update,
    evidence_add,
    evidence_cite,
    evidence_remove,
    sheet_fill,
    sheet_get_or_create,
)
from scoring.services.pledge_links import (
    pledge_links,
    pledge_links_copy,
    pledge_links_set,
    pledge_table,
)
from scoring.services.recompute import (
    RecomputeSummary,
    recompute_after_change,
    recompute_criterion,
    recompute_ranks,
    recompute_scope,
    recompute_sheets,
)
from scoring.services.specs import (
    FIELD_LABELS,
    INPUT_FIELDS,
    SheetLocked,
    StaleEntry,
    TableFrozen,
    TableNotPublishable,
    TableSpec,
    criterion_spec,
    entry_input,
    input_error_message,
    load_table,
    table_bands,
)
from scoring.services.tables import (
    CriterionData,
    table_checks,
    table_create_from_tree,
    table_for_cluster,
    table_new_version,
    table_problems,
    table_publish,
    table_renumber,
    table_replace_tree,
    unit_target_set,
)
from scoring.services.targets import (
    StaleTarget,
    TargetChange,
    target_parse,
    target_problem,
    unit_target_save,
    unit_targets_fill,
)

__all__ = [
    "FIELD_LABELS",
    "INPUT_FIELDS",
    "CriterionData",
    "RecomputeSummary",
    "SheetLocked",
    "StaleEntry",
    "StaleTarget",
    "TableCheck",
    "TableFrozen",
    "TableNotPublishable",
    "TableSpec",
    "TargetChange",
    "citable_activities",
    "citable_models",
    "criterion_spec",
    "entry_input",
    "entry_update",
    "evidence_add",
    "evidence_cite",
    "evidence_remove",
    "input_error_message",
    "load_table",
    "pledge_links",
    "pledge_links_copy",
    "pledge_links_set",
    "pledge_table",
    "recompute_after_change",
    "recompute_criterion",
    "recompute_ranks",
    "recompute_scope",
    "recompute_sheets",
    "sheet_fill",
    "sheet_get_or_create",
    "table_bands",
    "table_checks",
    "table_create_from_tree",
    "table_for_cluster",
    "table_new_version",
    "table_problems",
    "table_publish",
    "table_renumber",
    "table_replace_tree",
    "target_parse",
    "target_problem",
    "unit_target_save",
    "unit_target_set",
    "unit_targets_fill",
    "word_problems",
]
