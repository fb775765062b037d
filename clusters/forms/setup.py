"""Forms of the set-up pages (clusters.views.setup): a new campaign, a copy of a year, a
new or renamed cluster, and the small member actions. Querysets are set by the view from
the user's scope, so a form never offers what the user may not touch."""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from clusters.enums import ClusterKind, MemberRole, NextLeaders
from clusters.models import Campaign, Cluster, Unit


def _next_year() -> int:
    return dt.date.today().year + 1


class _YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Year"))
        kwargs.setdefault("initial", _next_year)
        super().__init__(validators=[MinValueValidator(2000), MaxValueValidator(2100)], **kwargs)


class CampaignCreateForm(forms.Form):
    """A new, empty campaign."""

    organiser = forms.ModelChoiceField(label=_("Organiser"), queryset=Unit.objects.none())
    year = _YearField()
    name = forms.CharField(label=_("Name"), max_length=255)
    slogan = forms.CharField(
        label=_("Slogan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organisers=None, **kwargs):
        super().__init__(*args, prefix="new", **kwargs)
        if organisers is not None:
            self.fields["organiser"].queryset = organisers
            first_two = list(organisers.values_list("pk", flat=True)[:2])
            if len(first_two) == 1:
                self.fields["organiser"].initial = first_two[0]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Create the campaign")))


class CampaignCopyForm(forms.Form):
    """A new campaign copying a past year completely (clusters.services.setup.campaign_copy),
    with one choice of next year's leaders for every cluster."""

    source = forms.ModelChoiceField(label=_("Copy the year"), queryset=Campaign.objects.none())
    year = _YearField(label=_("Into the year"))
    name = forms.CharField(
        label=_("Name"),
        max_length=255,
        required=False,
        help_text=_("Leave empty to reuse last year's name with the new year."),
    )
    leaders = forms.ChoiceField(
        label=_("Next year's leader and deputy"),
        choices=NextLeaders.choices,
        initial=NextLeaders.KEEP,
        required=False,
        help_text=_("For every cluster; the copy page of a year chooses cluster by cluster."),
    )

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, prefix="copy", **kwargs)
        if campaigns is not None:
            self.fields["source"].queryset = campaigns
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Copy the year"), css_class="btn-success"))


class CampaignCopyPageForm(forms.Form):
    """The copy page: the new year, its name, and for each cluster of the year copied how
    its leader and deputy are chosen (a field ``leaders_<cluster id>``)."""

    year = _YearField(label=_("Into the year"))
    name = forms.CharField(
        label=_("Name"),
        max_length=255,
        required=False,
        help_text=_("Leave empty to reuse last year's name with the new year."),
    )

    def __init__(self, *args, clusters=(), elected=frozenset(), **kwargs):
        super().__init__(*args, prefix="copy", **kwargs)
        self.cluster_fields = {}
        for cluster in clusters:
            name = f"leaders_{cluster.pk}"
            self.fields[name] = forms.ChoiceField(
                label=cluster.name,
                choices=NextLeaders.choices,
                initial=NextLeaders.ELECTED if cluster.pk in elected else NextLeaders.KEEP,
                required=False,
            )
            self.cluster_fields[cluster.pk] = name

    def leaders(self) -> dict[int, str]:
        """{old cluster id: choice}, once valid (a cluster left out keeps its leaders)."""
        return {
            pk: self.cleaned_data[name] or NextLeaders.KEEP
            for pk, name in self.cluster_fields.items()
        }


class ClusterForm(forms.Form):
    """A new cluster (number, code, name), or another number and name for one."""

    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=999)
    code = forms.CharField(label=_("Code"), max_length=32, required=False)
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=ClusterKind.choices, required=False)

    def __init__(self, *args, renaming: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.renaming = renaming

    def clean(self):
        data = super().clean()
        if not self.renaming and not data.get("code"):
            self.add_error("code", _("A new cluster needs a code."))
        return data


class UnitActionForm(forms.Form):
    """The unit an action is about, and where relevant a cluster and a role."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none())
    cluster = forms.ModelChoiceField(queryset=Cluster.objects.none(), required=False)
    role = forms.ChoiceField(choices=MemberRole.choices, required=False)

    def __init__(self, *args, units, clusters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["cluster"].queryset = clusters
