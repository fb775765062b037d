"""``{"not_assigned": true}`` in thidua.scores/1, and raw_base, not_assigned and the points
left out in thidua.results/1 (CSV and xlsx too)."""

from __future__ import annotations

import copy
import csv
import io
import json

import openpyxl
import pytest
from django.core.management.base import CommandError

from scoring.models import NotAssigned, ScoreEntry, ScoreSheet
from tests.scoring import test_interchange
from tests.scoring.test_interchange import EXPORT_RESULTS, SCORES, run, write

# The interchange tests' fixtures: messages in English, the imported table.
english = test_interchange.english
published = test_interchange.published

pytestmark = pytest.mark.django_db


def _scores_without_m1_i5() -> dict:
    document = copy.deepcopy(SCORES)
    document["sheets"][2]["entries"]["I.5"] = {"not_assigned": True}
    return document


@pytest.fixture
def unassigned(published, tmp_path):
    run("import_scores", write(tmp_path, "scores.json", _scores_without_m1_i5()))
    return published


# Hand-computed from SCORES with I.5 not assigned to M1:
# I.5 relative without M1: e(L1) = 0.2, e(D1) = 0.375 = E, the leader: 15;
# L1: 7.5 × (1 + 0.2 / 0.375) = 11.50.
# L1: 8.50 + 10 + 7.50 + 15 + 11.50 = 52.50; bonus 3 (capped); deduction 2; total 53.50.
# D1: 10 + 0 + 10 + 0 + 15 = 35.00; bonus 1; total 36.00 → Đạt.
# M1: raw base 9.25 + 10 + 10 + 15 = 44.25 of the 45 assigned; base = 44.25 × 60 / 45
# = 59.00; bonus 2; deduction 6.50; total 54.50 → Xuất sắc, capped at Khá by the veto.
# Ranks: M1 54.50 → 1, L1 53.50 → 2, D1 36.00 → 3; leading L1 (M1 is excluded).
M1_RESULT = {
    "unit": "M1",
    "raw_base": "44.25",
    "base": "59.00",
    "bonus": "2.00",
    "deduction": "6.50",
    "total": "54.50",
    "rank": 1,
    "band": "Khá",
    "leading": False,
    "not_assigned": ["I.5"],
    "points": {
        "I.1": "9.25",
        "I.2": "10.00",
        "I.3": "10.00",
        "I.4": "15.00",
        "B": "2.00",
        "T": "1.50",
        "V": "5.00",
    },
}


def test_import_not_assigned_marks_the_unit_and_export_shows_both_bases(unassigned, org):
    document = json.loads(run(*EXPORT_RESULTS))

    results = document["results"]
    assert results[0] == M1_RESULT
    assert [(r["unit"], r["raw_base"], r["base"], r["total"], r["rank"]) for r in results] == [
        ("M1", "44.25", "59.00", "54.50", 1),
        ("L1", "52.50", "52.50", "53.50", 2),
        ("D1", "35.00", "35.00", "36.00", 3),
    ]
    assert results[1]["points"]["I.5"] == "11.50"
    assert results[1]["not_assigned"] == []
    mark = NotAssigned.objects.get()
    assert (mark.criterion.code, mark.unit, mark.unit_kind) == ("I.5", org.member_unit, "")
    assert ScoreEntry.objects.get(sheet__unit__code="M1", criterion__code="I.5").not_assigned


def test_import_not_assigned_again_adds_no_second_mark(unassigned, tmp_path):
    run("import_scores", write(tmp_path, "again.json", _scores_without_m1_i5()))

    assert NotAssigned.objects.count() == 1
    assert ScoreSheet.objects.get(unit__code="M1", stage="cluster").base == 59


def test_export_results_csv_and_xlsx_show_the_unassigned_criteria(unassigned, tmp_path):
    csv_text = run(*EXPORT_RESULTS, "--format", "csv")
    path = tmp_path / "results.xlsx"
    run(*EXPORT_RESULTS, "--format", "xlsx", "--output", str(path))

    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    header = rows[0]
    m1 = dict(zip(header, rows[1], strict=True))
    assert (m1["raw_base"], m1["base"], m1["not_assigned"], m1["I.5"]) == (
        "44.25",
        "59.00",
        "I.5",
        "—",
    )
    assert dict(zip(header, rows[2], strict=True))["I.5"] == "11.50"
    sheet = openpyxl.load_workbook(path).active
    cells = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert (cells["raw_base"], cells["base"], cells["not_assigned"], cells["I.5"]) == (
        44.25,
        59,
        "I.5",
        "—",
    )


@pytest.mark.parametrize(
    ("unit", "code", "entry", "message"),
    [
        pytest.param(
            "M1",
            "I.5",
            {"not_assigned": False},
            "unit M1, criterion I.5: not_assigned can only be true; leave it out for a "
            "criterion that applies",
            id="false",
        ),
        pytest.param(
            "M1",
            "I.5",
            {"not_assigned": True, "actual": 3},
            'unit M1, criterion I.5: unknown key "actual" (allowed: not_assigned)',
            id="with-input",
        ),
        pytest.param(
            "M1",
            "B",
            {"not_assigned": True},
            "unit M1, criterion B: bonus, deduction and veto criteria always apply to every unit",
            id="bonus",
        ),
        pytest.param(
            "M1",
            "I",
            {"not_assigned": True},
            "unit M1, criterion I: is a group; enter its criteria instead",
            id="group",
        ),
    ],
)
def test_import_not_assigned_refusals(published, tmp_path, unit, code, entry, message):
    document = {**SCORES, "sheets": [{"unit": unit, "entries": {code: entry}}]}
    path = write(tmp_path, "bad.json", document)

    with pytest.raises(CommandError) as caught:
        run("import_scores", path)

    assert str(caught.value).splitlines()[1:] == [f"  - {path}: {message}"]
    assert not NotAssigned.objects.exists()


def test_import_input_for_an_unassigned_criterion_refused(unassigned, tmp_path):
    document = {**SCORES, "sheets": [{"unit": "M1", "entries": {"I.5": {"actual": 140}}}]}
    path = write(tmp_path, "input.json", document)

    with pytest.raises(CommandError) as caught:
        run("import_scores", path)

    assert str(caught.value).splitlines()[1:] == [
        f"  - {path}: unit M1, criterion I.5: is not assigned to this unit and takes no input "
        '(write {"not_assigned": true})'
    ]
    assert ScoreEntry.objects.get(sheet__unit__code="M1", criterion__code="I.5").actual is None
