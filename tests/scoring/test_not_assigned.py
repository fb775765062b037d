"""Criteria not assigned to a unit (không giao): marking and unmarking, what they recompute,
what they refuse, and their history (scoring.services.assignments)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from scoring import services
from scoring.enums import SheetStatus
from scoring.models import Criterion, NotAssigned, ScoreEntry, ScoreSheet
from scoring.services.assignments import (
    not_assigned_add,
    not_assigned_remove,
    not_assigned_to_unit,
)
from tests.scoring.test_services import INPUTS, fill

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages compared in English, whatever catalogue is installed."""
    with translation.override("en"):
        yield


def figures(unit_code, stage="cluster"):
    sheet = ScoreSheet.objects.get(unit__code=unit_code, stage=stage)
    return (sheet.raw_base, sheet.base, sheet.total, sheet.band, sheet.rank, sheet.leading)


def criterion(table, code):
    return Criterion.objects.get(table=table, code=code)


def test_marking_a_criterion_normalises_the_units_base(org, table, sheets):
    fill(sheets)

    not_assigned_add(criterion=criterion(table, "I.2"), unit=org.member_unit, user=org.staff)

    # M1: I.1 20 + I.3 10 = 30 of the 40 assigned; base = 30 × 60 / 40 = 45.00; the veto
    # deducts 5 → 40, capped at Khá; the others keep their hand-computed figures.
    assert figures("M1") == (D("30"), D("45"), D("40"), "Khá", 2, False)
    assert figures("L1") == (D("53.56"), D("53.56"), D("55.56"), "Xuất sắc", 1, True)
    assert figures("D1") == (D("35.5"), D("35.5"), D("39"), "Khá", 3, False)
    entry = ScoreEntry.objects.get(sheet=sheets["M1"], criterion__code="I.2")
    assert (entry.not_assigned, entry.points) == (True, None)
    # The inputs stay, unused, should the criterion be assigned again.
    assert (entry.numerator, entry.denominator) == (0, 0)


def test_unassigned_relative_leader_takes_no_part_in_e(org, table, sheets):
    fill(sheets)

    not_assigned_add(criterion=criterion(table, "I.3"), unit=org.deputy_unit, user=org.staff)

    # Without D1 (e = 9/90), E = L1's 5/90: L1 leads I.3 with 20 → 18 + 20 + 20 = 58, + 2 = 60.
    # D1: 15.5 + 0 = 15.5 of 40 → 15.5 × 60 / 40 = 23.25, + 5 − 1.5 = 26.75 → Đạt.
    assert ScoreEntry.objects.get(sheet=sheets["L1"], criterion__code="I.3").points == D("20")
    assert figures("L1") == (D("58"), D("58"), D("60"), "Xuất sắc", 1, True)
    assert figures("D1") == (D("15.5"), D("23.25"), D("26.75"), "Đạt", 3, False)
    assert figures("M1") == (D("50"), D("50"), D("45"), "Khá", 2, False)


def test_unmarking_restores_every_figure(org, table, sheets):
    fill(sheets)
    before = {code: figures(code) for code in sheets}
    mark = not_assigned_add(criterion=criterion(table, "I.3"), unit=org.deputy_unit)

    not_assigned_remove(mark=mark, reason="Giao lại", user=org.staff)

    assert {code: figures(code) for code in sheets} == before
    assert not ScoreEntry.objects.filter(not_assigned=True).exists()


def test_marking_every_base_criterion_is_refused_and_changes_nothing(org, table, sheets):
    fill(sheets)
    before = {code: figures(code) for code in sheets}

    with pytest.raises(ValidationError, match="Nothing would be left to score for M1"):
        not_assigned_add(criterion=criterion(table, "I"), unit=org.member_unit)

    assert not NotAssigned.objects.exists()
    assert not ScoreEntry.objects.filter(not_assigned=True).exists()
    assert {code: figures(code) for code in sheets} == before


def test_marking_by_kind_flags_the_kinds_sheets_at_every_stage(org, table, sheets):
    org.member_unit.kind = "commune"
    org.member_unit.save()
    self_sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.member_unit, stage="self"
    )

    not_assigned_add(criterion=criterion(table, "I.1"), unit_kind="commune")

    assert sorted(
        ScoreEntry.objects.filter(not_assigned=True).values_list("sheet_id", flat=True)
    ) == sorted([sheets["M1"].pk, self_sheet.pk])


def test_a_new_sheet_is_created_with_its_marks(org, table, sheets):
    not_assigned_add(criterion=criterion(table, "I.2"), unit=org.member_unit)

    sheet = services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage="self")

    assert list(
        sheet.entries.filter(not_assigned=True).values_list("criterion__code", flat=True)
    ) == ["I.2"]


def test_an_unassigned_entry_takes_no_input(org, table, sheets):
    not_assigned_add(criterion=criterion(table, "I.1"), unit=org.member_unit)
    entry = ScoreEntry.objects.get(sheet=sheets["M1"], criterion__code="I.1")

    with pytest.raises(ValidationError, match="I.1 is not assigned to this unit"):
        services.entry_update(entry=entry, values={"points": D("5")})
    with pytest.raises(ValidationError, match="I.1 is not assigned to this unit"):
        services.sheet_fill(sheet=sheets["M1"], values={"I.1": {"points": D("5")}})

    entry.refresh_from_db()
    assert entry.input_points is None


def test_a_save_based_on_the_entry_before_it_was_marked_is_stale(org, table, sheets):
    entry = ScoreEntry.objects.get(sheet=sheets["M1"], criterion__code="I.1")
    version = entry.version

    not_assigned_add(criterion=criterion(table, "I.1"), unit=org.member_unit)

    with pytest.raises(services.StaleEntry):
        services.entry_update(entry=entry, values={"points": D("5")}, expected_version=version)


@pytest.mark.parametrize("code", ["B", "T", "V"])
def test_bonus_deduction_and_veto_are_always_assigned(org, table, sheets, code):
    with pytest.raises(ValidationError, match="always apply to every unit"):
        not_assigned_add(criterion=criterion(table, code), unit=org.member_unit)

    assert not NotAssigned.objects.exists()


def test_a_unit_outside_the_tables_clusters_is_refused(org, table, sheets):
    stranger = type(org.member_unit).objects.create(code="ZZ", name="Đơn vị khác", kind="other")

    with pytest.raises(ValidationError, match="is not a member of a cluster"):
        not_assigned_add(criterion=criterion(table, "I.1"), unit=stranger)


def test_a_mark_twice_is_refused(org, table, sheets):
    not_assigned_add(criterion=criterion(table, "I.1"), unit=org.member_unit)

    with pytest.raises(ValidationError, match="already not assigned to the unit"):
        not_assigned_add(criterion=criterion(table, "I.1"), unit=org.member_unit)


def test_either_a_unit_or_a_kind(org, table, sheets):
    with pytest.raises(ValidationError, match="either a unit or a kind"):
        not_assigned_add(criterion=criterion(table, "I.1"))


def test_published_results_refuse_a_mark_and_an_unmark(org, table, sheets):
    mark = not_assigned_add(criterion=criterion(table, "I.2"), unit=org.member_unit)
    ScoreSheet.objects.filter(pk=sheets["M1"].pk).update(status=SheetStatus.LOCKED)

    with pytest.raises(ValidationError, match="M1 are published and locked"):
        not_assigned_add(criterion=criterion(table, "I.1"), unit=org.member_unit)
    with pytest.raises(ValidationError, match="M1 are published and locked"):
        not_assigned_remove(mark=mark)

    assert NotAssigned.objects.count() == 1


def test_marks_and_their_effects_are_in_the_history(org, table, sheets):
    mark = not_assigned_add(
        criterion=criterion(table, "I.2"), unit=org.member_unit, reason="Không có", user=org.staff
    )
    not_assigned_remove(mark=mark, reason="Giao lại", user=org.staff)

    rows = list(
        NotAssigned.history.order_by("history_id").values_list(
            "history_type", "history_user__username", "history_change_reason"
        )
    )
    assert rows == [("+", "staff", "Không có"), ("-", "staff", "Giao lại")]
    entry = ScoreEntry.objects.get(sheet=sheets["M1"], criterion__code="I.2")
    changes = list(
        entry.history.order_by("history_id").values_list(
            "not_assigned", "history_user__username", "history_change_reason"
        )
    )
    assert changes[-2:] == [
        (True, "staff", "I.2 marked not assigned"),
        (False, "staff", "I.2 assigned again"),
    ]


def test_not_assigned_to_unit_adds_a_mark_only_where_none_covers_it(org, table, sheets):
    org.member_unit.kind = "commune"
    org.member_unit.save()
    not_assigned_add(criterion=criterion(table, "I.1"), unit_kind="commune")

    assert not_assigned_to_unit(criterion=criterion(table, "I.1"), unit=org.member_unit) is False
    assert not_assigned_to_unit(criterion=criterion(table, "I.2"), unit=org.member_unit) is True
    assert NotAssigned.objects.count() == 2


def test_entry_update_takes_the_same_queries_with_marks(
    org, table, sheets, django_assert_num_queries
):
    fill(sheets)
    not_assigned_add(criterion=criterion(table, "I.3"), unit=org.deputy_unit)
    entry = sheets["L1"].entries.get(criterion__code="I.3")
    services.entry_update(entry=entry, values=INPUTS["L1"]["I.3"])

    with django_assert_num_queries(7):
        services.entry_update(entry=entry, values={"numerator": 96, "denominator": 100})

    # L1 alone has a target excess (6/90): it leads I.3.
    assert ScoreEntry.objects.get(pk=entry.pk).points == D("20")


def test_a_tables_next_version_keeps_its_marks(org, table, sheets):
    not_assigned_add(criterion=criterion(table, "I.2"), unit=org.member_unit, reason="Xã")
    not_assigned_add(criterion=criterion(table, "I.1"), unit_kind="commune")

    copy = services.table_new_version(table=table)

    marks = NotAssigned.objects.filter(criterion__table=copy).order_by("pk")
    assert [(m.criterion.code, m.unit, m.unit_kind, m.reason) for m in marks] == [
        ("I.2", org.member_unit, "", "Xã"),
        ("I.1", None, "commune", ""),
    ]
    assert NotAssigned.objects.filter(criterion__table=table).count() == 2
