"""The vote form: one per eligible unit and award type on the cluster's awards page; and
``show_refusal``, which puts a service's refusal on the form that asked for it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
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


def show_refusal(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on ``form``: each message on the field it names when the form
    has that field, else (and for a refusal naming no field) above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
