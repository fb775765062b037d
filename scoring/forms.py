"""Reading what people type into score cells (the sheet page and the grid alike).

Typed text becomes the engine's values: a decimal comma or point is accepted ("12,5" and
"12.5"), thousands separators are not, an empty cell clears the input. Problems come back
as messages naming the criterion; the engine's own rules (bounds, decimals, numerator ≤
denominator) are checked afterwards by scoring.services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from scoring import engine, services
from scoring.models import Criterion

_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
_WHOLE_FIELDS = {"count", "numerator", "denominator"}
_DECIMAL_FIELDS = {"points", "actual", "baseline", "override"}
_BOOLEAN_FIELDS = {"passed", "violated"}
_TRUE = {"1", "true", "on", "yes", "co", "có", "đạt", "x"}
_FALSE = {"0", "false", "off", "no", "khong", "không", "không đạt"}


def input_fields(criterion: Criterion) -> tuple[str, ...]:
    """The inputs a criterion takes, in the order they are shown."""
    return engine.input_fields(services.criterion_spec(criterion, None))


@dataclass
class ParsedInput:
    values: dict[str, object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _label(name: str) -> str:
    return str(services.FIELD_LABELS.get(name, name))


def parse_value(criterion: Criterion, name: str, raw: str | None) -> tuple[object, str | None]:
    """One typed value → (value, error message or None). Empty text is None (cleared)."""
    text = (raw or "").strip()
    if text == "":
        return None, None
    params = {"code": criterion.code, "field": _label(name), "value": text}
    if name in _BOOLEAN_FIELDS:
        lowered = text.lower()
        if lowered in _TRUE:
            return True, None
        if lowered in _FALSE:
            return False, None
        return None, _("%(code)s: %(field)s must be yes or no, not “%(value)s”.") % params
    if not _NUMBER.match(text):
        return None, _("%(code)s: %(field)s must be a number, not “%(value)s”.") % params
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        return None, _("%(code)s: %(field)s must be a number, not “%(value)s”.") % params
    if name in _WHOLE_FIELDS:
        if number != number.to_integral_value():
            return None, _("%(code)s: %(field)s must be a whole number.") % params
        return int(number), None
    return number, None


def parse_entry(criterion: Criterion, data, *, with_override: bool = False) -> ParsedInput:
    """Read the criterion's inputs from ``data`` (a QueryDict or dict of text). Only the
    names present in ``data`` are returned, so a partial form leaves the rest alone."""
    result = ParsedInput()
    names = list(input_fields(criterion))
    if with_override:
        names.append("override")
    for name in names:
        if name not in data:
            continue
        value, error = parse_value(criterion, name, data.get(name))
        if error:
            result.errors.append(error)
        else:
            result.values[name] = value
    if with_override and "reason" in data:
        result.values["reason"] = (data.get("reason") or "").strip()
    if "comment" in data:
        result.values["comment"] = (data.get("comment") or "").strip()
    return result
