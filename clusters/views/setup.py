"""Setting up a year in pages (domain.md section 4, step 1), for administrators and
province staff.

- ``setup_campaigns``: the campaigns the user manages, a form for a new campaign and one
  to copy a past year (clusters, members, leaders and deputies; dissolved units replaced
  by their successors or left out, and both reported).
- ``setup_campaign``: the year's clusters as cards with their members and roles, where
  units are moved, placed, removed and made leader or deputy, and clusters created or
  renamed; units dissolved before the year are listed greyed and cannot be placed. The
  phases are opened and closed on the campaign overview (scoring), and score tables are
  attached to clusters on scoring's tables page: both are linked, by URL name.
- The POST actions redirect back to the campaign's page with a message.

Every page reads a fixed number of queries whatever the number of clusters and units.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters import permissions
from clusters.enums import ROLE_ORDER, ClusterKind, MemberRole, NextLeaders, Phase
from clusters.forms.setup import (
    CampaignCopyForm,
    CampaignCopyPageForm,
    CampaignCreateForm,
    ClusterForm,
    UnitActionForm,
)
from clusters.models import Campaign, Cluster, LeadershipElection, Membership, Unit
from clusters.services import setup as setup_services
from clusters.services.leadership import next_heads


def _link(name: str, *args) -> str | None:
    """The URL of a page another app provides, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _require_setup(request: HttpRequest) -> None:
    if not permissions.can_set_up_years(request.user):
        raise PermissionDenied


def _campaign_for(request: HttpRequest, pk: int) -> Campaign:
    """A campaign the user may see (else 404) and set up (else 403)."""
    campaign = permissions.campaign_for(request.user, pk)
    if not permissions.can_manage_campaign(request.user, campaign):
        raise PermissionDenied
    return campaign


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _back(campaign: Campaign, cluster: Cluster | None = None) -> HttpResponse:
    url = reverse("setup_campaign", args=[campaign.pk])
    return redirect(f"{url}#cluster-{cluster.pk}" if cluster else url)


# --- Campaigns ----------------------------------------------------------------------


def _render_list(request, *, create_form=None, copy_form=None, status: int = 200):
    user = request.user
    campaigns = list(
        permissions.managed_campaigns(user)
        .select_related("organiser")
        .annotate(
            cluster_count=Count("clusters", distinct=True),
            unit_count=Count("memberships", distinct=True),
        )
        .order_by("-year", "organiser__code")
    )
    organisers = permissions.setup_organisers(user).order_by("code")
    source_qs = permissions.managed_campaigns(user).select_related("organiser")
    # Most often the next year follows the newest one: the fresh forms start from it.
    newest = campaigns[0] if campaigns else None
    if create_form is None:
        create_form = CampaignCreateForm(organisers=organisers)
        if newest:
            create_form.initial = {"organiser": newest.organiser_id, "year": newest.year + 1}
    if copy_form is None:
        copy_form = CampaignCopyForm(campaigns=source_qs)
        if newest:
            copy_form.initial = {"source": newest.pk, "year": newest.year + 1}
    context = {"campaigns": campaigns, "create_form": create_form, "copy_form": copy_form}
    return render(request, "clusters/setup/campaigns.html", context, status=status)


@require_GET
@login_required
def setup_campaigns(request: HttpRequest) -> HttpResponse:
    """The campaigns the user sets up, with the forms to start a new year."""
    _require_setup(request)
    return _render_list(request)


@require_POST
@login_required
def setup_campaign_create(request: HttpRequest) -> HttpResponse:
    _require_setup(request)
    organisers = permissions.setup_organisers(request.user)
    form = CampaignCreateForm(request.POST, organisers=organisers)
    if form.is_valid():
        try:
            campaign = setup_services.campaign_create(
                organiser=form.cleaned_data["organiser"],
                year=form.cleaned_data["year"],
                name=form.cleaned_data["name"],
                slogan=form.cleaned_data["slogan"],
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(
                request, _("The campaign %(campaign)s was created.") % {"campaign": campaign.name}
            )
            return _back(campaign)
    return _render_list(request, create_form=form, status=400)


@require_POST
@login_required
def setup_campaign_copy(request: HttpRequest) -> HttpResponse:
    _require_setup(request)
    sources = permissions.managed_campaigns(request.user).select_related("organiser")
    form = CampaignCopyForm(request.POST, campaigns=sources)
    if form.is_valid():
        try:
            result = setup_services.campaign_copy(
                source=form.cleaned_data["source"],
                year=form.cleaned_data["year"],
                name=form.cleaned_data["name"] or None,
                leaders=form.cleaned_data["leaders"] or NextLeaders.KEEP,
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            _copy_messages(request, result)
            return _back(result.campaign)
    return _render_list(request, copy_form=form, status=400)


def _copy_messages(request: HttpRequest, result) -> None:
    campaign = result.campaign
    messages.success(
        request,
        _("%(campaign)s was created with %(clusters)d clusters and %(units)d units.")
        % {
            "campaign": campaign.name,
            "clusters": campaign.clusters.count(),
            "units": campaign.memberships.count(),
        },
    )
    for line in result.report:
        messages.info(request, line)
    for note in result.notes:
        messages.warning(request, note)
    if result.replaced:
        pairs = ", ".join(f"{old.name} → {new.name}" for old, new in result.replaced)
        messages.info(request, _("Replaced by their successors: %(pairs)s.") % {"pairs": pairs})
    if result.skipped:
        names = ", ".join(unit.name for unit in result.skipped)
        messages.warning(
            request,
            _("Left out (dissolved, with no successor free to take their place): %(units)s.")
            % {"units": names},
        )


def _copy_rows(source: Campaign, form: CampaignCopyPageForm) -> list[dict]:
    """Per cluster of ``source``: this year's leader and deputy, the rotated ones, the
    elected ones, and the choice field. Three queries whatever the size."""
    memberships = list(
        Membership.objects.filter(campaign=source).select_related("unit").order_by("unit__code")
    )
    by_cluster: dict[int, list[Membership]] = {}
    for membership in memberships:
        by_cluster.setdefault(membership.cluster_id, []).append(membership)
    names = {m.unit_id: m.unit.label for m in memberships}
    elections = {
        e.cluster_id: e
        for e in LeadershipElection.objects.filter(cluster__campaign=source).select_related(
            "leader", "deputy"
        )
    }
    rows = []
    for cluster in source.clusters.order_by("number"):
        members = by_cluster.get(cluster.pk, [])
        election = elections.get(cluster.pk)
        pairs = {}
        for choice in (NextLeaders.KEEP, NextLeaders.ROTATE, NextLeaders.ELECTED):
            leader, deputy, _note = next_heads(choice, members, election)
            pairs[choice] = (names.get(leader, ""), names.get(deputy, ""))
        if election is not None:
            pairs[NextLeaders.ELECTED] = (
                election.leader.label,
                election.deputy.label if election.deputy else "",
            )
        rows.append(
            {
                "cluster": cluster,
                "election": election,
                "keep": pairs[NextLeaders.KEEP],
                "rotate": pairs[NextLeaders.ROTATE],
                "elected": pairs[NextLeaders.ELECTED],
                "field": form[form.cluster_fields[cluster.pk]],
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@login_required
def setup_campaign_copy_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy a year, choosing next year's leader and deputy cluster by cluster: keep them,
    rotate to the next members in the cluster's order, or take the units elected at the
    year-end meeting (clusters.models.LeadershipElection)."""
    source = _campaign_for(request, pk)
    clusters = list(source.clusters.order_by("number"))
    elected = set(
        LeadershipElection.objects.filter(cluster__campaign=source).values_list(
            "cluster_id", flat=True
        )
    )
    data = request.POST if request.method == "POST" else None
    form = CampaignCopyPageForm(data, clusters=clusters, elected=elected)
    if data is None:
        form.initial = {"year": source.year + 1}
    elif form.is_valid():
        try:
            result = setup_services.campaign_copy(
                source=source,
                year=form.cleaned_data["year"],
                name=form.cleaned_data["name"] or None,
                leaders=form.leaders(),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            _copy_messages(request, result)
            return _back(result.campaign)
    context = {"source": source, "form": form, "rows": _copy_rows(source, form)}
    return render(request, "clusters/setup/copy.html", context, status=400 if form.errors else 200)


# --- One campaign's clusters ----------------------------------------------------------


def _can_join(unit: Unit, campaign: Campaign) -> bool:
    """Mirrors Membership.clean: a unit dissolved by the year's first day cannot join."""
    return unit.is_active or unit.deactivated_on > dt.date(campaign.year, 1, 1)


@require_GET
@login_required
def setup_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """The year's clusters with their members and roles, and the units not yet placed."""
    campaign = _campaign_for(request, pk)
    memberships = list(
        Membership.objects.filter(campaign=campaign).select_related("unit").order_by("unit__code")
    )
    by_cluster: dict[int, list[Membership]] = {}
    for membership in memberships:
        by_cluster.setdefault(membership.cluster_id, []).append(membership)
    clusters = list(campaign.clusters.order_by("number"))
    for cluster in clusters:
        members = by_cluster.get(cluster.pk, [])
        members.sort(key=lambda m: (ROLE_ORDER.get(m.role, 9), m.unit.code))
        cluster.members = members
        cluster.others = [c for c in clusters if c.pk != cluster.pk]
        cluster.leader = next((m.unit for m in members if m.role == MemberRole.LEADER), None)
        cluster.deputy = next((m.unit for m in members if m.role == MemberRole.DEPUTY), None)
    placed = Membership.objects.filter(campaign=campaign).values("unit_id")
    candidates = list(
        permissions.setup_candidate_units(campaign)
        .exclude(pk__in=placed)
        .select_related("successor")
        .order_by("code")
    )
    for unit in candidates:
        unit.can_join = _can_join(unit, campaign)
    next_number = (max((c.number for c in clusters), default=0)) + 1
    context = {
        "campaign": campaign,
        "clusters": clusters,
        "unit_count": len(memberships),
        "joinable": [u for u in candidates if u.can_join],
        "dissolved": [u for u in candidates if not u.can_join],
        "locked": campaign.phase == Phase.PUBLISHED,
        "roles": MemberRole,
        "kinds": ClusterKind.choices,
        "cluster_form": ClusterForm(
            initial={"number": next_number, "code": f"C{next_number}"}, prefix="new"
        ),
        "overview_url": _link("campaign_overview", campaign.pk),
        "tables_url": _link("campaign_tables", campaign.pk),
    }
    return render(request, "clusters/setup/campaign.html", context)


# --- The small actions ------------------------------------------------------------------


def _placed_units(campaign: Campaign):
    return Unit.objects.filter(memberships__campaign=campaign)


def _action_form(request, campaign: Campaign, units) -> UnitActionForm:
    return UnitActionForm(request.POST, units=units, clusters=campaign.clusters.all())


def _place_unit(request: HttpRequest, pk: int, *, units, place, done: str) -> HttpResponse:
    """Put the unit the form names into the cluster it names (``place(unit=, cluster=)``, a
    service), then back to the year's page with ``done`` (naming %(unit)s and %(cluster)s)
    or the refusal."""
    campaign = _campaign_for(request, pk)
    form = _action_form(request, campaign, units(campaign))
    if not form.is_valid() or form.cleaned_data["cluster"] is None:
        messages.error(request, _form_errors(form) or _("Choose a cluster."))
        return _back(campaign)
    unit, cluster = form.cleaned_data["unit"], form.cleaned_data["cluster"]
    try:
        place(unit=unit, cluster=cluster)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back(campaign)
    messages.success(request, done % {"unit": unit.name, "cluster": cluster.name})
    return _back(campaign, cluster)


@require_POST
@login_required
def setup_membership_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a placed unit to another cluster of the year (it joins as a member)."""
    return _place_unit(
        request,
        pk,
        units=_placed_units,
        place=setup_services.membership_move,
        done=_("%(unit)s moved to %(cluster)s."),
    )


@require_POST
@login_required
def setup_membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Place a unit that has no cluster this year."""
    return _place_unit(
        request,
        pk,
        units=permissions.setup_candidate_units,
        place=setup_services.membership_add,
        done=_("%(unit)s joined %(cluster)s."),
    )


@require_POST
@login_required
def setup_membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a unit out of its cluster for the year."""
    campaign = _campaign_for(request, pk)
    form = _action_form(request, campaign, _placed_units(campaign))
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(campaign)
    unit = form.cleaned_data["unit"]
    membership = Membership.objects.select_related("cluster__campaign", "unit").get(
        campaign=campaign, unit=unit
    )
    try:
        setup_services.membership_remove(membership=membership)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back(campaign, membership.cluster)
    except ProtectedError:
        messages.error(
            request,
            _("%(unit)s already has records in %(cluster)s; it cannot leave that cluster.")
            % {"unit": unit.name, "cluster": membership.cluster.name},
        )
        return _back(campaign, membership.cluster)
    messages.success(
        request,
        _("%(unit)s left %(cluster)s.") % {"unit": unit.name, "cluster": membership.cluster.name},
    )
    return _back(campaign, membership.cluster)


@require_POST
@login_required
def setup_cluster_head(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a member unit the cluster's leader or deputy (or a plain member again)."""
    campaign = _campaign_for(request, pk)
    form = _action_form(request, campaign, _placed_units(campaign))
    if not form.is_valid() or not form.cleaned_data["role"]:
        messages.error(request, _form_errors(form) or _("Choose a role."))
        return _back(campaign)
    unit, role = form.cleaned_data["unit"], form.cleaned_data["role"]
    cluster = Cluster.objects.select_related("campaign").get(
        memberships__unit=unit, campaign=campaign
    )
    try:
        setup_services.cluster_set_head(cluster=cluster, unit=unit, role=role)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back(campaign, cluster)
    messages.success(
        request,
        _("%(unit)s is now %(role)s of %(cluster)s.")
        % {"unit": unit.name, "role": MemberRole(role).label, "cluster": cluster.name},
    )
    return _back(campaign, cluster)


@require_POST
@login_required
def setup_cluster_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new cluster of the year."""
    campaign = _campaign_for(request, pk)
    form = ClusterForm(request.POST, prefix="new")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(campaign)
    try:
        cluster = setup_services.cluster_create(
            campaign=campaign,
            number=form.cleaned_data["number"],
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"] or ClusterKind.CLUSTER,
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back(campaign)
    messages.success(request, _("The cluster %(cluster)s was created.") % {"cluster": cluster})
    return _back(campaign, cluster)


@require_POST
@login_required
def setup_cluster_rename(request: HttpRequest, pk: int, cluster_pk: int) -> HttpResponse:
    """Another number or name for a cluster of the year."""
    campaign = _campaign_for(request, pk)
    cluster = get_object_or_404(campaign.clusters.select_related("campaign"), pk=cluster_pk)
    form = ClusterForm(request.POST, prefix=f"c{cluster.pk}", renaming=True)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(campaign, cluster)
    try:
        setup_services.cluster_rename(
            cluster=cluster,
            number=form.cleaned_data["number"],
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"] or None,
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        cluster.refresh_from_db()
        return _back(campaign, cluster)
    messages.success(request, _("The cluster %(cluster)s was saved.") % {"cluster": cluster})
    return _back(campaign, cluster)


urlpatterns = [
    path("setup/", setup_campaigns, name="setup_campaigns"),
    path("setup/campaigns/new/", setup_campaign_create, name="setup_campaign_create"),
    path("setup/campaigns/copy/", setup_campaign_copy, name="setup_campaign_copy"),
    path(
        "setup/campaigns/<int:pk>/copy/", setup_campaign_copy_page, name="setup_campaign_copy_page"
    ),
    path("setup/campaigns/<int:pk>/", setup_campaign, name="setup_campaign"),
    path("setup/campaigns/<int:pk>/move/", setup_membership_move, name="setup_membership_move"),
    path("setup/campaigns/<int:pk>/add/", setup_membership_add, name="setup_membership_add"),
    path(
        "setup/campaigns/<int:pk>/remove/",
        setup_membership_remove,
        name="setup_membership_remove",
    ),
    path("setup/campaigns/<int:pk>/head/", setup_cluster_head, name="setup_cluster_head"),
    path("setup/campaigns/<int:pk>/clusters/", setup_cluster_create, name="setup_cluster_create"),
    path(
        "setup/campaigns/<int:pk>/clusters/<int:cluster_pk>/",
        setup_cluster_rename,
        name="setup_cluster_rename",
    ),
]
