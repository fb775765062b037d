"""Forms of the exchange activities and the registry of models and advanced examples.

They only collect and check input; the views hand the cleaned data to
``clusters.services.activities``, whose errors come back onto the form (``add_errors``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clusters import permissions
from clusters.models import Activity, AdvancedModel, Cluster, Membership, Unit, User

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.code} — {obj.label}"


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.code} — {obj.label}"


class ClusterChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Cluster) -> str:
        return f"{obj.name} ({obj.campaign.year})"


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors on the form: on their field when the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class ActivityForm(forms.Form):
    """An exchange activity: the clusters (one, or several for an activity between
    clusters), when, who hosted it, who took part, what was shared."""

    title = forms.CharField(label=_("Title"), max_length=255)
    held_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    clusters = ClusterChoices(
        label=pgettext_lazy("heading", "Clusters"),
        queryset=Cluster.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One for an activity within a cluster, more for one between clusters."),
    )
    host = UnitChoice(label=_("Host unit"), queryset=Unit.objects.none())
    participants = UnitChoices(
        label=_("Participating units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "unit-choices"}),
    )
    content = forms.CharField(
        label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, user: User, activity: Activity | None = None, **kwargs) -> None:
        if activity is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": activity.title,
                    "held_on": activity.held_on,
                    "clusters": list(activity.clusters.all()),
                    "host": activity.host,
                    "participants": list(activity.participants.all()),
                    "content": activity.content,
                },
            )
        super().__init__(*args, **kwargs)
        self.recordable = permissions.activity_clusters(user)
        if activity is not None:
            campaigns = [activity.campaign_id]
        else:
            campaigns = self.recordable.values("campaign_id")
        clusters = Cluster.objects.filter(campaign_id__in=campaigns)
        self.fields["clusters"].queryset = clusters.select_related("campaign").order_by(
            "-campaign__year", "number"
        )
        members = Membership.objects.filter(campaign_id__in=campaigns).values("unit_id")
        units = Unit.objects.filter(pk__in=members).order_by("code")
        self.fields["host"].queryset = units
        self.fields["participants"].queryset = units

    def clean_clusters(self) -> list[Cluster]:
        clusters = list(self.cleaned_data["clusters"])
        allowed = set(
            self.recordable.filter(pk__in=[c.pk for c in clusters]).values_list("pk", flat=True)
        )
        if not allowed:
            raise ValidationError(_("Include at least one cluster whose activities you record."))
        return clusters


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP."),
        # Any picture: a phone then offers its camera; the server keeps JPEG, PNG and WebP.
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=255, required=False)


class AdvancedModelForm(forms.Form):
    """A model or advanced example of a unit, and the units that replicated it."""

    title = forms.CharField(label=_("Title"), max_length=255)
    unit = UnitChoice(label=_("Unit"), queryset=Unit.objects.none())
    area = forms.CharField(label=_("Area of work"), max_length=255, required=False)
    since = forms.DateField(label=_("Since"), required=False, widget=DATE_WIDGET)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    replicated_by = UnitChoices(
        label=_("Replicated by"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, user: User, model: AdvancedModel | None = None, **kwargs) -> None:
        if model is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": model.title,
                    "unit": model.unit,
                    "area": model.area,
                    "since": model.since,
                    "description": model.description,
                    "replicated_by": list(model.replicated_by.all()),
                },
            )
        super().__init__(*args, **kwargs)
        units: QuerySet[Unit] = permissions.model_units(user)
        if model is not None:
            units = Unit.objects.filter(pk__in=[*units.values_list("pk", flat=True), model.unit_id])
        self.fields["unit"].queryset = units.order_by("code")
        replicators = permissions.visible_units(user).values("pk")
        if model is not None:
            replicators = Unit.objects.filter(
                pk__in=[*replicators.values_list("pk", flat=True)]
                + [u.pk for u in model.replicated_by.all()]
            ).values("pk")
        self.fields["replicated_by"].queryset = Unit.objects.filter(pk__in=replicators).order_by(
            "code"
        )
