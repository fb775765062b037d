"""The organisation's rules, enforced by the database and by full_clean()."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clusters.enums import MemberRole
from clusters.models import Membership, Unit
from clusters.text import fold
from tests.factories import ClusterFactory, MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_membership_second_leader_refused_by_database(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            cluster=org.cluster, unit=UnitFactory(code="X1"), role=MemberRole.LEADER
        )


def test_membership_second_deputy_refused_by_full_clean_with_message(org):
    membership = Membership(cluster=org.cluster, unit=UnitFactory(code="X2"), role="deputy")

    with pytest.raises(ValidationError) as error:
        membership.full_clean()

    assert "Cụm này đã có đơn vị cụm phó." in str(error.value)


def test_membership_unit_in_two_clusters_of_one_campaign_refused(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(cluster=org.other_cluster, unit=org.member_unit)


def test_membership_unit_in_two_clusters_refused_by_full_clean(org):
    membership = Membership(cluster=org.other_cluster, unit=org.member_unit)

    with pytest.raises(ValidationError) as error:
        membership.full_clean()

    assert "Năm nay đơn vị này đã thuộc một cụm thi đua." in str(error.value)


def test_membership_same_unit_in_clusters_of_two_years_allowed(org):
    next_year = ClusterFactory(campaign__organiser=org.province, campaign__year=2024, number=1)

    membership = MembershipFactory(cluster=next_year, unit=org.member_unit)

    assert membership.campaign == next_year.campaign
    assert Membership.objects.filter(unit=org.member_unit).count() == 2


def test_membership_campaign_is_taken_from_the_cluster(org):
    membership = Membership.objects.get(unit=org.leader_unit)

    assert membership.campaign_id == org.cluster.campaign_id


def test_membership_dissolved_unit_cannot_join_a_later_campaign(org):
    unit = UnitFactory(code="DIS", is_active=False, deactivated_on=dt.date(2022, 3, 1))
    membership = Membership(cluster=org.cluster, unit=unit)

    with pytest.raises(ValidationError) as error:
        membership.full_clean()

    assert "đã giải thể hoặc sáp nhập ngày 01/03/2022" in str(error.value)


def test_unit_inactive_without_date_refused(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="BAD", name="Bad", kind="district", is_active=False)


def test_unit_cannot_be_its_own_successor(db):
    unit = UnitFactory(code="SELF")
    unit.successor = unit

    with pytest.raises(ValidationError):
        unit.full_clean()


def test_unit_search_name_is_folded_on_save(db):
    unit = UnitFactory(code="CADMI", name="Công an huyện Đắk Mil", short_name="CA Đắk Mil")

    assert unit.search_name == "cadmi cong an huyen dak mil ca dak mil"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đắk R'Lấp", "dak r'lap"),
        ("  Krông   Nô ", "krong no"),
        ("CƯ JÚT", "cu jut"),
        ("Tuy Đức", "tuy duc"),
    ],
)
def test_fold_strips_vietnamese_marks(text, expected):
    assert fold(text) == expected
