"""Reading what people type into score cells (the sheet page and the grid alike).

Typed text becomes the engine's values: a decimal comma or point is accepted ("12,5" and
"12.5"), thousands separators are not, an empty cell clears the input. Problems come back
as messages naming the criterion; the engine's own rules (bounds, decimals, numerator ≤
denominator) are checked afterwards by scoring.services.

Also the form that marks a criterion not assigned to a unit (``NotAssignedForm``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.enums import UnitKind
from clusters.models import Unit
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


class NotAssignedForm(forms.Form):
    """Mark a criterion of a table not assigned to one unit or to every unit of a kind
    (scoring.views.not_assigned). The view gives the choices: the table's groups and base
    criteria, and the member units of its clusters."""

    criterion = forms.ModelChoiceField(
        label=gettext_lazy("Criterion"),
        queryset=Criterion.objects.none(),
        help_text=gettext_lazy("A group marks every criterion under it."),
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Not assigned to the unit"),
        queryset=Unit.objects.none(),
        required=False,
    )
    unit_kind = forms.ChoiceField(
        label=gettext_lazy("or to every unit of the kind"),
        choices=[("", "—"), *UnitKind.choices],
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=500,
        widget=forms.TextInput(),
        help_text=gettext_lazy("Kept in the history, e.g. the decision that assigns the work."),
    )

    def __init__(self, *args, criteria, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = criteria
        self.fields["criterion"].label_from_instance = _criterion_label
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: unit.label
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_id = "not-assigned-form"
        self.helper.add_input(Submit("submit", gettext_lazy("Mark not assigned")))

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("unit")) == bool(cleaned.get("unit_kind")):
            raise forms.ValidationError(
                gettext_lazy("Choose either a unit or a kind of unit."), code="unit_or_kind"
            )
        return cleaned


def _criterion_label(criterion: Criterion) -> str:
    return f"{'· ' * criterion.depth}{criterion.code}. {criterion.title}"


class SixMonthForm(forms.Form):
    """Adding the six-month review (sơ kết) to a campaign: where its score tables come
    from (scoring.services.periods.six_month_add)."""

    tables = forms.ChoiceField(
        label=gettext_lazy("Score tables of the six-month review"),
        choices=[
            ("copy", gettext_lazy("A copy of the year-end tables, as drafts to adapt and publish")),
            ("own", gettext_lazy("Its own tables, made or imported afterwards")),
        ],
        initial="copy",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext_lazy("Add the six-month review")))


class MeetingForm(forms.Form):
    """The day and place of the cluster's review meeting, which its minutes carry
    (scoring.services.meetings.meeting_record), on the minutes' print page."""

    held_on = forms.DateField(
        label=gettext_lazy("Meeting day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    place = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Left empty: the leader unit's premises."),
        widget=forms.TextInput(attrs={"aria-describedby": "id_place-help"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", gettext_lazy("Save the meeting day")))
