"""The title ladder's pages (docs/awards.md):

- the unit's own figures for the year: the list (``awards_figures``: every member unit
  for the campaign's managers, the officer's own unit for an officer), one unit's figures
  with their history (``awards_figures_unit``), the unit's entry (``awards_figures_save``)
  and staff's check (``awards_figures_check``);
- the eligibility explained, printable: every unit × title with each condition, ✓/✗ and
  its figure, and the registration against the outcome (``awards_eligibility``, the
  campaign's managers; ``awards_eligibility_unit``, also the unit's officers);
- the set-up's title rules: the police presets (``awards_presets_install``), the
  organiser's confirmation (``awards_type_confirm``), a rule added or removed
  (``awards_rule_add``, ``awards_rule_delete``).

Thin views: the campaign within the user's scope (else 404), the rules of
awards/permissions.py (else 403), then awards.titles.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from awards import permissions, titles
from awards.enums import Comparison, Figure, FiguresStatus, QuotaScope, RuleKind
from awards.forms import show_refusal
from awards.models import AwardType, TitleRule, UnitFigures
from awards.views.setup import _campaign as _setup_campaign
from awards.views.setup import _render as setup_render
from clusters import permissions as org
from clusters.models import Campaign, Membership, Unit
from clusters.permissions import require

HUNDRED = Decimal(100)


class FiguresForm(forms.Form):
    headcount = forms.IntegerField(label=gettext_lazy("Headcount"), min_value=0)
    advanced_soldiers = forms.IntegerField(label=Figure.ADVANCED_SOLDIERS.label, min_value=0)
    emulation_soldiers = forms.IntegerField(label=Figure.EMULATION_SOLDIERS.label, min_value=0)
    disciplined = forms.IntegerField(label=Figure.DISCIPLINED.label, min_value=0)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        headcount = data.get("headcount")
        if headcount is not None:
            for name in Figure.values:
                if data.get(name) is not None and data[name] > headcount:
                    self.add_error(
                        name, _("At most the headcount (%(count)d).") % {"count": headcount}
                    )
        return data


class CheckForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("accept", gettext_lazy("Accept the figures")),
            ("return", gettext_lazy("Return for correction")),
        ],
        widget=forms.RadioSelect,
    )
    check_note = forms.CharField(
        label=gettext_lazy("Note to the unit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required when the figures are returned."),
    )


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=RuleKind.choices)
    band = forms.CharField(label=gettext_lazy("Band"), max_length=64, required=False)
    titles = forms.CharField(
        label=gettext_lazy("Title codes"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Separated by commas: any one of them counts."),
    )
    years = forms.IntegerField(
        label=gettext_lazy("Past years"), min_value=1, max_value=20, required=False
    )
    at_least = forms.IntegerField(
        label=gettext_lazy("In at least (years)"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("Blank: every one of them, in a row."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Quota scope"),
        choices=[("", "—"), *QuotaScope.choices],
        required=False,
    )
    number = forms.IntegerField(label=gettext_lazy("Number"), min_value=0, required=False)
    percent = forms.DecimalField(
        label=gettext_lazy("Share (percent)"),
        min_value=Decimal(0),
        max_value=HUNDRED,
        decimal_places=2,
        required=False,
    )
    figure = forms.ChoiceField(
        label=gettext_lazy("Figure"), choices=[("", "—"), *Figure.choices], required=False
    )
    comparison = forms.ChoiceField(
        label=gettext_lazy("Comparison"),
        choices=[("", "—"), *Comparison.choices],
        required=False,
    )
    article = forms.CharField(label=gettext_lazy("Legal basis"), max_length=255, required=False)


def _member(campaign: Campaign, unit_pk: int) -> Unit:
    membership = get_object_or_404(
        Membership.objects.select_related("unit", "cluster"), campaign=campaign, unit_id=unit_pk
    )
    return membership.unit


# --- The unit's own figures ------------------------------------------------------------------


@require_GET
@login_required
def awards_figures(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = org.campaign_for(request.user, pk)
    memberships = Membership.objects.filter(campaign=campaign).select_related("unit", "cluster")
    if not permissions.can_set_up_awards(request.user, campaign):
        require(bool(request.user.unit_id))
        memberships = memberships.filter(unit_id=request.user.unit_id)
        require(
            memberships.exists()
            and permissions.can_enter_figures(request.user, request.user.unit_id)
        )
    memberships = list(memberships.order_by("cluster__number", "unit__code"))
    figures = {
        f.unit_id: f
        for f in UnitFigures.objects.filter(
            campaign=campaign, unit_id__in=[m.unit_id for m in memberships]
        )
    }
    rows = [(m, figures.get(m.unit_id)) for m in memberships]
    context = {"campaign": campaign, "rows": rows, "statuses": FiguresStatus}
    return render(request, "awards/figures_list.html", context)


def _figures_page(
    request: HttpRequest,
    campaign: Campaign,
    unit: Unit,
    *,
    form: FiguresForm | None = None,
    check_form: CheckForm | None = None,
    status: int = 200,
) -> HttpResponse:
    figures = UnitFigures.objects.filter(campaign=campaign, unit=unit).first()
    can_enter = permissions.can_enter_figures(request.user, unit.pk)
    can_check = permissions.can_check_figures(request.user, campaign, unit.pk)
    if form is None and can_enter:
        initial = {}
        if figures is not None:
            initial = {name: getattr(figures, name) for name in FiguresForm.base_fields}
        form = FiguresForm(initial=initial)
    history = (
        list(figures.history.select_related("history_user").order_by("-history_date", "-pk"))
        if figures
        else []
    )
    context = {
        "campaign": campaign,
        "unit": unit,
        "figures": figures,
        "history": history,
        "form": form if can_enter and (figures is None or figures.status != "checked") else None,
        "check_form": (check_form or CheckForm())
        if can_check and figures is not None and figures.status in ("submitted", "checked")
        else None,
        "can_enter": can_enter,
    }
    return render(request, "awards/figures_unit.html", context, status=status)


@require_GET
@login_required
def awards_figures_unit(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    campaign = org.campaign_for(request.user, pk)
    unit = _member(campaign, unit_pk)
    require(permissions.can_see_unit_figures(request.user, campaign, unit.pk))
    return _figures_page(request, campaign, unit)


@require_POST
@login_required
def awards_figures_save(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    campaign = org.campaign_for(request.user, pk)
    unit = _member(campaign, unit_pk)
    require(permissions.can_enter_figures(request.user, unit.pk))
    form = FiguresForm(request.POST)
    if form.is_valid():
        try:
            titles.figures_save(
                campaign=campaign, unit=unit, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Figures sent to the standing agency for checking."))
            return redirect("awards_figures_unit", pk=campaign.pk, unit_pk=unit.pk)
    return _figures_page(request, campaign, unit, form=form, status=400)


@require_POST
@login_required
def awards_figures_check(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    campaign = org.campaign_for(request.user, pk)
    unit = _member(campaign, unit_pk)
    require(permissions.can_check_figures(request.user, campaign, unit.pk))
    figures = get_object_or_404(UnitFigures, campaign=campaign, unit=unit)
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            titles.figures_check(
                figures=figures,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["check_note"],
                user=request.user,
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Check recorded: %(unit)s.") % {"unit": unit.name})
            return redirect("awards_figures_unit", pk=campaign.pk, unit_pk=unit.pk)
    return _figures_page(request, campaign, unit, check_form=form, status=400)


# --- Eligibility explained -------------------------------------------------------------------


@require_GET
@login_required
def awards_eligibility(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = org.campaign_for(request.user, pk)
    require(permissions.can_explain_campaign(request.user, campaign))
    explained = titles.explain(campaign)
    context = {"campaign": campaign, "explained": explained, "unit": None}
    return render(request, "awards/eligibility.html", context)


@require_GET
@login_required
def awards_eligibility_unit(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    campaign = org.campaign_for(request.user, pk)
    unit = _member(campaign, unit_pk)
    require(permissions.can_explain_unit(request.user, campaign, unit.pk))
    explained = titles.explain(campaign, unit=unit)
    context = {"campaign": campaign, "explained": explained, "unit": unit}
    return render(request, "awards/eligibility.html", context)


# --- Title rules in the set-up ---------------------------------------------------------------


@require_POST
@login_required
def awards_presets_install(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _setup_campaign(request.user, pk)
    added = titles.presets_install(campaign=campaign, user=request.user)
    if added:
        messages.success(
            request,
            _("Police ladder added: %(names)s. Confirm or edit each title's rules.")
            % {"names": ", ".join(t.name for t in added)},
        )
    else:
        messages.info(request, _("The campaign already has every title of the police ladder."))
    return redirect("awards_setup", pk=campaign.pk)


@require_POST
@login_required
def awards_type_confirm(request: HttpRequest, pk: int, type_pk: int) -> HttpResponse:
    campaign = _setup_campaign(request.user, pk)
    award_type = get_object_or_404(AwardType, campaign=campaign, pk=type_pk)
    titles.award_type_confirm(award_type=award_type, user=request.user)
    messages.success(request, _("Rules confirmed: %(name)s.") % {"name": award_type.name})
    return redirect("awards_setup", pk=campaign.pk)


@require_POST
@login_required
def awards_rule_add(request: HttpRequest, pk: int, type_pk: int) -> HttpResponse:
    campaign = _setup_campaign(request.user, pk)
    award_type = get_object_or_404(AwardType, campaign=campaign, pk=type_pk)
    form = RuleForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        percent = data.pop("percent")
        data["share"] = None if percent is None else (percent / HUNDRED).quantize(Decimal("0.0001"))
        try:
            titles.title_rule_add(award_type=award_type, **data)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "share" in error.error_dict:
                error.error_dict["percent"] = error.error_dict.pop("share")
            show_refusal(form, error)
        else:
            messages.success(request, _("Rule added: %(name)s.") % {"name": award_type.name})
            return redirect(f"{_setup_url(campaign, award_type)}#title-rules")
    return setup_render(request, campaign, editing=award_type, rule_form=form, status=400)


@require_POST
@login_required
def awards_rule_delete(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    campaign = _setup_campaign(request.user, pk)
    rule = get_object_or_404(
        TitleRule.objects.select_related("award_type"), award_type__campaign=campaign, pk=rule_pk
    )
    award_type = rule.award_type
    titles.title_rule_delete(rule=rule)
    messages.success(request, _("Rule removed: %(name)s.") % {"name": award_type.name})
    return redirect(f"{_setup_url(campaign, award_type)}#title-rules")


def _setup_url(campaign: Campaign, award_type: AwardType) -> str:
    return f"{reverse('awards_setup', args=[campaign.pk])}?edit={award_type.pk}"


urlpatterns = [
    path("campaigns/<int:pk>/figures/", awards_figures, name="awards_figures"),
    path(
        "campaigns/<int:pk>/figures/<int:unit_pk>/",
        awards_figures_unit,
        name="awards_figures_unit",
    ),
    path(
        "campaigns/<int:pk>/figures/<int:unit_pk>/save/",
        awards_figures_save,
        name="awards_figures_save",
    ),
    path(
        "campaigns/<int:pk>/figures/<int:unit_pk>/check/",
        awards_figures_check,
        name="awards_figures_check",
    ),
    path("campaigns/<int:pk>/awards/eligibility/", awards_eligibility, name="awards_eligibility"),
    path(
        "campaigns/<int:pk>/awards/eligibility/<int:unit_pk>/",
        awards_eligibility_unit,
        name="awards_eligibility_unit",
    ),
    path(
        "campaigns/<int:pk>/awards/setup/presets/",
        awards_presets_install,
        name="awards_presets_install",
    ),
    path(
        "campaigns/<int:pk>/awards/setup/types/<int:type_pk>/confirm/",
        awards_type_confirm,
        name="awards_type_confirm",
    ),
    path(
        "campaigns/<int:pk>/awards/setup/types/<int:type_pk>/rules/",
        awards_rule_add,
        name="awards_rule_add",
    ),
    path(
        "campaigns/<int:pk>/awards/setup/rules/<int:rule_pk>/delete/",
        awards_rule_delete,
        name="awards_rule_delete",
    ),
]
