"""Notifications in the browser (issue 16 point 3; docs/notifications.md).

- ``notification_list``: the signed-in user's notifications, newest first, paged;
- ``notification_read``: mark one read (POST) and go to its page, or back to the list;
- ``notification_read_all``: mark every one read (POST);
- ``notification_settings``: whether they also come by e-mail;
- ``reminders_send``: the staff's one-click reminder to units (POST), from the late units'
  page and the campaign's overview.

A user only ever reaches their own notifications: another's answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clusters import permissions
from clusters.enums import PeriodKind, Phase
from clusters.models import Notification, Period
from clusters.notices import text_of
from clusters.services import notices as notice_services

PAGE_SIZE = 30


class NotificationSettingsForm(forms.Form):
    notify_by_email = forms.BooleanField(
        label=gettext_lazy("Also send my notifications by e-mail"),
        required=False,
        help_text=gettext_lazy(
            "To the e-mail address of your account, when the installation has a mail server."
        ),
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user).order_by(
        "-created_at", "-pk"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    for notification in page.object_list:
        notification.text = text_of(notification)
    context = {
        "page": page,
        "unread": notice_services.unread_count(request.user),
        "email_enabled": notice_services.email_enabled(),
    }
    return render(request, "clusters/notices/list.html", context)


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notice_services.notification_mark_read(notification=notification, user=request.user)
    if request.POST.get("go") and notification.url.startswith("/"):
        return redirect(notification.url)
    return redirect(_safe_next(request, reverse("notification_list")))


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notice_services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    return redirect(_safe_next(request, reverse("notification_list")))


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = NotificationSettingsForm(
        # An unticked box sends nothing: a POST is a bound form even when empty.
        request.POST if request.method == "POST" else None,
        initial={"notify_by_email": user.notify_by_email},
    )
    if request.method == "POST" and form.is_valid():
        notice_services.notification_preferences_set(
            user=user, notify_by_email=form.cleaned_data["notify_by_email"]
        )
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notification_settings")
    context = {"form": form, "email_enabled": notice_services.email_enabled()}
    return render(request, "clusters/notices/settings.html", context)


@require_POST
@login_required
def reminders_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind units of a phase's work: ``phase``, ``period`` (a PeriodKind, the year-end
    review by default), and ``units`` (ids, repeated) or ``all_late=1``; back to ``next``
    with a message saying how many units were reminded. Staff of the organiser only."""
    campaign = permissions.campaign_for(request.user, pk)
    if not permissions.manages_campaign(request.user, campaign):
        raise PermissionDenied
    kind = request.POST.get("period") or PeriodKind.YEAR_END
    if kind not in PeriodKind.values:
        return HttpResponse(_("Unknown review."), status=400)
    if kind == PeriodKind.YEAR_END:
        period = Period.objects.year_end(campaign)
    else:
        period = get_object_or_404(Period, campaign=campaign, kind=kind)
    phase = request.POST.get("phase") or period.current_phase
    all_late = request.POST.get("all_late") == "1"
    try:
        unit_ids = [int(u) for u in request.POST.getlist("units")]
    except ValueError:
        return HttpResponse(_("Unknown unit."), status=400)
    back = _safe_next(request, reverse("campaign_overview", args=[campaign.pk]))
    if not all_late and not unit_ids:
        messages.warning(request, _("Choose the units to remind."))
        return redirect(back)
    try:
        done = notice_services.reminders_send(
            campaign=campaign,
            period=period,
            phase=phase,
            user=request.user,
            unit_ids=unit_ids,
            all_late=all_late,
        )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    if done.units:
        messages.success(
            request,
            ngettext(
                "%(count)d unit was reminded of %(phase)s.",
                "%(count)d units were reminded of %(phase)s.",
                done.units,
            )
            % {"count": done.units, "phase": Phase(phase).label},
        )
    if done.already:
        messages.info(
            request,
            ngettext(
                "%(count)d unit had already been reminded today.",
                "%(count)d units had already been reminded today.",
                done.already,
            )
            % {"count": done.already},
        )
    if not done.units and not done.already:
        messages.warning(request, _("Nobody was reminded: no unit with an account to remind."))
    return redirect(back)


urlpatterns = [
    path("notifications/", notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", notification_read, name="notification_read"),
    path("notifications/read-all/", notification_read_all, name="notification_read_all"),
    path("account/notifications/", notification_settings, name="notification_settings"),
    path("campaigns/<int:pk>/reminders/", reminders_send, name="reminders_send"),
]
