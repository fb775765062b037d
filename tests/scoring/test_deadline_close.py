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


# --- The grid and the explanations once closed (read-only for those blocked) -----------------


def close_phase(org, phase, day=date(2023, 11, 10)):
    return deadlines.deadline_set(
        campaign=org.campaign, period=None, phase=phase, due_date=day, mode=DeadlineMode.CLOSE
    )


@pytest.fixture
def scoring_grid(org, table):
    org.campaign.phase = Phase.CLUSTER_SCORING
    org.campaign.save()
    return {
        u.code: services.sheet_get_or_create(cluster=org.cluster, unit=u, stage=Stage.CLUSTER)
        for u in (org.leader_unit, org.deputy_unit, org.member_unit)
    }


def grid_page(client, user, org):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(reverse("grid", args=[org.cluster.pk, Stage.CLUSTER]))


def editable_units(response) -> list[str]:
    return [c["unit"].code for c in response.context["grid"].columns if c["editable"]]


def input_of(page: str, e) -> str:
    start = page.index(f'id="i{e.pk}-points"')
    return page[start : page.index(">", start)]


@time_machine.travel(AFTER, tick=False)
def test_the_grid_is_read_only_once_closed_and_says_why(client, org, scoring_grid):
    member = entry(scoring_grid[org.member_unit.code], "I.1")
    before = grid_page(client, org.leader, org)
    assert org.member_unit.code in editable_units(before)
    assert "readonly" not in input_of(before.content.decode(), member)

    close_phase(org, Phase.CLUSTER_SCORING)
    after = grid_page(client, org.leader, org)

    page = after.content.decode()
    assert editable_units(after) == []
    assert after.context["grid"].editable is False
    assert "readonly" in input_of(page, member)
    assert "The deadline of this phase was 10/11/2023 and input is now closed." in page
    assert after.context["readonly_reason"].startswith("The deadline of this phase was 10/11")
    assert 'data-deadline-mode="close"' in page


@time_machine.travel(LAST_DAY, tick=False)
def test_the_grid_stays_open_on_the_last_day(client, org, scoring_grid):
    close_phase(org, Phase.CLUSTER_SCORING)
    assert org.member_unit.code in editable_units(grid_page(client, org.leader, org))


@time_machine.travel(AFTER, tick=False)
def test_the_grid_keeps_open_the_column_of_a_unit_with_an_extension(client, org, scoring_grid):
    deadline = close_phase(org, Phase.CLUSTER_SCORING)
    open_before = editable_units(grid_page(client, org.leader, org))
    deadlines.deadline_extend(
        deadline=deadline, unit=org.member_unit, due_date=date(2023, 11, 20), reason="Lũ"
    )

    response = grid_page(client, org.leader, org)

    assert open_before == []
    assert editable_units(response) == [org.member_unit.code]
    closed = [c for c in response.context["grid"].columns if c.get("closed")]
    assert closed
    assert all("10/11/2023" in c["lock"] for c in closed)
    assert response.context["readonly_reason"] == ""


@time_machine.travel(AFTER, tick=False)
def test_a_closed_grid_costs_at_most_one_more_query(
    client, org, scoring_grid, django_assert_max_num_queries
):
    warn = deadlines.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.CLUSTER_SCORING,
        due_date=date(2023, 11, 10),
        mode=DeadlineMode.WARN,
    )
    grid_page(client, org.leader, org)  # warm the caches
    with django_assert_max_num_queries(100) as open_page:
        grid_page(client, org.leader, org)
    warned = len(open_page.captured_queries)
    deadlines.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=warn.phase,
        due_date=warn.due_date,
        mode=DeadlineMode.CLOSE,
    )

    with django_assert_max_num_queries(warned + 1):
        response = grid_page(client, org.leader, org)

    assert editable_units(response) == []


@pytest.fixture
def explaining(org, table):
    """The member unit scored itself 10 on I.1, the cluster 4: it may explain (phase
    explanations)."""
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    own = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF)
    services.entry_update(entry=entry(own, "I.1"), user=None, values={"points": D(10)})
    cluster_sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.CLUSTER
    )
    services.entry_update(entry=entry(cluster_sheet, "I.1"), user=None, values={"points": D(4)})
    org.campaign.phase = Phase.EXPLANATION
    org.campaign.save()
    return cluster_sheet


def sheet_page(client, org, sheet):
    client.force_login(org.member)
    client.cookies["django_language"] = "en"
    return client.get(reverse("sheet_detail", args=[sheet.pk]))


@time_machine.travel(AFTER, tick=False)
def test_the_explanation_form_is_hidden_once_closed_and_says_why(client, org, explaining):
    e = entry(explaining, "I.1")
    form = f'action="{reverse("entry_explain", args=[e.pk])}"'
    assert form in sheet_page(client, org, explaining).content.decode()

    close_phase(org, Phase.EXPLANATION)
    response = sheet_page(client, org, explaining)

    page = response.content.decode()
    assert form not in page
    assert not any(row.can_explain for row in response.context["rows"])
    assert "The deadline of this phase was 10/11/2023 and input is now closed." in page


@time_machine.travel(AFTER, tick=False)
def test_the_explanation_form_stays_for_a_unit_with_an_extension(client, org, explaining):
    deadline = close_phase(org, Phase.EXPLANATION)
    deadlines.deadline_extend(
        deadline=deadline, unit=org.member_unit, due_date=date(2023, 11, 20), reason="Lũ"
    )
    e = entry(explaining, "I.1")

    page = sheet_page(client, org, explaining).content.decode()

    assert f'action="{reverse("entry_explain", args=[e.pk])}"' in page
    assert "input is now closed" not in page


@time_machine.travel(AFTER, tick=False)
def test_a_closed_explanations_page_costs_no_more_queries(
    client, org, explaining, django_assert_max_num_queries
):
    sheet_page(client, org, explaining)
    with django_assert_max_num_queries(200) as before:
        sheet_page(client, org, explaining)
    close_phase(org, Phase.EXPLANATION)

    with django_assert_max_num_queries(len(before.captured_queries)):
        response = sheet_page(client, org, explaining)

    assert not any(row.can_explain for row in response.context["rows"])
