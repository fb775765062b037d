"""What the organisation's services share."""

from __future__ import annotations


def save_changed(obj, **values):
    """Set ``values``, validate and save; an existing row that would not change is left
    alone (no write, no history record), so re-running an import or the demo is silent."""
    if obj.pk is not None and all(getattr(obj, name) == value for name, value in values.items()):
        return obj
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj
