"""Deadlines, extensions and their reads (clusters.services.deadlines; docs/deadlines.md)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from clusters.enums import DeadlineMode, Phase
from clusters.models import Period
from clusters.services import deadlines as svc
from clusters.templatetags.deadlines import days_left_text
from tests.factories import UnitFactory, UserFactory


def test_due_for_cluster_deadline_overrides_campaign_and_extension_overrides_both(org):
    svc.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 10)
    )
    own = svc.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        due_date=date(2023, 11, 15),
        cluster=org.cluster,
    )
    due = {"campaign": org.campaign, "period": None, "phase": Phase.SELF_ASSESSMENT}
    assert svc.due_for(**due) == date(2023, 11, 10)
    assert svc.due_for(**due, cluster=org.other_cluster) == date(2023, 11, 10)
    assert svc.due_for(**due, cluster=org.cluster) == date(2023, 11, 15)
    svc.deadline_extend(
        deadline=own, unit=org.member_unit, due_date=date(2023, 11, 20), reason="Lũ", user=org.staff
    )
    svc.deadline_extend(
        deadline=own,
        unit=org.member_unit,
        due_date=date(2023, 11, 22),
        reason="Mưa",
        user=org.staff,
    )
    assert svc.due_for(**due, cluster=org.cluster, unit=org.member_unit) == date(2023, 11, 22)
    assert svc.due_for(**due, cluster=org.cluster, unit=org.leader_unit) == date(2023, 11, 15)
    assert svc.due_for(campaign=org.campaign, period=None, phase=Phase.EXPLANATION) is None
    assert own.extensions.count() == 2


def test_due_for_costs_one_query(org, django_assert_num_queries):
    svc.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 10)
    )
    with django_assert_num_queries(1):
        svc.due_for(
            campaign=org.campaign,
            period=None,
            phase=Phase.SELF_ASSESSMENT,
            cluster=org.cluster,
            unit=org.member_unit,
        )


def test_extension_needs_a_reason_a_later_date_and_a_concerned_unit(org):
    deadline = svc.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        due_date=date(2023, 11, 10),
        cluster=org.cluster,
        mode=DeadlineMode.CLOSE,
    )
    with pytest.raises(ValidationError):
        svc.deadline_extend(
            deadline=deadline, unit=org.member_unit, due_date=date(2023, 11, 12), reason=" "
        )
    with pytest.raises(ValidationError):
        svc.deadline_extend(
            deadline=deadline, unit=org.member_unit, due_date=date(2023, 11, 9), reason="x"
        )
    with pytest.raises(ValidationError):
        svc.deadline_extend(
            deadline=deadline, unit=org.outsider_unit, due_date=date(2023, 11, 12), reason="x"
        )


def test_deadline_state_days_left_and_close(org):
    svc.deadline_set(
        campaign=org.campaign,
        period=Period.objects.year_end(org.campaign),
        phase=Phase.SELF_ASSESSMENT,
        due_date=date(2023, 11, 10),
        mode=DeadlineMode.CLOSE,
    )
    state = svc.state_for(campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT)
    assert state.days_left(date(2023, 11, 7)) == 3
    assert state.days_left(date(2023, 11, 10)) == 0
    assert not state.closes_input(date(2023, 11, 10))
    assert state.closes_input(date(2023, 11, 11))
    assert state.days_left(date(2023, 11, 12)) == -2


# --- Days left, pages, the calendar file -----------------------------------------------------


def test_days_left_text():
    from django.utils import translation

    today = date(2023, 11, 7)
    with translation.override("en"):
        assert days_left_text(date(2023, 11, 10), today) == "3 days left"
        assert days_left_text(date(2023, 11, 8), today) == "1 day left"
        assert days_left_text(date(2023, 11, 7), today) == "due today"
        assert days_left_text(date(2023, 11, 5), today) == "2 days overdue"


def english(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"


def test_staff_set_a_deadline_on_the_page(client, org):
    english(client, org.staff)
    period = Period.objects.year_end(org.campaign)

    response = client.post(
        reverse("campaign_deadlines", args=[org.campaign.pk]),
        {
            "deadline-period": period.pk,
            "deadline-phase": Phase.SELF_ASSESSMENT,
            "deadline-cluster": org.cluster.pk,
            "deadline-due_date": "2023-11-10",
            "deadline-mode": DeadlineMode.CLOSE,
        },
    )

    assert response.status_code == 302
    assert svc.due_for(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, cluster=org.cluster
    ) == date(2023, 11, 10)
    assert svc.due_for(campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT) is None


def test_a_bad_deadline_form_answers_422_and_stores_nothing(client, org):
    english(client, org.staff)

    response = client.post(
        reverse("campaign_deadlines", args=[org.campaign.pk]),
        {"deadline-phase": Phase.SETUP, "deadline-due_date": "x"},
    )

    assert response.status_code == 422
    assert not org.campaign.deadlines.exists()


@time_machine.travel("2023-11-08T03:00:00Z", tick=False)
def test_extension_on_the_page_is_kept_in_the_history_and_shown(client, org):
    deadline = svc.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 10)
    )
    english(client, org.staff)
    url = reverse("deadline_extend", args=[org.campaign.pk, deadline.pk])
    for day, reason in (("2023-11-15", "Mưa lũ"), ("2023-11-17", "Mất điện")):
        response = client.post(
            url,
            {
                f"extend-{deadline.pk}-unit": org.member_unit.pk,
                f"extend-{deadline.pk}-due_date": day,
                f"extend-{deadline.pk}-reason": reason,
            },
        )
        assert response.status_code == 302

    page = client.get(reverse("campaign_deadlines", args=[org.campaign.pk])).content.decode()

    assert [(e.due_date, e.reason, e.created_by) for e in deadline.extensions.all()] == [
        (date(2023, 11, 17), "Mất điện", org.staff),
        (date(2023, 11, 15), "Mưa lũ", org.staff),
    ]
    assert "Mưa lũ" in page
    assert "Mất điện" in page
    assert "replaced by a later extension" in page
    assert "2 days left" in page


def test_deadline_pages_are_for_the_organisers_staff(client, org):
    for who, status in (("member", 403), ("leader", 403), ("staff", 200), ("admin", 200)):
        client.force_login(getattr(org, who))
        assert client.get(reverse("campaign_deadlines", args=[org.campaign.pk])).status_code == (
            status
        )
        assert client.get(reverse("campaign_late", args=[org.campaign.pk])).status_code == status


def test_delete_removes_the_deadline(client, org):
    deadline = svc.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 10)
    )
    client.force_login(org.staff)

    response = client.post(reverse("deadline_delete", args=[org.campaign.pk, deadline.pk]))

    assert response.status_code == 302
    assert not org.campaign.deadlines.exists()


def ics_lines(response) -> list[str]:
    text = response.content.decode()
    assert text.endswith("\r\n")
    # Unfold (RFC 5545 section 3.1): a line starting with a space continues the one before.
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_ics_for_a_unit_has_its_clusters_dates_and_its_extension(client, org):
    svc.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 10)
    )
    own = svc.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.CLUSTER_SCORING,
        due_date=date(2023, 11, 25),
        cluster=org.cluster,
        mode=DeadlineMode.CLOSE,
    )
    other = svc.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.CLUSTER_SCORING,
        due_date=date(2023, 11, 28),
        cluster=org.other_cluster,
    )
    svc.deadline_extend(
        deadline=own, unit=org.member_unit, due_date=date(2023, 11, 30), reason="Bão số 5"
    )
    client.force_login(org.member)

    response = client.get(reverse("campaign_deadlines_ics", args=[org.campaign.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    lines = ics_lines(response)
    assert lines[:3] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Thi dua//Deadlines//VI"]
    assert lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 2
    assert "DTSTART;VALUE=DATE:20231110" in lines
    assert "DTEND;VALUE=DATE:20231111" in lines
    assert "DTSTART;VALUE=DATE:20231130" in lines  # the unit's extension
    assert f"UID:thidua-deadline-{own.pk}@testserver" in lines
    assert f"UID:thidua-deadline-{other.pk}@testserver" not in lines  # another cluster's
    assert "SUMMARY:Hạn tự chấm điểm – Tổng kết năm 2023" in lines
    assert any(line.startswith("SUMMARY:Hạn cụm chấm điểm – Tổng kết năm 2023 (") for line in lines)
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert all(len(line.encode()) <= 75 for line in response.content.decode().split("\r\n"))


def test_ics_for_staff_has_every_deadline_and_stable_uids(client, org):
    for cluster in (None, org.cluster, org.other_cluster):
        svc.deadline_set(
            campaign=org.campaign,
            period=None,
            phase=Phase.SELF_ASSESSMENT,
            due_date=date(2023, 11, 10),
            cluster=cluster,
        )
    client.force_login(org.staff)
    url = reverse("campaign_deadlines_ics", args=[org.campaign.pk])

    first = [line for line in ics_lines(client.get(url)) if line.startswith("UID:")]
    again = [line for line in ics_lines(client.get(url)) if line.startswith("UID:")]

    assert len(first) == 3
    assert first == again


def test_ics_outside_the_scope_is_404(client, org):
    other = UnitFactory(code="CAX", kind="province")
    stranger = UserFactory(username="x", unit=UnitFactory(code="X1", parent=other))
    client.force_login(stranger)

    response = client.get(reverse("campaign_deadlines_ics", args=[org.campaign.pk]))

    assert response.status_code == 404


@time_machine.travel("2023-11-12T03:00:00Z", tick=False)
def test_late_units_and_the_late_page(client, org):
    from scoring.enums import Stage
    from scoring.models import ScoreSheet, ScoreTable

    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    table = ScoreTable.objects.create(campaign=org.campaign, title="T", bands=[])
    period = Period.objects.year_end(org.campaign)
    for unit, status in ((org.member_unit, "draft"), (org.leader_unit, "submitted")):
        ScoreSheet.objects.create(
            table=table,
            cluster=org.cluster,
            unit=unit,
            stage=Stage.SELF,
            status=status,
            period=period,
        )
    deadline = svc.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 10)
    )

    # Late: the member (a draft), and the deputy and O1, which have not opened their sheet.
    late = svc.late_units(org.campaign, None, Phase.SELF_ASSESSMENT)
    assert [(x.unit_id, x.days_late) for x in late] == [
        (org.deputy_unit.pk, 2),
        (org.member_unit.pk, 2),
        (org.outsider_unit.pk, 2),
    ]
    assert svc.late_units(org.campaign, None, Phase.CLUSTER_SCORING) == []  # not open

    english(client, org.staff)
    page = client.get(reverse("campaign_late", args=[org.campaign.pk])).content.decode()
    assert 'data-late-unit="M1"' in page
    assert 'data-late-unit="L1"' not in page
    assert reverse("reminders_send", args=[org.campaign.pk]) in page
    assert "data-remind-all" in page

    svc.deadline_extend(
        deadline=deadline, unit=org.member_unit, due_date=date(2023, 11, 13), reason="Bão"
    )
    late = svc.late_units(org.campaign, None, Phase.SELF_ASSESSMENT)
    assert [x.unit_id for x in late] == [org.deputy_unit.pk, org.outsider_unit.pk]


@time_machine.travel("2023-11-08T03:00:00Z", tick=False)
def test_overview_links_staff_to_the_deadlines_and_shows_the_banner(client, org):
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    english(client, org.staff)
    overview = reverse("campaign_overview", args=[org.campaign.pk])

    before = client.get(overview).content.decode()
    svc.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 10)
    )
    after = client.get(overview).content.decode()

    assert reverse("campaign_deadlines", args=[org.campaign.pk]) in before
    assert "deadline-banner" not in before
    assert 'data-deadline="2023-11-10"' in after
    assert "2 days left" in after
    assert reverse("campaign_deadlines_ics", args=[org.campaign.pk]) in after
