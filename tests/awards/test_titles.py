"""The title ladder through the database (awards/titles.py) and its pages: the police
presets and their confirmation, the copy of a year, the units' own figures (entered by
the unit, checked by staff, with history) and the eligibility explained.

The ``published`` fixture (tests/awards/conftest.py): cluster C1 published with L1 95
Xuất sắc rank 1 leading, D1 88 Tốt rank 2, M1 72 Khá rank 3; O1 (cluster C2) has no
published result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from awards import titles
from awards.enums import FiguresStatus
from awards.models import AwardType, PastTitle, TitleRule, UnitFigures
from awards.services import copy_award_types, restriction_record
from clusters.copying import CopyContext
from clusters.models import Registration
from tests.factories import CampaignFactory, MembershipFactory, UnitFactory

D = Decimal
pytestmark = pytest.mark.django_db

LADDER = [
    "advanced",
    "determined_to_win",
    "ministry_flag",
    "government_flag",
    "certificate_of_merit",
]


def figures(org, unit, headcount, advanced, disciplined, checked=True):
    saved = titles.figures_save(
        campaign=org.campaign,
        unit=unit,
        headcount=headcount,
        advanced_soldiers=advanced,
        emulation_soldiers=1,
        disciplined=disciplined,
    )
    if checked:
        saved = titles.figures_check(figures=saved, accept=True, user=org.staff)
    return saved


@pytest.fixture
def ladder(published):
    org = published
    titles.presets_install(campaign=org.campaign, user=org.staff)
    figures(org, org.leader_unit, 30, 25, 0)  # 83.33 % advanced, none disciplined
    figures(org, org.deputy_unit, 20, 15, 1)  # 75 %, 1 disciplined = 5 %
    figures(org, org.member_unit, 10, 6, 0, checked=False)  # 60 %, not checked
    for year in (2021, 2022):
        titles.past_title_record(
            organiser=org.province,
            unit=org.leader_unit,
            year=year,
            code="determined_to_win",
            name="Đơn vị Quyết thắng",
        )
    Registration.objects.create(
        campaign=org.campaign, unit=org.leader_unit, titles=["government_flag", "ministry_flag"]
    )
    return org


def outcome(explained, code):
    return {
        row.unit.code: [t.eligible for t in row.titles if t.award_type.code == code][0]
        for row in explained.rows
    }


def test_presets_install_the_police_ladder_awaiting_confirmation(org):
    added = titles.presets_install(campaign=org.campaign, user=org.staff)
    assert [t.code for t in added] == LADDER
    types = list(AwardType.objects.filter(campaign=org.campaign))
    assert [(t.name, t.level, t.preset, t.confirmed_at) for t in types] == [
        ("Đơn vị Tiên tiến", "unit", True, None),
        ("Đơn vị Quyết thắng", "province", True, None),
        ("Cờ thi đua của Bộ Công an", "ministry", True, None),
        ("Cờ thi đua của Chính phủ", "government", True, None),
        ("Bằng khen", "ministry", True, None),
    ]
    flag = types[2]
    assert [(r.kind, r.titles, r.number, r.scope) for r in flag.title_rules.all()] == [
        ("requires_title", "determined_to_win", None, ""),
        ("leading", "", None, ""),
        ("quota", "", 1, "cluster"),
    ]
    assert all("cơ quan tổ chức xác nhận" in r.article for r in flag.title_rules.all())
    # Installing again adds nothing and leaves the titles as they are.
    assert titles.presets_install(campaign=org.campaign) == []
    assert TitleRule.objects.filter(award_type__campaign=org.campaign).count() == 13


def test_presets_leave_a_title_of_the_same_name_under_another_code(org, award_types):
    # award_types: "co-bo" named "Cờ thi đua của Bộ Công an", "tien-tien" "Đơn vị Tiên tiến".
    added = titles.presets_install(campaign=org.campaign)
    assert [t.code for t in added] == [
        "determined_to_win",
        "government_flag",
        "certificate_of_merit",
    ]


def test_confirmation_and_a_changed_rule_asks_for_it_again(org):
    titles.presets_install(campaign=org.campaign)
    advanced = AwardType.objects.get(campaign=org.campaign, code="advanced")
    titles.award_type_confirm(award_type=advanced, user=org.staff)
    advanced.refresh_from_db()
    assert (advanced.confirmed_by, advanced.awaiting_confirmation) == (org.staff, False)
    titles.title_rule_add(award_type=advanced, kind="min_band", band="Khá", article="Quy chế")
    advanced.refresh_from_db()
    assert (advanced.confirmed_at, advanced.awaiting_confirmation) == (None, True)
    assert list(advanced.title_rules.values_list("kind", "order")) == [
        ("no_restriction", 1),
        ("figure_share", 2),
        ("min_band", 3),
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "min_band"}, "band"),
        ({"kind": "past_titles", "titles": "advanced"}, "years"),
        ({"kind": "past_titles", "titles": "a", "years": 2, "at_least": 3}, "at_least"),
        ({"kind": "quota", "scope": "cluster"}, "number"),
        ({"kind": "quota", "number": 1, "share": D("0.2")}, "number"),
        ({"kind": "figure_share", "figure": "disciplined", "comparison": "at_most"}, "share"),
        ({"kind": "requires_title", "titles": "advanced"}, "titles"),
    ],
)
def test_a_rule_missing_what_its_kind_reads_is_refused(org, data, field):
    titles.presets_install(campaign=org.campaign)
    advanced = AwardType.objects.get(campaign=org.campaign, code="advanced")
    with pytest.raises(ValidationError) as caught:
        titles.title_rule_add(award_type=advanced, **data)
    assert field in caught.value.message_dict
    assert advanced.title_rules.count() == 2


def test_the_copy_of_a_year_copies_the_title_rules(org):
    titles.presets_install(campaign=org.campaign)
    nxt = CampaignFactory(organiser=org.province, year=2024)
    context = CopyContext(source=org.campaign, campaign=nxt, clusters={}, units={})
    copy_award_types(context)
    old = [
        (r.award_type.code, r.kind, r.titles, r.years, r.share, r.article)
        for r in TitleRule.objects.filter(award_type__campaign=org.campaign)
    ]
    new = [
        (r.award_type.code, r.kind, r.titles, r.years, r.share, r.article)
        for r in TitleRule.objects.filter(award_type__campaign=nxt)
    ]
    assert new == old
    assert len(new) == 13
    assert context.report == [
        "Đã sao chép 5 danh hiệu thi đua.",
        "Đã sao chép 13 tiêu chuẩn danh hiệu.",
    ]


def test_figures_entered_checked_returned_with_history(org):
    saved = titles.figures_save(
        campaign=org.campaign,
        unit=org.member_unit,
        headcount=12,
        advanced_soldiers=9,
        emulation_soldiers=2,
        disciplined=0,
        user=org.member,
    )
    assert saved.status == FiguresStatus.SUBMITTED
    with pytest.raises(ValidationError) as caught:
        titles.figures_check(figures=saved, accept=False, note=" ", user=org.staff)
    assert "check_note" in caught.value.message_dict
    returned = titles.figures_check(
        figures=saved, accept=False, note="Số kỷ luật chưa khớp", user=org.staff
    )
    assert returned.status == FiguresStatus.RETURNED
    again = titles.figures_save(
        campaign=org.campaign,
        unit=org.member_unit,
        headcount=12,
        advanced_soldiers=9,
        emulation_soldiers=2,
        disciplined=1,
        user=org.member,
    )
    checked = titles.figures_check(figures=again, accept=True, user=org.staff)
    assert (checked.status, checked.checked_by) == (FiguresStatus.CHECKED, org.staff)
    with pytest.raises(ValidationError):
        titles.figures_save(
            campaign=org.campaign,
            unit=org.member_unit,
            headcount=12,
            advanced_soldiers=9,
            emulation_soldiers=2,
            disciplined=0,
            user=org.member,
        )
    rows = list(checked.history.order_by("history_date", "history_id"))
    assert [(h.status, h.disciplined) for h in rows] == [
        ("submitted", 0),
        ("returned", 0),
        ("submitted", 1),
        ("checked", 1),
    ]


def test_figures_above_the_headcount_or_of_a_non_member_change_nothing(org):
    with pytest.raises(ValidationError) as caught:
        titles.figures_save(
            campaign=org.campaign,
            unit=org.member_unit,
            headcount=10,
            advanced_soldiers=11,
            emulation_soldiers=0,
            disciplined=0,
        )
    assert "advanced_soldiers" in caught.value.message_dict
    stranger = UnitFactory(code="Z9", parent=org.province)
    with pytest.raises(ValidationError):
        titles.figures_save(
            campaign=org.campaign,
            unit=stranger,
            headcount=10,
            advanced_soldiers=1,
            emulation_soldiers=0,
            disciplined=0,
        )
    assert UnitFigures.objects.count() == 0


def test_the_ladder_explained(ladder):
    org = ladder
    with translation.override("en"):
        explained = titles.explain(org.campaign, on=dt.date(2023, 12, 31))
    assert [t.code for t in explained.award_types] == LADDER
    assert outcome(explained, "advanced") == {"L1": True, "D1": True, "M1": False, "O1": False}
    assert outcome(explained, "determined_to_win") == {
        "L1": True,
        "D1": False,
        "M1": False,
        "O1": False,
    }
    assert outcome(explained, "ministry_flag") == {
        "L1": True,
        "D1": False,
        "M1": False,
        "O1": False,
    }
    # 20 % of the campaign's 4 units is 0.8: no place (rounded down).
    assert outcome(explained, "government_flag") == dict.fromkeys(("L1", "D1", "M1", "O1"), False)
    assert outcome(explained, "certificate_of_merit") == {
        "L1": True,
        "D1": False,
        "M1": False,
        "O1": False,
    }
    rows = {row.unit.code: row for row in explained.rows}
    l1 = {t.award_type.code: t for t in rows["L1"].titles}
    assert [(line.passed, line.rule, line.figure) for line in l1["government_flag"].lines] == [
        (True, "No discipline or inspection", "None recorded"),
        (True, "Holds Cờ thi đua của Bộ Công an this year", "Holds Cờ thi đua của Bộ Công an"),
        (
            True,
            "Đơn vị Quyết thắng in each of the 2 years before",
            "2021: Đơn vị Quyết thắng; 2022: Đơn vị Quyết thắng",
        ),
        (
            False,
            "At most 20% of the units per campaign (rounded down)",
            "0 places among 4 units — place 1",
        ),
    ]
    assert [(line.passed, line.figure) for line in l1["advanced"].lines] == [
        (True, "None recorded"),
        (True, "25 of 30 = 83.33%"),
    ]
    d1 = {t.award_type.code: t for t in rows["D1"].titles}
    assert [(line.passed, line.rule, line.figure) for line in d1["determined_to_win"].lines] == [
        (True, "No discipline or inspection", "None recorded"),
        (True, "Holds Đơn vị Tiên tiến this year", "Holds Đơn vị Tiên tiến"),
        (
            True,
            "At least 70% of the headcount: Individuals with Chiến sĩ tiên tiến",
            "15 of 20 = 75%",
        ),
        (False, "At most 0% of the headcount: Individuals disciplined", "1 of 20 = 5%"),
    ]
    m1 = {t.award_type.code: t for t in rows["M1"].titles}
    assert m1["advanced"].lines[1].figure == "6 of 10 — not checked by staff yet"
    o1 = {t.award_type.code: t for t in rows["O1"].titles}
    assert o1["advanced"].lines[1].figure == "The unit has not entered its figures"
    # The flag's quota: D1 does not compete (it misses Quyết thắng).
    assert d1["ministry_flag"].lines[3].figure == (
        "1 places among 3 units — does not compete (another condition fails)"
    )
    # Registration against outcome.
    assert rows["L1"].registered_missed == ["Cờ thi đua của Chính phủ"]
    assert rows["L1"].unregistered_met == [
        "Đơn vị Tiên tiến",
        "Đơn vị Quyết thắng",
        "Bằng khen",
    ]


def test_a_restriction_fails_every_title_with_its_reason(ladder):
    org = ladder
    restriction_record(
        campaign=org.campaign,
        unit=org.leader_unit,
        kind="discipline",
        reason="Cán bộ vi phạm",
        starts_on=dt.date(2023, 1, 1),
    )
    with translation.override("en"):
        explained = titles.explain(org.campaign, on=dt.date(2023, 6, 1))
    row = next(r for r in explained.rows if r.unit.code == "L1")
    assert [t.eligible for t in row.titles] == [False] * 5
    assert row.titles[0].lines[0].figure == "Under discipline: Cán bộ vi phạm"


def test_a_title_granted_the_same_year_counts_for_the_ladder(ladder):
    # D1 misses Quyết thắng on its figures; a decision granting it is recorded.
    org = ladder
    PastTitle.objects.create(
        organiser=org.province,
        unit=org.deputy_unit,
        year=2023,
        code="determined_to_win",
        name="Đơn vị Quyết thắng",
        source="decision",
    )
    explained = titles.explain(org.campaign, on=dt.date(2023, 12, 31))
    assert outcome(explained, "ministry_flag")["D1"] is False  # not leading
    row = next(r for r in explained.rows if r.unit.code == "D1")
    flag = next(t for t in row.titles if t.award_type.code == "ministry_flag")
    assert [line.passed for line in flag.lines] == [True, True, False, False]


def test_votes_follow_the_ladder(ladder):
    # D1 misses Quyết thắng's figures, M1 its prerequisite (its figures are not checked,
    # so it is not Tiên tiến): neither may be voted on, each with the rule it fails first.
    from awards import services

    org = ladder
    with translation.override("en"):
        result = services.eligibility(org.cluster, on=dt.date(2023, 12, 31))
    item = next(a for a in result.awards if a.award_type.code == "determined_to_win")
    assert [row.unit.code for row in item.eligible] == ["L1"]
    assert [(row.unit.code, row.reason) for row in item.excluded] == [
        ("D1", "Title rule not met: At most 0% of the headcount: Individuals disciplined"),
        ("M1", "Title rule not met: Holds Đơn vị Tiên tiến this year"),
    ]
    with pytest.raises(ValidationError):
        services.vote_record(
            cluster=org.cluster,
            unit=org.deputy_unit,
            award_type=item.award_type,
            members_present=3,
            votes_for=3,
        )


def _queries(campaign) -> int:
    with CaptureQueriesContext(connection) as captured:
        titles.explain(campaign)
    return len(captured.captured_queries)


def test_explain_reads_a_fixed_number_of_queries(ladder):
    org = ladder
    before = _queries(org.campaign)
    for number in range(3):
        unit = UnitFactory(code=f"N{number}", parent=org.province)
        MembershipFactory(cluster=org.other_cluster, unit=unit)
        figures(org, unit, 10, 8, 0)
        titles.past_title_record(
            organiser=org.province, unit=unit, year=2022, code="advanced", name="Tiên tiến"
        )
    assert _queries(org.campaign) == before == 9


# --- Pages -----------------------------------------------------------------------------------


def test_the_unit_enters_its_figures_and_staff_check_them(client, org):
    save = reverse("awards_figures_save", args=[org.campaign.pk, org.member_unit.pk])
    check = reverse("awards_figures_check", args=[org.campaign.pk, org.member_unit.pk])
    page = reverse("awards_figures_unit", args=[org.campaign.pk, org.member_unit.pk])
    data = {"headcount": 30, "advanced_soldiers": 31, "emulation_soldiers": 3, "disciplined": 0}
    client.force_login(org.member)
    refused = client.post(save, data)
    assert refused.status_code == 400
    assert UnitFigures.objects.count() == 0
    response = client.post(save, {**data, "advanced_soldiers": 21})
    assert response.status_code == 302
    assert client.post(check, {"decision": "accept"}).status_code == 403
    client.force_login(org.staff)
    assert client.post(save, data).status_code == 403
    assert client.post(check, {"decision": "return"}).status_code == 400
    assert client.post(check, {"decision": "accept"}).status_code == 302
    figures = UnitFigures.objects.get()
    assert (figures.advanced_soldiers, figures.status, figures.checked_by) == (
        21,
        "checked",
        org.staff,
    )
    shown = client.get(page)
    assert shown.status_code == 200
    assert shown.content.decode().count("data-history-row") == 2
    client.force_login(org.deputy)
    assert client.get(page).status_code == 403


def test_the_eligibility_pages(client, ladder):
    org = ladder
    url = reverse("awards_eligibility", args=[org.campaign.pk])
    client.force_login(org.staff)
    with translation.override("en"):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-condition="government_flag:quota" data-passed="0"' in body
    assert 'data-condition="advanced:figure_share" data-passed="1"' in body
    assert body.count('data-unit="') == 4
    client.force_login(org.member)
    assert client.get(url).status_code == 403
    own = client.get(reverse("awards_eligibility_unit", args=[org.campaign.pk, org.member_unit.pk]))
    assert own.status_code == 200
    assert own.content.decode().count('data-unit="') == 1
    other = reverse("awards_eligibility_unit", args=[org.campaign.pk, org.leader_unit.pk])
    assert client.get(other).status_code == 403


def test_the_set_up_page_installs_confirms_and_edits_rules(client, org):
    client.force_login(org.staff)
    install = reverse("awards_presets_install", args=[org.campaign.pk])
    assert client.post(install).status_code == 302
    flag = AwardType.objects.get(campaign=org.campaign, code="ministry_flag")
    page = client.get(reverse("awards_setup", args=[org.campaign.pk]) + f"?edit={flag.pk}")
    body = page.content.decode()
    assert body.count("data-awaiting=") == 5
    assert body.count('data-title-rule="') == 3
    add = reverse("awards_rule_add", args=[org.campaign.pk, flag.pk])
    bad = client.post(add, {"kind": "quota", "scope": "cluster", "number": 1, "percent": "20"})
    assert bad.status_code == 400
    assert flag.title_rules.count() == 3
    good = client.post(add, {"kind": "past_bands", "band": "Tốt", "years": 3, "at_least": 2})
    assert good.status_code == 302
    share = client.post(add, {"kind": "quota", "scope": "campaign", "percent": "12.5"})
    assert share.status_code == 302
    assert flag.title_rules.get(kind="quota", scope="campaign").share == D("0.1250")
    confirm = reverse("awards_type_confirm", args=[org.campaign.pk, flag.pk])
    assert client.post(confirm).status_code == 302
    flag.refresh_from_db()
    assert flag.confirmed_by == org.staff
    rule = flag.title_rules.get(kind="past_bands")
    delete = reverse("awards_rule_delete", args=[org.campaign.pk, rule.pk])
    assert client.post(delete).status_code == 302
    flag.refresh_from_db()
    assert (flag.title_rules.count(), flag.confirmed_at) == (4, None)


def test_the_eligibility_page_reads_a_fixed_number_of_queries(client, ladder):
    org = ladder
    client.force_login(org.staff)
    url = reverse("awards_eligibility", args=[org.campaign.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for number in range(4):
        unit = UnitFactory(code=f"P{number}", parent=org.province)
        MembershipFactory(cluster=org.other_cluster, unit=unit)
        figures(org, unit, 10, 8, 0)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.content.decode().count('data-unit="') == 8
    assert len(large.captured_queries) == len(small.captured_queries)
