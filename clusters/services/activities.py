"""Writes to the exchange activities and the registry of models and advanced examples.

Same habits as the other modules of ``clusters.services``: keyword-only, atomic,
``full_clean()`` before saving, the object returned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clusters.images import clean_field_upload
from clusters.models import (
    Activity,
    ActivityPhoto,
    AdvancedModel,
    AdvancedModelPhoto,
    Cluster,
    Membership,
    Unit,
)


@transaction.atomic
def activity_record(
    *,
    clusters: Iterable[Cluster],
    held_on: dt.date,
    host: Unit,
    title: str,
    participants: Iterable[Unit] = (),
    content: str = "",
    activity: Activity | None = None,
    user=None,
) -> Activity:
    """Record (or, given ``activity``, correct) an exchange activity of one or more clusters
    of one campaign. The host and the participants must be members of those clusters."""
    clusters = list(clusters)
    participants = list(participants)
    if not clusters:
        raise ValidationError({"clusters": _("Choose at least one cluster.")})
    campaign_ids = {c.campaign_id for c in clusters}
    if len(campaign_ids) > 1:
        raise ValidationError({"clusters": _("The clusters must belong to the same campaign.")})
    members = set(Membership.objects.filter(cluster__in=clusters).values_list("unit_id", flat=True))
    if host.pk not in members:
        raise ValidationError({"host": _("The host unit must be a member of the clusters.")})
    outside = sorted(u.label for u in participants if u.pk not in members)
    if outside:
        raise ValidationError(
            {
                "participants": ValidationError(
                    _("Not a member of the chosen clusters: %(units)s."),
                    params={"units": ", ".join(outside)},
                )
            }
        )
    activity = activity or Activity()
    activity.campaign_id = campaign_ids.pop()
    activity.held_on = held_on
    activity.host = host
    activity.title = (title or "").strip()
    activity.content = content or ""
    activity.full_clean()
    activity._history_user = user
    activity.save()
    activity.clusters.set(clusters)
    activity.participants.set(participants)
    return activity


@transaction.atomic
def activity_photo_add(*, activity: Activity, image, caption: str = "") -> ActivityPhoto:
    """Add a photo to an activity; the type is read from the content (validate_image) and
    the photo stored re-encoded, without its metadata, at most 2,000 px (clusters.images)."""
    if image is None:
        raise ValidationError({"image": _("Choose a photo to upload.")})
    photo = ActivityPhoto(activity=activity, image=image, caption=(caption or "").strip()[:255])
    photo.full_clean()
    clean_field_upload(photo, "image")
    photo.save()
    return photo


@transaction.atomic
def activity_photo_remove(*, photo: ActivityPhoto) -> None:
    """Remove a photo, and its stored file once the deletion commits."""
    photo.delete()
    transaction.on_commit(lambda: photo.image.delete(save=False))


@transaction.atomic
def advanced_model_record(
    *,
    unit: Unit,
    title: str,
    area: str = "",
    description: str = "",
    since: dt.date | None = None,
    replicated_by: Iterable[Unit] = (),
    model: AdvancedModel | None = None,
    user=None,
) -> AdvancedModel:
    """Record (or, given ``model``, correct) a model or advanced example of ``unit`` and the
    units that replicated it (never the unit itself)."""
    replicated_by = list(replicated_by)
    if any(u.pk == unit.pk for u in replicated_by):
        raise ValidationError({"replicated_by": _("A unit does not replicate its own model.")})
    model = model or AdvancedModel()
    model.unit = unit
    model.title = (title or "").strip()
    model.area = (area or "").strip()
    model.description = description or ""
    model.since = since
    model.full_clean()
    model._history_user = user
    model.save()
    model.replicated_by.set(replicated_by)
    return model


@transaction.atomic
def model_photo_add(*, model: AdvancedModel, image, caption: str = "") -> AdvancedModelPhoto:
    """Add a photo to a model or advanced example, checked and cleaned as an activity's
    (validate_image reads the type from the content; clusters.images re-encodes it without
    its metadata, at most 2,000 px)."""
    if image is None:
        raise ValidationError({"image": _("Choose a photo to upload.")})
    photo = AdvancedModelPhoto(
        advanced_model=model, image=image, caption=(caption or "").strip()[:255]
    )
    photo.full_clean()
    clean_field_upload(photo, "image")
    photo.save()
    return photo


@transaction.atomic
def model_photo_remove(*, photo: AdvancedModelPhoto) -> None:
    """Remove a model's photo, and its stored file once the deletion commits."""
    photo.delete()
    transaction.on_commit(lambda: photo.image.delete(save=False))
