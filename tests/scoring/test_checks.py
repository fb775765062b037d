"""The engine's table checks as data, and their wording in the user's language
(scoring/services/checks.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from scoring import engine, services
from scoring.engine import Band, CriterionSpec, TableProblem
from scoring.models import Criterion, ScoreTable
from scoring.services.checks import _MESSAGES, word_problems

D = Decimal

# A table that breaks every rule check_table knows.
CRITERIA = [
    CriterionSpec(code="", kind="manual", max_points=D("1")),
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
    CriterionSpec(code="I.7", kind="target", metric="m", method="n", direction="up"),
    CriterionSpec(code="I.8", kind="manual", max_points=D("1.234"), per_item=D("1")),
    CriterionSpec(code="I.9", kind="bonus", max_points=D("1"), per_item=D("0")),
    CriterionSpec(code="II", kind="group", max_points=D("0")),
    CriterionSpec(code="III", kind="pass_fail", max_points=D("1")),
    CriterionSpec(code="III.1", kind="manual", max_points=D("1"), parent="III"),
    CriterionSpec(code="V", kind="veto", max_points=D("3"), deduct=D("1"), max_band="Giỏi"),
    CriterionSpec(code="W", kind="manual", max_points="x"),
    CriterionSpec(code="Y", kind="group", max_points=D("1"), parent="Z"),
    CriterionSpec(code="Z", kind="group", max_points=D("1"), parent="Y"),
]
BANDS = [Band("Tốt", D("80")), Band("Khá", D("80")), Band("Tốt", D("50")), Band("", "x")]


def test_every_reason_of_the_engine_has_a_wording():
    assert set(_MESSAGES) == set(engine.PROBLEM_MESSAGES)


def test_check_table_covers_every_reason_in_this_example():
    reasons = {p.reason for p in engine.table_problems(CRITERIA, BANDS, D("-1"))}

    assert reasons == set(engine.PROBLEM_MESSAGES)


def test_problems_name_their_criterion_band_or_table():
    problems = engine.table_problems(CRITERIA, BANDS, D("-1"))

    assert problems[2] == TableProblem(
        reason="unknown_kind", criterion="I.2", params=(("value", "'bogus'"),)
    )
    group_sum = next(p for p in problems if p.reason == "group_sum")
    assert (group_sum.criterion, group_sum.values) == ("I", {"declared": "10", "total": "9"})
    duplicate = next(p for p in problems if p.reason == "band_duplicate")
    assert (duplicate.criterion, duplicate.band) == (None, "Tốt")
    assert (problems[-1].reason, problems[-1].table, problems[-1].criterion) == (
        "negative",
        True,
        None,
    )


def test_english_wording_is_the_engines_own():
    problems = engine.table_problems(CRITERIA, BANDS, D("-1"))

    with translation.override("en"):
        worded = [str(check) for check in word_problems(problems)]

    assert worded == engine.check_table(CRITERIA, BANDS, D("-1"))


def test_vietnamese_wording():
    criteria = [
        CriterionSpec(code="I", kind="group", max_points=D("10.50")),
        CriterionSpec(code="I.1", kind="manual", max_points=D("9"), parent="I", per_item=D(1)),
        CriterionSpec(code="C", kind="count", max_points=D("4")),
    ]
    bands = [Band("Tốt", D("80")), Band("Tốt", D("50"))]

    with translation.override("vi"):
        checks = word_problems(engine.table_problems(criteria, bands, D("-1")))
        lines = [str(check) for check in checks]

    assert lines == [
        "I.1: điểm mỗi lần không áp dụng cho tiêu chí loại chấm điểm trực tiếp",
        "C: tiêu chí chấm điểm theo lần phải có số điểm mỗi lần",
        "I: điểm tối đa ghi 10,50 khác tổng điểm tối đa của các tiêu chí con là 9",
        "mức xếp loại Tốt: tên mức xếp loại bị trùng",
        "thang bảng điểm: điểm thưởng tối đa không được là số âm",
    ]
    assert [c.criterion for c in checks] == ["I.1", "C", "I", None, None]
    assert checks[0].message == "điểm mỗi lần không áp dụng cho tiêu chí loại chấm điểm trực tiếp"


@pytest.mark.django_db
def test_table_checks_of_a_stored_table(org):
    table = ScoreTable.objects.create(campaign=org.campaign, title="Hỏng")
    group = Criterion.objects.create(table=table, code="I", title="I", kind="group", max_points=10)
    Criterion.objects.create(
        table=table, parent=group, code="I.1", title="a", kind="manual", max_points=4
    )

    with translation.override("en"):
        checks = services.table_checks(table)
        empty = services.table_checks(ScoreTable.objects.create(campaign=org.campaign, title="0"))

    assert [(c.criterion, c.reason, c.message) for c in checks] == [
        (
            "I",
            "group_sum",
            "declared max 10.00 differs from the sum of its base children's max 4.00",
        )
    ]
    assert [(c.criterion, c.reason, str(c)) for c in empty] == [
        (None, "no_criteria", "The table has no criteria.")
    ]
