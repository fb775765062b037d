"""Criteria not assigned to a unit (không giao) in scoring/engine/: hand-computed examples and
properties (hypothesis)."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scoring.engine import (
    BASE_KINDS,
    Band,
    CriterionSpec,
    EntryInput,
    normalised_base,
    points_for_cluster,
    relative_points,
    sheet_figures,
    unassigned_leaves,
)

D = Decimal
PROPERTY = settings(max_examples=200, deadline=None)
BANDS = [Band("Xuất sắc", D("90")), Band("Tốt", D("80")), Band("Khá", D("65"))]
TABLE = [
    CriterionSpec(code="I", kind="group", max_points=D("20")),
    CriterionSpec(code="I.1", kind="manual", max_points=D("10"), parent="I"),
    CriterionSpec(code="I.2", kind="group", max_points=D("10"), parent="I"),
    CriterionSpec(code="I.2.a", kind="pass_fail", max_points=D("4"), parent="I.2"),
    CriterionSpec(code="I.2.b", kind="count", max_points=D("6"), parent="I.2", per_item=D("2")),
    CriterionSpec(code="I.3", kind="bonus", max_points=D("5"), parent="I"),
    CriterionSpec(code="II", kind="target", max_points=D("80"), metric="value", method="threshold"),
    CriterionSpec(code="B", kind="bonus", max_points=D("5"), per_item=D("1")),
    CriterionSpec(code="T", kind="deduction", max_points=D("10")),
    CriterionSpec(code="V1", kind="veto", deduct=D("2.5"), max_band="Khá"),
]
POINTS = {
    "I.1": D("8.5"),
    "I.2.a": D("4"),
    "I.2.b": D("4"),
    "I.3": D("3"),
    "II": D("80"),
    "B": D("4"),
    "T": D("1.25"),
}


# --- which leaves -----------------------------------------------------------------------------


def test_unassigned_leaves_of_a_group_are_its_base_leaves():
    assert unassigned_leaves(TABLE, {"I"}) == frozenset({"I.1", "I.2.a", "I.2.b"})
    assert unassigned_leaves(TABLE, {"I.2", "II"}) == frozenset({"I.2.a", "I.2.b", "II"})
    assert unassigned_leaves(TABLE, set()) == frozenset()


@pytest.mark.parametrize("code", ["I.3", "B", "T", "V1"])
def test_unassigned_leaves_refuses_bonus_deduction_and_veto(code):
    with pytest.raises(ValueError, match="always assigned"):
        unassigned_leaves(TABLE, {code})


def test_unassigned_leaves_refuses_an_unknown_code():
    with pytest.raises(ValueError, match="ZZ: no such criterion"):
        unassigned_leaves(TABLE, {"ZZ"})


# --- the normalised base ----------------------------------------------------------------------


def test_sheet_figures_normalise_the_base_to_the_whole_table():
    # Base leaves: I.1 10, I.2.a 4, I.2.b 6, II 80: the table's base max is 100.
    # I.2 not assigned: I.2.a and I.2.b (10) out, the assigned base max is 90.
    # raw base = 8.50 + 80.00 = 88.50; base = 88.50 × 100 / 90 = 98.333… -> 98.33
    # bonus 3 + 4 = 7 capped at 6; deduction 1.25; total 98.33 + 6 - 1.25 = 103.08
    figures = sheet_figures(
        TABLE, POINTS, {"V1": False}, BANDS, D("6"), not_assigned={"I.2.a", "I.2.b"}
    )

    assert (figures.raw_base, figures.base) == (D("88.50"), D("98.33"))
    assert (figures.bonus, figures.deduction, figures.total) == (D("6"), D("1.25"), D("103.08"))
    assert figures.band == "Xuất sắc"
    assert figures.complete is True
    assert figures.subtotals == {"I": D("8.50"), "I.2": D("0.00")}
    assert figures.points == {
        "I.1": D("8.50"),
        "I.3": D("3.00"),
        "II": D("80.00"),
        "B": D("4.00"),
        "T": D("1.25"),
        "V1": D("0.00"),
    }
    assert figures.not_assigned == frozenset({"I.2.a", "I.2.b"})


def test_worked_example_of_docs_scoring():
    # docs/scoring.md: II.1 (economic security, 30) not assigned to a commune police.
    # raw base = 20.50 + 15 + 26.75 = 62.25 of 70; base = 6225 / 70 = 88.928571… -> 88.93;
    # total 88.93 + 2 - 1 = 89.93 -> Tốt.
    table = [
        CriterionSpec(code="I", kind="group", max_points=D("40")),
        CriterionSpec(code="I.1", kind="manual", max_points=D("25"), parent="I"),
        CriterionSpec(code="I.2", kind="pass_fail", max_points=D("15"), parent="I"),
        CriterionSpec(code="II", kind="group", max_points=D("60")),
        CriterionSpec(
            code="II.1",
            kind="target",
            max_points=D("30"),
            parent="II",
            metric="value",
            method="threshold",
        ),
        CriterionSpec(code="II.2", kind="manual", max_points=D("30"), parent="II"),
        CriterionSpec(code="B", kind="bonus", max_points=D("5")),
        CriterionSpec(code="T", kind="deduction", max_points=D("10")),
    ]
    points = {"I.1": D("20.50"), "I.2": D("15"), "II.2": D("26.75"), "B": D("2"), "T": D("1")}

    figures = sheet_figures(
        table, points, {}, BANDS, None, not_assigned=unassigned_leaves(table, {"II.1"})
    )

    assert (figures.raw_base, figures.base, figures.total, figures.band) == (
        D("62.25"),
        D("88.93"),
        D("89.93"),
        "Tốt",
    )
    assert figures.subtotals == {"I": D("35.50"), "II": D("26.75")}
    assert "II.1" not in figures.points


def test_sheet_figures_band_follows_the_normalised_base():
    # II (80) not assigned: raw base = 8.50 + 4 + 4 = 16.50 of 20; base = 16.50 × 100 / 20
    # = 82.50; total 82.50 + 6 - 1.25 = 87.25 -> Tốt (the raw base would give 21.25, no band)
    figures = sheet_figures(TABLE, POINTS, {"V1": False}, BANDS, D("6"), not_assigned={"II"})

    assert (figures.raw_base, figures.base, figures.total) == (D("16.50"), D("82.50"), D("87.25"))
    assert figures.band == "Tốt"


def test_sheet_figures_not_assigned_entry_neither_counts_nor_is_missing():
    points = {**POINTS, "II": None}  # II not entered: incomplete while it is assigned

    assigned = sheet_figures(TABLE, points, {"V1": False}, BANDS, None)
    unassigned = sheet_figures(TABLE, points, {"V1": False}, BANDS, None, not_assigned={"II"})

    assert assigned.complete is False
    assert unassigned.complete is True
    # Points given for an unassigned leaf are ignored.
    ignored = sheet_figures(
        TABLE, {**POINTS, "II": D("80")}, {"V1": False}, BANDS, None, not_assigned={"II"}
    )
    assert ignored == unassigned


def test_normalised_base_rounds_half_up_once():
    # 0.02 × 5 / 4 = 0.025 exactly: half up gives 0.03 (half even would give 0.02)
    assert normalised_base(D("0.02"), D("5"), D("4")) == D("0.03")
    # 33.33 × 100 / 60 = 55.55 exactly; 10 × 100 / 30 = 33.333… -> 33.33; 20 × 100 / 30 -> 66.67
    assert normalised_base(D("33.33"), D("100"), D("60")) == D("55.55")
    assert normalised_base(D("10"), D("100"), D("30")) == D("33.33")
    assert normalised_base(D("20"), D("100"), D("30")) == D("66.67")


def test_normalised_base_keeps_the_raw_base_when_nothing_or_everything_is_assigned():
    assert normalised_base(D("42.5"), D("100"), D("100")) == D("42.50")
    assert normalised_base(D("0"), D("100"), D("0")) == D("0.00")


def test_sheet_figures_with_every_base_leaf_unassigned_has_base_zero():
    everything = {"I.1", "I.2.a", "I.2.b", "II"}

    figures = sheet_figures(TABLE, POINTS, {"V1": False}, BANDS, None, not_assigned=everything)

    assert (figures.raw_base, figures.base, figures.bonus, figures.total) == (
        D("0.00"),
        D("0.00"),
        D("7.00"),
        D("5.75"),
    )


@pytest.mark.parametrize("code", ["I", "I.3", "B", "V1", "ZZ"])
def test_sheet_figures_refuses_to_unassign_anything_but_a_base_leaf(code):
    with pytest.raises(ValueError, match="only base leaves"):
        sheet_figures(TABLE, POINTS, {"V1": False}, BANDS, None, not_assigned={code})


# --- relative criteria: no part in E or M -----------------------------------------------------

RELATIVE = CriterionSpec(
    code="R", kind="target", max_points=D("10"), metric="value", method="relative"
)


def test_relative_points_leave_an_unassigned_unit_out_of_the_leader():
    entries = {
        "a": EntryInput(actual=D("120"), target=D("100")),  # e = 0.2
        "b": EntryInput(actual=D("110"), target=D("100")),  # e = 0.1
        "c": EntryInput(actual=D("150"), target=D("100")),  # e = 0.5, not assigned
    }
    # With c: E = 0.5; a = 5 × (1 + 0.2 / 0.5) = 7.00, b = 5 × (1 + 0.1 / 0.5) = 6.00
    assert relative_points(RELATIVE, entries) == {"a": D("7.00"), "b": D("6.00"), "c": D("10.00")}
    # Without c: E = 0.2; a leads (10), b = 5 × (1 + 0.1 / 0.2) = 7.50
    assert relative_points(RELATIVE, entries, {"c"}) == {
        "a": D("10.00"),
        "b": D("7.50"),
        "c": None,
    }
    assert points_for_cluster(RELATIVE, entries, {"c"}) == {
        "a": D("10.00"),
        "b": D("7.50"),
        "c": None,
    }


def test_relative_points_leave_an_unassigned_unit_out_of_the_maximum():
    entries = {
        "a": EntryInput(actual=D("40")),  # no target: against M
        "b": EntryInput(actual=D("80")),  # not assigned
        "c": EntryInput(actual=D("30")),
    }
    # M = 40 without b: a = 10, c = 10 × 30 / 40 = 7.50
    assert relative_points(RELATIVE, entries, {"b"}) == {
        "a": D("10.00"),
        "b": None,
        "c": D("7.50"),
    }


def test_points_for_cluster_gives_no_points_to_an_unassigned_leaf():
    manual = CriterionSpec(code="M", kind="manual", max_points=D("10"))
    entries = {"a": EntryInput(points=D("4")), "b": EntryInput(points=D("9"))}

    assert points_for_cluster(manual, entries, {"b"}) == {"a": D("4.00"), "b": None}


# --- properties -------------------------------------------------------------------------------

maxima = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def tables(draw: st.DrawFn):
    """A small valid table: groups of base leaves, a top-level leaf, a bonus and a deduction."""
    criteria: list[CriterionSpec] = []
    for group in range(draw(st.integers(1, 3))):
        leaves = [
            CriterionSpec(
                code=f"{group}.{leaf}",
                kind=draw(st.sampled_from(["manual", "pass_fail", "count", "target"])),
                max_points=draw(maxima),
                parent=f"{group}",
            )
            for leaf in range(draw(st.integers(1, 3)))
        ]
        total = sum((leaf.max_points for leaf in leaves), D(0))
        criteria.append(CriterionSpec(code=f"{group}", kind="group", max_points=total))
        for leaf in leaves:
            if leaf.kind == "target":
                leaf = replace(leaf, metric="value", method="threshold")
            elif leaf.kind == "count":
                leaf = replace(leaf, per_item=D("1"))
            criteria.append(leaf)
    criteria.append(CriterionSpec(code="top", kind="manual", max_points=draw(maxima)))
    criteria.append(CriterionSpec(code="B", kind="bonus", max_points=draw(maxima)))
    criteria.append(CriterionSpec(code="T", kind="deduction", max_points=draw(maxima)))
    return criteria


def _base_leaves(criteria):
    return [c for c in criteria if c.kind in BASE_KINDS]


@PROPERTY
@given(tables(), st.data())
def test_full_marks_on_every_assigned_criterion_make_the_table_base_max(criteria, data):
    leaves = _base_leaves(criteria)
    unassigned = data.draw(st.sets(st.sampled_from([c.code for c in leaves])))
    assigned_max = sum((c.max_points for c in leaves if c.code not in unassigned), D(0))
    assume(assigned_max > 0)
    points = {
        c.code: c.max_points if c.code not in unassigned else data.draw(st.none() | maxima)
        for c in leaves
    }

    figures = sheet_figures(criteria, points, {}, BANDS, None, not_assigned=unassigned)

    assert figures.raw_base == assigned_max
    assert figures.base == sum((c.max_points for c in leaves), D(0))


@PROPERTY
@given(tables(), st.data())
def test_with_nothing_unassigned_every_figure_is_as_before(criteria, data):
    points = {
        c.code: data.draw(st.none() | st.decimals(min_value=0, max_value=c.max_points, places=2))
        for c in criteria
        if c.kind != "group"
    }
    bonus_cap = data.draw(st.none() | maxima)

    before = sheet_figures(criteria, points, {}, BANDS, bonus_cap)
    after = sheet_figures(criteria, points, {}, BANDS, bonus_cap, not_assigned=frozenset())

    assert after == before
    assert after.base == after.raw_base
    assert after.not_assigned == frozenset()


@PROPERTY
@given(tables(), st.data())
def test_normalised_base_lies_between_the_raw_base_and_the_table_base_max(criteria, data):
    leaves = _base_leaves(criteria)
    unassigned = data.draw(st.sets(st.sampled_from([c.code for c in leaves])))
    points = {
        c.code: data.draw(st.decimals(min_value=0, max_value=c.max_points, places=2))
        for c in leaves
    }

    figures = sheet_figures(criteria, points, {}, BANDS, None, not_assigned=unassigned)

    assert figures.raw_base == sum(
        (points[c.code] for c in leaves if c.code not in unassigned), D(0)
    )
    assert figures.raw_base <= figures.base <= sum((c.max_points for c in leaves), D(0))
    assert set(figures.points).isdisjoint(unassigned)
    assert figures.total == max(D(0), figures.base + figures.bonus - figures.deduction)


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from("abcdef"),
        st.tuples(
            st.decimals(min_value=0, max_value=500, places=2),
            st.none() | st.decimals(min_value=0, max_value=200, places=2),
        ),
        min_size=1,
    ),
    st.data(),
)
def test_unassigned_units_change_nobody_elses_relative_points(measured, data):
    entries = {key: EntryInput(actual=a, target=t) for key, (a, t) in measured.items()}
    unassigned = data.draw(st.sets(st.sampled_from(sorted(entries))))

    points = relative_points(RELATIVE, entries, unassigned)

    alone = relative_points(RELATIVE, {k: e for k, e in entries.items() if k not in unassigned})
    assert points == {key: alone.get(key) for key in entries}
    assert all(points[key] is None for key in unassigned)
