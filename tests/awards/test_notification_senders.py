"""What awards tells people (awards/notices.py; docs/notifications.md)."""

from __future__ import annotations

import pytest

from awards import services
from clusters.enums import NoticeKind
from clusters.models import Notification
from tests.awards.test_decisions import record, voted  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_decision_tells_each_unit_it_names_once(voted):  # noqa: F811
    org = voted
    flag, advanced = services.AwardType.objects.order_by("order")
    decision = record(org)

    services.decision_item_set(
        decision=decision, unit=org.leader_unit, award_type=flag, outcome="granted"
    )
    services.decision_item_set(
        decision=decision, unit=org.leader_unit, award_type=advanced, outcome="granted"
    )
    services.decision_item_set(
        decision=decision, unit=org.deputy_unit, award_type=advanced, outcome="refused"
    )

    told = Notification.objects.filter(kind=NoticeKind.DECISION_RECORDED)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["deputy", "leader"]
    assert told.first().params["number"] == "12/QĐ-BCA"
    assert told.first().params["date"] == "2024-01-15"
