"""A unit's record across years (issue 15 point 5): results, titles held (past records and
granted decisions, once each), registration against outcome; the page, its Excel and who
may see it (tests/awards/conftest.py: cluster C1 of 2023 published, L1 95 leading, D1 88,
M1 72)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from awards import history, services, titles
from awards.enums import DecisionOutcome, PastTitleSource
from clusters.enums import MemberRole, PeriodKind
from clusters.models import Period, Registration
from scoring.models import ScoreSheet, ScoreTable
from tests.awards.conftest import publish
from tests.factories import CampaignFactory, ClusterFactory, MembershipFactory, UnitFactory

D = Decimal
pytestmark = pytest.mark.django_db


def _past(org, unit, year, code, name, reference="", note=""):
    return titles.past_title_record(
        organiser=org.province,
        unit=unit,
        year=year,
        code=code,
        name=name,
        reference=reference,
        note=note,
    )


@pytest.fixture
def years(published, award_types):
    """2022: M1 in cluster K1 of the 2022 campaign, published (81, Tốt, rank 2); past
    titles of M1: tien-tien 2021 and 2022 (2022 recorded by hand and granted by a decision
    of 2022 too); 2023: granted co-bo by decision 12/QĐ-BCA; registered tien-tien and
    co-bo in 2023; a six-month review of 2023 with M1's final 70."""
    org = published
    old = CampaignFactory(organiser=org.province, year=2022)
    k1 = ClusterFactory(campaign=old, number=1, code="K1", name="Cụm 1 năm 2022")
    MembershipFactory(cluster=k1, unit=org.member_unit, role=MemberRole.MEMBER)
    table = ScoreTable.objects.create(
        campaign=old,
        title="Thang điểm 2022",
        status="published",
        published_at=timezone.now(),
        bands=[{"label": "Tốt", "min": "80"}, {"label": "Đạt", "min": "0"}],
    )
    publish(k1, table, [(org.member_unit, D("81"), "Tốt", 2, False)])
    _past(org, org.member_unit, 2021, "tien-tien", "Đơn vị Tiên tiến", "QĐ 5/QĐ-CAT")
    _past(org, org.member_unit, 2022, "tien-tien", "Đơn vị Tiên tiến", "", "ghi chú")
    old_type = services.award_type_upsert(campaign=old, code="tien-tien", name="Đơn vị Tiên tiến")
    old_decision = services.decision_record(
        campaign=old,
        user=org.staff,
        number="7/QĐ-CAT",
        date=dt.date(2023, 1, 10),
        signer_name="A",
        signer_title="Giám đốc",
        authority="Công an tỉnh",
        level="province",
    )
    services.decision_item_set(
        decision=old_decision,
        unit=org.member_unit,
        award_type=old_type,
        outcome=DecisionOutcome.GRANTED,
    )
    flag, _advanced = award_types
    decision = services.decision_record(
        campaign=org.campaign,
        user=org.staff,
        number="12/QĐ-BCA",
        date=dt.date(2024, 1, 15),
        signer_name="B",
        signer_title="Thứ trưởng",
        authority="Bộ Công an",
        level="ministry",
    )
    services.decision_item_set(
        decision=decision, unit=org.member_unit, award_type=flag, outcome=DecisionOutcome.GRANTED
    )
    Registration.objects.create(
        campaign=org.campaign, unit=org.member_unit, titles=["advanced", "ministry_flag"]
    )
    period = Period.objects.create(
        campaign=org.campaign, kind=PeriodKind.SIX_MONTH, phase="published"
    )
    year_end_table = ScoreTable.objects.get(campaign=org.campaign)
    ScoreSheet.objects.create(
        table=year_end_table,
        period=period,
        cluster=org.cluster,
        unit=org.member_unit,
        stage="final",
        status="locked",
        total=D("70"),
        band="Khá",
        rank=3,
        leading=False,
        complete=True,
    )
    org.k1 = k1
    return org


def _record_url(unit):
    return reverse("awards_unit_record", args=[unit.pk])


# --- titles_held -----------------------------------------------------------------------------


def test_titles_held_reads_past_titles_and_granted_decisions_once(years):
    org = years
    held = history.titles_held([org.member_unit])
    assert sorted(held) == [
        (org.member_unit.pk, 2021),
        (org.member_unit.pk, 2022),
        (org.member_unit.pk, 2023),
    ]
    [y2021] = held[(org.member_unit.pk, 2021)]
    assert (y2021.code, y2021.source, y2021.reference, y2021.number) == (
        "tien-tien",
        PastTitleSource.ENTERED,
        "QĐ 5/QĐ-CAT",
        "",
    )
    # Recorded by hand and granted by a decision: once, with the decision's number and date
    # and the past record's note.
    [y2022] = held[(org.member_unit.pk, 2022)]
    assert (y2022.source, y2022.number, y2022.date, y2022.note) == (
        PastTitleSource.DECISION,
        "7/QĐ-CAT",
        dt.date(2023, 1, 10),
        "ghi chú",
    )
    [y2023] = held[(org.member_unit.pk, 2023)]
    assert (y2023.code, y2023.name, y2023.reference_text) == (
        "co-bo",
        "Cờ thi đua của Bộ Công an",
        "12/QĐ-BCA (15/01/2024)",
    )


def test_titles_held_leaves_out_refused_items_and_other_years(years):
    org = years
    decision = services.decision_record(
        campaign=org.campaign,
        user=org.staff,
        number="13/QĐ-BCA",
        date=dt.date(2024, 2, 1),
        signer_name="B",
        signer_title="Thứ trưởng",
        authority="Bộ Công an",
        level="ministry",
    )
    _flag, advanced = org.campaign.award_types.order_by("order")
    services.decision_item_set(
        decision=decision,
        unit=org.leader_unit,
        award_type=advanced,
        outcome=DecisionOutcome.REFUSED,
    )
    assert history.titles_held([org.leader_unit]) == {}
    held = history.titles_held([org.member_unit.pk], years=[2021])
    assert [t.code for t in held[(org.member_unit.pk, 2021)]] == ["tien-tien"]
    assert list(held) == [(org.member_unit.pk, 2021)]


# --- The record ------------------------------------------------------------------------------


def test_unit_record_rows_by_year_newest_first(years, client):
    org = years
    client.force_login(org.staff)
    response = client.get(_record_url(org.member_unit))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.year for r in rows] == [2023, 2022, 2021]
    y2023, y2022, y2021 = rows
    assert (y2023.cluster, y2023.result.total, y2023.result.band, y2023.result.rank) == (
        org.cluster,
        D("72"),
        "Khá",
        3,
    )
    assert (y2023.six_month.total, y2023.six_month.band) == (D("70"), "Khá")
    assert [t.code for t in y2023.titles] == ["co-bo"]
    assert [(r.code, r.held) for r in y2023.registered] == [
        ("advanced", False),
        ("ministry_flag", False),
    ]
    assert (y2022.cluster.code, y2022.result.total, y2022.result.rank, y2022.six_month) == (
        "K1",
        D("81"),
        2,
        None,
    )
    assert (y2021.cluster, y2021.result, [t.code for t in y2021.titles]) == (
        None,
        None,
        ["tien-tien"],
    )
    html = response.content.decode()
    assert 'data-six-month="2023"' in html
    assert "12/QĐ-BCA" in html


def test_unit_record_registration_against_outcome_with_the_registration_codes(years, client):
    org = years
    _past(org, org.member_unit, 2023, "advanced", "Đơn vị Tiên tiến")
    client.force_login(org.staff)
    rows = client.get(_record_url(org.member_unit)).context["rows"]
    assert [(r.code, r.held) for r in rows[0].registered] == [
        ("advanced", True),
        ("ministry_flag", False),
    ]
    assert [t.code for t in rows[0].unregistered_held] == ["co-bo"]


def test_unit_record_xlsx_has_one_row_per_year(years, client):
    org = years
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(org.staff)
    response = client.get(_record_url(org.member_unit), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="record-M1.xlsx"'
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][:6] == ["Year", "Cluster", "Rank", "Total", "Band", "Leading"]
    assert values[0][10:] == [
        "Titles held",
        "Decision or source",
        "Registered",
        "Registered titles not held",
    ]
    assert [v[0] for v in values[1:]] == [2023, 2022, 2021]
    assert values[1][2:11] == [3, 72, "Khá", "No", 3, 70, "Khá", "No", "Cờ thi đua của Bộ Công an"]
    assert values[1][11] == "12/QĐ-BCA (15/01/2024)"
    assert values[2][1] == "Cụm 1 năm 2022"
    assert values[3][1:6] == [None, None, None, None, None]
    assert values[3][10:12] == ["Đơn vị Tiên tiến", "QĐ 5/QĐ-CAT"]


# --- Who may see it --------------------------------------------------------------------------


def test_unit_record_for_the_units_officer_and_a_member_of_its_published_cluster(years, client):
    org = years
    for user in (org.member, org.leader, org.admin):
        client.force_login(user)
        assert client.get(_record_url(org.member_unit)).status_code == 200


def test_unit_record_outside_the_scope_is_not_found(years, client):
    org = years
    client.force_login(org.outsider)  # another cluster: cannot look the unit up
    assert client.get(_record_url(org.member_unit)).status_code == 404
    other = UnitFactory(code="CAK", kind="province")
    staff_elsewhere = type(org.staff).objects.create_user("other-staff", unit=other)
    staff_elsewhere.groups.add(*org.staff.groups.all())
    client.force_login(staff_elsewhere)
    assert client.get(_record_url(org.member_unit)).status_code == 404


def test_unit_record_forbidden_before_any_result_is_published(org, client):
    """The leader may look M1 up (same cluster) but sees none of its results: 403."""
    client.force_login(org.leader)
    assert client.get(_record_url(org.member_unit)).status_code == 403
    client.force_login(org.member)  # its own unit
    assert client.get(_record_url(org.member_unit)).status_code == 200


def test_unit_record_wrong_method(years, client):
    client.force_login(years.staff)
    assert client.post(_record_url(years.member_unit)).status_code == 405


def test_unit_record_hides_a_member_the_results_not_yet_published_for_it(years, client):
    """The leader of C1 sees M1's 2023 result (published) but not its 2022 cluster, of
    which L1 was no member (the cluster is not visible to it at all)."""
    client.force_login(years.leader)
    rows = client.get(_record_url(years.member_unit)).context["rows"]
    assert [(r.year, r.result is not None) for r in rows] == [
        (2023, True),
        (2022, False),
        (2021, False),
    ]
    assert rows[1].cluster is None  # K1 of 2022 is not the leader's to see


# --- Query counts ----------------------------------------------------------------------------


def _more_years(org, count):
    for offset in range(count):
        year = 2010 + offset
        campaign = CampaignFactory(organiser=org.province, year=year)
        cluster = ClusterFactory(campaign=campaign, number=1, code=f"Y{year}")
        MembershipFactory(cluster=cluster, unit=org.member_unit, role=MemberRole.MEMBER)
        table = ScoreTable.objects.create(
            campaign=campaign, title="T", status="published", published_at=timezone.now()
        )
        publish(cluster, table, [(org.member_unit, D("80"), "Tốt", 1, True)])
        _past(org, org.member_unit, year, "tien-tien", "Đơn vị Tiên tiến")
        Registration.objects.create(campaign=campaign, unit=org.member_unit, titles=["advanced"])


@pytest.mark.parametrize("count", [1, 6])
def test_unit_record_query_count_does_not_grow_with_years(
    years, client, django_assert_num_queries, count
):
    org = years
    _more_years(org, count)
    client.force_login(org.staff)
    # session, user, staff group, organiser chain and tree, visible unit, clusters, result
    # stages' scope, six-month periods, the six-month review's stages, sheets, past titles,
    # decision items, registrations; the base page's own read (the user's unit).
    with django_assert_num_queries(15):
        response = client.get(_record_url(org.member_unit))
    assert len(response.context["rows"]) == 3 + count


# --- Links ------------------------------------------------------------------------------------


def test_the_unit_history_report_and_awards_pages_link_to_the_record(years, client):
    org = years
    record = _record_url(org.member_unit)
    client.force_login(org.staff)
    report = client.get(reverse("report_unit_history", args=[org.member_unit.pk]))
    assert f'href="{record}" data-record' in report.content.decode()
    cluster = client.get(reverse("awards_cluster", args=[org.cluster.pk])).content.decode()
    assert f'href="{_record_url(org.leader_unit)}"' in cluster
    eligibility = client.get(reverse("awards_eligibility", args=[org.campaign.pk]))
    assert f'href="{record}"' in eligibility.content.decode()
