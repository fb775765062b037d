"""Notifications (clusters.services.notices, clusters.notices, clusters.tasks, the bell, the
list, the settings, one-click reminders and send_reminders; docs/notifications.md)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from clusters import todo
from clusters.auth import NoticeCountBackend
from clusters.context_processors import notifications as bell_context
from clusters.enums import MemberRole, NoticeKind, PeriodKind, Phase
from clusters.models import Campaign, Notification
from clusters.notices import notice_text
from clusters.services import deadlines as deadline_services
from clusters.services import notices
from clusters.services import organisation as organisation_services
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _notify(users, campaign, key="k:1", **extra):
    return notices.notify(
        users=users,
        kind=NoticeKind.REMINDER,
        campaign=campaign,
        url="/my-sheet/",
        key=key,
        phase=Phase.SELF_ASSESSMENT,
        period=PeriodKind.YEAR_END,
        year=campaign.year,
        unit="Phòng Đắk Mil",
        sender="Cán bộ",
        **extra,
    )


@pytest.fixture
def other(org):
    """Another organiser (a second province) with its own campaign, staff and officer."""

    class Other:
        pass

    o = Other()
    o.province = UnitFactory(code="CAK", kind="province")
    o.campaign = CampaignFactory(organiser=o.province, year=2023)
    o.cluster = ClusterFactory(campaign=o.campaign, number=1, code="K1")
    o.unit = UnitFactory(code="K01", parent=o.province)
    MembershipFactory(cluster=o.cluster, unit=o.unit, role=MemberRole.LEADER)
    o.officer = UserFactory(username="k-officer", unit=o.unit)
    o.staff = UserFactory(username="k-staff", unit=UnitFactory(code="PK01", parent=o.province))
    o.staff.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return o


def _recipients(key: str) -> set[str]:
    return set(Notification.objects.filter(key=key).values_list("recipient__username", flat=True))


# --- notify --------------------------------------------------------------------------------


def test_notify_tells_only_those_who_may_see_the_campaign(org, other):
    everyone = [
        org.admin,
        org.staff,
        org.leader,
        org.member,
        org.outsider,
        other.officer,
        other.staff,
    ]

    _notify(everyone, org.campaign)

    assert _recipients("k:1") == {"admin", "staff", "leader", "member", "outsider"}


def test_notify_never_reaches_another_organisers_people_nor_inactive_accounts(org, other):
    org.member.is_active = False
    org.member.save()

    created = _notify([org.member, other.officer, other.staff], org.campaign)

    assert created == []
    assert Notification.objects.count() == 0


def test_notify_twice_with_one_key_tells_each_person_once(org):
    first = _notify([org.member, org.leader], org.campaign)
    again = _notify([org.member, org.leader, org.deputy], org.campaign)

    assert len(first) == 2
    assert [n.recipient for n in again] == [org.deputy]
    assert Notification.objects.filter(key="k:1").count() == 3


def test_notify_refuses_an_unknown_kind(org):
    with pytest.raises(Exception, match="Unknown notification kind"):
        notices.notify(users=[org.member], kind="gossip", campaign=org.campaign, key="x")


def test_viewers_of_a_campaign_cost_three_queries_at_most(org, other, django_assert_num_queries):
    ids = [u.pk for u in (org.admin, org.staff, org.member, other.officer, other.staff)]

    with django_assert_num_queries(3):
        allowed = notices.permissions.campaign_viewers(org.campaign, ids)

    assert allowed == {org.admin.pk, org.staff.pk, org.member.pk}


# --- e-mail --------------------------------------------------------------------------------


@pytest.fixture
def mail_on(settings):
    settings.EMAIL_HOST = "mail.ca.example.vn"
    settings.SITE_URL = "https://thidua.example.vn"
    settings.TASKS = IMMEDIATE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_email_in_vietnamese_with_absolute_links(org, mail_on, django_capture_on_commit_callbacks):
    org.member.email = "member@ca.example.vn"
    org.member.save()

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        created = _notify([org.member], org.campaign, date=dt.date(2023, 11, 10))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@ca.example.vn"]
    assert message.subject.startswith("[Thi đua] ")
    with translation.override("vi"):
        sentence = notice_text(NoticeKind.REMINDER, created[0].params)
    assert sentence in message.body
    # The sentence in the catalogue's Vietnamese, whatever the sender's language.
    assert "Đồng chí Cán bộ nhắc việc (Tổng kết năm 2023)" in message.body
    assert "10/11/2023" in message.body
    assert "Kính gửi" in message.body
    assert "Xem chi tiết: https://thidua.example.vn/my-sheet/" in message.body
    assert "https://thidua.example.vn/notifications/" in message.body
    assert "https://thidua.example.vn/account/notifications/" in message.body
    created[0].refresh_from_db()
    assert created[0].emailed_at is not None


def test_email_only_to_those_who_want_it_and_have_an_address(
    org, mail_on, django_capture_on_commit_callbacks
):
    org.member.email = "member@ca.example.vn"
    org.member.notify_by_email = False
    org.member.save()
    org.leader.email = ""
    org.leader.save()

    with django_capture_on_commit_callbacks(execute=True):
        created = _notify([org.member, org.leader], org.campaign)

    assert len(created) == 2
    assert mail.outbox == []


def test_no_email_without_a_mail_server(org, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = ""
    settings.SITE_URL = "https://thidua.example.vn"
    settings.TASKS = IMMEDIATE
    org.member.email = "member@ca.example.vn"
    org.member.save()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify([org.member], org.campaign)

    assert callbacks == []
    assert mail.outbox == []


def test_email_task_sends_each_notification_once(org, mail_on):
    from clusters.tasks import send_notification_emails

    org.member.email = "member@ca.example.vn"
    org.member.save()
    created = _notify([org.member], org.campaign)

    send_notification_emails.call([created[0].pk])
    send_notification_emails.call([created[0].pk])

    assert len(mail.outbox) == 1


# --- The bell ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 25])
def test_bell_count_costs_no_query_with_the_signed_in_user(org, size, django_assert_num_queries):
    for n in range(size):
        _notify([org.member], org.campaign, key=f"k:{n}")
    request = RequestFactory().get("/")
    request.user = NoticeCountBackend().get_user(org.member.pk)
    context = bell_context(request)

    with django_assert_num_queries(0):
        assert context["unread_notifications"]() == size


@pytest.mark.parametrize("size", [1, 25])
def test_bell_count_otherwise_one_query_once_per_request(org, size, django_assert_num_queries):
    for n in range(size):
        _notify([org.member], org.campaign, key=f"k:{n}")
    request = RequestFactory().get("/")
    request.user = type(org.member).objects.get(pk=org.member.pk)
    context = bell_context(request)

    with django_assert_num_queries(1):
        assert context["unread_notifications"]() == size
        assert context["unread_notifications"]() == size


def test_bell_adds_no_query_to_a_page(client, org, django_assert_num_queries):
    client.force_login(org.member)
    client.get(reverse("notification_settings"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("notification_settings"))
    for n in range(5):
        _notify([org.member], org.campaign, key=f"k:{n}")

    with django_assert_num_queries(len(before)):
        page = client.get(reverse("notification_settings"))

    assert 'data-bell="5"' in page.content.decode()


def test_bell_nothing_for_anonymous_visitors(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert bell_context(request) == {}


def test_bell_in_the_header_names_the_count(client, org):
    _notify([org.member], org.campaign, key="a")
    _notify([org.member], org.campaign, key="b")
    client.force_login(org.member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("home")).content.decode()

    assert 'aria-label="Notifications, 2 unread"' in page
    assert 'data-bell="2"' in page


# --- The list, marking read, settings ---------------------------------------------------------


def test_list_shows_only_ones_own_notifications(client, org):
    _notify([org.member], org.campaign, key="mine")
    _notify([org.leader], org.campaign, key="theirs", comment="x")
    client.force_login(org.member)

    response = client.get(reverse("notification_list"))

    assert response.status_code == 200
    assert [n.key for n in response.context["page"].object_list] == ["mine"]


def test_list_is_paged(client, org):
    for n in range(35):
        _notify([org.member], org.campaign, key=f"k:{n}")
    client.force_login(org.member)

    first = client.get(reverse("notification_list"))
    second = client.get(reverse("notification_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 30
    assert len(second.context["page"].object_list) == 5


def test_mark_read_of_another_persons_notification_answers_404(client, org):
    (theirs,) = _notify([org.leader], org.campaign)
    client.force_login(org.member)

    response = client.post(reverse("notification_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_and_open_goes_to_its_page(client, org):
    (mine,) = _notify([org.member], org.campaign)
    client.force_login(org.member)

    response = client.post(reverse("notification_read", args=[mine.pk]), {"go": "1"})

    assert response.status_code == 302
    assert response["Location"] == "/my-sheet/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mark_read_answers_405_to_get(client, org):
    (mine,) = _notify([org.member], org.campaign)
    client.force_login(org.member)

    assert client.get(reverse("notification_read", args=[mine.pk])).status_code == 405


def test_mark_all_read_touches_only_ones_own(client, org):
    _notify([org.member, org.leader], org.campaign, key="a")
    _notify([org.member], org.campaign, key="b")
    client.force_login(org.member)

    client.post(reverse("notification_read_all"))

    assert notices.unread_count(org.member) == 0
    assert notices.unread_count(org.leader) == 1


def test_settings_turn_email_off(client, org):
    client.force_login(org.member)

    response = client.post(reverse("notification_settings"), {})

    assert response.status_code == 302
    org.member.refresh_from_db()
    assert org.member.notify_by_email is False


# --- One-click reminders ------------------------------------------------------------------


@pytest.fixture
def pending(monkeypatch):
    """Replace the registered "work done" checks: the units listed are those with work."""
    units: list[tuple[int, int]] = []

    def check(period, phase):
        return [todo.PendingWork(cluster_id=c, unit_id=u) for c, u in units]

    monkeypatch.setattr(todo, "_phase_work_checks", [check])
    return units


def _self_assessment(org) -> None:
    Campaign.objects.filter(pk=org.campaign.pk).update(phase=Phase.SELF_ASSESSMENT)
    org.campaign.refresh_from_db()


def test_reminder_to_chosen_units_says_how_many(client, org):
    _self_assessment(org)
    client.force_login(org.staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("reminders_send", args=[org.campaign.pk])
    data = {"phase": Phase.SELF_ASSESSMENT, "units": [org.member_unit.pk]}

    response = client.post(url, data, follow=True)
    again = client.post(url, data, follow=True)

    assert _recipients(Notification.objects.get().key) == {"member"}
    assert "1 unit was reminded of Self-assessment open." in response.content.decode()
    assert "1 unit had already been reminded today." in again.content.decode()
    assert Notification.objects.count() == 1


def test_reminder_in_cluster_scoring_also_tells_the_cluster_leader(org):
    result = notices.reminders_send(
        campaign=org.campaign,
        period=None,
        phase=Phase.CLUSTER_SCORING,
        user=org.staff,
        unit_ids=[org.member_unit.pk],
    )

    assert result.units == 1
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "member",
        "leader",
        "deputy",
    }


def test_reminder_to_all_late_units(org, pending):
    _self_assessment(org)
    pending += [(org.cluster.pk, org.member_unit.pk), (org.cluster.pk, org.leader_unit.pk)]
    deadline = deadline_services.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        due_date=dt.date(2023, 11, 10),
    )
    deadline_services.deadline_extend(
        deadline=deadline,
        unit=org.leader_unit,
        due_date=dt.date(2023, 11, 30),
        reason="Bão",
        user=org.staff,
    )

    result = notices.reminders_send(
        campaign=org.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        user=org.staff,
        all_late=True,
        today=dt.date(2023, 11, 12),
    )

    assert result.units == 1
    (reminder,) = Notification.objects.all()
    assert reminder.recipient == org.member
    assert reminder.params["date"] == "2023-11-10"


def test_reminders_refused_to_a_cluster_leader_and_unknown_to_another_organiser(client, org, other):
    url = reverse("reminders_send", args=[org.campaign.pk])
    data = {"phase": Phase.SELF_ASSESSMENT, "units": [org.member_unit.pk]}

    client.force_login(org.leader)
    assert client.post(url, data).status_code == 403
    client.force_login(other.staff)
    assert client.post(url, data).status_code == 404
    assert Notification.objects.count() == 0


def test_reminders_ignore_units_outside_the_campaign(org, other):
    result = notices.reminders_send(
        campaign=org.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        user=org.staff,
        unit_ids=[other.unit.pk],
    )

    assert (result.units, result.skipped) == (0, 1)
    assert Notification.objects.count() == 0


# --- Phase opened and the daily reminders ----------------------------------------------------


def test_phase_opened_tells_the_campaigns_units_once(org, other):
    organisation_services.campaign_set_phase(campaign=org.campaign, phase=Phase.SELF_ASSESSMENT)
    key = f"phase_opened:{org.campaign.pk}:year_end:self_assessment"

    assert _recipients(key) == {"leader", "deputy", "member", "outsider"}
    _run("--date", "2023-11-01")
    assert Notification.objects.filter(kind=NoticeKind.PHASE_OPENED).count() == 4


def _deadline_world(org, pending):
    _self_assessment(org)
    pending += [(org.cluster.pk, org.member_unit.pk), (org.cluster.pk, org.leader_unit.pk)]
    deadline_services.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        due_date=dt.date(2023, 11, 10),
    )


def _closing() -> set[tuple[str, int]]:
    rows = Notification.objects.filter(kind=NoticeKind.PHASE_CLOSING).select_related("recipient")
    return {(n.recipient.username, n.params["days"]) for n in rows}


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    with translation.override("en"):
        call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_send_reminders_on_the_right_days_to_whoever_still_has_work(org, other, pending):
    _deadline_world(org, pending)

    _run("--date", "2023-11-06")  # 4 days before: nothing
    assert _closing() == set()
    _run("--date", "2023-11-07")  # 3 days before
    assert _closing() == {("member", 3), ("leader", 3)}
    _run("--date", "2023-11-08")  # 2 days before: nothing new
    _run("--date", "2023-11-09")  # 1 day before
    _run("--date", "2023-11-10")  # the day itself: nothing new
    assert _closing() == {("member", 3), ("leader", 3), ("member", 1), ("leader", 1)}
    assert not Notification.objects.filter(recipient__in=[other.officer, other.staff]).exists()


def test_send_reminders_twice_sends_nothing_twice(org, pending):
    _deadline_world(org, pending)

    first = _run("--date", "2023-11-07")
    second = _run("--date", "2023-11-07")

    assert "2023-11-07: 4 phase-opened and 2 deadline notifications sent." in first
    assert "2023-11-07: 0 phase-opened and 0 deadline notifications sent." in second
    assert Notification.objects.filter(kind=NoticeKind.PHASE_CLOSING).count() == 2


def test_send_reminders_dry_run_records_nothing(org, pending):
    _deadline_world(org, pending)

    out = _run("--date", "2023-11-07", "--dry-run")

    assert "2 deadline notifications would be sent" in out
    assert Notification.objects.count() == 0


def test_send_reminders_follows_an_extension(org, pending):
    _deadline_world(org, pending)
    deadline = org.campaign.deadlines.get()
    deadline_services.deadline_extend(
        deadline=deadline,
        unit=org.member_unit,
        due_date=dt.date(2023, 11, 14),
        reason="Lũ",
        user=org.staff,
    )

    _run("--date", "2023-11-07")
    _run("--date", "2023-11-11")

    assert _closing() == {("leader", 3), ("member", 3)}
    member = Notification.objects.get(kind=NoticeKind.PHASE_CLOSING, recipient=org.member)
    assert member.params["date"] == "2023-11-14"


def test_send_reminders_by_the_local_day_without_a_date(org, pending):
    _deadline_world(org, pending)

    # 2023-11-06 at 18:00 UTC is already 7 November in Việt Nam: 3 days before.
    with time_machine.travel(dt.datetime(2023, 11, 6, 18, 0, tzinfo=dt.UTC), tick=False):
        _run()

    assert _closing() == {("member", 3), ("leader", 3)}


def test_send_reminders_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("--date", "7/11/2023")


def test_check_warns_of_a_mail_server_without_site_url(settings):
    from clusters.checks import notification_mail

    settings.EMAIL_HOST = "mail.ca.example.vn"
    settings.SITE_URL = ""
    assert [w.id for w in notification_mail(None)] == ["clusters.W001"]
    settings.SITE_URL = "https://thidua.example.vn"
    assert notification_mail(None) == []
