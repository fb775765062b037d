"""The sentence of a notification, written in the reader's language when it is read.

A notification stores its kind and the values of its sentence (``Notification.params``),
never a finished text: the bell and the list speak the page's language, the e-mail
Vietnamese (clusters.tasks). Codes (phase, period, stage) are stored as codes and named
here; names of units, clusters and people are stored as they were at the time.
"""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext_lazy

from clusters.enums import NoticeKind, PeriodKind, Phase
from clusters.models.notices import Notification
from clusters.models.periods import period_label


def _phase(code: str) -> str:
    try:
        return str(Phase(code).label)
    except ValueError:
        return code


# What a phase asks of units, as the closing and reminder sentences name it.
PHASE_WORK = {
    Phase.SIGNING: pgettext_lazy("phase work", "Signing the pledges"),
    Phase.SELF_ASSESSMENT: pgettext_lazy("phase work", "Self-assessment"),
    Phase.CLUSTER_SCORING: pgettext_lazy("phase work", "Cluster scoring"),
    Phase.EXPLANATION: pgettext_lazy("phase work", "Explanations"),
    Phase.FINAL_REVIEW: pgettext_lazy("phase work", "Final review"),
}


def _work(code: str) -> str:
    return str(PHASE_WORK[code]) if code in PHASE_WORK else _phase(code)


def _period(params: dict) -> str:
    kind = params.get("period") or PeriodKind.YEAR_END
    year = params.get("year")
    if year is None:
        return ""
    try:
        return period_label(PeriodKind(kind), int(year))
    except ValueError:
        return ""


def _date(value: str | None) -> str:
    if not value:
        return ""
    try:
        return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


def notice_text(kind: str, params: dict) -> str:
    """The sentence of a notification of ``kind`` with ``params``, in the active language."""
    p = {
        "phase": _phase(params.get("phase", "")),
        "work": _work(params.get("phase", "")),
        "period": _period(params),
        "date": _date(params.get("date")),
        "days": int(params.get("days") or 0),
        "unit": params.get("unit", ""),
        "cluster": params.get("cluster", ""),
        "criterion": params.get("criterion", ""),
        "comment": params.get("comment", ""),
        "stage": params.get("stage", ""),
        "number": params.get("number", ""),
        "sender": params.get("sender", ""),
        "campaign": params.get("campaign_name", ""),
    }
    if kind == NoticeKind.PHASE_OPENED:
        return gettext("%(period)s: %(phase)s.") % p
    if kind == NoticeKind.PHASE_CLOSING:
        return (
            ngettext(
                "%(period)s: %(work)s is due on %(date)s, in %(days)d day.",
                "%(period)s: %(work)s is due on %(date)s, in %(days)d days.",
                p["days"],
            )
            % p
        )
    if kind == NoticeKind.SHEET_RETURNED:
        return (
            gettext("The sheet of %(unit)s (%(period)s) was returned for correction: %(comment)s")
            % p
        )
    if kind == NoticeKind.EXPLANATION_ANSWERED:
        return gettext("%(unit)s explained its score on criterion %(criterion)s (%(period)s).") % p
    if kind == NoticeKind.RESULTS_PUBLISHED:
        return gettext("The results of %(cluster)s for %(period)s are published.") % p
    if kind == NoticeKind.DECISION_RECORDED:
        return (
            gettext("Decision %(number)s of %(date)s on the titles of %(campaign)s was recorded.")
            % p
        )
    if kind == NoticeKind.REMINDER:
        if p["date"]:
            return (
                gettext(
                    "Reminder from %(sender)s (%(period)s): %(work)s of %(unit)s is due on "
                    "%(date)s."
                )
                % p
            )
        return (
            gettext("Reminder from %(sender)s (%(period)s): %(work)s of %(unit)s is waiting.") % p
        )
    return str(NoticeKind(kind).label) if kind in NoticeKind.values else kind


def text_of(notification: Notification) -> str:
    return notice_text(notification.kind, notification.params or {})
