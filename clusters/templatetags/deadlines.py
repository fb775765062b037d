"""The deadline banner and the days-left words (issue 16; docs/deadlines.md).

    {% load deadlines %}
    {% deadline_banner campaign period cluster=cluster unit=unit %}

shows the deadline of the period's current phase (``period`` None: the year-end review)
that applies to the cluster and unit, with the days left ("còn 3 ngày", "quá hạn 2 ngày"),
the mode, and the links to the .ics file (and, for managers, the deadlines and late-units
pages). One query; nothing when the phase has no deadline.
"""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clusters import permissions
from clusters.enums import Phase
from clusters.services.deadlines import DeadlineState, state_for

register = template.Library()


def days_left_text(due: date, today: date | None = None) -> str:
    """ "3 days left", "due today", "2 days overdue" (in the page's language)."""
    days = (due - (today or timezone.localdate())).days
    if days > 0:
        return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    if days == 0:
        return _("due today")
    late = -days
    return ngettext("%(days)d day overdue", "%(days)d days overdue", late) % {"days": late}


@register.filter
def days_left(value) -> str:
    """``{{ state|days_left }}`` or ``{{ a_date|days_left }}``."""
    if isinstance(value, DeadlineState):
        value = value.due
    if not isinstance(value, date):
        return ""
    return days_left_text(value)


@register.inclusion_tag("includes/deadline_banner.html", takes_context=True)
def deadline_banner(
    context, campaign, period=None, cluster=None, unit=None, state=None, known=False
) -> dict:
    """``known``: the page read ``state`` already (the sheet page: no query here)."""
    if campaign is None:
        return {"state": None}
    phase = campaign.phase if period is None or period.is_year_end else period.phase
    if phase in (Phase.SETUP, Phase.PUBLISHED):
        return {"state": None}
    if not known:
        state = state_for(campaign=campaign, period=period, phase=phase, cluster=cluster, unit=unit)
    if state is None:
        return {"state": None}
    user = context.get("user")
    today = timezone.localdate()
    return {
        "state": state,
        "phase_label": Phase(phase).label,
        "campaign": campaign,
        "days_text": days_left_text(state.due, today),
        "passed": state.passed(today),
        "soon": 0 <= state.days_left(today) <= 3,
        # The page's context says whether the user is staff (no query for unit officers).
        "manages": (context.get("is_administrator") or context.get("is_province_staff"))
        and permissions.manages_campaign(user, campaign),
    }
