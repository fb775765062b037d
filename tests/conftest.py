"""Shared fixtures: the six kinds of user every permission test needs."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from clusters.enums import MemberRole
from tests.factories import (
    CampaignFactory,
    ClusterFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _test_server_settings(settings):
    """Tests run with DEBUG off, like production, but over plain HTTP to the test client and
    without collectstatic (whose manifest production's static storage needs)."""
    settings.SECURE_SSL_REDIRECT = False
    # Argon2 is slow on purpose; tests check behaviour, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def org(db):
    """A province with one campaign, two clusters (A with leader, deputy and a member; B
    with its own leader) and one user per role. Returned as a simple namespace."""

    class Org:
        pass

    o = Org()
    o.province = UnitFactory(code="CAT", name="Công an tỉnh Thử", kind="province")
    o.campaign = CampaignFactory(organiser=o.province, year=2023)
    o.cluster = ClusterFactory(campaign=o.campaign, number=1, code="C1")
    o.other_cluster = ClusterFactory(campaign=o.campaign, number=2, code="C2")
    o.leader_unit = UnitFactory(code="L1", name="Phòng Đắk Mil", parent=o.province)
    o.deputy_unit = UnitFactory(code="D1", parent=o.province)
    o.member_unit = UnitFactory(code="M1", parent=o.province)
    o.outsider_unit = UnitFactory(code="O1", parent=o.province)
    MembershipFactory(cluster=o.cluster, unit=o.leader_unit, role=MemberRole.LEADER)
    MembershipFactory(cluster=o.cluster, unit=o.deputy_unit, role=MemberRole.DEPUTY)
    MembershipFactory(cluster=o.cluster, unit=o.member_unit, role=MemberRole.MEMBER)
    MembershipFactory(cluster=o.other_cluster, unit=o.outsider_unit, role=MemberRole.LEADER)
    staff_unit = UnitFactory(code="PX01", parent=o.province, kind="department")
    o.admin = UserFactory(username="admin", is_superuser=True, is_staff=True, unit=None)
    o.staff = UserFactory(username="staff", unit=staff_unit)
    o.staff.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    o.leader = UserFactory(username="leader", unit=o.leader_unit)
    o.deputy = UserFactory(username="deputy", unit=o.deputy_unit)
    o.member = UserFactory(username="member", unit=o.member_unit)
    o.outsider = UserFactory(username="outsider", unit=o.outsider_unit)
    return o
