"""Forms of the organisation app."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from clusters.enums import Title
from clusters.models import Cluster, Membership, Registration


class RegistrationAdminForm(forms.ModelForm):
    """A unit's registration, with its titles as checkboxes.

    ``signing_clusters`` (set by the admin for the signed-in user) limits which registrations
    may be recorded: the unit must be a member, in that campaign, of one of those clusters.
    """

    titles = forms.MultipleChoiceField(
        label=capfirst(Registration._meta.get_field("titles").verbose_name),
        choices=Title.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    signing_clusters: QuerySet[Cluster] | None = None

    class Meta:
        model = Registration
        fields = ("campaign", "unit", "titles", "registered_on", "note")

    def clean(self) -> dict:
        cleaned = super().clean()
        campaign, unit = cleaned.get("campaign"), cleaned.get("unit")
        if self.signing_clusters is None or campaign is None or unit is None:
            return cleaned
        membership = Membership.objects.filter(campaign=campaign, unit=unit).first()
        # A unit in no cluster that year is refused by Registration.clean() already.
        if (
            membership is not None
            and not self.signing_clusters.filter(pk=membership.cluster_id).exists()
        ):
            self.add_error(
                "unit",
                _("You may record registrations only for the member units of your clusters."),
            )
        return cleaned
