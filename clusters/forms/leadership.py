"""The form of next year's leader and deputy, as a cluster elects them at its year-end
meeting (clusters.services.leadership.leadership_election_record). The minutes are checked
by the service (content and size)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from clusters.forms.signing import DateInput
from clusters.models import Unit


class LeadershipElectionForm(forms.Form):
    """Next year's leader (and deputy, if one was elected) among the cluster's members."""

    held_on = forms.DateField(label=_("Meeting date"), widget=DateInput)
    members_present = forms.IntegerField(label=_("Members present"), min_value=1)
    leader = forms.ModelChoiceField(label=_("Next year's leader"), queryset=Unit.objects.none())
    leader_votes = forms.IntegerField(label=_("Votes for the leader"), min_value=0)
    deputy = forms.ModelChoiceField(
        label=_("Next year's deputy"), queryset=Unit.objects.none(), required=False
    )
    deputy_votes = forms.IntegerField(label=_("Votes for the deputy"), min_value=0, required=False)
    minutes = forms.FileField(label=_("Minutes of the meeting"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, prefix="election", **kwargs)
        if units is not None:
            self.fields["leader"].queryset = units
            self.fields["deputy"].queryset = units
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        data = super().clean()
        present = data.get("members_present")
        for name in ("leader_votes", "deputy_votes"):
            votes = data.get(name)
            if present is not None and votes is not None and votes > present:
                self.add_error(name, _("There are more votes than members present."))
        if data.get("deputy") is not None and data.get("deputy_votes") is None:
            self.add_error("deputy_votes", _("Enter the votes for the deputy."))
        if data.get("deputy") is None and data.get("deputy_votes") is not None:
            self.add_error("deputy", _("Choose the deputy the votes were for."))
        return data
