"""Recent activity of a cluster or a campaign (issue 16 point 4): who did what, when, read
from the change history (django-simple-history), newest first, only what the reader may see.

Each kind of record is read by a *source*: a function given the reader, the campaign, the
ids of the clusters in question (those the reader may see) and how many events it needs at
most; it returns its newest events, each already a sentence. clusters reads the campaign's
phase changes; scoring registers its sources (scores entered, sheets submitted, returned and
published, explanations) from ScoringConfig.ready, so clusters imports no upper floor. Each
source reads with one query whatever the size of the history; a page merges the sources'
events, so a page costs the same number of queries whichever page it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import Lag
from django.utils.translation import gettext as _

from clusters.enums import Phase
from clusters.models import Campaign

PER_PAGE = 25
MAX_PAGES = 40  # a page reads PER_PAGE × page events of each source: older history is in the admin


@dataclass(frozen=True)
class Event:
    """One thing done: when, by whom (a name, or "the system"), as a sentence, with a link."""

    when: dt.datetime
    who: str
    text: str
    url: str | None = None
    key: tuple = ()  # breaks ties in the order (same instant): (kind, record id)


Source = Callable[[object, Campaign, Sequence[int], int], list[Event]]
_sources: list[Source] = []


def register_recent_source(source: Source) -> Source:
    if source not in _sources:
        _sources.append(source)
    return source


def who(user) -> str:
    """The name an event shows for the user who did it."""
    if user is None:
        return _("The system")
    return user.get_full_name() or user.get_username()


@dataclass
class RecentPage:
    events: list[Event]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_number(value: str | None) -> int:
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGES)


def recent(user, campaign: Campaign, cluster_ids: Sequence[int], number: int = 1) -> RecentPage:
    """Page ``number`` of the events of ``campaign`` about ``cluster_ids``, newest first."""
    needed = PER_PAGE * number + 1
    events: list[Event] = []
    for source in _sources:
        events += source(user, campaign, list(cluster_ids), needed)
    events.sort(key=lambda e: (e.when, e.key), reverse=True)
    start = PER_PAGE * (number - 1)
    return RecentPage(
        events=events[start : start + PER_PAGE],
        number=number,
        has_next=len(events) > start + PER_PAGE and number < MAX_PAGES,
    )


def with_previous(records, names: Sequence[str], partition: str = "id"):
    """``records`` (a history queryset) with ``before_<name>`` for each name: the value in
    the same object's previous record (a window over the object's history, so the record
    before is found even when it is older than the page)."""
    order = [F("history_date").asc(), F("history_id").asc()]
    return records.annotate(
        **{
            f"before_{name}": Window(Lag(name), partition_by=[F(partition)], order_by=order)
            for name in names
        }
    )


# --- What clusters provides: the campaign's phases -------------------------------------------


@register_recent_source
def _phases(user, campaign: Campaign, cluster_ids: Sequence[int], limit: int) -> list[Event]:
    records = with_previous(Campaign.history.filter(id=campaign.pk), ["phase"])
    rows = list(
        records.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 2]
    )
    events = []
    for record in rows:
        if record.before_phase in (None, record.phase):
            continue
        text = _("%(who)s moved the campaign to the phase “%(phase)s”.") % {
            "who": who(record.history_user),
            "phase": Phase(record.phase).label,
        }
        events.append(
            Event(record.history_date, who(record.history_user), text, None, ("phase", record.pk))
        )
    return events[:limit]
