"""The side panel: the fields of a criterion's kind, and reading them back."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.enums import CriterionKind, Direction, Method, Metric
from scoring.models import Criterion
from scoring.services import editor as services
from scoring.views import sheet as sheet_views

HELP = {
    "code": gettext_lazy("Unique in the table, e.g. I.2.a."),
    "target": gettext_lazy("Used when a unit has no own target."),
    "deduct": gettext_lazy("Taken off the total when it happens."),
    "max_band": gettext_lazy("The best band a unit can reach when it happens."),
    "guidance": gettext_lazy("How to score it, as units and scorers read it."),
}


# --- The side panel -------------------------------------------------------------------------


@dataclass
class PanelField:
    name: str
    label: str
    widget: str  # "text", "number", "textarea", "select", "checkbox"
    value: object = ""
    choices: list = field(default_factory=list)
    error: str = ""
    help: str = ""


def _text(value: object) -> str:
    return sheet_views.as_text(value) if value is not None else ""


def panel_fields(
    criterion: Criterion, raw: dict | None = None, errors: dict | None = None
) -> list[PanelField]:
    """The panel's fields for the criterion's kind only, with typed values shown back and
    each refusal beside its field."""
    raw, errors = raw or {}, errors or {}
    applicable = services.APPLICABLE.get(criterion.kind, frozenset())
    label = {f.name: str(f.verbose_name) for f in Criterion._meta.fields}
    bands = [(b["label"], b["label"]) for b in criterion.table.bands or []]
    empty = [("", "—")]
    specs = [
        ("code", "text", criterion.code, []),
        ("title", "textarea", criterion.title, []),
        ("kind", "select", criterion.kind, CriterionKind.choices),
        ("max_points", "number", _text(criterion.max_points), []),
        ("per_item", "number", _text(criterion.per_item), []),
        ("metric", "select", criterion.metric, empty + Metric.choices),
        ("direction", "select", criterion.direction, Direction.choices),
        ("method", "select", criterion.method, empty + Method.choices),
        ("target", "number", _text(criterion.target), []),
        ("deduct", "number", _text(criterion.deduct), []),
        ("max_band", "select", criterion.max_band, empty + bands),
        ("excludes_leading", "checkbox", criterion.excludes_leading, []),
        ("guidance", "textarea", criterion.guidance, []),
    ]
    helps = {
        **HELP,
        "max_points": _max_help(criterion),
        "per_item": _per_item_help(criterion),
    }
    result = []
    for name, widget, value, choices in specs:
        if name in services.PARAMETERS and name not in applicable:
            continue
        shown = raw.get(name, value)
        result.append(
            PanelField(
                name=name,
                label=label[name],
                widget=widget,
                value=shown,
                choices=choices,
                error=" ".join(errors.get(name, [])),
                help=str(helps.get(name, "")),
            )
        )
    return result


def _max_help(criterion: Criterion) -> str:
    if criterion.kind == CriterionKind.GROUP:
        return _("Must equal the sum of the maxima of its criteria.")
    if criterion.kind in (CriterionKind.BONUS, CriterionKind.DEDUCTION):
        return _("The most this criterion can add or take off.")
    return ""


def _per_item_help(criterion: Criterion) -> str:
    if criterion.kind == CriterionKind.COUNT:
        return _("Required: points for each item counted, up to the maximum.")
    return _("Leave empty to enter points directly; give it to count items instead.")


def _decimal(raw: str) -> Decimal | None:
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(".", "")
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


def parse_parameters(criterion: Criterion, post) -> tuple[dict, dict, dict]:
    """(values for criterion_update, the raw text typed, refusals by field) from the
    panel's form: the common fields, and the parameters of the kind chosen."""
    values: dict[str, object] = {}
    raw: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for name in services.TEXT_FIELDS:
        if name in post:
            values[name] = raw[name] = post[name]
    kind = values.get("kind", criterion.kind)
    applicable = services.APPLICABLE.get(kind, frozenset())
    numbers = {"max_points", "per_item", "target", "deduct"}
    for name in services.PARAMETERS:
        if name not in applicable:
            continue
        if name == "excludes_leading":
            if "excludes_leading_shown" in post:
                values[name] = raw[name] = post.get(name) == "on"
            continue
        if name not in post:
            continue
        raw[name] = post[name]
        if name in numbers:
            try:
                number = _decimal(post[name])
            except ValueError:
                errors[name] = [_("“%(value)s” is not a number.") % {"value": post[name]}]
                continue
            if number is None and name in ("max_points", "deduct"):
                number = Decimal(0)
            values[name] = number
        else:
            values[name] = post[name]
    return values, raw, errors
