"""Who held a title over a span of years (issue 15 point 5): units, years, source (past
record or decision) with counts, in any or in every year of the span; Excel; the
organiser's staff only; query counts at two sizes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from awards import history, services, titles
from awards.enums import DecisionOutcome, PastTitleSource
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("awards_holders")
FLAG = "ministry_flag"
FLAG_NAME = "Cờ thi đua của Bộ Công an"


def _past(org, unit, year, code=FLAG, name=FLAG_NAME, reference=""):
    return titles.past_title_record(
        organiser=org.province, unit=unit, year=year, code=code, name=name, reference=reference
    )


@pytest.fixture
def flags(org):
    """The Ministry's flag: L1 in 2021, 2022 (past records) and 2023 (decision 12/QĐ-BCA);
    D1 in 2022; M1 in 2020 (before the span); O1 Quyết thắng in 2022 (another title); a
    unit of another organiser held the flag in 2022 (recorded by that organiser)."""
    _past(org, org.leader_unit, 2021, reference="QĐ 3/QĐ-BCA")
    _past(org, org.leader_unit, 2022)
    _past(org, org.deputy_unit, 2022)
    _past(org, org.member_unit, 2020)
    _past(org, org.outsider_unit, 2022, code="determined_to_win", name="Đơn vị Quyết thắng")
    other = UnitFactory(code="CAK", kind="province")
    titles.past_title_record(
        organiser=other, unit=UnitFactory(code="K9", parent=other), year=2022, code=FLAG, name="X"
    )
    flag = services.award_type_upsert(campaign=org.campaign, code=FLAG, name=FLAG_NAME)
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
        decision=decision, unit=org.leader_unit, award_type=flag, outcome=DecisionOutcome.GRANTED
    )
    return org


def _search(client, **params):
    query = {"title": FLAG, "from": 2021, "to": 2023, **params}
    return client.get(URL, query)


def test_holders_in_any_year_of_the_span(flags, client):
    client.force_login(flags.staff)
    response = _search(client)
    assert response.status_code == 200
    search = response.context["search"]
    assert [(h.unit.code, h.years, h.count) for h in search.holders] == [
        ("D1", [2022], 1),
        ("L1", [2021, 2022, 2023], 3),
    ]
    assert search.per_year == [(2021, 1), (2022, 2), (2023, 1)]
    leader = search.holders[1]
    assert [(t.year, t.source, t.number, t.reference) for t in leader.titles] == [
        (2021, PastTitleSource.ENTERED, "", "QĐ 3/QĐ-BCA"),
        (2022, PastTitleSource.ENTERED, "", ""),
        (2023, PastTitleSource.DECISION, "12/QĐ-BCA", ""),
    ]
    html = response.content.decode()
    assert 'data-holder="L1"' in html
    assert 'data-holder="M1"' not in html
    assert 'data-count="2"' in html


def test_holders_in_every_year_of_the_span(flags, client):
    client.force_login(flags.staff)
    search = _search(client, mode="every").context["search"]
    assert [h.unit.code for h in search.holders] == ["L1"]
    assert search.per_year == [(2021, 1), (2022, 1), (2023, 1)]
    search = _search(client, mode="every", **{"from": 2022, "to": 2022}).context["search"]
    assert [h.unit.code for h in search.holders] == ["D1", "L1"]


def test_holders_leave_out_other_organisers_records(flags):
    found = history.holders(
        organiser=flags.province, codes=[FLAG], year_from=2022, year_to=2022
    ).holders
    assert [h.unit.code for h in found] == ["D1", "L1"]


def test_holders_xlsx_one_row_per_unit_and_year(flags, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(flags.staff)
    response = _search(client, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="holders-ministry_flag-2021-2023.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    rows = [[c.value for c in row] for row in workbook.worksheets[0].iter_rows()]
    assert rows == [
        [
            "Unit code",
            "Unit",
            "Year",
            "Title",
            "Source",
            "Decision number",
            "Decision date",
            "Reference",
            "Years held in the span",
        ],
        ["D1", flags.deputy_unit.name, 2022, FLAG_NAME, "Entered by hand", None, None, None, 1],
        ["L1", "Phòng Đắk Mil", 2021, FLAG_NAME, "Entered by hand", None, None, "QĐ 3/QĐ-BCA", 3],
        ["L1", "Phòng Đắk Mil", 2022, FLAG_NAME, "Entered by hand", None, None, None, 3],
        ["L1", "Phòng Đắk Mil", 2023, FLAG_NAME, "Decision", "12/QĐ-BCA", "15/01/2024", None, 3],
    ]
    summary = [[c.value for c in row] for row in workbook.worksheets[1].iter_rows()]
    assert summary == [["Year", "Units"], [2021, 1], [2022, 2], [2023, 1]]


def test_holders_form_errors(flags, client):
    client.force_login(flags.staff)
    assert _search(client, **{"from": 2023, "to": 2021}).status_code == 400
    assert _search(client, title="no-such-title").status_code == 400
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["search"] is None


def test_holders_permissions(flags, client):
    client.force_login(flags.member)
    assert _search(client).status_code == 403
    client.force_login(flags.staff)
    other = UnitFactory(code="CAX", kind="province")
    assert _search(client, organiser=other.pk).status_code == 404
    assert client.post(URL).status_code == 405
    client.logout()
    assert _search(client).status_code == 302


def test_holders_admin_chooses_the_organiser(flags, client):
    client.force_login(flags.admin)
    search = _search(client, organiser=flags.province.pk).context["search"]
    assert [h.unit.code for h in search.holders] == ["D1", "L1"]


@pytest.mark.parametrize("extra", [0, 8])
def test_holders_query_count_does_not_grow(flags, client, django_assert_num_queries, extra):
    for number in range(extra):
        unit = UnitFactory(code=f"U{number:02d}", parent=flags.province)
        for year in (2021, 2022):
            _past(flags, unit, year)
    staff = UserFactory(username="staff2", unit=flags.staff.unit)
    staff.groups.add(*flags.staff.groups.all())
    client.force_login(staff)
    # session, user, staff group, organisers chain, the organisers, award types' and past
    # titles' names, past titles, decision items; the base page's own read (the user's
    # unit).
    with django_assert_num_queries(10):
        response = _search(client)
    assert len(response.context["search"].holders) == 2 + extra
