"""The score table editor's writes: a new table (blank, a copy, a new version of a
published one), and every change to a draft's tree, parameters, bands and bonus cap.

Each change to a draft names the table's ``revision`` that the editor showed. The revision
is checked and raised by one conditional UPDATE before anything else: when someone else
changed the table in between, ``StaleTable`` is raised and nothing changes. Every
criterion and table saved here records who did it and why: django-simple-history's
``history_user`` and ``history_change_reason`` (one of ``REASONS``' keys).

A published table is never changed here (``TableFrozen``): ``table_edit_published`` makes
its next version as a draft, and the sheets scored with it keep it.
"""

from scoring.services.editor.common import (
    APPLICABLE,
    DEFAULTS,
    PARAMETERS,
    REASONS,
    TEXT_FIELDS,
    StaleTable,
)
from scoring.services.editor.criteria import (
    MOVES,
    PLACES,
    criterion_add,
    criterion_delete,
    criterion_move,
    criterion_place,
    criterion_rename,
    criterion_update,
)
from scoring.services.editor.tables import (
    table_copy,
    table_create_blank,
    table_edit_published,
    table_publish_checked,
    table_settings_update,
)

__all__ = [
    "APPLICABLE",
    "DEFAULTS",
    "MOVES",
    "PARAMETERS",
    "PLACES",
    "REASONS",
    "TEXT_FIELDS",
    "StaleTable",
    "criterion_add",
    "criterion_delete",
    "criterion_move",
    "criterion_place",
    "criterion_rename",
    "criterion_update",
    "table_copy",
    "table_create_blank",
    "table_edit_published",
    "table_publish_checked",
    "table_settings_update",
]
