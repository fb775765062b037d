"""The cluster's review meeting (họp tổng kết, sơ kết) whose day and place its minutes carry
(scoring.models.ReviewMeeting)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from clusters.models import Cluster, Period
from scoring.models import ReviewMeeting


@transaction.atomic
def meeting_record(
    *, cluster: Cluster, period: Period | None, held_on: dt.date, place: str = ""
) -> ReviewMeeting:
    """Record (or correct) the day and place of ``cluster``'s meeting on ``period`` (None:
    the year-end review). A day outside the review's year or the next is refused with a
    ValidationError and nothing is stored."""
    if period is None:
        period = Period.objects.year_end(cluster.campaign_id)
    meeting = ReviewMeeting.objects.filter(cluster=cluster, period=period).first()
    meeting = meeting or ReviewMeeting(cluster=cluster, period=period)
    meeting.held_on = held_on
    meeting.place = place.strip()
    meeting.full_clean()
    meeting.save()
    return meeting
