"""Organisers apart (issue 10, point 1): a campaign is managed only by administrators and the
staff of its organiser's own tree; a membership in another organiser's cluster gives a unit's
staff no right there, and importing a province into the Ministry's cluster does not move it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from clusters import permissions
from clusters.enums import MemberRole, Phase, UnitKind
from clusters.models import Campaign, Unit
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)


def staff_of(unit, username):
    user = UserFactory(username=username, unit=unit)
    user.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return user


@pytest.fixture
def two(db):
    """The Ministry (organiser B) and a province (organiser A) that is a member of one of the
    Ministry's clusters; the province is (wrongly, as an old import left it) stored under the
    Ministry, which must not matter."""

    class Two:
        pass

    t = Two()
    t.ministry = UnitFactory(code="BCA", name="Bộ Công an", kind=UnitKind.MINISTRY)
    t.province = UnitFactory(
        code="CADN", name="Công an tỉnh Đắk Nông", kind=UnitKind.PROVINCE, parent=t.ministry
    )
    t.px01 = UnitFactory(code="PX01", kind=UnitKind.DEPARTMENT, parent=t.province)
    t.district = UnitFactory(code="CAH1", kind=UnitKind.DISTRICT, parent=t.province)
    t.commune = UnitFactory(code="CAX1", kind=UnitKind.COMMUNE, parent=t.district)
    t.v03 = UnitFactory(code="V03", kind=UnitKind.DEPARTMENT, parent=t.ministry)
    t.ministry_campaign = CampaignFactory(organiser=t.ministry, year=2023)
    t.province_campaign = CampaignFactory(organiser=t.province, year=2023)
    ministry_cluster = ClusterFactory(campaign=t.ministry_campaign, number=1)
    MembershipFactory(cluster=ministry_cluster, unit=t.province, role=MemberRole.MEMBER)
    t.ministry_cluster = ministry_cluster
    t.province_staff = staff_of(t.px01, "canbo")
    t.province_top_staff = staff_of(t.province, "canbo_tinh")
    t.ministry_staff = staff_of(t.v03, "canbo_bo")
    t.commune_staff = staff_of(t.commune, "canbo_xa")
    return t


def test_organiser_ids_stop_at_the_first_organising_unit(two):
    assert permissions.organiser_ids(two.province_staff) == [two.px01.pk, two.province.pk]
    assert permissions.organiser_ids(two.province_top_staff) == [two.province.pk]
    assert permissions.organiser_ids(two.ministry_staff) == [two.v03.pk, two.ministry.pk]
    assert permissions.organiser_ids(two.commune_staff) == [
        two.commune.pk,
        two.district.pk,
        two.province.pk,
    ]


def test_managed_campaigns_are_the_own_organisers_only(two):
    assert list(permissions.managed_campaigns(two.province_staff)) == [two.province_campaign]
    assert list(permissions.managed_campaigns(two.commune_staff)) == [two.province_campaign]
    assert list(permissions.managed_campaigns(two.ministry_staff)) == [two.ministry_campaign]
    assert permissions.manages_campaign(two.province_staff, two.ministry_campaign) is False
    assert permissions.manages_campaign(two.ministry_staff, two.province_campaign) is False
    assert permissions.manages_campaign(two.province_staff, two.province_campaign) is True


def test_staff_of_a_unit_above_never_see_a_lower_organisers_campaign(two):
    """The decision documented in docs/security.md: an organiser's staff do not read the
    campaigns, not even the published results, of organisers below them; results travel up
    as files (thidua.results/1, proposals)."""
    two.province_campaign.phase = Phase.PUBLISHED
    two.province_campaign.save()
    assert two.province_campaign not in permissions.visible_campaigns(two.ministry_staff)
    client_response = _client(two.ministry_staff).get(
        reverse("campaign_overview", args=[two.province_campaign.pk])
    )
    assert client_response.status_code == 404


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "name",
    ["setup_campaign", "awards_setup", "campaign_tables", "campaign_overview"],
)
def test_province_staff_cannot_open_the_ministry_campaigns_pages(two, name):
    response = _client(two.province_staff).get(reverse(name, args=[two.ministry_campaign.pk]))

    assert response.status_code == 404


def test_province_staff_cannot_change_the_ministry_campaigns_phase(two):
    response = _client(two.province_staff).post(
        reverse("campaign_phase", args=[two.ministry_campaign.pk]),
        {"phase": Phase.SELF_ASSESSMENT},
    )

    assert response.status_code == 404
    two.ministry_campaign.refresh_from_db()
    assert two.ministry_campaign.phase == Phase.SETUP


def test_account_units_are_the_organisers_own_tree(two):
    province_tree = {two.province.pk, two.px01.pk, two.district.pk, two.commune.pk}
    assert set(permissions.account_units(two.province_staff).values_list("pk", flat=True)) == (
        province_tree
    )
    # The province is stored under the Ministry, but it is an organiser of its own.
    assert set(permissions.account_units(two.ministry_staff).values_list("pk", flat=True)) == {
        two.ministry.pk,
        two.v03.pk,
    }
    officer = UserFactory(username="officer", unit=two.px01)
    assert not permissions.account_units(officer).exists()
    assert permissions.can_manage_accounts(officer) is False


def _import(data, tmp_path):
    path = tmp_path / "org.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("import_organization", str(path), stdout=StringIO())


def _ministry_file(units, members):
    return {
        "format": "thidua.organization/1",
        "year": 2024,
        "organiser": {"code": "BCA", "name": "Bộ Công an"},
        "campaign": {"name": "Phong trào thi đua năm 2024"},
        "units": units,
        "clusters": [
            {"code": "BCUM1", "name": "Cụm 1", "leader": None, "deputy": None, "members": members}
        ],
    }


def test_import_into_another_organisers_cluster_keeps_the_province_where_it_was(db, tmp_path):
    ministry = UnitFactory(code="BCA", name="Bộ Công an", kind=UnitKind.MINISTRY)
    province = UnitFactory(code="CADN", name="Công an tỉnh Đắk Nông", kind=UnitKind.PROVINCE)
    data = _ministry_file(
        [{"code": "CADN", "name": "Công an tỉnh Đắk Nông", "kind": "department"}], ["CADN"]
    )

    _import(data, tmp_path)

    province.refresh_from_db()
    assert (province.parent_id, province.kind) == (None, UnitKind.PROVINCE)
    assert Campaign.objects.get(year=2024).organiser == ministry
    staff = staff_of(province, "canbo_tinh")
    assert not permissions.managed_campaigns(staff).exists()


def test_import_creates_a_new_province_without_parent_and_a_new_department_under_organiser(
    db, tmp_path
):
    UnitFactory(code="BCA", name="Bộ Công an", kind=UnitKind.MINISTRY)
    data = _ministry_file(
        [
            {"code": "CAGL", "name": "Công an tỉnh Gia Lai", "kind": "province"},
            {"code": "A01", "name": "Cục A01", "kind": "department"},
        ],
        ["CAGL", "A01"],
    )

    _import(data, tmp_path)

    assert dict(
        Unit.objects.filter(code__in=["CAGL", "A01"]).values_list("code", "parent__code")
    ) == {
        "CAGL": None,
        "A01": "BCA",
    }


def test_import_never_moves_a_unit_that_has_a_parent(db, tmp_path):
    UnitFactory(code="BCA", name="Bộ Công an", kind=UnitKind.MINISTRY)
    province = UnitFactory(code="CADN", kind=UnitKind.PROVINCE)
    district = UnitFactory(code="CAH1", kind=UnitKind.DISTRICT, parent=province)
    data = _ministry_file(
        [{"code": "CAH1", "name": "Công an huyện Một", "kind": "district"}], ["CAH1"]
    )

    _import(data, tmp_path)

    district.refresh_from_db()
    assert district.parent == province
