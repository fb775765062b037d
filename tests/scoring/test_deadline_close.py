"""Close-mode deadlines in scoring (issue 16; docs/deadlines.md): after the due date, the
saves and submissions of the phase are refused for units without an extension (403 with
the message, nothing stored); staff are not blocked; the check costs no extra query in a
cell save."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from clusters.enums import DeadlineMode, Phase
from clusters.services import deadlines
from scoring import services, workflow
from scoring.deadlines import DeadlineClosed
from scoring.enums import SheetStatus, Stage
from scoring.models import ScoreSheet

D = Decimal
pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
# 2023-11-11 00:30 in Asia/Ho_Chi_Minh is 2023-11-10 17:30 UTC: the day after the due date.
AFTER = "2023-11-10T17:30:00Z"
# 2023-11-10 23:30 in Asia/Ho_Chi_Minh: the last day, still open.
LAST_DAY = "2023-11-10T16:30:00Z"


@pytest.fixture
def own(org, table):
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    return services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF)


def close_on(org, day=date(2023, 11, 10), cluster=None, mode=DeadlineMode.CLOSE):
    return deadlines.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        due_date=day,
        mode=mode,
        cluster=cluster,
    )


def entry(sheet, code):
    return sheet.entries.select_related("criterion", "sheet").get(criterion__code=code)


def save(client, sheet, code="I.1", value="9"):
    e = entry(sheet, code)
    return client.post(
        reverse("sheet_entry_save", args=[sheet.pk, e.pk]),
        {"points": value, "version": str(e.version)},
        **HTMX,
    )


@time_machine.travel(LAST_DAY, tick=False)
def test_save_on_the_last_day_is_stored(client, org, own):
    close_on(org)
    client.force_login(org.member)

    response = save(client, own)

    assert response.status_code == 200
    assert entry(own, "I.1").input_points == D(9)


@time_machine.travel(AFTER, tick=False)
def test_save_after_a_closing_deadline_is_refused_and_changes_nothing(client, org, own):
    close_on(org)
    client.force_login(org.member)
    client.cookies["django_language"] = "en"

    response = save(client, own)

    assert response.status_code == 403
    assert "10/11/2023" in response.content.decode()
    assert "input is now closed" in response.content.decode()
    stored = entry(own, "I.1")
    assert (stored.input_points, stored.version) == (None, 1)


@time_machine.travel(AFTER, tick=False)
def test_save_without_htmx_after_closing_answers_a_page_with_the_message(client, org, own):
    close_on(org)
    client.force_login(org.member)
    e = entry(own, "I.1")

    response = client.post(
        reverse("sheet_entry_save", args=[own.pk, e.pk]), {"points": "9", "version": "1"}
    )

    assert response.status_code == 403
    assert "data-deadline-refused" in response.content.decode()
    assert entry(own, "I.1").input_points is None


@time_machine.travel(AFTER, tick=False)
def test_warn_mode_only_warns(client, org, own):
    close_on(org, mode=DeadlineMode.WARN)
    client.force_login(org.member)

    response = save(client, own)

    assert response.status_code == 200
    assert entry(own, "I.1").input_points == D(9)


@time_machine.travel(AFTER, tick=False)
def test_submit_after_closing_is_refused(client, org, own):
    services.sheet_fill(
        sheet=own,
        values={
            "I.1": {"points": D(1)},
            "I.2": {"numerator": 1, "denominator": 1},
            "I.3": {"numerator": 1, "denominator": 1},
            "B": {"count": 0},
            "T": {"points": D(0)},
            "V": {"violated": False},
        },
    )
    services.recompute_scope(ScoreSheet.objects.filter(pk=own.pk))
    close_on(org)
    client.force_login(org.member)

    response = client.post(reverse("sheet_submit", args=[own.pk]))

    assert response.status_code == 403
    own.refresh_from_db()
    assert own.status == SheetStatus.DRAFT


@time_machine.travel(AFTER, tick=False)
def test_an_extension_reopens_input_for_that_unit_only(client, org, own):
    deadline = close_on(org)
    deadlines.deadline_extend(
        deadline=deadline,
        unit=org.member_unit,
        due_date=date(2023, 11, 15),
        reason="Mất điện",
        user=org.staff,
    )
    leader_sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.leader_unit, stage=Stage.SELF
    )
    client.force_login(org.member)
    assert save(client, own).status_code == 200
    assert entry(own, "I.1").input_points == D(9)

    client.force_login(org.leader)
    assert save(client, leader_sheet).status_code == 403


@time_machine.travel(AFTER, tick=False)
def test_a_cluster_deadline_overrides_the_campaigns(client, org, own):
    close_on(org)
    close_on(org, day=date(2023, 11, 20), cluster=org.cluster)
    client.force_login(org.member)

    assert save(client, own).status_code == 200


@time_machine.travel(AFTER, tick=False)
def test_services_refuse_an_officer_but_not_staff_or_the_system(org, own):
    close_on(org)
    e = entry(own, "I.1")
    with pytest.raises(DeadlineClosed):
        services.entry_update(entry=e, user=org.member, values={"points": D(3)})
    with pytest.raises(DeadlineClosed):
        services.sheet_fill(sheet=own, values={"I.1": {"points": D(3)}}, user=org.member)
    services.entry_update(entry=entry(own, "I.1"), user=org.staff, values={"points": D(4)})
    services.sheet_fill(sheet=own, values={"I.1": {"points": D(5)}}, user=None)
    assert entry(own, "I.1").input_points == D(5)


@time_machine.travel(AFTER, tick=False)
def test_explanations_close_with_their_phase(org, table):
    org.campaign.phase = Phase.EXPLANATION
    org.campaign.save()
    sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.CLUSTER
    )
    deadlines.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.EXPLANATION,
        due_date=date(2023, 11, 10),
        mode=DeadlineMode.CLOSE,
    )
    with pytest.raises(DeadlineClosed):
        workflow.explanation_write(entry=entry(sheet, "I.1"), user=org.member, text="Lý do")


def test_a_cell_save_costs_no_extra_query_with_a_deadline(org, own, django_assert_num_queries):
    e = entry(own, "I.1")
    services.entry_update(entry=e, user=org.member, values={"points": D(1)})
    e = entry(own, "I.1")
    with django_assert_num_queries(7) as without:
        services.entry_update(entry=e, user=org.member, values={"points": D(2)})
    close_on(org, day=date(2999, 1, 1))
    e = entry(own, "I.1")
    with django_assert_num_queries(len(without.captured_queries)):
        services.entry_update(entry=e, user=org.member, values={"points": D(3)})


@time_machine.travel(AFTER, tick=False)
def test_grid_cell_after_a_closing_deadline_answers_422_and_changes_nothing(client, org, table):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.CLUSTER
    )
    deadlines.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.CLUSTER_SCORING,
        due_date=date(2023, 11, 10),
        mode=DeadlineMode.CLOSE,
    )
    e = entry(sheet, "I.1")
    client.force_login(org.leader)
    client.cookies["django_language"] = "en"

    response = client.post(
        reverse("grid_cell_save", args=[org.cluster.pk, Stage.CLUSTER, e.pk]),
        {"field": "points", "value": "12", "version": e.version},
        **HTMX,
    )

    assert response.status_code == 422
    assert "input is now closed" in response.content.decode()
    assert entry(sheet, "I.1").input_points is None


@time_machine.travel(AFTER, tick=False)
def test_the_six_month_reviews_deadline_closes_its_own_sheets_only(org, table):
    from clusters.models import Period
    from scoring.services.periods import period_set_phase, six_month_add

    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    six = six_month_add(campaign=org.campaign, tables="copy", user=org.staff)
    for table_ in six.score_tables.all():
        services.table_publish(table=table_)
    period_set_phase(period=six, phase=Phase.SELF_ASSESSMENT, user=org.staff)
    six = Period.objects.get(pk=six.pk)
    deadlines.deadline_set(
        campaign=org.campaign,
        period=six,
        phase=Phase.SELF_ASSESSMENT,
        due_date=date(2023, 11, 10),
        mode=DeadlineMode.CLOSE,
    )
    six_sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF, period=six
    )
    year_sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF
    )

    with pytest.raises(DeadlineClosed):
        services.entry_update(entry=entry(six_sheet, "I.1"), user=org.member, values={"points": 1})
    services.entry_update(entry=entry(year_sheet, "I.1"), user=org.member, values={"points": 2})
    assert entry(year_sheet, "I.1").input_points == D(2)


@time_machine.travel(AFTER, tick=False)
def test_the_sheet_page_is_read_only_once_closed_and_says_why(client, org, own):
    e = entry(own, "I.1")
    client.force_login(org.member)
    client.cookies["django_language"] = "en"
    url = reverse("sheet_detail", args=[own.pk])
    assert f'id="e{e.pk}-points"' in client.get(url).content.decode()

    close_on(org)
    response = client.get(url)

    page = response.content.decode()
    assert response.context["can_edit"] is False
    assert response.context["can_submit"] is False
    assert f'id="e{e.pk}-points"' not in page
    assert "input is now closed" in page
    assert 'data-deadline-mode="close"' in page
