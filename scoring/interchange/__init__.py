"""The scoring interchange files of domain.md section 7 (docs/scoring-files.md).

- ``thidua.scoretable/1``: :func:`scoretable_read` checks a decoded document without
  writing and reports every problem at once; :func:`scoretable_import` stores it through
  :mod:`scoring.services` and publishes it unless asked for a draft; :func:`scoretable_export`
  writes a stored table back in the same shape, so a table round-trips.
- ``thidua.scores/1``: :func:`scores_read` checks every value with the engine's own
  validation (all errors, not just the first) and :func:`scores_import` stores the file, all
  or nothing, then recomputes the cluster's stage once.
- ``thidua.results/1``: :func:`results_export` reads the stored figures (never recomputes)
  in a fixed number of queries; :func:`results_csv` and :func:`results_xlsx` lay the same
  figures out as a spreadsheet.

Codes identify everything; files never carry database ids. Decimals are written as strings
with 2 decimals and read from strings or JSON numbers (decoded as Decimal, never float).
Every error message reads ``FILE: where: what``.
"""

from scoring.interchange.common import (
    FORMAT_RESULTS,
    FORMAT_SCORES,
    FORMAT_SCORETABLE,
    ScoringFileError,
    decimal_text,
    dumps,
    find_campaign,
    parse_json,
    read_json,
    refused,
)
from scoring.interchange.results import (
    RESULT_COLUMNS,
    results_csv,
    results_export,
    results_xlsx,
    safe_cell,
)
from scoring.interchange.scores import ScoresPlan, ScoresSummary, scores_import, scores_read
from scoring.interchange.tables import (
    TableImportSummary,
    TablePlan,
    scoretable_export,
    scoretable_import,
    scoretable_read,
    table_tree,
)

__all__ = [
    "FORMAT_RESULTS",
    "FORMAT_SCORES",
    "FORMAT_SCORETABLE",
    "RESULT_COLUMNS",
    "ScoresPlan",
    "ScoresSummary",
    "ScoringFileError",
    "TableImportSummary",
    "TablePlan",
    "decimal_text",
    "dumps",
    "find_campaign",
    "parse_json",
    "read_json",
    "refused",
    "results_csv",
    "results_export",
    "results_xlsx",
    "safe_cell",
    "scoretable_export",
    "scoretable_import",
    "scoretable_read",
    "scores_import",
    "scores_read",
    "table_tree",
]
