"""Who may see background work outside its own pages — the one place these rules live.

The job pages themselves (``jobs.views``) show a user their own jobs. In the Django admin:
administrators see every job; province staff the jobs of the campaigns they manage
(``clusters.permissions.managed_campaigns``), whoever started them; nobody else any. Workers'
heartbeats are for administrators. Nobody changes a job's progress by hand: only the task
running it does.
"""

from __future__ import annotations

from django.db.models import QuerySet

from clusters import permissions as org
from clusters.models import User
from jobs.models import JobProgress


def can_see_jobs(user: User) -> bool:
    """May open the list of background jobs in the admin (perhaps empty)."""
    return org.is_administrator(user) or org.is_province_staff(user)


def admin_jobs(user: User) -> QuerySet[JobProgress]:
    """The jobs the user sees in the admin."""
    if org.is_administrator(user):
        return JobProgress.objects.all()
    if org.is_province_staff(user):
        return JobProgress.objects.filter(campaign__in=org.managed_campaigns(user))
    return JobProgress.objects.none()


def can_see_workers(user: User) -> bool:
    return org.is_administrator(user)
