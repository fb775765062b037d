"""scoring's events in a cluster's or campaign's recent activity (clusters.recent; registered
in ScoringConfig.ready): scores entered or changed, sheets submitted, returned and published,
explanations written. Only the sheets the reader may see (permissions.visible_sheets: a
unit officer in the self stage sees their own unit's sheets, the cluster's leaders every
sheet of the cluster, managers those of their campaigns); one query per source."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clusters.models import Campaign
from clusters.recent import Event, who, with_previous
from scoring import forms, permissions
from scoring.enums import SheetStatus, Stage
from scoring.models import Explanation, ScoreEntry, ScoreSheet
from scoring.services.specs import INPUT_FIELDS


def _sheets(user, campaign: Campaign, cluster_ids: Sequence[int]):
    return (
        permissions.visible_sheets(user)
        .filter(cluster__campaign_id=campaign.pk, cluster_id__in=cluster_ids)
        .values("pk")
    )


def _points(value) -> str:
    """Points as the sheet shows them: decimal comma in Vietnamese, no trailing zeros."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return text.replace(".", str(formats.get_format("DECIMAL_SEPARATOR")))


def _value(name: str, value) -> str:
    if value is None:
        return "—"
    if name == "passed":
        return pgettext("criterion", "Passed") if value else _("Not passed")
    if name == "violated":
        return _("Happened") if value else _("Did not happen")
    return _points(value) if hasattr(value, "normalize") else str(value)


def _inputs(record) -> str:
    """The record's inputs as the sheet shows them: "49/50" for a rate, "12 → 10" for a
    reduction (baseline → actual), the value itself otherwise."""
    try:
        names = forms.input_fields(record.criterion)
    except ValueError:  # a criterion the publishing checks would refuse
        return ""
    values = [_value(name, getattr(record, INPUT_FIELDS[name])) for name in names]
    if all(v == "—" for v in values):
        return ""
    return (" / " if record.criterion.metric == "rate" else " → ").join(values)


def entry_events(user, campaign: Campaign, cluster_ids: Sequence[int], limit: int) -> list[Event]:
    """A score entered or changed: "A scored criterion 1.2 of X (stage): 8 → 9"."""
    records = with_previous(
        ScoreEntry.history.filter(
            history_type="~", sheet_id__in=_sheets(user, campaign, cluster_ids)
        ),
        ["points"],
    )
    rows = records.select_related("history_user", "criterion", "sheet__unit").order_by(
        "-history_date", "-history_id"
    )[:limit]
    events = []
    for record in rows:
        params = {
            "who": who(record.history_user),
            "code": record.criterion.code,
            "unit": record.sheet.unit.name,
            "stage": Stage(record.sheet.stage).label,
            "before": _points(record.before_points),
            "after": _points(record.points),
        }
        params["inputs"] = _inputs(record)
        if params["inputs"] and record.before_points == record.points:
            # Inputs stored before their points are computed (an import, a file): the inputs.
            text = _("%(who)s entered %(inputs)s for criterion %(code)s of %(unit)s (%(stage)s).")
        elif record.before_points == record.points:
            text = _("%(who)s changed the inputs of criterion %(code)s of %(unit)s (%(stage)s).")
        else:
            text = _(
                "%(who)s scored criterion %(code)s of %(unit)s (%(stage)s): %(before)s → %(after)s"
            )
        events.append(
            Event(
                record.history_date,
                params["who"],
                text % params,
                reverse("sheet_detail", args=[record.sheet_id]),
                ("entry", record.history_id),
            )
        )
    return events


SHEET_TEXTS = {
    SheetStatus.SUBMITTED: lambda: _("%(who)s submitted the %(stage)s sheet of %(unit)s."),
    SheetStatus.RETURNED: lambda: _(
        "%(who)s returned the %(stage)s sheet of %(unit)s for correction."
    ),
    SheetStatus.LOCKED: lambda: _("%(who)s published the %(stage)s results of %(unit)s."),
}


def sheet_events(user, campaign: Campaign, cluster_ids: Sequence[int], limit: int) -> list[Event]:
    """A sheet submitted, returned for correction or published (its status changed)."""
    records = with_previous(
        ScoreSheet.history.filter(id__in=_sheets(user, campaign, cluster_ids)), ["status"]
    )
    rows = records.select_related("history_user", "unit").order_by("-history_date", "-history_id")
    events = []
    for record in rows[: limit * 3]:
        if record.status == record.before_status or record.status not in SHEET_TEXTS:
            continue
        params = {
            "who": who(record.history_user),
            "stage": str(Stage(record.stage).label).lower(),
            "unit": record.unit.name,
        }
        events.append(
            Event(
                record.history_date,
                params["who"],
                SHEET_TEXTS[record.status]() % params,
                reverse("sheet_detail", args=[record.id]),
                ("sheet", record.history_id),
            )
        )
    return events[:limit]


def explanation_events(
    user, campaign: Campaign, cluster_ids: Sequence[int], limit: int
) -> list[Event]:
    """An explanation written or changed."""
    rows = (
        Explanation.history.filter(
            history_type__in=["+", "~"],
            entry__sheet_id__in=_sheets(user, campaign, cluster_ids),
        )
        .select_related("history_user", "entry__criterion", "entry__sheet__unit")
        .order_by("-history_date", "-history_id")[:limit]
    )
    events = []
    for record in rows:
        params = {
            "who": who(record.history_user),
            "code": record.entry.criterion.code,
            "unit": record.entry.sheet.unit.name,
        }
        if record.history_type == "+":
            text = _("%(who)s explained the score of criterion %(code)s of %(unit)s.")
        else:
            text = _("%(who)s changed the explanation of criterion %(code)s of %(unit)s.")
        events.append(
            Event(
                record.history_date,
                params["who"],
                text % params,
                reverse("sheet_detail", args=[record.entry.sheet_id]),
                ("explanation", record.history_id),
            )
        )
    return events
