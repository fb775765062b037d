"""The scoring services: stored figures, what a change recomputes, tables' life cycle."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from scoring import services
from scoring.enums import SheetStatus, TableStatus
from scoring.models import Criterion, ScoreEntry, ScoreSheet, ScoreTable
from scoring.services.change import entry_change
from tests.factories import MembershipFactory, UnitFactory

D = Decimal
pytestmark = pytest.mark.django_db

# Inputs of the hand-computed example (see the expected figures below).
INPUTS = {
    "L1": {
        "I.1": {"points": D("18")},
        "I.2": {"numerator": 50, "denominator": 50},
        "I.3": {"numerator": 95, "denominator": 100},
        "B": {"count": 2},
        "T": {"points": D("0")},
        "V": {"violated": False},
    },
    "D1": {
        "I.1": {"points": D("15.5")},
        "I.2": {"numerator": 49, "denominator": 50},
        "I.3": {"numerator": 99, "denominator": 100},
        "B": {"count": 7},
        "T": {"points": D("1.5")},
        "V": {"violated": False},
    },
    "M1": {
        "I.1": {"points": D("20")},
        "I.2": {"numerator": 0, "denominator": 0},
        "I.3": {"numerator": 45, "denominator": 50},
        "B": {"count": 0},
        "T": {"points": D("0")},
        "V": {"violated": True},
    },
}


def fill(sheets, inputs=INPUTS):
    for unit, entries in inputs.items():
        for code, values in entries.items():
            entry = sheets[unit].entries.get(criterion__code=code)
            services.entry_update(entry=entry, values=values)


def figures(unit_code):
    sheet = ScoreSheet.objects.get(unit__code=unit_code, stage="cluster")
    return (
        sheet.base,
        sheet.bonus,
        sheet.deduction,
        sheet.total,
        sheet.band,
        sheet.rank,
        sheet.leading,
        sheet.complete,
    )


def test_sheet_figures_match_the_hand_computed_example(sheets):
    fill(sheets)

    # I.3 relative: e(L1) = 5/90, e(D1) = 9/90 = E → D1 20; L1 0.5 × 20 × (1 + 5/9) = 15.56;
    # M1 at the target exactly → 10. I.2: M1's denominator 0 → full 20, D1 misses → 0.
    # L1: 18 + 20 + 15.56 = 53.56 base, +2 bonus → 55.56, Xuất sắc, rank 1, leading.
    assert figures("L1") == (D("53.56"), D("2"), D("0"), D("55.56"), "Xuất sắc", 1, True, True)
    # M1: 20 + 20 + 10 = 50, veto deducts 5 → 45; the veto caps at Khá and excludes leading.
    assert figures("M1") == (D("50"), D("0"), D("5"), D("45"), "Khá", 2, False, True)
    # D1: 15.5 + 0 + 20 = 35.5, bonus min(7, 5) = 5, deduction 1.5 → 39.
    assert figures("D1") == (D("35.5"), D("5"), D("1.5"), D("39"), "Khá", 3, False, True)


def test_entry_points_are_stored_per_criterion(sheets):
    fill(sheets)

    points = dict(
        ScoreEntry.objects.filter(sheet=sheets["L1"]).values_list("criterion__code", "points")
    )

    assert points == {
        "I.1": D("18"),
        "I.2": D("20"),
        "I.3": D("15.56"),
        "B": D("2"),
        "T": D("0"),
        "V": D("0"),
    }


def test_sheet_with_missing_inputs_is_incomplete_and_counts_zero(sheets):
    entry = sheets["L1"].entries.get(criterion__code="I.1")

    services.entry_update(entry=entry, values={"points": D("7.25")})

    assert figures("L1")[3] == D("7.25")
    assert figures("L1")[7] is False


def test_bad_input_is_refused_naming_the_criterion_and_nothing_stored(sheets):
    entry = sheets["L1"].entries.get(criterion__code="I.2")

    with pytest.raises(ValidationError) as error:
        services.entry_update(entry=entry, values={"numerator": 60, "denominator": 50})

    assert "I.2" in " ".join(error.value.messages)
    entry.refresh_from_db()
    assert (entry.numerator, entry.denominator, entry.points) == (None, None, None)


def test_override_needs_a_reason(sheets):
    entry = sheets["L1"].entries.get(criterion__code="I.1")

    with pytest.raises(ValidationError, match="điều chỉnh điểm phải ghi rõ lý do"):
        services.entry_update(entry=entry, values={"points": D(10), "override": D(12)})


def test_override_replaces_the_computed_points(sheets):
    entry = sheets["L1"].entries.get(criterion__code="I.2")

    services.entry_update(
        entry=entry,
        values={
            "numerator": 1,
            "denominator": 2,
            "override": D("15"),
            "reason": "Biên bản phúc tra",
        },
    )

    entry.refresh_from_db()
    assert entry.points == D("15")
    assert figures("L1")[3] == D("15")


def test_stale_save_is_refused_and_shows_the_newer_value(sheets):
    entry = sheets["L1"].entries.get(criterion__code="I.1")
    first = services.entry_update(entry=entry, values={"points": D(5)}, expected_version=1)

    with pytest.raises(services.StaleEntry) as error:
        services.entry_update(entry=entry, values={"points": D(9)}, expected_version=1)

    assert error.value.current.input_points == D(5)
    assert first.version == 2
    entry.refresh_from_db()
    assert entry.input_points == D(5)


def test_locked_sheet_refuses_changes(sheets):
    ScoreSheet.objects.filter(pk=sheets["L1"].pk).update(status=SheetStatus.LOCKED)
    entry = sheets["L1"].entries.get(criterion__code="I.1")

    with pytest.raises(services.SheetLocked):
        services.entry_update(entry=entry, values={"points": D(5)})

    entry.refresh_from_db()
    assert entry.input_points is None


def test_plain_change_recomputes_only_its_own_sheet(sheets):
    fill(sheets)

    entry = sheets["D1"].entries.get(criterion__code="I.1")
    change = entry_change(entry=entry, values={"points": D("16")})

    assert list(change.figures) == [sheets["D1"].pk]
    assert change.points == {entry.pk: D("16")}
    assert figures("D1")[3] == D("39.5")


def test_relative_change_recomputes_the_cluster_at_that_stage(sheets):
    fill(sheets)

    # L1 now beats D1's rate: L1 leads I.3 with 20; D1 gets 0.5 × 20 × (1 + (9/90)/(10/90)) = 19.
    entry = sheets["L1"].entries.get(criterion__code="I.3")
    change = entry_change(entry=entry, values={"numerator": 100, "denominator": 100})

    assert sorted(change.figures) == sorted([sheets["L1"].pk, sheets["D1"].pk])
    assert ScoreEntry.objects.get(sheet=sheets["D1"], criterion__code="I.3").points == D("19")
    assert figures("L1")[3] == D("60")


def test_change_does_not_touch_other_stages(org, sheets):
    fill(sheets)
    self_sheet = services.sheet_get_or_create(
        cluster=org.cluster, unit=org.leader_unit, stage="self"
    )
    before = ScoreSheet.objects.filter(stage="cluster").values_list("pk", "total", "rank")

    services.entry_update(
        entry=self_sheet.entries.get(criterion__code="I.3"),
        values={"numerator": 1, "denominator": 1},
    )

    assert list(
        ScoreSheet.objects.filter(stage="cluster").values_list("pk", "total", "rank")
    ) == list(before)


def _grow_cluster(org, table, extra_units):
    for i in range(extra_units):
        unit = UnitFactory(code=f"X{i:02d}")
        MembershipFactory(cluster=org.cluster, unit=unit)
        services.sheet_get_or_create(cluster=org.cluster, unit=unit, stage="cluster")


@pytest.mark.parametrize("code", ["I.1", "I.3"])
def test_entry_update_query_count_does_not_grow_with_the_cluster(
    org, table, sheets, django_assert_num_queries, django_assert_max_num_queries, code
):
    fill(sheets)
    entry = sheets["L1"].entries.get(criterion__code=code)
    services.entry_update(entry=entry, values=INPUTS["L1"][code])  # the criterion is read once
    # Savepoint, lock the sheets, one read, the entry, its history row, the sheets,
    # release: whatever the size of the cluster.
    with django_assert_num_queries(7):
        services.entry_update(entry=entry, values=INPUTS["D1"][code])
    _grow_cluster(org, table, 8)

    with django_assert_num_queries(7):
        services.entry_update(entry=entry, values=INPUTS["L1"][code])


def test_publish_lists_every_problem_at_once(org):
    table = ScoreTable.objects.create(
        campaign=org.campaign,
        title="Hỏng",
        bands=[{"label": "Khá", "min": "30"}, {"label": "Xuất sắc", "min": "50"}],
    )
    group = Criterion.objects.create(table=table, code="I", title="I", kind="group", max_points=10)
    Criterion.objects.create(
        table=table, parent=group, code="I.1", title="a", kind="manual", max_points=4
    )
    Criterion.objects.create(table=table, code="C", title="c", kind="count", max_points=4)

    with translation.override("en"), pytest.raises(services.TableNotPublishable) as error:
        services.table_publish(table=table)

    assert error.value.messages == [
        "C: a count criterion needs per_item",
        "I: declared max 10.00 differs from the sum of its base children's max 4.00",
        "band Xuất sắc: min 50 must be lower than the previous band's 30 "
        "(bands go best first, strictly descending)",
    ]
    table.refresh_from_db()
    assert table.status == TableStatus.DRAFT


def test_published_table_is_frozen_and_a_new_version_copies_it(org, table, sheets):
    with pytest.raises(services.TableFrozen):
        services.table_publish(table=table)

    copy = services.table_new_version(table=table)

    assert (copy.version, copy.status, copy.previous) == (2, TableStatus.DRAFT, table)
    assert list(copy.criteria.values_list("code", "depth", "position")) == list(
        table.criteria.values_list("code", "depth", "position")
    )
    assert set(copy.clusters.all()) == {org.cluster, org.other_cluster}
    assert {s.table_id for s in ScoreSheet.objects.all()} == {table.pk}


def test_table_renumber_orders_the_tree_depth_first(table):
    rows = list(table.criteria.order_by("position").values_list("code", "depth"))

    assert rows == [("I", 0), ("I.1", 1), ("I.2", 1), ("I.3", 1), ("B", 0), ("T", 0), ("V", 0)]


def test_recompute_scope_restores_tampered_figures(sheets):
    fill(sheets)
    ScoreSheet.objects.update(total=D(0), rank=None)
    ScoreEntry.objects.filter(criterion__code="I.3").update(points=None)

    summary = services.recompute_scope(ScoreSheet.objects.all())

    assert summary.entries_changed == 3
    assert figures("L1")[3:6] == (D("55.56"), "Xuất sắc", 1)
    assert figures("D1")[3] == D("39")


def test_sheet_for_a_unit_outside_the_cluster_is_refused(org, table):
    with pytest.raises(ValidationError, match="không phải là thành viên"):
        services.sheet_get_or_create(cluster=org.cluster, unit=org.outsider_unit, stage="self")
