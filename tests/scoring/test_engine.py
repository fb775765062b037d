"""Hand-computed examples for scoring/engine/ (domain.md section 5).

Every expected figure below was worked out by hand; the working is in the comment next to it.
"""

from decimal import Decimal

import pytest

from scoring.engine import (
    Band,
    CriterionSpec,
    EntryInput,
    InputError,
    RankInput,
    RankResult,
    check_table,
    is_entered,
    leaf_points,
    points_for_cluster,
    rank_cluster,
    relative_points,
    sheet_figures,
    validate_entry,
)

D = Decimal


def target(
    method: str,
    metric: str = "value",
    max_points: str = "10",
    default: str | None = None,
    direction: str = "higher",
) -> CriterionSpec:
    return CriterionSpec(
        code="II.1",
        kind="target",
        max_points=D(max_points),
        metric=metric,
        method=method,
        direction=direction,
        target=None if default is None else D(default),
    )


MANUAL = CriterionSpec(code="I.1", kind="manual", max_points=D("10"))
PASS_FAIL = CriterionSpec(code="I.2", kind="pass_fail", max_points=D("4"))
COUNT = CriterionSpec(code="I.3", kind="count", max_points=D("6"), per_item=D("1.5"))
BONUS_COUNT = CriterionSpec(code="B.1", kind="bonus", max_points=D("3"), per_item=D("0.5"))
BONUS_POINTS = CriterionSpec(code="B.2", kind="bonus", max_points=D("2"))
DEDUCTION = CriterionSpec(code="T.1", kind="deduction", max_points=D("5"), per_item=D("1"))
VETO = CriterionSpec(code="V.1", kind="veto", deduct=D("5"), max_band="Khá")


# --- manual, pass_fail, count ----------------------------------------------------------------


def test_leaf_points_manual_returns_entered_points():
    assert leaf_points(MANUAL, EntryInput(points=D("7.5"))) == D("7.50")


def test_leaf_points_manual_without_input_is_incomplete():
    assert leaf_points(MANUAL, EntryInput()) is None


def test_leaf_points_pass_fail_passed_gets_max():
    assert leaf_points(PASS_FAIL, EntryInput(passed=True)) == D("4.00")


def test_leaf_points_pass_fail_failed_gets_zero():
    assert leaf_points(PASS_FAIL, EntryInput(passed=False)) == D("0.00")


def test_leaf_points_count_multiplies_per_item():
    # 3 * 1.5 = 4.5
    assert leaf_points(COUNT, EntryInput(count=3)) == D("4.50")


def test_leaf_points_count_is_capped_at_max():
    # 5 * 1.5 = 7.5, clamped to max 6
    assert leaf_points(COUNT, EntryInput(count=5)) == D("6.00")


def test_leaf_points_count_accepts_whole_decimal():
    assert leaf_points(COUNT, EntryInput(count=D("2"))) == D("3.00")


def test_leaf_points_count_zero_gets_zero():
    assert leaf_points(COUNT, EntryInput(count=0)) == D("0.00")


# --- target: value metric --------------------------------------------------------------------


def test_leaf_points_threshold_higher_achieved_gets_max():
    assert leaf_points(target("threshold", default="90"), EntryInput(actual=D("91"))) == D("10.00")


def test_leaf_points_threshold_higher_exactly_met_gets_max():
    assert leaf_points(target("threshold", default="90"), EntryInput(actual=D("90"))) == D("10.00")


def test_leaf_points_threshold_higher_missed_gets_zero():
    assert leaf_points(target("threshold", default="90"), EntryInput(actual=D("89.99"))) == D("0")


def test_leaf_points_threshold_lower_at_or_below_target_gets_max():
    criterion = target("threshold", default="3", direction="lower")

    assert leaf_points(criterion, EntryInput(actual=D("3"))) == D("10.00")
    assert leaf_points(criterion, EntryInput(actual=D("1"))) == D("10.00")


def test_leaf_points_threshold_lower_above_target_gets_zero():
    criterion = target("threshold", default="3", direction="lower")

    assert leaf_points(criterion, EntryInput(actual=D("4"))) == D("0.00")


def test_leaf_points_proportional_higher_below_target():
    # 10 * 60 / 90 = 6.666... -> 6.67
    criterion = target("proportional", default="90")

    assert leaf_points(criterion, EntryInput(actual=D("60"))) == D("6.67")


def test_leaf_points_proportional_higher_above_target_is_capped():
    # 10 * min(1, 120 / 90) = 10
    criterion = target("proportional", default="90")

    assert leaf_points(criterion, EntryInput(actual=D("120"))) == D("10.00")


def test_leaf_points_proportional_higher_zero_target_gets_max():
    criterion = target("proportional", default="0")

    assert leaf_points(criterion, EntryInput(actual=D("0"))) == D("10.00")


def test_leaf_points_proportional_lower_above_target():
    # 10 * 5 / 8 = 6.25
    criterion = target("proportional", default="5", direction="lower")

    assert leaf_points(criterion, EntryInput(actual=D("8"))) == D("6.25")


def test_leaf_points_proportional_lower_at_target_gets_max():
    criterion = target("proportional", default="5", direction="lower")

    assert leaf_points(criterion, EntryInput(actual=D("5"))) == D("10.00")


def test_leaf_points_proportional_lower_zero_actual_zero_target_gets_max():
    # A <= T holds, so max: nothing happened and nothing was allowed.
    criterion = target("proportional", default="0", direction="lower")

    assert leaf_points(criterion, EntryInput(actual=D("0"))) == D("10.00")


def test_leaf_points_proportional_lower_zero_target_positive_actual_gets_zero():
    # 10 * 0 / 2 = 0
    criterion = target("proportional", default="0", direction="lower")

    assert leaf_points(criterion, EntryInput(actual=D("2"))) == D("0.00")


def test_leaf_points_rounds_half_up():
    # 1.5 * 1 / 4 = 0.375 exactly -> 0.38 (half even would give 0.38 too; see next test)
    criterion = target("proportional", max_points="1.5", default="4")

    assert leaf_points(criterion, EntryInput(actual=D("1"))) == D("0.38")


def test_leaf_points_rounds_half_up_not_half_even():
    # 0.25 * 1 / 2 = 0.125 exactly -> 0.13 (half even would give 0.12)
    criterion = target("proportional", max_points="0.25", default="2")

    assert leaf_points(criterion, EntryInput(actual=D("1"))) == D("0.13")


# --- target: whose target --------------------------------------------------------------------


def test_leaf_points_assigned_target_overrides_default():
    # default 90 would fail 85; the unit's own target of 80 is met
    criterion = target("threshold", default="90")

    assert leaf_points(criterion, EntryInput(actual=D("85"))) == D("0.00")
    assert leaf_points(criterion, EntryInput(actual=D("85"), target=D("80"))) == D("10.00")


def test_leaf_points_assigned_target_without_default():
    # 10 * 30 / 40 = 7.5
    criterion = target("proportional")

    assert leaf_points(criterion, EntryInput(actual=D("30"), target=D("40"))) == D("7.50")


def test_leaf_points_assigned_zero_target_overrides_default():
    criterion = target("proportional", default="90")

    assert leaf_points(criterion, EntryInput(actual=D("5"), target=D("0"))) == D("10.00")


def test_leaf_points_threshold_without_target_is_incomplete():
    assert leaf_points(target("threshold"), EntryInput(actual=D("95"))) is None


def test_leaf_points_proportional_without_target_is_incomplete():
    assert leaf_points(target("proportional"), EntryInput(actual=D("95"))) is None


def test_leaf_points_override_completes_a_unit_without_target():
    entry = EntryInput(actual=D("95"), override=D("8.5"))

    assert leaf_points(target("threshold"), entry) == D("8.50")


# --- target: rate metric ---------------------------------------------------------------------


def test_leaf_points_rate_threshold_met():
    # 45 / 50 * 100 = 90 >= 90
    criterion = target("threshold", metric="rate", default="90")

    assert leaf_points(criterion, EntryInput(numerator=45, denominator=50)) == D("10.00")


def test_leaf_points_rate_threshold_missed():
    # 44 / 50 * 100 = 88 < 90
    criterion = target("threshold", metric="rate", default="90")

    assert leaf_points(criterion, EntryInput(numerator=44, denominator=50)) == D("0.00")


def test_leaf_points_rate_proportional_keeps_full_precision():
    # A = 200/3 %, 10 * (200/3) / 100 = 6.666... -> 6.67
    criterion = target("proportional", metric="rate", default="100")

    assert leaf_points(criterion, EntryInput(numerator=2, denominator=3)) == D("6.67")


def test_leaf_points_rate_rounds_half_up_after_exact_division():
    # A = 500/24 %, 3 * (500/24) / 100 = 0.625 exactly -> 0.63 (a 28-digit A gives 0.6249.. -> 0.62)
    criterion = target("proportional", metric="rate", max_points="3", default="100")

    assert leaf_points(criterion, EntryInput(numerator=5, denominator=24)) == D("0.63")


@pytest.mark.parametrize("method", ["threshold", "proportional"])
def test_leaf_points_rate_zero_denominator_gets_max(method):
    criterion = target(method, metric="rate", default="90")

    assert leaf_points(criterion, EntryInput(numerator=0, denominator=0)) == D("10.00")


def test_leaf_points_rate_zero_denominator_gets_max_without_target():
    criterion = target("threshold", metric="rate")

    assert leaf_points(criterion, EntryInput(numerator=0, denominator=0)) == D("10.00")


# --- target: reduction metric ----------------------------------------------------------------


def test_leaf_points_reduction_threshold_met():
    # (200 - 188) / 200 * 100 = 6 >= 5
    criterion = target("threshold", metric="reduction", default="5")

    assert leaf_points(criterion, EntryInput(baseline=D("200"), actual=D("188"))) == D("10.00")


def test_leaf_points_reduction_threshold_missed():
    # (200 - 192) / 200 * 100 = 4 < 5
    criterion = target("threshold", metric="reduction", default="5")

    assert leaf_points(criterion, EntryInput(baseline=D("200"), actual=D("192"))) == D("0.00")


def test_leaf_points_reduction_proportional():
    # A = 4, 10 * 4 / 5 = 8
    criterion = target("proportional", metric="reduction", default="5")

    assert leaf_points(criterion, EntryInput(baseline=D("200"), actual=D("192"))) == D("8.00")


def test_leaf_points_reduction_increase_gets_zero():
    # (100 - 110) / 100 * 100 = -10 -> 10 * -10 / 5 clamped to 0
    criterion = target("proportional", metric="reduction", default="5")

    assert leaf_points(criterion, EntryInput(baseline=D("100"), actual=D("110"))) == D("0.00")


@pytest.mark.parametrize("method", ["threshold", "proportional"])
def test_leaf_points_reduction_zero_baseline_zero_actual_meets_target(method):
    criterion = target(method, metric="reduction", default="5")

    assert leaf_points(criterion, EntryInput(baseline=D("0"), actual=D("0"))) == D("10.00")


def test_leaf_points_reduction_zero_baseline_zero_actual_without_target_is_incomplete():
    criterion = target("threshold", metric="reduction")

    assert leaf_points(criterion, EntryInput(baseline=D("0"), actual=D("0"))) is None


@pytest.mark.parametrize("default", ["5", "0", None])
@pytest.mark.parametrize("method", ["threshold", "proportional"])
def test_leaf_points_reduction_zero_baseline_positive_actual_fails(method, default):
    criterion = target(method, metric="reduction", default=default)

    assert leaf_points(criterion, EntryInput(baseline=D("0"), actual=D("2"))) == D("0.00")


# --- override --------------------------------------------------------------------------------


def test_leaf_points_override_wins_over_computed():
    entry = EntryInput(passed=True, override=D("3.25"))

    assert leaf_points(PASS_FAIL, entry) == D("3.25")


def test_leaf_points_override_alone_counts():
    assert leaf_points(MANUAL, EntryInput(override=D("2"))) == D("2.00")


def test_leaf_points_override_above_max_is_refused():
    with pytest.raises(InputError) as caught:
        leaf_points(PASS_FAIL, EntryInput(passed=True, override=D("4.01")))

    assert (caught.value.code, caught.value.field, caught.value.reason) == (
        "I.2",
        "override",
        "above_max",
    )
    assert str(caught.value).startswith("I.2: ")


def test_validate_entry_override_on_veto_is_refused():
    errors = validate_entry(VETO, EntryInput(violated=True, override=D("1")))

    assert [(e.code, e.field, e.reason) for e in errors] == [("V.1", "override", "not_applicable")]


# --- bonus, deduction, veto ------------------------------------------------------------------


def test_leaf_points_bonus_by_count_capped_at_max():
    # 4 * 0.5 = 2; 7 * 0.5 = 3.5 -> capped at 3
    assert leaf_points(BONUS_COUNT, EntryInput(count=4)) == D("2.00")
    assert leaf_points(BONUS_COUNT, EntryInput(count=7)) == D("3.00")


def test_leaf_points_bonus_without_per_item_takes_points():
    assert leaf_points(BONUS_POINTS, EntryInput(points=D("1.25"))) == D("1.25")


def test_leaf_points_deduction_by_count_is_positive():
    assert leaf_points(DEDUCTION, EntryInput(count=2)) == D("2.00")


def test_leaf_points_veto_violated_is_its_deduct():
    assert leaf_points(VETO, EntryInput(violated=True)) == D("5.00")


def test_leaf_points_veto_not_violated_is_zero():
    assert leaf_points(VETO, EntryInput(violated=False)) == D("0.00")


def test_leaf_points_veto_unanswered_is_incomplete():
    assert leaf_points(VETO, EntryInput()) is None


def test_leaf_points_group_is_refused():
    group = CriterionSpec(code="I", kind="group", max_points=D("10"))

    with pytest.raises(ValueError, match="^I: "):
        leaf_points(group, EntryInput())


def test_leaf_points_relative_is_refused():
    with pytest.raises(ValueError, match="relative"):
        leaf_points(target("relative", default="5"), EntryInput(actual=D("6")))


# --- validation ------------------------------------------------------------------------------


def test_validate_entry_empty_entry_is_valid():
    assert validate_entry(MANUAL, EntryInput()) == []


def test_validate_entry_numerator_above_denominator_names_the_code():
    errors = validate_entry(
        target("threshold", metric="rate"), EntryInput(numerator=6, denominator=5)
    )

    assert [(e.code, e.field, e.reason) for e in errors] == [
        ("II.1", "numerator", "numerator_above_denominator")
    ]
    assert str(errors[0]) == "II.1: numerator 6 must not exceed denominator 5"


def test_validate_entry_negative_count_is_refused():
    errors = validate_entry(COUNT, EntryInput(count=-1))

    assert [(e.code, e.field, e.reason) for e in errors] == [("I.3", "count", "negative")]


def test_validate_entry_fractional_count_is_refused():
    errors = validate_entry(COUNT, EntryInput(count=D("1.5")))

    assert [(e.code, e.field, e.reason) for e in errors] == [("I.3", "count", "not_whole")]


def test_validate_entry_three_decimals_is_refused():
    errors = validate_entry(MANUAL, EntryInput(points=D("1.234")))

    assert [(e.code, e.field, e.reason) for e in errors] == [("I.1", "points", "too_many_decimals")]


def test_validate_entry_trailing_zero_decimals_are_accepted():
    assert validate_entry(MANUAL, EntryInput(points=D("1.500"))) == []


def test_validate_entry_points_above_max_is_refused():
    errors = validate_entry(MANUAL, EntryInput(points=D("10.01")))

    assert [(e.code, e.field, e.reason) for e in errors] == [("I.1", "points", "above_max")]
    assert str(errors[0]) == "I.1: points 10.01 is above the maximum 10"


def test_validate_entry_float_is_refused():
    errors = validate_entry(MANUAL, EntryInput(points=1.5))  # type: ignore[arg-type]

    assert [(e.code, e.field, e.reason) for e in errors] == [("I.1", "points", "not_a_number")]


def test_validate_entry_fractional_rate_inputs_are_refused():
    errors = validate_entry(
        target("threshold", metric="rate"), EntryInput(numerator=D("1.5"), denominator=D("2.5"))
    )

    assert [(e.field, e.reason) for e in errors] == [
        ("numerator", "not_whole"),
        ("denominator", "not_whole"),
    ]


def test_validate_entry_half_given_pair_is_refused():
    errors = validate_entry(target("threshold", metric="reduction"), EntryInput(baseline=D("5")))

    assert [(e.code, e.field, e.reason) for e in errors] == [("II.1", "actual", "missing")]


def test_validate_entry_fractional_reduction_count_is_refused():
    errors = validate_entry(
        target("threshold", metric="reduction"), EntryInput(baseline=D("5"), actual=D("2.5"))
    )

    assert [(e.field, e.reason) for e in errors] == [("actual", "not_whole")]


def test_validate_entry_input_of_another_kind_is_refused():
    errors = validate_entry(MANUAL, EntryInput(points=D("1"), passed=True))

    assert [(e.code, e.field, e.reason) for e in errors] == [("I.1", "passed", "not_applicable")]


def test_validate_entry_lists_every_problem_at_once():
    entry = EntryInput(numerator=7, denominator=5, target=D("-1"), override=D("0.001"))

    errors = validate_entry(target("threshold", metric="rate"), entry)

    assert [(e.field, e.reason) for e in errors] == [
        ("target", "negative"),
        ("override", "too_many_decimals"),
        ("numerator", "numerator_above_denominator"),
    ]


def test_leaf_points_bad_input_raises_input_error_naming_the_code():
    with pytest.raises(InputError, match=r"^I\.3: count must not be negative"):
        leaf_points(COUNT, EntryInput(count=-2))


def test_is_entered_needs_every_input_of_the_kind():
    criterion = target("threshold", metric="rate")

    assert is_entered(criterion, EntryInput(numerator=1, denominator=2)) is True
    assert is_entered(criterion, EntryInput(target=D("90"))) is False
    assert is_entered(BONUS_COUNT, EntryInput(count=0)) is True
    assert is_entered(BONUS_POINTS, EntryInput(points=D("0"))) is True


# --- relative --------------------------------------------------------------------------------


def test_relative_points_units_with_targets():
    # T = 90 for all. e: a = 5/90, b = 9/90 = E, c below, d exactly at T.
    criterion = target("relative", metric="rate", default="90")
    entries = {
        "a": EntryInput(numerator=95, denominator=100),  # 0.5*10*(1 + 5/9) = 7.777.. -> 7.78
        "b": EntryInput(numerator=99, denominator=100),  # the leader -> 10
        "c": EntryInput(numerator=80, denominator=100),  # 0.5*10*80/90 = 4.444.. -> 4.44
        "d": EntryInput(numerator=90, denominator=100),  # 0.5*10 = 5
    }

    assert relative_points(criterion, entries) == {
        "a": D("7.78"),
        "b": D("10.00"),
        "c": D("4.44"),
        "d": D("5.00"),
    }


def test_relative_points_compares_relative_excess_not_actual():
    # a: T 50, A 60 -> e = 0.2 (leader); b: T 100, A 110 -> e = 0.1 -> 0.5*10*(1 + 0.5) = 7.5
    criterion = target("relative")
    entries = {
        "a": EntryInput(actual=D("60"), target=D("50")),
        "b": EntryInput(actual=D("110"), target=D("100")),
    }

    assert relative_points(criterion, entries) == {"a": D("10.00"), "b": D("7.50")}


def test_relative_points_ties_for_the_lead_all_get_max():
    # e = 10/100 = 0.1 and 5/50 = 0.1: both lead; c: e = 0.05 -> 0.5*10*(1 + 0.5) = 7.5
    criterion = target("relative")
    entries = {
        "a": EntryInput(actual=D("110"), target=D("100")),
        "b": EntryInput(actual=D("55"), target=D("50")),
        "c": EntryInput(actual=D("105"), target=D("100")),
    }

    assert relative_points(criterion, entries) == {
        "a": D("10.00"),
        "b": D("10.00"),
        "c": D("7.50"),
    }


def test_relative_points_nobody_exceeding_target_gets_at_most_half():
    # 0.5*10*85/90 = 4.7222.. -> 4.72; 0.5*10*90/90 = 5
    criterion = target("relative", default="90")
    entries = {"a": EntryInput(actual=D("85")), "b": EntryInput(actual=D("90"))}

    assert relative_points(criterion, entries) == {"a": D("4.72"), "b": D("5.00")}


def test_relative_points_units_without_target_are_scored_against_m():
    # no target: M = 40; 10*30/40 = 7.5, 0 -> 0. T = 0 assigned joins the same group: 10*40/40.
    # The unit with a target is scored apart: A = T -> 5, and its 1000 does not enter M.
    criterion = target("relative")
    entries = {
        "a": EntryInput(actual=D("30")),
        "b": EntryInput(actual=D("0")),
        "c": EntryInput(actual=D("40"), target=D("0")),
        "d": EntryInput(actual=D("1000"), target=D("1000")),
    }

    assert relative_points(criterion, entries) == {
        "a": D("7.50"),
        "b": D("0.00"),
        "c": D("10.00"),
        "d": D("5.00"),
    }


def test_relative_points_assigned_target_overrides_default():
    # default 100, b's own target 50: a e = 0.1, b e = (60-50)/50 = 0.2 = E
    # a: 0.5*10*(1 + 0.1/0.2) = 7.5
    criterion = target("relative", default="100")
    entries = {
        "a": EntryInput(actual=D("110")),
        "b": EntryInput(actual=D("60"), target=D("50")),
    }

    assert relative_points(criterion, entries) == {"a": D("7.50"), "b": D("10.00")}


def test_relative_points_zero_denominator_gets_max_and_takes_no_part():
    # b has nothing to handle: 10. a alone in the T group: e = E -> 10 (b does not dilute it).
    # c, d without target: M = 50 (b does not count): 10*25/50 = 5.
    criterion = target("relative", metric="rate")
    entries = {
        "a": EntryInput(numerator=95, denominator=100, target=D("90")),
        "b": EntryInput(numerator=0, denominator=0, target=D("90")),
        "c": EntryInput(numerator=1, denominator=4),
        "d": EntryInput(numerator=1, denominator=2),
        "e": EntryInput(numerator=0, denominator=0),
    }

    assert relative_points(criterion, entries) == {
        "a": D("10.00"),
        "b": D("10.00"),
        "c": D("5.00"),
        "d": D("10.00"),
        "e": D("10.00"),
    }


def test_relative_points_reduction_zero_baseline_cases():
    # target 5 for a..c: a zero->zero counts as A = T -> 5; b reduces 10% (e = 1 = E) -> 10;
    # c rose from zero -> 0 and no part in E. Without target: d zero->zero is A = 0 -> 0;
    # e reduces 20% (M = 20) -> 10; f rose from zero -> 0 and no part in M.
    criterion = target("relative", metric="reduction")
    entries = {
        "a": EntryInput(baseline=D("0"), actual=D("0"), target=D("5")),
        "b": EntryInput(baseline=D("100"), actual=D("90"), target=D("5")),
        "c": EntryInput(baseline=D("0"), actual=D("3"), target=D("5")),
        "d": EntryInput(baseline=D("0"), actual=D("0")),
        "e": EntryInput(baseline=D("50"), actual=D("40")),
        "f": EntryInput(baseline=D("0"), actual=D("1")),
    }

    assert relative_points(criterion, entries) == {
        "a": D("5.00"),
        "b": D("10.00"),
        "c": D("0.00"),
        "d": D("0.00"),
        "e": D("10.00"),
        "f": D("0.00"),
    }


def test_relative_points_units_not_entered_get_none_and_take_no_part():
    # only a entered: it leads its group alone -> 10
    criterion = target("relative", default="10")
    entries = {"a": EntryInput(actual=D("11")), "b": EntryInput(), "c": EntryInput(target=D("5"))}

    assert relative_points(criterion, entries) == {"a": D("10.00"), "b": None, "c": None}


def test_relative_points_override_wins_but_measure_still_sets_e():
    # b's A = 120 (e = 0.2) still sets E though b is overridden to 1:
    # a: e = 0.1 -> 0.5*10*(1 + 0.5) = 7.5
    criterion = target("relative", default="100")
    entries = {
        "a": EntryInput(actual=D("110")),
        "b": EntryInput(actual=D("120"), override=D("1")),
        "c": EntryInput(override=D("2.5")),
    }

    assert relative_points(criterion, entries) == {
        "a": D("7.50"),
        "b": D("1.00"),
        "c": D("2.50"),
    }


def test_relative_points_rounds_half_up_after_exact_division():
    # T = 3: a e = 1/3, b e = 2/3 = E; a: 0.5*0.5*(1 + 1/2) = 0.375 exactly -> 0.38
    criterion = target("relative", max_points="0.5", default="3")
    entries = {"a": EntryInput(actual=D("4")), "b": EntryInput(actual=D("5"))}

    assert relative_points(criterion, entries) == {"a": D("0.38"), "b": D("0.50")}


def test_relative_points_lower_direction_is_refused():
    criterion = target("relative", direction="lower")

    with pytest.raises(ValueError, match="higher only"):
        relative_points(criterion, {"a": EntryInput(actual=D("1"))})


def test_relative_points_bad_entry_is_refused():
    criterion = target("relative", metric="rate")

    with pytest.raises(InputError, match=r"^II\.1: numerator"):
        relative_points(criterion, {"a": EntryInput(numerator=3, denominator=2)})


def test_points_for_cluster_dispatches_relative_and_plain():
    relative = target("relative", default="10")
    entries = {"a": EntryInput(actual=D("12")), "b": EntryInput(actual=D("11"))}

    assert points_for_cluster(relative, entries) == {"a": D("10.00"), "b": D("7.50")}
    assert points_for_cluster(target("threshold", default="12"), entries) == {
        "a": D("10.00"),
        "b": D("0.00"),
    }


# --- sheets ----------------------------------------------------------------------------------

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
    CriterionSpec(code="V2", kind="veto", excludes_leading=False),
]
FULL_POINTS = {
    "I.1": D("8.5"),
    "I.2.a": D("4"),
    "I.2.b": D("4"),
    "I.3": D("3"),
    "II": D("80"),
    "B": D("4"),
    "T": D("1.25"),
}


def test_sheet_figures_sums_every_part():
    # base 8.5 + 4 + 4 + 80 = 96.5; bonus 3 + 4 = 7 capped at 6; deduction 1.25
    # total 96.5 + 6 - 1.25 = 101.25 -> Xuất sắc
    figures = sheet_figures(TABLE, FULL_POINTS, {"V1": False, "V2": False}, BANDS, D("6"))

    assert (figures.base, figures.bonus, figures.deduction, figures.total) == (
        D("96.5"),
        D("6"),
        D("1.25"),
        D("101.25"),
    )
    assert figures.band == "Xuất sắc"
    assert figures.complete is True
    assert figures.excluded_from_leading is False
    assert figures.subtotals == {"I": D("16.5"), "I.2": D("8")}
    assert figures.points == {
        "I.1": D("8.50"),
        "I.2.a": D("4.00"),
        "I.2.b": D("4.00"),
        "I.3": D("3.00"),
        "II": D("80.00"),
        "B": D("4.00"),
        "T": D("1.25"),
        "V1": D("0.00"),
        "V2": D("0.00"),
    }


def test_sheet_figures_without_bonus_cap_keeps_all_bonus():
    figures = sheet_figures(TABLE, FULL_POINTS, {"V1": False, "V2": False}, BANDS, None)

    assert figures.bonus == D("7")
    assert figures.total == D("102.25")


def test_sheet_figures_violated_veto_deducts_caps_band_and_excludes():
    # 101.25 - 2.5 = 98.75, band Xuất sắc lowered to Khá
    figures = sheet_figures(TABLE, FULL_POINTS, {"V1": True, "V2": False}, BANDS, D("6"))

    assert figures.deduction == D("3.75")
    assert figures.total == D("98.75")
    assert figures.band == "Khá"
    assert figures.excluded_from_leading is True
    assert figures.points["V1"] == D("2.50")


def test_sheet_figures_veto_band_cap_never_raises_the_band():
    # base 8.5 + 4 + 4 + 0 = 16.5; +6 -1.25 -2.5 = 18.75: below every band, stays None
    points = {**FULL_POINTS, "II": D("0")}

    figures = sheet_figures(TABLE, points, {"V1": True, "V2": False}, BANDS, D("6"))

    assert figures.total == D("18.75")
    assert figures.band is None


def test_sheet_figures_veto_not_excluding_leading_still_deducts_nothing_else():
    figures = sheet_figures(TABLE, FULL_POINTS, {"V1": False, "V2": True}, BANDS, D("6"))

    assert figures.excluded_from_leading is False
    assert figures.total == D("101.25")
    assert figures.band == "Xuất sắc"


def test_sheet_figures_total_never_below_zero():
    points = {"I.1": D("0"), "I.2.a": D("0"), "I.2.b": D("0"), "II": D("0"), "T": D("10")}

    figures = sheet_figures(TABLE, points, {"V1": True, "V2": False}, BANDS, None)

    assert figures.deduction == D("12.5")
    assert figures.total == D("0")


def test_sheet_figures_incomplete_leaf_counts_zero():
    points = {**FULL_POINTS, "I.1": None}
    del points["I.2.b"]

    figures = sheet_figures(TABLE, points, {"V1": False, "V2": False}, BANDS, D("6"))

    assert figures.complete is False
    assert figures.points["I.1"] == D("0")
    assert figures.points["I.2.b"] == D("0")
    assert figures.subtotals == {"I": D("4"), "I.2": D("4")}
    assert figures.base == D("84")


def test_sheet_figures_unanswered_veto_is_incomplete():
    figures = sheet_figures(TABLE, FULL_POINTS, {"V1": False}, BANDS, D("6"))

    assert figures.complete is False
    assert figures.total == D("101.25")


def test_sheet_figures_band_boundary_is_inclusive():
    # 65 exactly reaches Khá
    table = [CriterionSpec(code="A", kind="manual", max_points=D("100"))]

    figures = sheet_figures(table, {"A": D("65")}, {}, BANDS, None)

    assert figures.band == "Khá"


def test_sheet_figures_unknown_code_is_refused():
    with pytest.raises(ValueError, match="unknown criteria: ZZ"):
        sheet_figures(TABLE, {"ZZ": D("1")}, {}, BANDS, None)


# --- ranking ---------------------------------------------------------------------------------


def test_rank_cluster_ties_share_a_rank():
    sheets = {
        "a": RankInput(D("90"), False),
        "b": RankInput(D("80"), False),
        "c": RankInput(D("80"), False),
        "d": RankInput(D("70"), False),
    }

    assert rank_cluster(sheets) == {
        "a": RankResult(1, True),
        "b": RankResult(2, False),
        "c": RankResult(2, False),
        "d": RankResult(4, False),
    }


def test_rank_cluster_tied_leaders_all_lead():
    sheets = {"a": RankInput(D("90"), False), "b": RankInput(D("90.00"), False)}

    assert rank_cluster(sheets) == {"a": RankResult(1, True), "b": RankResult(1, True)}


def test_rank_cluster_excluded_unit_keeps_rank_but_cannot_lead():
    sheets = {
        "a": RankInput(D("95"), True),
        "b": RankInput(D("90"), False),
        "c": RankInput(D("85"), False),
    }

    assert rank_cluster(sheets) == {
        "a": RankResult(1, False),
        "b": RankResult(2, True),
        "c": RankResult(3, False),
    }


def test_rank_cluster_all_excluded_nobody_leads():
    sheets = {"a": RankInput(D("95"), True), "b": RankInput(D("90"), True)}

    assert rank_cluster(sheets) == {"a": RankResult(1, False), "b": RankResult(2, False)}


def test_rank_cluster_empty_cluster():
    assert rank_cluster({}) == {}


# --- table checks ----------------------------------------------------------------------------


def test_check_table_valid_table_has_no_problems():
    assert check_table(TABLE, BANDS, D("6")) == []


def test_check_table_lists_every_problem_at_once():
    criteria = [
        CriterionSpec(code="I", kind="group", max_points=D("10")),
        CriterionSpec(code="I.1", kind="manual", max_points=D("6"), parent="I"),
        CriterionSpec(code="I.1", kind="manual", max_points=D("1")),
        CriterionSpec(code="I.2", kind="bogus", parent="I"),
        CriterionSpec(code="I.3", kind="count", max_points=D("-1"), parent="I"),
        CriterionSpec(code="I.4", kind="target", max_points=D("2"), parent="I"),
        CriterionSpec(
            code="I.5",
            kind="target",
            max_points=D("2"),
            parent="I",
            metric="rate",
            method="relative",
            direction="lower",
        ),
        CriterionSpec(code="I.6", kind="pass_fail", max_points=D("1"), parent="X"),
        CriterionSpec(code="II", kind="group", max_points=D("0")),
        CriterionSpec(code="III", kind="pass_fail", max_points=D("1")),
        CriterionSpec(code="III.1", kind="manual", max_points=D("1"), parent="III"),
        CriterionSpec(code="V", kind="veto", deduct=D("1"), max_band="Giỏi"),
    ]
    bands = [Band("Tốt", D("80")), Band("Khá", D("80")), Band("Tốt", D("50"))]

    problems = check_table(criteria, bands, D("-1"))

    assert problems == [
        "I.1: duplicate code",
        "I.2: unknown kind 'bogus'",
        "I.3: max_points must not be negative",
        "I.3: a count criterion needs per_item",
        "I.4: a target criterion needs a metric",
        "I.4: a target criterion needs a method",
        "I.5: direction lower is only allowed with metric value",
        "I.5: the relative method is for direction higher only",
        "V: max_band 'Giỏi' is not a band of the table",
        "I.6: parent X does not exist",
        # 6 (I.1) + -1 (I.3) + 2 (I.4) + 2 (I.5) = 9; I.2 has an unknown kind and counts 0
        "I: declared max 10 differs from the sum of its base children's max 9",
        "II: a group must have children",
        "III: a pass_fail criterion cannot have children",
        "band Khá: min 80 must be lower than the previous band's 80 (bands go best first, "
        "strictly descending)",
        "band Tốt: duplicate label",
        "table: bonus_cap must not be negative",
    ]


def test_check_table_parameters_of_another_kind_are_problems():
    criteria = [
        CriterionSpec(code="A", kind="manual", max_points=D("1"), per_item=D("1"), target=D("1")),
        CriterionSpec(code="B", kind="pass_fail", max_points=D("1"), deduct=D("1")),
        CriterionSpec(code="C", kind="veto", max_points=D("3")),
        CriterionSpec(code="D", kind="bonus", max_points=D("1"), per_item=D("0")),
    ]

    assert check_table(criteria, [], None) == [
        "A: per_item does not apply to a manual criterion",
        "A: target does not apply to a manual criterion",
        "B: deduct does not apply to a pass_fail criterion",
        "C: a veto has no max_points (it subtracts deduct)",
        "D: per_item must be greater than 0",
    ]


def test_check_table_group_sum_ignores_bonus_and_counts_nested_groups_by_declared_max():
    criteria = [
        CriterionSpec(code="I", kind="group", max_points=D("15")),
        CriterionSpec(code="I.1", kind="group", max_points=D("10"), parent="I"),
        CriterionSpec(code="I.1.a", kind="manual", max_points=D("10"), parent="I.1"),
        CriterionSpec(code="I.2", kind="manual", max_points=D("5"), parent="I"),
        CriterionSpec(code="I.3", kind="bonus", max_points=D("5"), parent="I"),
        CriterionSpec(code="I.4", kind="veto", parent="I"),
    ]

    assert check_table(criteria, [], None) == []


def test_check_table_parent_cycle_is_a_problem():
    criteria = [
        CriterionSpec(code="A", kind="group", max_points=D("1"), parent="B"),
        CriterionSpec(code="B", kind="group", max_points=D("1"), parent="A"),
    ]

    assert check_table(criteria, [], None) == [
        "A: its parent chain loops back to itself",
        "B: its parent chain loops back to itself",
    ]
