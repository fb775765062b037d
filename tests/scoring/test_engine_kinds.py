"""engine.KIND_PARAMETERS (the parameters each kind uses, which the editor and the
score-table file read) says what the table's checks accept: a parameter a kind does not use
is refused, one it uses is not."""

from dataclasses import replace
from decimal import Decimal

import pytest

from scoring.engine import KIND_PARAMETERS, KINDS, PARAMETERS, Band, CriterionSpec, table_problems

D = Decimal
BANDS = [Band("Tốt", D(50)), Band("Đạt", D(0))]
# A value each parameter may hold when its kind uses it.
SET = {
    "max_points": D(10),
    "per_item": D(1),
    "metric": "value",
    "direction": "lower",
    "method": "threshold",
    "target": D(5),
    "deduct": D(2),
    "max_band": "Đạt",
    "excludes_leading": False,
}
# A criterion of each kind that passes the checks (a group with one manual child).
VALID = {
    "group": CriterionSpec("X", "group", max_points=D(10)),
    "manual": CriterionSpec("X", "manual", max_points=D(10)),
    "pass_fail": CriterionSpec("X", "pass_fail", max_points=D(10)),
    "count": CriterionSpec("X", "count", max_points=D(10), per_item=D(1)),
    "target": CriterionSpec("X", "target", max_points=D(10), metric="value", method="threshold"),
    "bonus": CriterionSpec("X", "bonus", max_points=D(10)),
    "deduction": CriterionSpec("X", "deduction", max_points=D(10)),
    "veto": CriterionSpec("X", "veto", deduct=D(2)),
}


def problems_of(spec: CriterionSpec) -> list:
    child = [CriterionSpec("X.1", "manual", max_points=D(10), parent="X")]
    table = [spec, *child] if spec.kind == "group" else [spec]
    return [p for p in table_problems(table, BANDS, None) if p.criterion == "X"]


def test_every_kind_has_its_parameters_in_order():
    assert set(KIND_PARAMETERS) == set(KINDS)
    for names in KIND_PARAMETERS.values():
        assert list(names) == [name for name in PARAMETERS if name in names]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_valid_criterion_of_each_kind_passes(kind):
    assert problems_of(VALID[kind]) == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_parameter_the_kind_uses_is_accepted(kind):
    for name in KIND_PARAMETERS[kind]:
        if name == "max_points" and kind == "group":
            continue  # a group's maximum is the sum of its children's (10 here)
        spec = replace(VALID[kind], **{name: SET[name]})
        assert problems_of(spec) == [], (kind, name)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_parameter_the_kind_does_not_use_is_refused(kind):
    for name in PARAMETERS:
        if name in KIND_PARAMETERS[kind]:
            continue
        found = problems_of(replace(VALID[kind], **{name: SET[name]}))
        reasons = {(p.reason, p.values.get("name")) for p in found}
        # A veto's maximum has its own reason: it subtracts deduct instead.
        expected = ("veto_has_max", None) if name == "max_points" else ("not_applicable", name)
        assert expected in reasons, (kind, name, reasons)
