"""Deadlines of a campaign (issue 16; docs/deadlines.md).

- ``campaign_deadlines``: the campaign's deadlines per review and phase, campaign-wide and
  per cluster, with each unit's extensions (their history); managers set, extend and
  remove them here (POST).
- ``deadline_extend``, ``deadline_delete``: POST from that page.
- ``campaign_deadlines_ics``: an iCalendar file (RFC 5545) of the deadlines the user may
  see, with the dates that apply to the user's unit (its cluster's own, its extensions).
- ``campaign_late``: per cluster and unit, who is late with the current phase's work, with
  the reminder buttons (POST to ``reminders_send``).
- ``deadline_refused``: the answer of a write refused because the deadline closed input.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters import permissions
from clusters.enums import PeriodKind, Phase
from clusters.forms.deadlines import DeadlineForm, ExtensionForm
from clusters.models import (
    Campaign,
    Cluster,
    Deadline,
    DeadlineExtension,
    Membership,
    Period,
    Unit,
)
from clusters.models.periods import period_words
from clusters.services import deadlines as services

# --- Shared -----------------------------------------------------------------------------------


def deadline_refused(request: HttpRequest, error: ValidationError, back: str = "") -> HttpResponse:
    """403 with the message: as text for htmx (the page's script shows it), else a page."""
    message = " ".join(error.messages)
    if request.headers.get("HX-Request"):
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    context = {"message": message, "back": back or reverse("home")}
    return render(request, "clusters/deadlines/refused.html", context, status=403)


def _managed(request: HttpRequest, pk: int) -> Campaign:
    campaign = permissions.campaign_for(request.user, pk)
    if not permissions.manages_campaign(request.user, campaign):
        raise PermissionDenied
    return campaign


def reminders_url(campaign: Campaign) -> str:
    """task F's reminder view, when it is installed."""
    try:
        return reverse("reminders_send", args=[campaign.pk])
    except NoReverseMatch:
        return ""


# --- The page ---------------------------------------------------------------------------------


def _page(request: HttpRequest, campaign: Campaign, form: DeadlineForm, status: int = 200):
    deadlines = list(
        Deadline.objects.filter(campaign=campaign)
        .select_related("period", "cluster")
        .order_by("period__kind", "due_date", "phase", "cluster__number")
    )
    extensions = defaultdict(list)
    for extension in (
        DeadlineExtension.objects.filter(deadline__campaign=campaign)
        .select_related("unit", "created_by")
        .order_by("unit__code", "-created_at", "-pk")
    ):
        extensions[extension.deadline_id].append(extension)
    members = list(
        Membership.objects.filter(campaign=campaign).select_related("unit").order_by("unit__code")
    )
    units_of: dict[int | None, list[int]] = defaultdict(list)
    for m in members:
        units_of[m.cluster_id].append(m.unit_id)
        units_of[None].append(m.unit_id)
    units = Unit.objects.filter(memberships__campaign=campaign).order_by("code")
    today = timezone.localdate()
    for d in deadlines:
        d.extension_list = extensions[d.pk]
        seen = set()
        for e in d.extension_list:
            e.current = e.unit_id not in seen  # the latest of the unit's counts
            seen.add(e.unit_id)
        d.days_left = (d.due_date - today).days
        d.period.campaign = campaign
        allowed = units.filter(pk__in=units_of[d.cluster_id]) if d.cluster_id else units
        d.extend_form = ExtensionForm(units=allowed, prefix=f"extend-{d.pk}")
    context = {
        "campaign": campaign,
        "deadlines": deadlines,
        "form": form,
        "today": today,
    }
    return render(request, "clusters/deadlines/page.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def campaign_deadlines(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's deadlines; POST sets one (campaign-wide or a cluster's own)."""
    campaign = _managed(request, pk)
    if request.method != "POST":
        return _page(request, campaign, DeadlineForm(campaign=campaign))
    form = DeadlineForm(request.POST, campaign=campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.deadline_set(
                campaign=campaign,
                period=data["period"],
                phase=data["phase"],
                cluster=data["cluster"],
                due_date=data["due_date"],
                mode=data["mode"],
                user=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The deadline was saved."))
            return redirect("campaign_deadlines", pk=campaign.pk)
    return _page(request, campaign, form, status=422)


def _deadline(request: HttpRequest, pk: int, deadline_pk: int) -> Deadline:
    campaign = _managed(request, pk)
    deadline = get_object_or_404(
        Deadline.objects.select_related("period", "cluster"), pk=deadline_pk, campaign=campaign
    )
    deadline.campaign = campaign
    return deadline


@require_POST
@login_required
def deadline_extend(request: HttpRequest, pk: int, deadline_pk: int) -> HttpResponse:
    """Give one unit more time (``extend-<id>-unit``, ``-due_date``, ``-reason``)."""
    deadline = _deadline(request, pk, deadline_pk)
    units = Unit.objects.filter(memberships__campaign_id=deadline.campaign_id)
    if deadline.cluster_id:
        units = units.filter(memberships__cluster_id=deadline.cluster_id)
    form = ExtensionForm(request.POST, units=units, prefix=f"extend-{deadline.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.deadline_extend(
                deadline=deadline,
                unit=data["unit"],
                due_date=data["due_date"],
                reason=data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(unit)s has until %(date)s.")
                % {"unit": data["unit"].label, "date": data["due_date"].strftime("%d/%m/%Y")},
            )
    else:
        errors = [m for field in form.errors.values() for m in field]
        messages.error(request, " ".join(errors))
    return redirect(reverse("campaign_deadlines", args=[pk]) + f"#deadline-{deadline.pk}")


@require_POST
@login_required
def deadline_delete(request: HttpRequest, pk: int, deadline_pk: int) -> HttpResponse:
    """Remove a deadline (its extensions go with it; the history keeps it)."""
    deadline = _deadline(request, pk, deadline_pk)
    services.deadline_delete(deadline=deadline, user=request.user)
    messages.success(request, _("The deadline was removed."))
    return redirect("campaign_deadlines", pk=pk)


# --- The calendar file --------------------------------------------------------------------------

# What a calendar shows (always Vietnamese, like the documents): "Hạn tự chấm điểm".
PHASE_WORDS = {
    Phase.SIGNING: "Hạn ký kết giao ước thi đua",
    Phase.SELF_ASSESSMENT: "Hạn tự chấm điểm",
    Phase.CLUSTER_SCORING: "Hạn cụm chấm điểm",
    Phase.EXPLANATION: "Hạn giải trình",
    Phase.FINAL_REVIEW: "Hạn phúc tra",
}


def visible_deadlines(user, campaign: Campaign) -> list[tuple[Deadline, services.DeadlineState]]:
    """The deadlines ``user`` may see, each with the date that applies to them: every one
    for the campaign's managers; for a unit's officers the one that applies to their cluster
    (its own, else the campaign's) with their unit's extension. Three queries."""
    book = services.DeadlineBook.load([campaign.pk])
    if permissions.manages_campaign(user, campaign):
        return [
            (d, book.state(period_id=d.period_id, phase=d.phase, cluster_id=d.cluster_id))
            for d in book.deadlines
        ]
    cluster_ids = list(
        permissions.visible_clusters(user).filter(campaign=campaign).values_list("pk", flat=True)
    )
    unit_id = user.unit_id
    shown: dict[int, tuple[Deadline, services.DeadlineState]] = {}
    keys = {(d.period_id, d.phase) for d in book.deadlines}
    by_pk = {d.pk: d for d in book.deadlines}
    for period_id, phase in sorted(keys):
        for cluster_id in cluster_ids or [None]:
            state = book.state(
                period_id=period_id, phase=phase, cluster_id=cluster_id, unit_id=unit_id
            )
            if state is not None:
                shown.setdefault(state.deadline_id, (by_pk[state.deadline_id], state))
    return sorted(shown.values(), key=lambda pair: (pair[1].due, pair[0].phase))


def _ics_text(value: str) -> str:
    """RFC 5545 section 3.3.11: backslash, semicolon, comma and newline escaped."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space (section 3.1), never
    cutting a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def calendar(
    campaign: Campaign, pairs: list[tuple[Deadline, services.DeadlineState]], host: str, link: str
) -> str:
    """The iCalendar text: one all-day event per deadline on the date that applies."""
    host = host.split(":")[0] or "thidua"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Thi dua//Deadlines//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_text(f'Hạn thi đua {campaign.year} – {campaign.organiser.name}')}",
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
    ]
    for deadline, state in pairs:
        review = period_words(deadline.period.kind, campaign.year)
        summary = f"{PHASE_WORDS.get(deadline.phase, 'Hạn')} – {review}"
        if deadline.cluster_id:
            summary += f" ({deadline.cluster.label})"
        description = f"{campaign.name} ({campaign.year})"
        if state.extended:
            description += f". Được gia hạn đến {state.due:%d/%m/%Y}"
        if deadline.mode == "close":
            description += ". Sau hạn này, việc nhập liệu sẽ bị khóa"
        stamp = deadline.updated_at.astimezone(UTC)
        lines += [
            "BEGIN:VEVENT",
            f"UID:thidua-deadline-{deadline.pk}@{host}",
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{state.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{state.due + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(summary)}",
            f"DESCRIPTION:{_ics_text(description)}",
            f"URL:{link}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


@require_GET
@login_required
def campaign_deadlines_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The deadlines the user may see, as an .ics file for their calendar."""
    campaign = permissions.campaign_for(request.user, pk)
    pairs = visible_deadlines(request.user, campaign)
    clusters = {d.cluster_id for d, _state in pairs if d.cluster_id}
    names = {c.pk: c for c in Cluster.objects.filter(pk__in=clusters)} if clusters else {}
    periods = {p.pk: p for p in Period.objects.filter(campaign=campaign)}
    for deadline, _state in pairs:
        deadline.period = periods[deadline.period_id]
        if deadline.cluster_id:
            deadline.cluster = names[deadline.cluster_id]
    with translation.override("vi"):
        text = calendar(campaign, pairs, request.get_host(), request.build_absolute_uri("/"))
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="han-thi-dua-{campaign.year}.ics"'
    return response


# --- Who is late ----------------------------------------------------------------------------------


@require_GET
@login_required
def campaign_late(request: HttpRequest, pk: int) -> HttpResponse:
    """Per cluster and unit, who is late with the current phase's work of each review,
    with the reminder buttons. Managers only."""
    campaign = _managed(request, pk)
    today = timezone.localdate()
    reviews = []
    clusters = {c.pk: c for c in campaign.clusters.order_by("number")}
    late_all = []
    for period in Period.objects.filter(campaign=campaign).order_by("-kind"):
        period.campaign = campaign
        phase = period.current_phase
        late = services.late_units(campaign, period, phase, today=today)
        late_all += late
        reviews.append({"period": period, "phase": phase, "late": late})
    units = Unit.objects.in_bulk({item.unit_id for item in late_all})
    for review in reviews:
        groups = []
        for cluster_id, items in services.late_units_by_cluster(review["late"]).items():
            rows = [
                {"unit": units[i.unit_id], "state": i.state, "days_late": i.days_late}
                for i in items
            ]
            groups.append({"cluster": clusters.get(cluster_id), "items": rows})
        review["groups"] = groups
        review["phase_label"] = Phase(review["phase"]).label
    context = {
        "campaign": campaign,
        "reviews": reviews,
        "reminders_url": reminders_url(campaign),
        "today": today,
        "year_end": PeriodKind.YEAR_END,
    }
    return render(request, "clusters/deadlines/late.html", context)


urlpatterns = [
    path("campaigns/<int:pk>/deadlines/", campaign_deadlines, name="campaign_deadlines"),
    path(
        "campaigns/<int:pk>/deadlines/<int:deadline_pk>/extend/",
        deadline_extend,
        name="deadline_extend",
    ),
    path(
        "campaigns/<int:pk>/deadlines/<int:deadline_pk>/delete/",
        deadline_delete,
        name="deadline_delete",
    ),
    path("campaigns/<int:pk>/deadlines.ics", campaign_deadlines_ics, name="campaign_deadlines_ics"),
    path("campaigns/<int:pk>/late/", campaign_late, name="campaign_late"),
]
