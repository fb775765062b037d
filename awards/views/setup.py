"""The awards set-up of a campaign, for its managers (administrators and province staff):
the award types with their rules, and the units under discipline or inspection.

Thin views: the campaign within the user's scope (else 404), the rules of
awards/permissions.py and clusters/permissions.py (else 403), then awards.services.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from awards import permissions, services
from awards.enums import RestrictionKind, TitleLevel
from awards.forms import show_refusal
from awards.models import AwardType, UnitRestriction
from clusters import permissions as org
from clusters.models import Campaign, Unit
from scoring.models import ScoreTable

HUNDRED = Decimal(100)


class AwardTypeForm(forms.Form):
    """An award type, keyed by its code: saving an existing code changes that award."""

    code = forms.SlugField(label=gettext_lazy("Code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    leading_only = forms.BooleanField(label=gettext_lazy("Leading unit only"), required=False)
    min_band = forms.CharField(
        label=gettext_lazy("Lowest band"),
        required=False,
        help_text=gettext_lazy("Units at or above this band; blank: any."),
    )
    max_per_cluster = forms.IntegerField(
        label=gettext_lazy("At most per cluster"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("Blank: no limit."),
    )
    pass_percent = forms.DecimalField(
        label=gettext_lazy("Votes to pass (percent of the members present)"),
        min_value=Decimal("0.01"),
        max_value=HUNDRED,
        decimal_places=2,
        initial=Decimal(50),
    )
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, initial=0)
    level = forms.ChoiceField(
        label=gettext_lazy("Level"),
        choices=[("", "—"), *TitleLevel.choices],
        required=False,
        help_text=gettext_lazy("Who grants the title; blank keeps the level it has."),
    )
    certificate_heading = forms.CharField(
        label=gettext_lazy("Certificate heading"),
        max_length=64,
        required=False,
        help_text=gettext_lazy(
            "Printed at the top of its certificates, e.g. GIẤY KHEN, BẰNG KHEN, CỜ THI ĐUA; "
            "blank: from the level."
        ),
    )

    def __init__(self, *args, bands: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if bands:
            choices = [("", _("Any band")), *((band, band) for band in bands)]
            self.fields["min_band"] = forms.ChoiceField(
                label=self.fields["min_band"].label,
                choices=choices,
                required=False,
                help_text=self.fields["min_band"].help_text,
            )


class RestrictionForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=RestrictionKind.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    starts_on = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Blank: until further notice."),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.filter(memberships__campaign=campaign).distinct().order_by("code")
        )


def _campaign(user, pk: int) -> Campaign:
    """A campaign the user may see (else 404) and whose awards they set up (else 403)."""
    campaign = org.campaign_for(user, pk)
    if not permissions.can_set_up_awards(user, campaign):
        raise PermissionDenied
    return campaign


def _bands(campaign: Campaign) -> list[str]:
    """The band labels of the campaign's score tables, in their order, without repeats."""
    labels: list[str] = []
    for bands in ScoreTable.objects.filter(campaign=campaign).values_list("bands", flat=True):
        for band in bands or []:
            label = band.get("label", "")
            if label and label not in labels:
                labels.append(label)
    return labels


def _initial(award_type: AwardType) -> dict:
    percent = award_type.pass_percent
    if percent == percent.to_integral_value():
        percent = percent.quantize(Decimal(1))
    return {
        "code": award_type.code,
        "name": award_type.name,
        "leading_only": award_type.leading_only,
        "min_band": award_type.min_band,
        "max_per_cluster": award_type.max_per_cluster,
        "pass_percent": percent,
        "order": award_type.order,
        "level": award_type.level,
        "certificate_heading": award_type.certificate_heading,
    }


def _render(
    request: HttpRequest,
    campaign: Campaign,
    *,
    type_form: AwardTypeForm | None = None,
    restriction_form: RestrictionForm | None = None,
    editing: AwardType | None = None,
    rule_form=None,
    status: int = 200,
) -> HttpResponse:
    from awards.views.titles import RuleForm

    award_types = list(AwardType.objects.filter(campaign=campaign).prefetch_related("title_rules"))
    bands = _bands(campaign)
    if type_form is None:
        initial = _initial(editing) if editing else {"order": len(award_types) + 1}
        type_form = AwardTypeForm(initial=initial, bands=bands)
    context = {
        "campaign": campaign,
        "award_types": award_types,
        "restrictions": UnitRestriction.objects.filter(campaign=campaign).select_related("unit"),
        "type_form": type_form,
        "restriction_form": restriction_form or RestrictionForm(campaign=campaign),
        "editing": editing,
        "rule_form": rule_form or (RuleForm() if editing else None),
    }
    return render(request, "awards/setup.html", context, status=status)


@require_GET
@login_required
def awards_setup(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request.user, pk)
    edit = request.GET.get("edit", "")
    editing = get_object_or_404(AwardType, campaign=campaign, pk=edit) if edit.isdigit() else None
    return _render(request, campaign, editing=editing)


@require_POST
@login_required
def awards_type_save(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request.user, pk)
    form = AwardTypeForm(request.POST, bands=_bands(campaign))
    if form.is_valid():
        data = form.cleaned_data
        try:
            award_type = services.award_type_upsert(
                campaign=campaign,
                code=data["code"],
                name=data["name"],
                leading_only=data["leading_only"],
                min_band=data["min_band"] or "",
                max_per_cluster=data["max_per_cluster"],
                pass_share=data["pass_percent"] / HUNDRED,
                order=data["order"],
                level=data["level"] or None,
                certificate_heading=data["certificate_heading"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Award type saved: %(name)s.") % {"name": award_type.name})
            return redirect("awards_setup", pk=campaign.pk)
    return _render(request, campaign, type_form=form, status=400)


@require_POST
@login_required
def awards_restriction_save(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request.user, pk)
    form = RestrictionForm(request.POST, campaign=campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            restriction = services.restriction_record(
                campaign=campaign,
                unit=data["unit"],
                kind=data["kind"],
                reason=data["reason"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                user=request.user,
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Restriction recorded: %(unit)s, %(kind)s.")
                % {"unit": restriction.unit.name, "kind": restriction.get_kind_display()},
            )
            return redirect("awards_setup", pk=campaign.pk)
    return _render(request, campaign, restriction_form=form, status=400)


urlpatterns = [
    path("campaigns/<int:pk>/awards/setup/", awards_setup, name="awards_setup"),
    path("campaigns/<int:pk>/awards/setup/types/", awards_type_save, name="awards_type_save"),
    path(
        "campaigns/<int:pk>/awards/setup/restrictions/",
        awards_restriction_save,
        name="awards_restriction_save",
    ),
]
