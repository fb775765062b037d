"""Forms of the campaign's deadlines page (clusters.services.deadlines does the work)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from clusters.enums import DeadlineMode, Phase
from clusters.forms.signing import DateInput
from clusters.models import Cluster, Period, Unit

# The phases whose work has a deadline.
DEADLINE_PHASES = [(p.value, p.label) for p in Phase if p not in (Phase.SETUP, Phase.PUBLISHED)]


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class DeadlineForm(forms.Form):
    """A phase's deadline: campaign-wide, or a cluster's own."""

    period = forms.ModelChoiceField(label=_("Review"), queryset=Period.objects.none())
    phase = forms.ChoiceField(label=_("Phase"), choices=DEADLINE_PHASES)
    cluster = forms.ModelChoiceField(
        label=_("Cluster"),
        queryset=Cluster.objects.none(),
        required=False,
        empty_label=_("Every cluster"),
        help_text=_("A cluster's own deadline overrides the campaign's."),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    mode = forms.ChoiceField(
        label=_("When passed"),
        choices=DeadlineMode.choices,
        initial=DeadlineMode.WARN,
        help_text=_("Close input: units without an extension can no longer save or submit."),
    )

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, prefix="deadline", **kwargs)
        if campaign is not None:
            self.fields["period"].queryset = Period.objects.filter(campaign=campaign)
            self.fields["cluster"].queryset = campaign.clusters.order_by("number")
            self.fields["period"].initial = (
                Period.objects.filter(campaign=campaign, kind="year_end").values("pk").first() or {}
            ).get("pk")
        self.helper = _helper()


class ExtensionForm(forms.Form):
    """More time for one unit, with the reason."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    due_date = forms.DateField(label=_("New due date"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, units=None, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        self.helper = _helper()
