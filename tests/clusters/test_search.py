"""The header's search (clusters.search, scoring.search): accent-insensitive, across years,
only what the user may see, grouped by kind, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Value
from django.urls import reverse

from clusters.models import Unit
from clusters.search import search, words
from clusters.services.activities import activity_record, advanced_model_record
from clusters.text import Folded, fold
from scoring import services
from scoring.models import ScoreTable
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)
from tests.scoring.conftest import make_criterion

pytestmark = pytest.mark.django_db


def _titles(groups, key):
    return [h.title for g in groups if g.key == key for h in g.hits]


@pytest.fixture
def world(org):
    """org's campaign 2023 plus a campaign 2022 of the same organiser, a table with a
    criterion about Đắk Mil, an activity and a model; and another organiser's unit named
    like ours."""
    org.old_campaign = CampaignFactory(organiser=org.province, year=2022, name="Phong trào 2022")
    org.old_cluster = ClusterFactory(
        campaign=org.old_campaign, number=4, code="C4", name="Cụm Công an huyện Đắk Mil cũ"
    )
    MembershipFactory(cluster=org.old_cluster, unit=org.member_unit)
    table = ScoreTable.objects.create(campaign=org.campaign, title="Thang điểm")
    table.clusters.set([org.cluster])
    group = make_criterion(table, "I", "group", max_points=Decimal(20), order=1)
    crit = make_criterion(table, "I.1", "manual", parent=group, max_points=Decimal(20))
    crit.title = "Phòng cháy, chữa cháy tại Đắk Mil"
    crit.save()
    services.table_renumber(table=table)
    services.table_publish(table=table)
    org.table = table
    activity_record(
        clusters=[org.cluster],
        held_on=dt.date(2023, 5, 1),
        host=org.leader_unit,
        title="Giao lưu thể thao Đắk Mil",
    )
    advanced_model_record(unit=org.member_unit, title="Mô hình “Đường dây nóng” ở Đắk Mil")
    ministry = UnitFactory(code="BCA2", name="Bộ", kind="ministry")
    org.foreign_unit = UnitFactory(code="ZZ9", name="Công an huyện Đắk Mil (nơi khác)")
    foreign = CampaignFactory(organiser=ministry, year=2023)
    MembershipFactory(cluster=ClusterFactory(campaign=foreign, number=1), unit=org.foreign_unit)
    return org


def test_fold_and_words_ignore_accents_and_d():
    assert fold("Đắk R'Lấp") == "dak r'lap"
    assert words("  ĐẮK   mil ") == ["dak", "mil"]
    assert words("đ") == []  # too short


def test_folded_in_sql_equals_fold_in_python(db):
    text = "Công an huyện ĐẮK GLONG, Tuy Đức: Phường Nghĩa Đức"
    unit = UnitFactory(code="X", name=text)
    got = (
        Unit.objects.filter(pk=unit.pk).annotate(f=Folded(Value(text))).values_list("f", flat=True)
    )
    assert got.get() == fold(text)


def test_search_finds_across_years_without_accents(world):
    groups = search(world.admin, "dak mil")
    assert "Phòng Đắk Mil" in _titles(groups, "units")
    assert "Cụm Công an huyện Đắk Mil cũ" in _titles(groups, "clusters")
    assert "I.1. Phòng cháy, chữa cháy tại Đắk Mil" in _titles(groups, "criteria")
    assert _titles(groups, "activities") == ["Giao lưu thể thao Đắk Mil"]
    assert _titles(groups, "models") == ["Mô hình “Đường dây nóng” ở Đắk Mil"]


def test_d_matches_dd(world):
    assert "Mô hình “Đường dây nóng” ở Đắk Mil" in _titles(
        search(world.member, "duong day"), "models"
    )


def test_another_organisers_unit_never_appears(world):
    for user in (world.staff, world.member, world.leader, world.outsider):
        assert "Công an huyện Đắk Mil (nơi khác)" not in _titles(search(user, "dak mil"), "units")
    assert "Công an huyện Đắk Mil (nơi khác)" in _titles(search(world.admin, "dak mil"), "units")


def test_officer_sees_only_their_clusters_things(world):
    outsider = search(world.outsider, "dak mil")
    assert _titles(outsider, "criteria") == []
    assert _titles(outsider, "activities") == []
    member = search(world.member, "dak mil")
    assert _titles(member, "criteria") == ["I.1. Phòng cháy, chữa cháy tại Đắk Mil"]
    criteria = next(g for g in member if g.key == "criteria")
    assert criteria.hits[0].url == reverse("cluster_detail", args=[world.cluster.pk])


def test_staff_criteria_link_to_the_table_preview(world):
    criteria = next(g for g in search(world.staff, "phong chay") if g.key == "criteria")
    assert criteria.hits[0].url.startswith(
        reverse("campaign_table_preview", args=[world.campaign.pk, world.table.pk])
    )


def test_page_groups_results_and_asks_for_login(world, client):
    assert client.get(reverse("search"), {"q": "dak"}).status_code == 302
    client.force_login(world.member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("search"), {"q": "Dak Mil"}).content.decode()
    assert 'id="search-units"' in page
    assert 'id="search-models"' in page
    assert "Phòng Đắk Mil" in page
    assert "nơi khác" not in page
    assert 'action="/search/"' in page  # the header's form on every page


def test_search_query_count_does_not_grow(world, client, django_assert_num_queries):
    staff_group = Group.objects.get(name=settings.PROVINCE_STAFF_GROUP)
    assert world.staff.groups.filter(pk=staff_group.pk).exists()
    client.force_login(world.staff)
    client.get(reverse("search"), {"q": "dak"})  # warm caches (session, user)
    with django_assert_num_queries(_count(client)) as small:
        client.get(reverse("search"), {"q": "dak"})
    for i in range(15):
        UnitFactory(code=f"DK{i}", name=f"Công an xã Đắk {i}", parent=world.province)
        activity_record(
            clusters=[world.cluster],
            held_on=dt.date(2023, 6, 1),
            host=world.leader_unit,
            title=f"Giao lưu Đắk {i}",
        )
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("search"), {"q": "dak"})


def _count(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("search"), {"q": "dak"})
    return len(ctx.captured_queries)


def test_empty_and_short_searches(world, client):
    client.force_login(UserFactory(username="x", unit=world.member_unit))
    assert client.get(reverse("search")).status_code == 200
    assert client.get(reverse("search"), {"q": "a"}).status_code == 200
