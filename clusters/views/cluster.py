"""A cluster's page (members, signing records, registrations, activities, models, and the
panels other apps add) and the download of the files attached to its records."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from clusters import permissions
from clusters.enums import MemberRole
from clusters.models import (
    Cluster,
    ConferencePhoto,
    LeadershipElection,
    Membership,
    Pledge,
    Registration,
    Signature,
    SigningConference,
)
from clusters.models.activities import Activity, AdvancedModel
from clusters.panels import cluster_panels, pledge_item_choices
from emulation.files import protected_file_response

_ROLE_ORDER = Case(
    When(role=MemberRole.LEADER, then=Value(0)),
    When(role=MemberRole.DEPUTY, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def visible_cluster(request: HttpRequest, pk: int) -> Cluster:
    """The cluster ``pk`` if the user may see it, else 404."""
    return permissions.cluster_for(request.user, pk)


def cluster_context(request: HttpRequest, cluster: Cluster) -> dict:
    """Everything the cluster page shows, in a fixed number of queries whatever the number
    of members, signatures, photos, activities and models."""
    memberships = list(
        Membership.objects.filter(cluster=cluster)
        .select_related("unit")
        .annotate(role_order=_ROLE_ORDER)
        .order_by("role_order", "unit__code")
    )
    unit_ids = [m.unit_id for m in memberships]
    conference = SigningConference.objects.filter(cluster=cluster).first()
    photos = list(conference.photos.all()) if conference else []
    pledge = Pledge.objects.filter(cluster=cluster).first()
    items = list(pledge.items.all()) if pledge else []
    if items:
        # What other apps attach to each item (scoring: the criterion that scores it).
        extra = pledge_item_choices(request, cluster)
        for item in items:
            item.extra_shown = [
                {"label": c.label, "text": c.shown[item.pk]} for c in extra if item.pk in c.shown
            ]
    signatures = {s.unit_id: s for s in Signature.objects.filter(pledge=pledge)} if pledge else {}
    registrations = {
        r.unit_id: r
        for r in Registration.objects.filter(campaign_id=cluster.campaign_id, unit_id__in=unit_ids)
    }
    signable = permissions.signable_unit_ids(request.user, cluster)
    rows = [
        {
            "membership": m,
            "unit": m.unit,
            "signature": signatures.get(m.unit_id),
            "registration": registrations.get(m.unit_id),
            "may_sign": m.unit_id in signable,
        }
        for m in memberships
    ]
    activities = list(
        Activity.objects.filter(clusters=cluster).select_related("host").order_by("-held_on", "pk")
    )
    models = list(
        AdvancedModel.objects.filter(unit_id__in=unit_ids)
        .select_related("unit")
        .order_by("unit__code", "title")
    )
    my_role = next((m.role for m in memberships if m.unit_id == request.user.unit_id), None)
    return {
        "cluster": cluster,
        "campaign": cluster.campaign,
        "rows": rows,
        "my_role": my_role,
        "my_role_label": MemberRole(my_role).label if my_role else "",
        "conference": conference,
        "photos": photos,
        "pledge": pledge,
        "items": items,
        "signed_count": len(signatures),
        "activities": activities,
        "models": models,
        "can_record": permissions.can_record_signing(request.user, cluster),
        "panels": cluster_panels(request, cluster),
    }


@require_GET
@login_required
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The cluster's page, for anyone who may see the cluster."""
    cluster = visible_cluster(request, pk)
    return render(request, "clusters/cluster/detail.html", cluster_context(request, cluster))


# Which record each kind of file belongs to, the field holding it, and how it is reached
# from the clusters the user may see.
FILE_KINDS = {
    "minutes": (SigningConference, "minutes", "cluster__in"),
    "photo": (ConferencePhoto, "image", "conference__cluster__in"),
    "scan": (Signature, "scanned_copy", "pledge__cluster__in"),
    "regulation": (Cluster, "regulation", "pk__in"),
    "election": (LeadershipElection, "minutes", "cluster__in"),
}


@require_GET
@login_required
def cluster_file(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A file attached to a cluster's records, for whoever may see the cluster (never
    served from MEDIA_URL); anything else is "not found". Photos show in the page, the
    other files download."""
    if kind not in FILE_KINDS:
        raise Http404
    model, field, lookup = FILE_KINDS[kind]
    visible = permissions.visible_clusters(request.user).values("pk")
    record = get_object_or_404(model.objects.filter(**{lookup: visible}), pk=pk)
    return protected_file_response(request, getattr(record, field), inline=kind == "photo")


urlpatterns = [
    path("clusters/<int:pk>/", cluster_detail, name="cluster_detail"),
    path("clusters/files/<str:kind>/<int:pk>/", cluster_file, name="cluster_file"),
]
