"""Nobody judges their own unit (issue 10, point 3): a staff member whose unit is the sheet's
unit cannot save, override or return it at the final stage, and cannot return its
self-assessment; another staff member or an administrator does, and the page says who may.
The cluster stage keeps its own form of the rule (the deputy unit scores the leader unit)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from clusters.enums import Phase
from scoring import permissions, services
from scoring.enums import SheetStatus, Stage
from scoring.models import ScoreSheet
from tests.factories import UserFactory
from tests.scoring.test_views_grid import (
    HTMX,
    entry,
    final,  # noqa: F401 (a fixture)
    grid_url,
    override_url,
    save,
)

D = Decimal
pytestmark = pytest.mark.django_db
NOTICE = "Đây là đơn vị của đồng chí"


@pytest.fixture
def member_staff(org):
    """A staff member of the standing agency whose own unit is the cluster's member M1."""
    user = UserFactory(username="staff_m1", unit=org.member_unit)
    user.groups.add(Group.objects.get_or_create(name=settings.PROVINCE_STAFF_GROUP)[0])
    return user


def test_final_cell_save_of_own_unit_is_refused(client, org, final, member_staff):  # noqa: F811
    e = entry(final["M1"], "I.1")

    response = save(client, member_staff, org.cluster, e, "points", "18", stage="final")

    assert response.status_code == 403
    stored = entry(final["M1"], "I.1")
    assert (stored.input_points, stored.version) == (D("15"), e.version)


def test_final_cell_save_of_another_unit_is_allowed(client, org, final, member_staff):  # noqa: F811
    e = entry(final["L1"], "I.1")

    response = save(client, member_staff, org.cluster, e, "points", "18", stage="final")

    assert response.status_code == 200
    assert entry(final["L1"], "I.1").input_points == D("18")


def test_final_own_unit_is_saved_by_another_staff_member(client, org, final, member_staff):  # noqa: F811
    e = entry(final["M1"], "I.1")

    response = save(client, org.staff, org.cluster, e, "points", "18", stage="final")

    assert response.status_code == 200
    assert entry(final["M1"], "I.1").input_points == D("18")


def test_override_of_own_unit_is_refused(client, org, final, member_staff):  # noqa: F811
    e = entry(final["M1"], "I.2")
    client.force_login(member_staff)

    response = client.post(
        override_url(org.cluster, e),
        {"override": "7,5", "reason": "Số liệu xác minh lại", "version": e.version},
        **HTMX,
    )

    assert response.status_code == 403
    stored = entry(final["M1"], "I.2")
    assert (stored.override, stored.version) == (None, e.version)


def test_grid_says_who_scores_the_own_unit(client, org, final, member_staff):  # noqa: F811
    client.force_login(member_staff)

    response = client.get(grid_url(org.cluster, "final"))

    assert response.status_code == 200
    assert NOTICE in response.content.decode()


def test_sheet_page_says_who_scores_the_own_unit(client, org, final, member_staff):  # noqa: F811
    client.force_login(member_staff)

    response = client.get(reverse("sheet_detail", args=[final["M1"].pk]))

    assert response.status_code == 200
    assert NOTICE in response.content.decode()
    client.force_login(org.staff)
    assert NOTICE not in client.get(reverse("sheet_detail", args=[final["M1"].pk])).content.decode()


def test_return_of_own_units_self_assessment_is_refused(client, org, table, member_staff):
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF
    )
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.SUBMITTED)
    client.force_login(member_staff)

    response = client.post(reverse("sheet_return", args=[sheet.pk]), {"comment": "Bổ sung"})

    assert response.status_code == 403
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED


def test_leader_cannot_return_its_own_self_assessment(org, table):
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.leader_unit, stage=Stage.SELF
    )
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.SUBMITTED)
    sheet.refresh_from_db()

    assert permissions.can_return_sheet(org.leader, sheet) is False
    assert permissions.can_return_sheet(org.deputy, sheet) is True


def test_administrator_with_a_unit_does_not_judge_it(org, final):  # noqa: F811
    admin = UserFactory(username="admin_m1", is_superuser=True, unit=org.member_unit)

    assert permissions.can_edit_sheet(admin, final["M1"]) is False
    assert permissions.can_edit_sheet(admin, final["L1"]) is True
