"""The engine's table checks in the user's language.

``engine.table_problems`` has no gettext (the engine stays pure): it returns each problem
as a stable reason, the criterion (or band) it concerns and its values as text. Here each
reason gets its wording in the user's language, so the publish checks, the editor and the
imports show "I.2: nhóm tiêu chí phải có tiêu chí con" on the criterion they concern. In
English the wording is exactly the engine's own (``engine.PROBLEM_MESSAGES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from scoring import engine

# The engine's problems, by their stable reason. Placeholders are the engine's params.
_MESSAGES = {
    "empty_code": gettext_lazy("a criterion has an empty code (%(value)s)"),
    "duplicate_code": gettext_lazy("duplicate code"),
    "unknown_kind": gettext_lazy("unknown kind %(value)s"),
    "not_a_number": gettext_lazy("%(name)s must be a decimal number"),
    "not_positive": gettext_lazy("%(name)s must be greater than 0"),
    "negative": gettext_lazy("%(name)s must not be negative"),
    "too_many_decimals": gettext_lazy("%(name)s must have at most 2 decimals"),
    "veto_has_max": gettext_lazy("a veto has no max_points (it subtracts deduct)"),
    "count_needs_per_item": gettext_lazy("a count criterion needs per_item"),
    "not_applicable": gettext_lazy("%(name)s does not apply to a %(kind)s criterion"),
    "unknown_direction": gettext_lazy("unknown direction %(value)s"),
    "target_needs_metric": gettext_lazy("a target criterion needs a metric"),
    "unknown_metric": gettext_lazy("unknown metric %(value)s"),
    "target_needs_method": gettext_lazy("a target criterion needs a method"),
    "unknown_method": gettext_lazy("unknown method %(value)s"),
    "lower_needs_value": gettext_lazy("direction lower is only allowed with metric value"),
    "relative_needs_higher": gettext_lazy("the relative method is for direction higher only"),
    "unknown_band": gettext_lazy("max_band %(value)s is not a band of the table"),
    "missing_parent": gettext_lazy("parent %(parent)s does not exist"),
    "parent_cycle": gettext_lazy("its parent chain loops back to itself"),
    "group_without_children": gettext_lazy("a group must have children"),
    "group_sum": gettext_lazy(
        "declared max %(declared)s differs from the sum of its base children's max %(total)s"
    ),
    "leaf_with_children": gettext_lazy("a %(kind)s criterion cannot have children"),
    "band_empty_label": gettext_lazy("a band has an empty label"),
    "band_duplicate": gettext_lazy("duplicate label"),
    "band_min_not_number": gettext_lazy("min must be a decimal number"),
    "band_not_descending": gettext_lazy(
        "min %(min)s must be lower than the previous band's %(previous)s "
        "(bands go best first, strictly descending)"
    ),
}
# The engine's parameter names, as the messages name them (English keeps the identifiers).
_NAMES = {
    "max_points": pgettext_lazy("table check field", "max_points"),
    "per_item": pgettext_lazy("table check field", "per_item"),
    "target": pgettext_lazy("table check field", "target"),
    "deduct": pgettext_lazy("table check field", "deduct"),
    "bonus_cap": pgettext_lazy("table check field", "bonus_cap"),
    "metric": pgettext_lazy("table check field", "metric"),
    "method": pgettext_lazy("table check field", "method"),
    "direction": pgettext_lazy("table check field", "direction"),
    "max_band": pgettext_lazy("table check field", "max_band"),
    "excludes_leading": pgettext_lazy("table check field", "excludes_leading"),
}
_KINDS = {
    "group": pgettext_lazy("table check kind", "group"),
    "manual": pgettext_lazy("table check kind", "manual"),
    "pass_fail": pgettext_lazy("table check kind", "pass_fail"),
    "count": pgettext_lazy("table check kind", "count"),
    "target": pgettext_lazy("table check kind", "target"),
    "bonus": pgettext_lazy("table check kind", "bonus"),
    "deduction": pgettext_lazy("table check kind", "deduction"),
    "veto": pgettext_lazy("table check kind", "veto"),
}


# Params that are numbers: written with the language's decimal mark ("10,50" in Vietnamese).
_NUMBERS = frozenset({"declared", "total", "min", "previous"})


def _number(text: str) -> str:
    try:
        return number_format(Decimal(text))
    except InvalidOperation:
        return text


@dataclass(frozen=True)
class TableCheck:
    """One problem of a table in the user's language. ``criterion`` is the code of the
    criterion it concerns (None when it concerns a band, the table or no usable code),
    ``band`` the band's label; ``reason`` is the engine's stable key; ``message`` the
    wording without the place, ``str()`` the line with it ("I.2: …")."""

    reason: str
    message: str
    criterion: str | None = None
    band: str | None = None
    table: bool = False

    @property
    def place(self) -> str:
        if self.criterion is not None:
            return self.criterion
        if self.band is not None:
            return _("band %(label)s") % {"label": self.band}
        if self.table:
            return _("table")
        return ""

    def __str__(self) -> str:
        place = self.place
        return f"{place}: {self.message}" if place else self.message


def word_problem(problem: engine.TableProblem) -> TableCheck:
    """``problem`` worded in the active language."""
    template = _MESSAGES.get(problem.reason)
    if template is None:  # a reason added to the engine and not here yet: its English
        message = problem.message
    else:
        values = problem.values
        for key in _NUMBERS.intersection(values):
            values[key] = _number(values[key])
        if "name" in values:
            values["name"] = str(_NAMES.get(values["name"], values["name"]))
        if "kind" in values:
            values["kind"] = str(_KINDS.get(values["kind"], values["kind"]))
        message = str(template) % values
    return TableCheck(
        reason=problem.reason,
        message=message,
        criterion=problem.criterion,
        band=problem.band,
        table=problem.table,
    )


def word_problems(problems: list[engine.TableProblem]) -> list[TableCheck]:
    """Every problem worded in the active language, in the engine's order."""
    return [word_problem(problem) for problem in problems]
