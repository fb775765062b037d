"""Exchange activities (giao lưu, trao đổi kinh nghiệm) within and between clusters, with
their photos, and the registry of models and advanced examples (mô hình, điển hình tiên
tiến).

Who sees and records what is ``clusters.permissions`` (visible_activities,
activity_clusters, can_record_activity, visible_models, model_units, can_record_model);
writes go through ``clusters.services.activities``. Photos are served by ``activity_photo``
and ``model_photo`` to whoever may see the activity or the model, never from MEDIA_URL; a
model's photos are added and removed by whoever may edit the model."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters import permissions
from clusters.forms.activities import ActivityForm, AdvancedModelForm, PhotoForm, add_errors
from clusters.models import (
    Activity,
    ActivityPhoto,
    AdvancedModel,
    AdvancedModelPhoto,
    Cluster,
    Unit,
)
from clusters.permissions import require
from clusters.services import activities as activity_services
from emulation.files import protected_file_response

PAGE_SIZE = 50


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- Exchange activities -----------------------------------------------------------------


@require_GET
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """The activities the user may see, newest first, by campaign and cluster."""
    user = request.user
    campaigns = list(permissions.visible_campaigns(user).select_related("organiser"))
    campaign_id = _int(request.GET.get("campaign"))
    cluster_id = _int(request.GET.get("cluster"))
    activities = permissions.visible_activities(user)
    clusters: list[Cluster] = []
    if campaign_id is not None:
        activities = activities.filter(campaign_id=campaign_id)
        clusters = list(
            permissions.visible_clusters(user).filter(campaign_id=campaign_id).order_by("number")
        )
    if cluster_id is not None:
        activities = activities.filter(
            pk__in=Activity.clusters.through.objects.filter(cluster_id=cluster_id).values(
                "activity_id"
            )
        )
    activities = (
        activities.select_related("host", "campaign")
        .prefetch_related(Prefetch("clusters", queryset=Cluster.objects.order_by("number")))
        .annotate(
            participant_count=Count("participants", distinct=True),
            photo_count=Count("photos", distinct=True),
        )
        .order_by("-held_on", "-pk")
    )
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "campaigns": campaigns,
        "clusters": clusters,
        "campaign_id": campaign_id,
        "cluster_id": cluster_id,
        "can_record": permissions.can_record_activities(user),
    }
    return render(request, "clusters/activities/activity_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    """Record an activity (leaders and deputies of a cluster, and managers)."""
    require(permissions.can_record_activities(request.user))
    form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = activity_services.activity_record(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The activity was recorded."))
            return redirect("activity_detail", pk=activity.pk)
    return render(request, "clusters/activities/activity_form.html", {"form": form})


def _activity_for(request: HttpRequest, pk: int) -> Activity:
    return get_object_or_404(
        permissions.visible_activities(request.user).select_related("host", "campaign"), pk=pk
    )


@require_GET
@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for(request, pk)
    can_edit = permissions.can_record_activity(request.user, activity)
    context = {
        "activity": activity,
        "clusters": activity.clusters.order_by("number"),
        "participants": activity.participants.order_by("code"),
        "photos": activity.photos.all(),
        "can_edit": can_edit,
        "photo_form": PhotoForm() if can_edit else None,
    }
    return render(request, "clusters/activities/activity_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for(request, pk)
    require(permissions.can_record_activity(request.user, activity))
    form = ActivityForm(request.POST or None, user=request.user, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            activity_services.activity_record(
                activity=activity, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect("activity_detail", pk=activity.pk)
    context = {"form": form, "activity": activity}
    return render(request, "clusters/activities/activity_form.html", context)


@require_POST
@login_required
def activity_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a photo (its type read from its content by the model's validate_image)."""
    activity = _activity_for(request, pk)
    require(permissions.can_record_activity(request.user, activity))
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            activity_services.activity_photo_add(activity=activity, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The photo was added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("activity_detail", pk=activity.pk)


@require_GET
@login_required
def activity_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo, for whoever may see its activity (never served from MEDIA_URL)."""
    photo = get_object_or_404(
        ActivityPhoto.objects.filter(activity__in=permissions.visible_activities(request.user)),
        pk=pk,
    )
    return protected_file_response(request, photo.image, inline=True)


# --- Models and advanced examples ----------------------------------------------------------


@require_GET
@login_required
def model_list(request: HttpRequest) -> HttpResponse:
    """The models and advanced examples the user may see, by unit."""
    user = request.user
    models = (
        permissions.visible_models(user)
        .select_related("unit")
        .prefetch_related(Prefetch("replicated_by", queryset=Unit.objects.order_by("code")))
        .order_by("unit__code", "title", "pk")
    )
    page = Paginator(models, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "can_record": permissions.can_record_models(user)}
    return render(request, "clusters/activities/model_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def model_create(request: HttpRequest) -> HttpResponse:
    require(permissions.can_record_models(request.user))
    form = AdvancedModelForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            model = activity_services.advanced_model_record(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The model was recorded."))
            return redirect("model_detail", pk=model.pk)
    return render(request, "clusters/activities/model_form.html", {"form": form})


def _model_for(request: HttpRequest, pk: int) -> AdvancedModel:
    return get_object_or_404(permissions.visible_models(request.user).select_related("unit"), pk=pk)


@require_GET
@login_required
def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    model = _model_for(request, pk)
    can_edit = permissions.can_record_model(request.user, model)
    context = {
        "model": model,
        "replicated_by": model.replicated_by.order_by("code"),
        "photos": model.photos.all(),
        "can_edit": can_edit,
        "photo_form": PhotoForm() if can_edit else None,
    }
    return render(request, "clusters/activities/model_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    model = _model_for(request, pk)
    require(permissions.can_record_model(request.user, model))
    form = AdvancedModelForm(request.POST or None, user=request.user, model=model)
    if request.method == "POST" and form.is_valid():
        try:
            activity_services.advanced_model_record(
                model=model, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The model was saved."))
            return redirect("model_detail", pk=model.pk)
    return render(request, "clusters/activities/model_form.html", {"form": form, "model": model})


def _report(request: HttpRequest, form: PhotoForm, error: ValidationError | None) -> None:
    """The form's or the service's errors as messages (the page shows them above)."""
    if error is not None:
        for message in error.messages:
            messages.error(request, message)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


@require_POST
@login_required
def model_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a photo to a model (whoever may edit it); checked and cleaned by the service."""
    model = _model_for(request, pk)
    require(permissions.can_record_model(request.user, model))
    form = PhotoForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            activity_services.model_photo_add(model=model, **form.cleaned_data)
        except ValidationError as refused:
            error = refused
        else:
            messages.success(request, _("The photo was added."))
    _report(request, form, error)
    return redirect(reverse("model_detail", args=[model.pk]) + "#photos")


@require_POST
@login_required
def model_photo_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a model's photo and its file (whoever may edit the model)."""
    photo = get_object_or_404(
        AdvancedModelPhoto.objects.filter(
            advanced_model__in=permissions.visible_models(request.user)
        ).select_related("advanced_model"),
        pk=pk,
    )
    require(permissions.can_record_model(request.user, photo.advanced_model))
    activity_services.model_photo_remove(photo=photo)
    messages.success(request, _("The photo was removed."))
    return redirect(reverse("model_detail", args=[photo.advanced_model_id]) + "#photos")


@require_GET
@login_required
def model_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A model's photo, for whoever may see the model (never served from MEDIA_URL)."""
    photo = get_object_or_404(
        AdvancedModelPhoto.objects.filter(
            advanced_model__in=permissions.visible_models(request.user)
        ),
        pk=pk,
    )
    return protected_file_response(request, photo.image, inline=True)


urlpatterns = [
    path("activities/", activity_list, name="activity_list"),
    path("activities/new/", activity_create, name="activity_create"),
    path("activities/<int:pk>/", activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activity_edit, name="activity_edit"),
    path("activities/<int:pk>/photos/", activity_photo_add, name="activity_photo_add"),
    path("activities/photos/<int:pk>/", activity_photo, name="activity_photo"),
    path("models/", model_list, name="model_list"),
    path("models/new/", model_create, name="model_create"),
    path("models/<int:pk>/", model_detail, name="model_detail"),
    path("models/<int:pk>/edit/", model_edit, name="model_edit"),
    path("models/<int:pk>/photos/", model_photo_add, name="model_photo_add"),
    path("models/photos/<int:pk>/", model_photo, name="model_photo"),
    path("models/photos/<int:pk>/remove/", model_photo_remove, name="model_photo_remove"),
]
