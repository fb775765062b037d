"""What the organisation's services share."""

from __future__ import annotations


def save_changed(obj, *, user=None, **values):
    """Set ``values``, validate and save; an existing row that would not change is left
    alone (no write, no history record), so re-running an import or the demo is silent.
    ``user`` is who made the change, for a model that keeps its history (None: the system,
    or the request's user that simple-history's middleware knows)."""
    if obj.pk is not None and all(getattr(obj, name) == value for name, value in values.items()):
        return obj
    if user is not None:
        obj._history_user = user
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj
