"""Recent activity of a cluster or a campaign (issue 16 point 4): who did what, when, read
from the change history (django-simple-history), newest first, only what the reader may see.

Each kind of record is read by a *source*: a function given the reader, the campaign, the
ids of the clusters in question (those the reader may see) and how many events it needs at
most; it returns its newest events, each already a sentence. clusters reads the campaign's
phase changes, the clusters' signing records (conference, pledge, signatures, registrations)
and their exchange activities, all seen by whoever sees the cluster (as its page); scoring
registers its sources (scores entered, sheets submitted, returned and published,
explanations) from ScoringConfig.ready, so clusters imports no upper floor. Each source
reads with one query whatever the size of the history; a page merges the sources' events,
so a page costs the same number of queries whichever page it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import Lag
from django.urls import reverse
from django.utils.translation import gettext as _

from clusters.enums import Phase, Title
from clusters.models import (
    Activity,
    Campaign,
    Membership,
    Pledge,
    Registration,
    Signature,
    SigningConference,
)

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
    # The account's full name as the header shows it (User.__str__); Django's get_full_name
    # reads first and last names, which accounts here leave blank, so it gave the login name.
    return str(user)


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


# --- The clusters' signing records and exchange activities ------------------------------------
#
# Whoever may see a cluster sees its signing records and activities (the cluster's page shows
# them all), so ``cluster_ids`` (the clusters the reader may see) is the whole scope. Records
# are added ("+") or changed ("~"); a withdrawn signature ("-") is told too. Each source is one
# query: the history rows with their user and the names the sentence needs.
#
# One action on a page may save a record twice (the conference, then its minutes; a
# signature, then its scanned copy; the pledge, then whether members sign): a change by the
# same person within SAME_ACTION of the record's previous row is that action's, not told again.

SAME_ACTION = dt.timedelta(minutes=1)


def _newest(records, limit: int, *related: str) -> list:
    rows = with_previous(records, ["history_date", "history_user_id"]).select_related(
        "history_user", *related
    )
    kept = []
    for record in rows.order_by("-history_date", "-history_id")[: limit * 2]:
        follows = (
            record.history_type == "~"
            and record.before_history_date is not None
            and record.before_history_user_id == record.history_user_id
            and record.history_date - record.before_history_date < SAME_ACTION
        )
        if not follows:
            kept.append(record)
    return kept[:limit]


def _event(record, kind: str, text: str, params: dict, url: str | None) -> Event:
    return Event(record.history_date, params["who"], text % params, url, (kind, record.history_id))


def _cluster_url(cluster_id: int, anchor: str) -> str:
    return reverse("cluster_detail", args=[cluster_id]) + anchor


@register_recent_source
def _conferences(user, campaign: Campaign, cluster_ids: Sequence[int], limit: int) -> list[Event]:
    """The signing conference recorded or its record (or minutes) corrected."""
    records = SigningConference.history.filter(
        history_type__in=["+", "~"], cluster_id__in=cluster_ids, cluster__campaign_id=campaign.pk
    )
    events = []
    for record in _newest(records, limit, "cluster"):
        params = {"who": who(record.history_user), "cluster": record.cluster.name}
        if record.history_type == "+":
            text = _("%(who)s recorded the signing conference of %(cluster)s.")
        else:
            text = _("%(who)s updated the record of the signing conference of %(cluster)s.")
        url = _cluster_url(record.cluster_id, "#conference")
        events.append(_event(record, "conference", text, params, url))
    return events


@register_recent_source
def _pledges(user, campaign: Campaign, cluster_ids: Sequence[int], limit: int) -> list[Event]:
    """The pledge recorded or changed (its slogan, preamble or who may sign). Its items'
    changes are kept in their own history (the admin), not told one by one."""
    records = Pledge.history.filter(
        history_type__in=["+", "~"], cluster_id__in=cluster_ids, cluster__campaign_id=campaign.pk
    )
    events = []
    for record in _newest(records, limit, "cluster"):
        params = {"who": who(record.history_user), "cluster": record.cluster.name}
        if record.history_type == "+":
            text = _("%(who)s recorded the emulation pledge of %(cluster)s.")
        else:
            text = _("%(who)s changed the emulation pledge of %(cluster)s.")
        events.append(
            _event(record, "pledge", text, params, _cluster_url(record.cluster_id, "#pledge"))
        )
    return events


SIGNATURE_TEXTS = {
    "+": lambda: _("%(who)s recorded the signature of %(unit)s on the pledge of %(cluster)s."),
    "~": lambda: _("%(who)s corrected the signature of %(unit)s on the pledge of %(cluster)s."),
    "-": lambda: _("%(who)s withdrew the signature of %(unit)s from the pledge of %(cluster)s."),
}


@register_recent_source
def _signatures(user, campaign: Campaign, cluster_ids: Sequence[int], limit: int) -> list[Event]:
    """A unit's signature recorded, corrected (its scanned copy attached) or withdrawn."""
    records = Signature.history.filter(
        pledge__cluster_id__in=cluster_ids, pledge__cluster__campaign_id=campaign.pk
    )
    events = []
    for record in _newest(records, limit, "unit", "pledge__cluster"):
        cluster = record.pledge.cluster
        params = {
            "who": who(record.history_user),
            "unit": record.unit.name,
            "cluster": cluster.name,
        }
        text = SIGNATURE_TEXTS[record.history_type]()
        url = _cluster_url(cluster.pk, "#signatures")
        events.append(_event(record, "signature", text, params, url))
    return events


@register_recent_source
def _registrations(user, campaign: Campaign, cluster_ids: Sequence[int], limit: int) -> list[Event]:
    """A unit's registration of titles, told in the clusters it is a member of."""
    cluster_of = Membership.objects.filter(
        campaign_id=campaign.pk, unit_id=OuterRef("unit_id"), cluster_id__in=cluster_ids
    ).values("cluster_id")[:1]
    records = (
        Registration.history.filter(history_type__in=["+", "~"], campaign_id=campaign.pk)
        .annotate(cluster_id=Subquery(cluster_of))
        .filter(cluster_id__isnull=False)
    )
    labels = dict(Title.choices)
    events = []
    for record in _newest(records, limit, "unit"):
        params = {
            "who": who(record.history_user),
            "unit": record.unit.name,
            "titles": ", ".join(str(labels.get(t, t)) for t in record.titles or []) or "—",
        }
        if record.history_type == "+":
            text = _("%(who)s registered %(unit)s for the titles: %(titles)s.")
        else:
            text = _("%(who)s changed the titles %(unit)s registers for: %(titles)s.")
        url = _cluster_url(record.cluster_id, "#registrations")
        events.append(_event(record, "registration", text, params, url))
    return events


@register_recent_source
def _activities(user, campaign: Campaign, cluster_ids: Sequence[int], limit: int) -> list[Event]:
    """An exchange activity of one of the clusters added or changed."""
    linked = Activity.clusters.through.objects.filter(cluster_id__in=cluster_ids)
    records = Activity.history.filter(
        history_type__in=["+", "~"], campaign_id=campaign.pk, id__in=linked.values("activity_id")
    )
    events = []
    for record in _newest(records, limit, "host"):
        params = {
            "who": who(record.history_user),
            "title": record.title,
            "host": record.host.name,
            "date": f"{record.held_on:%d/%m/%Y}",
        }
        if record.history_type == "+":
            text = _(
                "%(who)s added the exchange activity “%(title)s” hosted by %(host)s on %(date)s."
            )
        else:
            text = _("%(who)s changed the exchange activity “%(title)s”.")
        url = reverse("activity_detail", args=[record.id])
        events.append(_event(record, "activity", text, params, url))
    return events
