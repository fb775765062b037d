"""Deadlines, extensions and their reads (clusters.services.deadlines; docs/deadlines.md)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from clusters.enums import DeadlineMode, Phase
from clusters.models import Period
from clusters.services import deadlines as svc


def test_due_for_cluster_deadline_overrides_campaign_and_extension_overrides_both(org):
    svc.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 10)
    )
    own = svc.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        due_date=date(2023, 11, 15),
        cluster=org.cluster,
    )
    due = {"campaign": org.campaign, "period": None, "phase": Phase.SELF_ASSESSMENT}
    assert svc.due_for(**due) == date(2023, 11, 10)
    assert svc.due_for(**due, cluster=org.other_cluster) == date(2023, 11, 10)
    assert svc.due_for(**due, cluster=org.cluster) == date(2023, 11, 15)
    svc.deadline_extend(
        deadline=own, unit=org.member_unit, due_date=date(2023, 11, 20), reason="Lũ", user=org.staff
    )
    svc.deadline_extend(
        deadline=own,
        unit=org.member_unit,
        due_date=date(2023, 11, 22),
        reason="Mưa",
        user=org.staff,
    )
    assert svc.due_for(**due, cluster=org.cluster, unit=org.member_unit) == date(2023, 11, 22)
    assert svc.due_for(**due, cluster=org.cluster, unit=org.leader_unit) == date(2023, 11, 15)
    assert svc.due_for(campaign=org.campaign, period=None, phase=Phase.EXPLANATION) is None
    assert own.extensions.count() == 2


def test_due_for_costs_one_query(org, django_assert_num_queries):
    svc.deadline_set(
        campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT, due_date=date(2023, 11, 10)
    )
    with django_assert_num_queries(1):
        svc.due_for(
            campaign=org.campaign,
            period=None,
            phase=Phase.SELF_ASSESSMENT,
            cluster=org.cluster,
            unit=org.member_unit,
        )


def test_extension_needs_a_reason_a_later_date_and_a_concerned_unit(org):
    deadline = svc.deadline_set(
        campaign=org.campaign,
        period=None,
        phase=Phase.SELF_ASSESSMENT,
        due_date=date(2023, 11, 10),
        cluster=org.cluster,
        mode=DeadlineMode.CLOSE,
    )
    with pytest.raises(ValidationError):
        svc.deadline_extend(
            deadline=deadline, unit=org.member_unit, due_date=date(2023, 11, 12), reason=" "
        )
    with pytest.raises(ValidationError):
        svc.deadline_extend(
            deadline=deadline, unit=org.member_unit, due_date=date(2023, 11, 9), reason="x"
        )
    with pytest.raises(ValidationError):
        svc.deadline_extend(
            deadline=deadline, unit=org.outsider_unit, due_date=date(2023, 11, 12), reason="x"
        )


def test_deadline_state_days_left_and_close(org):
    svc.deadline_set(
        campaign=org.campaign,
        period=Period.objects.year_end(org.campaign),
        phase=Phase.SELF_ASSESSMENT,
        due_date=date(2023, 11, 10),
        mode=DeadlineMode.CLOSE,
    )
    state = svc.state_for(campaign=org.campaign, period=None, phase=Phase.SELF_ASSESSMENT)
    assert state.days_left(date(2023, 11, 7)) == 3
    assert state.days_left(date(2023, 11, 10)) == 0
    assert not state.closes_input(date(2023, 11, 10))
    assert state.closes_input(date(2023, 11, 11))
    assert state.days_left(date(2023, 11, 12)) == -2
