"""The awards set-up pages of a campaign: award types and restrictions, for managers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards import services
from awards.models import AwardType, UnitRestriction
from tests.factories import CampaignFactory, MembershipFactory, UnitFactory

D = Decimal
ACTIONS = ["awards_type_save", "awards_restriction_save"]
TYPE_DATA = {
    "code": "quyet-thang",
    "name": "Đơn vị Quyết thắng",
    "min_band": "Tốt",
    "max_per_cluster": "2",
    "pass_percent": "66.67",
    "order": "2",
}


def url(name, campaign):
    return reverse(name, args=[campaign.pk])


def restriction_data(org, **extra):
    data = {
        "unit": org.member_unit.pk,
        "kind": "inspection",
        "reason": "Đang thanh tra tài chính",
        "starts_on": "16/10/2023",
        "ends_on": "",
    }
    return data | extra


@pytest.mark.parametrize("who", ["admin", "staff"])
def test_awards_setup_managers_see_types_and_restrictions(client, org, award_types, table, who):
    services.restriction_record(
        campaign=org.campaign,
        unit=org.member_unit,
        kind="discipline",
        reason="Kỷ luật cán bộ",
        starts_on=dt.date(2023, 5, 2),
    )
    client.force_login(getattr(org, who))

    response = client.get(url("awards_setup", org.campaign))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-award-type="co-bo"' in content
    assert 'data-pass="tien-tien">66,67%' in content
    assert 'data-restriction="M1"' in content
    assert "02/05/2023" in content
    assert '<option value="Xuất sắc">Xuất sắc</option>' in content


def test_awards_setup_empty_states(client, org):
    client.force_login(org.staff)

    content = client.get(url("awards_setup", org.campaign)).content.decode()

    assert 'data-empty="no-award-types"' in content
    assert 'data-empty="no-restrictions"' in content


def test_awards_setup_edit_prefills_the_form(client, org, award_types, table):
    client.force_login(org.staff)

    response = client.get(url("awards_setup", org.campaign), {"edit": award_types[1].pk})

    form = response.context["type_form"]
    assert form.initial["code"] == "tien-tien"
    assert form.initial["pass_percent"] == D("66.67")
    assert form.initial["max_per_cluster"] == 2


def test_awards_setup_edit_shows_a_whole_percent_without_decimals(client, org, award_types):
    client.force_login(org.staff)

    response = client.get(url("awards_setup", org.campaign), {"edit": award_types[0].pk})

    assert 'name="pass_percent" value="50"' in response.content.decode()


def test_awards_setup_edit_of_another_campaign_is_404(client, org, award_types):
    other = CampaignFactory(organiser=org.province, year=2024)
    client.force_login(org.staff)

    response = client.get(url("awards_setup", other), {"edit": award_types[0].pk})

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["leader", "deputy", "member", "outsider"])
def test_awards_setup_unit_officers_get_403(client, org, who):
    client.force_login(getattr(org, who))
    assert client.get(url("awards_setup", org.campaign)).status_code == 403


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("who", ["leader", "member"])
def test_awards_setup_actions_unit_officers_get_403(client, org, name, who):
    client.force_login(getattr(org, who))

    response = client.post(url(name, org.campaign), TYPE_DATA | restriction_data(org))

    assert response.status_code == 403
    assert not AwardType.objects.exists()
    assert not UnitRestriction.objects.exists()


@pytest.mark.parametrize("name", ["awards_setup", *ACTIONS])
def test_awards_setup_outside_scope_404(client, org, name):
    other = CampaignFactory(organiser=UnitFactory(code="CAX", kind="province"), year=2023)
    client.force_login(org.staff)

    response = client.post(url(name, other)) if name in ACTIONS else client.get(url(name, other))

    assert response.status_code == 404


def test_awards_setup_user_without_unit_gets_404(client, org):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody", unit=None))
    assert client.get(url("awards_setup", org.campaign)).status_code == 404


def test_awards_setup_post_is_405(client, org):
    client.force_login(org.staff)
    assert client.post(url("awards_setup", org.campaign)).status_code == 405


@pytest.mark.parametrize("name", ACTIONS)
def test_awards_setup_actions_get_is_405(client, org, name):
    client.force_login(org.staff)
    assert client.get(url(name, org.campaign)).status_code == 405


def test_awards_type_save_creates_with_share_from_percent(client, org, table):
    client.force_login(org.staff)

    response = client.post(url("awards_type_save", org.campaign), TYPE_DATA)

    assert response.status_code == 302
    assert response.url == url("awards_setup", org.campaign)
    award_type = AwardType.objects.get()
    assert (award_type.campaign, award_type.code, award_type.name) == (
        org.campaign,
        "quyet-thang",
        "Đơn vị Quyết thắng",
    )
    assert (award_type.min_band, award_type.max_per_cluster) == ("Tốt", 2)
    assert award_type.pass_share == D("0.6667")
    assert award_type.leading_only is False
    assert award_type.order == 2


def test_awards_type_save_same_code_changes_the_award(client, org, award_types, table):
    client.force_login(org.admin)
    data = {"code": "co-bo", "name": "Cờ thi đua Bộ", "leading_only": "on", "pass_percent": "60"}

    client.post(url("awards_type_save", org.campaign), data | {"order": "1"})

    award_type = AwardType.objects.get(code="co-bo")
    assert AwardType.objects.count() == 2
    assert award_type.name == "Cờ thi đua Bộ"
    assert award_type.leading_only is True
    assert award_type.pass_share == D("0.6000")


@pytest.mark.parametrize(
    ("field", "value"),
    [("pass_percent", "0"), ("pass_percent", "100.5"), ("min_band", "Giỏi"), ("code", "a b")],
)
def test_awards_type_save_invalid_is_400(client, org, table, field, value):
    client.force_login(org.staff)

    response = client.post(url("awards_type_save", org.campaign), TYPE_DATA | {field: value})

    assert response.status_code == 400
    assert field in response.context["type_form"].errors
    assert not AwardType.objects.exists()


def test_awards_type_save_without_table_accepts_any_band(client, org):
    client.force_login(org.staff)

    client.post(url("awards_type_save", org.campaign), TYPE_DATA | {"min_band": "Giỏi"})

    assert AwardType.objects.get().min_band == "Giỏi"


def test_awards_restriction_save_records(client, org):
    client.force_login(org.staff)

    response = client.post(
        url("awards_restriction_save", org.campaign), restriction_data(org, ends_on="31/12/2023")
    )

    assert response.status_code == 302
    restriction = UnitRestriction.objects.get()
    assert (restriction.campaign, restriction.unit, restriction.kind) == (
        org.campaign,
        org.member_unit,
        "inspection",
    )
    assert restriction.reason == "Đang thanh tra tài chính"
    assert restriction.starts_on == dt.date(2023, 10, 16)
    assert restriction.ends_on == dt.date(2023, 12, 31)
    assert restriction.history.get().history_user == org.staff


def test_awards_restriction_save_end_before_start_is_400(client, org):
    client.force_login(org.staff)

    response = client.post(
        url("awards_restriction_save", org.campaign), restriction_data(org, ends_on="01/10/2023")
    )

    assert response.status_code == 400
    assert response.context["restriction_form"].errors
    assert not UnitRestriction.objects.exists()


def test_awards_restriction_save_unit_outside_campaign_is_400(client, org):
    stranger = UnitFactory(code="X9", parent=org.province)
    client.force_login(org.staff)

    response = client.post(
        url("awards_restriction_save", org.campaign), restriction_data(org, unit=stranger.pk)
    )

    assert response.status_code == 400
    assert "unit" in response.context["restriction_form"].errors


def grow(org, count, prefix):
    """``count`` more award types and restricted member units."""
    for i in range(count):
        services.award_type_upsert(
            campaign=org.campaign, code=f"{prefix}{i}", name=f"Danh hiệu {prefix}{i}"
        )
        unit = UnitFactory(code=f"{prefix.upper()}{i}", parent=org.province)
        MembershipFactory(cluster=org.cluster, unit=unit)
        services.restriction_record(
            campaign=org.campaign,
            unit=unit,
            kind="inspection",
            reason="Thanh tra",
            starts_on=dt.date(2023, 3, 1),
        )


def test_awards_setup_query_count_constant(client, org, table, django_assert_num_queries):
    client.force_login(org.staff)
    grow(org, 1, "a")
    with CaptureQueriesContext(connection) as small:
        client.get(url("awards_setup", org.campaign))
    grow(org, 6, "b")

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url("awards_setup", org.campaign))

    content = response.content.decode()
    assert content.count("data-restriction=") == 7
    assert content.count("data-award-type=") == 7
