"""The page of a table's criteria not assigned to a unit (scoring.views.not_assigned)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from clusters.enums import MemberRole, Phase
from scoring import services
from scoring.models import Criterion, NotAssigned, ScoreEntry, ScoreSheet
from scoring.services.assignments import not_assigned_add
from tests.factories import ClusterFactory, MembershipFactory, UnitFactory, UserFactory

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _url(org, table) -> str:
    return reverse("table_not_assigned", args=[org.campaign.pk, table.pk])


def _crit(table, code: str) -> Criterion:
    return Criterion.objects.get(table=table, code=code)


def test_page_roles(client, org, table):
    other = UnitFactory(code="CAX", kind="province")
    foreign = UserFactory(username="foreign", unit=UnitFactory(code="PX99", parent=other))
    foreign.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    url = _url(org, table)

    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (org.staff, org.admin):
        client.force_login(user)
        assert client.get(url).status_code == 200
    for officer in (org.leader, org.member):
        client.force_login(officer)
        assert client.get(url).status_code == 403
        assert client.post(url, {"criterion": _crit(table, "I.2").pk}).status_code == 403
    client.force_login(foreign)
    assert client.get(url).status_code == 404
    assert not NotAssigned.objects.exists()


def test_staff_mark_a_criterion_and_the_sheet_is_recomputed(client, org, table, sheets):
    client.force_login(org.staff)
    values = {"I.1": {"points": D("15")}, "I.2": {"numerator": 1, "denominator": 2}}
    services.sheet_fill(sheet=sheets["M1"], values=values)
    services.recompute_scope(ScoreSheet.objects.filter(pk=sheets["M1"].pk))

    response = client.post(
        _url(org, table),
        {"criterion": _crit(table, "I.2").pk, "unit": org.member_unit.pk, "reason": "Xã"},
        follow=True,
    )

    assert response.redirect_chain == [(_url(org, table), 302)]
    assert "I.2 is marked not assigned" in response.content.decode()
    mark = NotAssigned.objects.get()
    assert (mark.criterion.code, mark.unit, mark.reason, mark.created_by) == (
        "I.2",
        org.member_unit,
        "Xã",
        org.staff,
    )
    # M1: I.1 15 of the 40 assigned (I.1 20 + I.3 20) → 15 × 60 / 40 = 22.50.
    sheet = ScoreSheet.objects.get(pk=sheets["M1"].pk)
    assert (sheet.raw_base, sheet.base) == (D("15"), D("22.50"))
    page = response.content.decode()
    assert 'data-unit="M1"' in page
    assert "40.00 / 60.00" in page


def test_a_refused_mark_is_shown_and_nothing_stored(client, org, table, sheets):
    client.force_login(org.staff)

    response = client.post(
        _url(org, table), {"criterion": _crit(table, "I").pk, "unit": org.member_unit.pk}
    )

    assert response.status_code == 422
    assert "Nothing would be left to score for M1" in response.content.decode()
    assert not NotAssigned.objects.exists()
    assert not ScoreEntry.objects.filter(not_assigned=True).exists()


def test_a_mark_needs_a_unit_or_a_kind_not_both(client, org, table):
    client.force_login(org.staff)

    response = client.post(
        _url(org, table),
        {"criterion": _crit(table, "I.1").pk, "unit": org.member_unit.pk, "unit_kind": "commune"},
    )

    assert response.status_code == 422
    assert "Choose either a unit or a kind of unit." in response.content.decode()
    assert not NotAssigned.objects.exists()


def test_the_form_offers_groups_and_base_criteria_only(client, org, table):
    client.force_login(org.staff)

    form = client.get(_url(org, table)).context["form"]

    codes = [c.code for c in form.fields["criterion"].queryset]
    assert codes == ["I", "I.1", "I.2", "I.3"]
    assert [u.code for u in form.fields["unit"].queryset] == ["D1", "L1", "M1", "O1"]


def test_assign_again(client, org, table, sheets):
    mark = not_assigned_add(criterion=_crit(table, "I.2"), unit_kind="district")
    client.force_login(org.staff)
    remove = reverse("table_not_assigned_remove", args=[org.campaign.pk, table.pk, mark.pk])

    assert client.get(remove).status_code == 405
    response = client.post(remove)

    assert response.status_code == 302
    assert not NotAssigned.objects.exists()
    assert not ScoreEntry.objects.filter(not_assigned=True).exists()
    assert list(NotAssigned.history.values_list("history_type", flat=True).order_by("pk")) == [
        "+",
        "-",
    ]


def test_published_campaign_is_read_only(client, org, table):
    mark = not_assigned_add(criterion=_crit(table, "I.2"), unit=org.member_unit)
    org.campaign.phase = Phase.PUBLISHED
    org.campaign.save()
    client.force_login(org.staff)
    remove = reverse("table_not_assigned_remove", args=[org.campaign.pk, table.pk, mark.pk])

    page = client.get(_url(org, table))

    assert page.status_code == 200
    assert page.context["editable"] is False
    assert 'id="not-assigned-form"' not in page.content.decode()
    assert client.post(_url(org, table), {"criterion": _crit(table, "I.1").pk}).status_code == 403
    assert client.post(remove).status_code == 403
    assert NotAssigned.objects.count() == 1


def _grow(org, table, n: int) -> None:
    """``n`` more member units, half of them communes, in a new cluster of the table."""
    cluster = ClusterFactory(campaign=org.campaign, number=10 + n, code=f"G{n}")
    table.clusters.add(cluster)
    for i in range(n):
        unit = UnitFactory(
            code=f"G{n}U{i}", parent=org.province, kind="commune" if i % 2 else "district"
        )
        MembershipFactory(cluster=cluster, unit=unit, role=MemberRole.MEMBER)
        not_assigned_add(criterion=_crit(table, "I.1"), unit=unit)


def test_page_query_count_same_at_two_sizes(client, org, table, django_assert_num_queries):
    client.force_login(org.staff)
    not_assigned_add(criterion=_crit(table, "I.2"), unit_kind="commune")
    _grow(org, table, 2)
    url = _url(org, table)
    client.get(url)
    with django_assert_num_queries(PAGE_QUERIES):
        small = client.get(url)
    _grow(org, table, 10)
    with django_assert_num_queries(PAGE_QUERIES):
        big = client.get(url)

    assert (len(small.context["marks"]), len(big.context["marks"])) == (3, 13)
    assert (len(small.context["concerned"]), len(big.context["concerned"])) == (2, 12)


PAGE_QUERIES = 15
