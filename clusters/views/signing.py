"""Recording a cluster's signing: the conference (with its minutes and photos), the pledge,
each unit's signature (with its scanned copy) and registration of titles.

The cluster's leaders (``permissions.signing_clusters``) record everything; a member unit
records its own signature and registration when the pledge allows it
(``permissions.can_sign_for_unit``). A cluster the user may not see answers 404; one they
may see but not record answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clusters import permissions
from clusters.forms.signing import (
    ConferenceForm,
    PhotoForm,
    PledgeForm,
    PledgeItemFormSet,
    RegistrationForm,
    SignatureForm,
)
from clusters.models import (
    Cluster,
    ConferencePhoto,
    Pledge,
    Registration,
    Signature,
    SigningConference,
    Unit,
)
from clusters.panels import pledge_item_choices
from clusters.services import signing as signing_services
from clusters.views.cluster import visible_cluster


def _leader_cluster(request: HttpRequest, pk: int) -> Cluster:
    cluster = visible_cluster(request, pk)
    if not permissions.can_record_signing(request.user, cluster):
        raise PermissionDenied
    return cluster


def _member_unit(cluster: Cluster, unit_pk: int) -> Unit:
    return get_object_or_404(Unit.objects.filter(memberships__cluster=cluster), pk=unit_pk)


def _detail(cluster: Cluster, anchor: str) -> str:
    return reverse("cluster_detail", args=[cluster.pk]) + anchor


def _add_errors(form, error: ValidationError, fields: dict[str, str]) -> None:
    """Put a service's validation errors on the form (model field name → form field)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(fields.get(name), errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
@login_required
def conference_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record (or correct) the signing conference and attach its minutes."""
    cluster = _leader_cluster(request, pk)
    conference = SigningConference.objects.filter(cluster=cluster).first()
    if request.method == "POST":
        form = ConferenceForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    conference = signing_services.signing_conference_record(
                        cluster=cluster,
                        held_on=data["held_on"],
                        place=data["place"],
                        chair=data["chair"],
                        attendees=data["attendees"],
                        notes=data["notes"],
                        user=request.user,
                    )
                    if data["minutes"]:
                        signing_services.conference_minutes_attach(
                            conference=conference, upload=data["minutes"], user=request.user
                        )
            except ValidationError as error:
                _add_errors(form, error, {"minutes": "minutes", "held_on": "held_on"})
                conference = SigningConference.objects.filter(cluster=cluster).first()
            else:
                messages.success(request, _("The signing conference was recorded."))
                return redirect(_detail(cluster, "#conference"))
    else:
        initial = {}
        if conference is not None:
            initial = {
                name: getattr(conference, name)
                for name in ("held_on", "place", "chair", "attendees", "notes")
            }
        form = ConferenceForm(initial=initial)
    photos = list(conference.photos.all()) if conference else []
    return render(
        request,
        "clusters/cluster/conference_form.html",
        {
            "cluster": cluster,
            "conference": conference,
            "form": form,
            "photos": photos,
            "photo_form": PhotoForm(),
        },
    )


@require_POST
@login_required
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a photo to the conference's gallery (the conference must be recorded first)."""
    cluster = _leader_cluster(request, pk)
    conference = get_object_or_404(SigningConference, cluster=cluster)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            signing_services.conference_photo_add(
                conference=conference,
                image=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The photo was added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("cluster_conference_edit", args=[cluster.pk]) + "#photos")


@require_POST
@login_required
def photo_remove(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """Remove a photo from the gallery (and its file: a photo is not a signed record)."""
    cluster = _leader_cluster(request, pk)
    photo = get_object_or_404(ConferencePhoto, conference__cluster=cluster, pk=photo_pk)
    signing_services.conference_photo_remove(photo=photo)
    messages.success(request, _("The photo was removed."))
    return redirect(reverse("cluster_conference_edit", args=[cluster.pk]) + "#photos")


@require_http_methods(["GET", "POST"])
@login_required
def pledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The pledge: slogan, preamble, what the units pledge in each area of work, and
    whether member units may sign for themselves."""
    cluster = _leader_cluster(request, pk)
    pledge = Pledge.objects.filter(cluster=cluster).first()
    # What other apps add to each item (scoring: the criterion that scores it).
    extra = pledge_item_choices(request, cluster)
    form_kwargs = {"extra_choices": extra}
    if request.method == "POST":
        form = PledgeForm(request.POST)
        formset = PledgeItemFormSet(request.POST, prefix="items", form_kwargs=form_kwargs)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            rows = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("area")]
            try:
                with transaction.atomic():
                    pledge = signing_services.pledge_record(
                        cluster=cluster,
                        slogan=data["slogan"],
                        preamble=data["preamble"],
                        items=[(r["area"], r["content"], r.get("item")) for r in rows],
                        user=request.user,
                    )
                    signing_services.pledge_settings_record(
                        cluster=cluster,
                        members_may_sign=data["members_may_sign"],
                        user=request.user,
                    )
                    saved = list(pledge.items.order_by("order", "pk").values_list("pk", flat=True))
                    for choice in extra:
                        choice.save(
                            {
                                item_pk: row.get(f"choice_{choice.name}") or ""
                                for item_pk, row in zip(saved, rows, strict=True)
                            }
                        )
            except ValidationError as error:
                formset_errors = error.messages
                formset._non_form_errors = formset.error_class(formset_errors)
                pledge = Pledge.objects.filter(cluster=cluster).first()
            else:
                messages.success(request, _("The pledge was recorded."))
                return redirect(_detail(cluster, "#pledge"))
    else:
        initial, items = {}, []
        if pledge is not None:
            initial = {
                "slogan": pledge.slogan,
                "preamble": pledge.preamble,
                "members_may_sign": pledge.members_may_sign,
            }
            items = [
                {
                    "item": i.pk,
                    "area": i.area,
                    "content": i.content,
                    **{f"choice_{c.name}": c.initial.get(i.pk, "") for c in extra},
                }
                for i in pledge.items.all()
            ]
        form = PledgeForm(initial=initial)
        formset = PledgeItemFormSet(initial=items, prefix="items", form_kwargs=form_kwargs)
    return render(
        request,
        "clusters/cluster/pledge_form.html",
        {"cluster": cluster, "pledge": pledge, "form": form, "formset": formset},
    )


@require_http_methods(["GET", "POST"])
@login_required
def signature_edit(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """A unit's signature of the pledge, with its scanned copy; or, for one recorded by
    mistake without a scanned copy, its removal (one with a scanned copy is refused)."""
    cluster = visible_cluster(request, pk)
    unit = _member_unit(cluster, unit_pk)
    if not permissions.can_sign_for_unit(request.user, cluster, unit):
        raise PermissionDenied
    pledge = Pledge.objects.filter(cluster=cluster).first()
    if pledge is None:
        messages.warning(request, _("Record the pledge before its signatures."))
        return redirect(_detail(cluster, "#pledge"))
    signature = Signature.objects.filter(pledge=pledge, unit=unit).first()
    if request.method == "POST" and "remove" in request.POST:
        if signature is None:
            return redirect(_detail(cluster, "#signatures"))
        try:
            signing_services.signature_remove(signature=signature, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(request.path)
        messages.success(request, _("The signature was removed."))
        return redirect(_detail(cluster, "#signatures"))
    if request.method == "POST":
        form = SignatureForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                signing_services.signature_sign(
                    pledge=pledge,
                    unit=unit,
                    signatory=data["signatory"],
                    position=data["position"],
                    signed_on=data["signed_on"],
                    scanned_copy=data["scanned_copy"] or None,
                    user=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error, {"scanned_copy": "scanned_copy", "unit": None})
            else:
                messages.success(
                    request, _("The signature of %(unit)s was recorded.") % {"unit": unit}
                )
                return redirect(_detail(cluster, "#signatures"))
    else:
        initial = {}
        if signature is not None:
            initial = {
                "signatory": signature.signatory,
                "position": signature.position,
                "signed_on": signature.signed_on,
            }
        form = SignatureForm(initial=initial)
    return render(
        request,
        "clusters/cluster/signature_form.html",
        {"cluster": cluster, "unit": unit, "signature": signature, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def registration_edit(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """The titles a member unit registers for in the cluster's campaign."""
    cluster = visible_cluster(request, pk)
    unit = _member_unit(cluster, unit_pk)
    if not permissions.can_sign_for_unit(request.user, cluster, unit):
        raise PermissionDenied
    registration = Registration.objects.filter(campaign_id=cluster.campaign_id, unit=unit).first()
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                signing_services.registration_record(
                    campaign=cluster.campaign,
                    unit=unit,
                    titles=form.cleaned_data["titles"],
                    registered_on=form.cleaned_data["registered_on"],
                    user=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error, {"titles": "titles", "unit": None})
            else:
                messages.success(
                    request, _("The registration of %(unit)s was recorded.") % {"unit": unit}
                )
                return redirect(_detail(cluster, "#registrations"))
    else:
        initial = {}
        if registration is not None:
            initial = {"titles": registration.titles, "registered_on": registration.registered_on}
        form = RegistrationForm(initial=initial)
    return render(
        request,
        "clusters/cluster/registration_form.html",
        {"cluster": cluster, "unit": unit, "registration": registration, "form": form},
    )


urlpatterns = [
    path("clusters/<int:pk>/conference/", conference_edit, name="cluster_conference_edit"),
    path("clusters/<int:pk>/conference/photos/", photo_add, name="cluster_photo_add"),
    path(
        "clusters/<int:pk>/conference/photos/<int:photo_pk>/remove/",
        photo_remove,
        name="cluster_photo_remove",
    ),
    path("clusters/<int:pk>/pledge/", pledge_edit, name="cluster_pledge_edit"),
    path(
        "clusters/<int:pk>/signatures/<int:unit_pk>/",
        signature_edit,
        name="cluster_signature_edit",
    ),
    path(
        "clusters/<int:pk>/registrations/<int:unit_pk>/",
        registration_edit,
        name="cluster_registration_edit",
    ),
]
