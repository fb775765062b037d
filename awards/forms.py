"""The vote form: one per eligible unit and award type on the cluster's awards page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class VoteForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    award_type = forms.IntegerField(widget=forms.HiddenInput)
    members_present = forms.IntegerField(
        label=_("Members present"),
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 1}),
    )
    votes_for = forms.IntegerField(
        label=_("Votes for"),
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0}),
    )

    def clean(self):
        data = super().clean()
        present, votes = data.get("members_present"), data.get("votes_for")
        if present is not None and votes is not None and votes > present:
            raise forms.ValidationError(_("There are more votes for than members present."))
        return data
