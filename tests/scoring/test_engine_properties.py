"""Properties of scoring/engine/ that must hold for every input (hypothesis)."""

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import (
    BASE_KINDS,
    Band,
    CriterionSpec,
    EntryInput,
    InputError,
    RankInput,
    check_table,
    leaf_points,
    rank_cluster,
    relative_points,
    sheet_figures,
    validate_entry,
)

D = Decimal
PROPERTY = settings(max_examples=200, deadline=None)

maxima = st.decimals(min_value=0, max_value=100, places=2)
measures = st.decimals(min_value=0, max_value=10_000, places=3)
targets = st.decimals(min_value=0, max_value=200, places=2)
BANDS = [Band("A", D("90")), Band("B", D("75")), Band("C", D("50"))]


def _points_upto(maximum: Decimal) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=maximum, places=2)


def _entry_for(draw: st.DrawFn, criterion: CriterionSpec) -> EntryInput:
    """A valid entry for the criterion: sometimes empty, sometimes overridden."""
    override = None
    if criterion.kind != "veto" and draw(st.integers(0, 9)) == 0:
        override = draw(_points_upto(criterion.max_points))
    if draw(st.integers(0, 9)) == 0:
        return EntryInput(override=override)
    kind = criterion.kind
    if kind == "manual" or (kind in ("bonus", "deduction") and criterion.per_item is None):
        return EntryInput(points=draw(_points_upto(criterion.max_points)), override=override)
    if kind == "pass_fail":
        return EntryInput(passed=draw(st.booleans()), override=override)
    if kind in ("count", "bonus", "deduction"):
        return EntryInput(count=draw(st.integers(0, 50)), override=override)
    if kind == "veto":
        return EntryInput(violated=draw(st.booleans()))
    assigned = draw(st.none() | targets)
    if criterion.metric == "value":
        return EntryInput(actual=draw(measures), target=assigned, override=override)
    if criterion.metric == "rate":
        denominator = draw(st.integers(0, 500))
        numerator = draw(st.integers(0, denominator))
        return EntryInput(
            numerator=numerator, denominator=denominator, target=assigned, override=override
        )
    return EntryInput(
        baseline=D(draw(st.integers(0, 500))),
        actual=D(draw(st.integers(0, 600))),
        target=assigned,
        override=override,
    )


@st.composite
def target_criteria(draw: st.DrawFn, methods: tuple[str, ...]) -> CriterionSpec:
    method = draw(st.sampled_from(methods))
    metric = draw(st.sampled_from(["value", "rate", "reduction"]))
    lower = metric == "value" and method != "relative" and draw(st.booleans())
    return CriterionSpec(
        code="T.1",
        kind="target",
        max_points=draw(maxima),
        metric=metric,
        method=method,
        direction="lower" if lower else "higher",
        target=draw(st.none() | targets),
    )


@st.composite
def leaf_cases(draw: st.DrawFn) -> tuple[CriterionSpec, EntryInput]:
    kind = draw(
        st.sampled_from(["manual", "pass_fail", "count", "target", "bonus", "deduction", "veto"])
    )
    if kind == "target":
        criterion = draw(target_criteria(("threshold", "proportional")))
    elif kind == "veto":
        criterion = CriterionSpec(code="V", kind="veto", deduct=draw(maxima))
    else:
        per_item = None
        if kind == "count" or (kind != "manual" and kind != "pass_fail" and draw(st.booleans())):
            per_item = draw(st.decimals(min_value=D("0.01"), max_value=20, places=2))
        criterion = CriterionSpec(code="L", kind=kind, max_points=draw(maxima), per_item=per_item)
    return criterion, _entry_for(draw, criterion)


@st.composite
def relative_cases(draw: st.DrawFn) -> tuple[CriterionSpec, dict[str, EntryInput]]:
    criterion = draw(target_criteria(("relative",)))
    size = draw(st.integers(1, 8))
    return criterion, {f"u{index}": _entry_for(draw, criterion) for index in range(size)}


def _is_cents(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


# --- bounds ----------------------------------------------------------------------------------


@PROPERTY
@given(leaf_cases())
def test_leaf_points_always_within_zero_and_max(case):
    criterion, entry = case

    points = leaf_points(criterion, entry)

    upper = criterion.deduct if criterion.kind == "veto" else criterion.max_points
    assert points is None or D(0) <= points <= upper
    assert points is None or _is_cents(points)


@PROPERTY
@given(relative_cases())
def test_relative_points_always_within_zero_and_max(case):
    criterion, entries = case

    points = relative_points(criterion, entries)

    assert points.keys() == entries.keys()
    for value in points.values():
        assert value is None or (D(0) <= value <= criterion.max_points and _is_cents(value))


@PROPERTY
@given(leaf_cases())
def test_leaf_points_override_always_wins(case):
    criterion, entry = case

    points = leaf_points(criterion, entry)

    if entry.override is not None:
        assert points == entry.override


@PROPERTY
@given(
    maximum=maxima,
    target_value=st.decimals(min_value=D("0.01"), max_value=200, places=2),
    actual=measures,
)
def test_leaf_points_proportional_matches_a_high_precision_oracle(maximum, target_value, actual):
    # The oracle: one Decimal division at 100 digits, then 2 decimals half up.
    criterion = CriterionSpec(
        code="P",
        kind="target",
        max_points=maximum,
        metric="value",
        method="proportional",
        target=target_value,
    )
    with localcontext(prec=100):
        expected = min(maximum, maximum * actual / target_value).quantize(
            D("0.01"), rounding=ROUND_HALF_UP
        )

    assert leaf_points(criterion, EntryInput(actual=actual)) == expected


# --- validation ------------------------------------------------------------------------------

NUMBER_FIELDS = ("points", "count", "actual", "numerator", "denominator", "baseline")
loose_numbers = st.none() | st.integers(-5, 50) | st.decimals(-5, 200, places=3) | st.booleans()


@PROPERTY
@given(
    leaf_cases(),
    st.fixed_dictionaries(dict.fromkeys(NUMBER_FIELDS, loose_numbers)),
)
def test_leaf_points_raises_exactly_when_validation_fails(case, fields):
    criterion, _ = case
    entry = EntryInput(**fields)

    errors = validate_entry(criterion, entry)

    if errors:
        with pytest.raises(InputError) as caught:
            leaf_points(criterion, entry)
        assert str(caught.value) == str(errors[0])
    else:
        points = leaf_points(criterion, entry)
        assert points is None or points >= 0
    assert all(str(error).startswith(f"{criterion.code}: ") for error in errors)


# --- monotonicity ----------------------------------------------------------------------------


@PROPERTY
@given(
    criterion=target_criteria(("threshold", "proportional")),
    assigned=st.none() | targets,
    low=measures,
    raise_by=measures,
)
def test_leaf_points_better_value_never_scores_less(criterion, assigned, low, raise_by):
    if criterion.metric != "value":
        criterion = replace(criterion, metric="value")
    high = low + raise_by

    at_low = leaf_points(criterion, EntryInput(actual=low, target=assigned))
    at_high = leaf_points(criterion, EntryInput(actual=high, target=assigned))

    if at_low is not None and at_high is not None:
        if criterion.direction == "higher":
            assert at_low <= at_high
        else:
            assert at_low >= at_high


@PROPERTY
@given(
    criterion=target_criteria(("threshold", "proportional")),
    assigned=st.none() | targets,
    denominator=st.integers(1, 500),
    data=st.data(),
)
def test_leaf_points_higher_rate_never_scores_less(criterion, assigned, denominator, data):
    criterion = replace(criterion, metric="rate", direction="higher")
    low = data.draw(st.integers(0, denominator))
    high = data.draw(st.integers(low, denominator))

    at_low = leaf_points(
        criterion, EntryInput(numerator=low, denominator=denominator, target=assigned)
    )
    at_high = leaf_points(
        criterion, EntryInput(numerator=high, denominator=denominator, target=assigned)
    )

    assert (at_low is None) == (at_high is None)
    assert at_low is None or at_low <= at_high


@PROPERTY
@given(
    criterion=target_criteria(("threshold", "proportional")),
    assigned=st.none() | targets,
    baseline=st.integers(0, 500),
    fewer=st.integers(0, 600),
    more=st.integers(0, 600),
)
def test_leaf_points_fewer_cases_never_score_less(criterion, assigned, baseline, fewer, more):
    criterion = CriterionSpec(
        **{**criterion.__dict__, "metric": "reduction", "direction": "higher"}
    )
    fewer, more = min(fewer, more), max(fewer, more)

    with_fewer = leaf_points(
        criterion, EntryInput(baseline=D(baseline), actual=D(fewer), target=assigned)
    )
    with_more = leaf_points(
        criterion, EntryInput(baseline=D(baseline), actual=D(more), target=assigned)
    )

    if with_fewer is not None and with_more is not None:
        assert with_fewer >= with_more


@PROPERTY
@given(
    case=relative_cases(),
    own_target=st.none() | targets,
    low=measures,
    raise_by=measures,
)
def test_relative_points_raising_own_value_helps_self_and_never_helps_others(
    case, own_target, low, raise_by
):
    # Raising your own A can raise E (or M); that lowers nobody's own points but can lower
    # the others'. Checked on the value metric, others fixed.
    criterion, others = case
    criterion = replace(criterion, metric="value")
    others = {key: _as_value_entry(entry) for key, entry in others.items()}

    before = relative_points(criterion, {**others, "me": EntryInput(actual=low, target=own_target)})
    after = relative_points(
        criterion, {**others, "me": EntryInput(actual=low + raise_by, target=own_target)}
    )

    assert before["me"] <= after["me"]
    for key in others:
        assert (before[key] is None) == (after[key] is None)
        assert before[key] is None or after[key] <= before[key]


def _as_value_entry(entry: EntryInput) -> EntryInput:
    """The same unit measured on the value metric (A = its numerator, or its actual)."""
    if entry.numerator is not None:
        return EntryInput(actual=D(entry.numerator), target=entry.target, override=entry.override)
    return EntryInput(actual=entry.actual, target=entry.target, override=entry.override)


# --- sheets ----------------------------------------------------------------------------------


@st.composite
def sheets(draw: st.DrawFn):
    criteria: list[CriterionSpec] = []
    for group in range(draw(st.integers(1, 3))):
        leaves = [
            CriterionSpec(
                code=f"{group}.{leaf}",
                kind=draw(st.sampled_from(["manual", "pass_fail", "target"])),
                max_points=draw(maxima),
                parent=f"{group}",
            )
            for leaf in range(draw(st.integers(1, 3)))
        ]
        total = sum((leaf.max_points for leaf in leaves), D(0))
        criteria.append(CriterionSpec(code=f"{group}", kind="group", max_points=total))
        criteria += [
            replace(leaf, metric="value", method="threshold") if leaf.kind == "target" else leaf
            for leaf in leaves
        ]
    criteria.append(CriterionSpec(code="top", kind="manual", max_points=draw(maxima)))
    for index in range(draw(st.integers(0, 2))):
        criteria.append(CriterionSpec(code=f"B{index}", kind="bonus", max_points=draw(maxima)))
    for index in range(draw(st.integers(0, 2))):
        criteria.append(CriterionSpec(code=f"T{index}", kind="deduction", max_points=draw(maxima)))
    for index in range(draw(st.integers(0, 2))):
        criteria.append(
            CriterionSpec(
                code=f"V{index}",
                kind="veto",
                deduct=draw(maxima),
                max_band=draw(st.none() | st.sampled_from([band.label for band in BANDS])),
                excludes_leading=draw(st.booleans()),
            )
        )
    points = {
        criterion.code: draw(st.none() | _points_upto(criterion.max_points))
        for criterion in criteria
        if criterion.kind not in ("group", "veto")
    }
    violated = {
        criterion.code: draw(st.booleans())
        for criterion in criteria
        if criterion.kind == "veto" and draw(st.integers(0, 5))
    }
    bonus_cap = draw(st.none() | maxima)
    return criteria, points, violated, bonus_cap


@PROPERTY
@given(sheets())
def test_sheet_figures_total_is_base_plus_bonus_minus_deduction(sheet):
    criteria, points, violated, bonus_cap = sheet
    assert check_table(criteria, BANDS, bonus_cap) == []

    figures = sheet_figures(criteria, points, violated, BANDS, bonus_cap)

    kinds = {criterion.code: criterion.kind for criterion in criteria}
    counted = figures.points
    bonus = sum((counted[code] for code in counted if kinds[code] == "bonus"), D(0))
    assert figures.base == sum(
        (counted[code] for code in counted if kinds[code] in BASE_KINDS), D(0)
    )
    assert figures.base == sum(figures.subtotals.values(), D(0)) + counted["top"]
    assert figures.bonus == (bonus if bonus_cap is None else min(bonus, bonus_cap))
    assert figures.deduction == sum(
        (counted[code] for code in counted if kinds[code] in ("deduction", "veto")), D(0)
    )
    assert figures.total == max(D(0), figures.base + figures.bonus - figures.deduction)
    assert figures.complete == (
        all(value is not None for value in points.values())
        and all(code in violated for code, kind in kinds.items() if kind == "veto")
    )


@PROPERTY
@given(sheets())
def test_sheet_figures_band_never_above_what_the_total_reaches(sheet):
    criteria, points, violated, bonus_cap = sheet
    labels = [band.label for band in BANDS]

    figures = sheet_figures(criteria, points, violated, BANDS, bonus_cap)

    reached = next((band.label for band in BANDS if band.min <= figures.total), None)
    caps = [c.max_band for c in criteria if violated.get(c.code) and c.max_band is not None]
    if reached is None or not caps:
        assert figures.band == reached
    else:
        assert labels.index(figures.band) == max(labels.index(reached), *map(labels.index, caps))


# --- ranking ---------------------------------------------------------------------------------

rank_inputs = st.dictionaries(
    st.text(min_size=1, max_size=3),
    st.builds(
        RankInput,
        st.sampled_from([D("0"), D("50.5"), D("70"), D("70.00"), D("99.99")]),
        st.booleans(),
    ),
    max_size=12,
)


@PROPERTY
@given(rank_inputs)
def test_rank_cluster_ranks_follow_totals(sheets_in):
    results = rank_cluster(sheets_in)

    for a, first in sheets_in.items():
        greater = sum(1 for other in sheets_in.values() if other.total > first.total)
        assert results[a].rank == 1 + greater
        for b, second in sheets_in.items():
            if first.total > second.total:
                assert results[a].rank < results[b].rank
            if first.total == second.total:
                assert results[a].rank == results[b].rank


@PROPERTY
@given(rank_inputs)
def test_rank_cluster_leaders_are_the_best_eligible(sheets_in):
    results = rank_cluster(sheets_in)

    eligible = {key: sheet for key, sheet in sheets_in.items() if not sheet.excluded_from_leading}
    leaders = {key for key, result in results.items() if result.leading}
    if not eligible:
        assert leaders == set()
        return
    best = max(sheet.total for sheet in eligible.values())
    assert leaders == {key for key, sheet in eligible.items() if sheet.total == best}
    for key in leaders:
        # Only excluded units can rank above a leader; with none excluded the leader is first.
        above = [s for s in sheets_in.values() if s.total > sheets_in[key].total]
        assert all(sheet.excluded_from_leading for sheet in above)
        assert results[key].rank == 1 + len(above)
        if len(eligible) == len(sheets_in):
            assert results[key].rank == 1
