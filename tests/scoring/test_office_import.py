"""Storing the office's own table: ``import_scoretable FILE.xlsx|FILE.docx --year Y
--cluster CODE…`` and the example files of docs/examples."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from scoring.interchange.office import office_preview, office_read
from scoring.models import Criterion, ScoreTable
from tests.scoring.office_files import TITLE, xlsx

D = Decimal
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
EXAMPLE_XLSX = EXAMPLES / "thang-bang-diem-cum-1.xlsx"
EXAMPLE_DOCX = EXAMPLES / "thang-bang-diem-cum-1.docx"
EXAMPLE_TITLE = "THANG BẢNG ĐIỂM CHẤM THI ĐUA CỤM THI ĐUA SỐ 1 NĂM 2023"
CAMPAIGN = ("--year", "2023", "--organiser", "CAT")


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English, whatever catalogue is installed."""
    with translation.override("en"):
        yield


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def stored(table: ScoreTable) -> list[tuple]:
    return list(
        table.criteria.order_by("position").values_list(
            "depth", "code", "kind", "max_points", "per_item", "deduct"
        )
    )


EXAMPLE_TREE = [
    (0, "I", "group", D("30.00"), None, D("0.00")),
    (1, "I.1", "manual", D("10.00"), None, D("0.00")),
    (1, "I.2", "group", D("12.00"), None, D("0.00")),
    (2, "I.2.a", "manual", D("6.00"), None, D("0.00")),
    (2, "I.2.b", "manual", D("6.00"), None, D("0.00")),
    (1, "I.3", "pass_fail", D("8.00"), None, D("0.00")),
    (0, "II", "group", D("50.00"), None, D("0.00")),
    (1, "II.1", "manual", D("15.00"), None, D("0.00")),
    (1, "II.2", "group", D("20.00"), None, D("0.00")),
    (2, "II.2.1", "manual", D("12.00"), None, D("0.00")),
    (2, "II.2.2", "manual", D("8.00"), None, D("0.00")),
    (1, "II.3", "count", D("7.50"), D("2.50"), D("0.00")),
    (1, "II.4", "pass_fail", D("7.50"), None, D("0.00")),
    (0, "III", "group", D("20.00"), None, D("0.00")),
    (1, "III.1", "manual", D("10.00"), None, D("0.00")),
    (1, "III.2", "manual", D("10.00"), None, D("0.00")),
    (0, "B.1", "bonus", D("5.00"), D("1.00"), D("0.00")),
    (0, "B.2", "bonus", D("5.00"), D("0.50"), D("0.00")),
    (0, "C.1", "deduction", D("100.00"), D("5.00"), D("0.00")),
    (0, "C.2", "deduction", D("5.00"), D("0.50"), D("0.00")),
    (0, "C.3", "veto", D("0.00"), None, D("10.00")),
]


def test_example_xlsx_is_imported_and_published(org):
    out = run("import_scoretable", str(EXAMPLE_XLSX), *CAMPAIGN, "--cluster", "C1")

    table = ScoreTable.objects.get()
    assert (table.title, table.status, table.bonus_cap) == (EXAMPLE_TITLE, "published", D(5))
    assert list(table.clusters.values_list("code", flat=True)) == ["C1"]
    assert stored(table) == EXAMPLE_TREE
    assert table.criteria.get(code="I.1").guidance == (
        "Đầy đủ, kịp thời: 10 điểm; chậm triển khai: trừ 2 điểm/lần"
    )
    assert "Published it." in out
    assert "Read 21 criteria from Thang điểm." in out


def test_example_docx_gives_the_same_table_as_the_workbook(org):
    run("import_scoretable", str(EXAMPLE_DOCX), *CAMPAIGN, "--cluster", "C1", "--cluster", "C2")

    table = ScoreTable.objects.get()
    assert stored(table) == EXAMPLE_TREE
    assert sorted(table.clusters.values_list("code", flat=True)) == ["C1", "C2"]
    xlsx_doc = office_read(EXAMPLE_XLSX.read_bytes(), name="x").criteria
    docx_doc = office_read(EXAMPLE_DOCX.read_bytes(), name="x").criteria
    assert xlsx_doc == docx_doc


def test_example_files_are_what_the_script_writes(tmp_path):
    from docs.examples.make_office_tables import main

    main(tmp_path)

    for name in ("thang-bang-diem-cum-1.xlsx", "thang-bang-diem-cum-1.docx"):
        fresh = office_read((tmp_path / name).read_bytes(), name=name)
        committed = office_read((EXAMPLES / name).read_bytes(), name=name)
        assert (fresh.title, fresh.criteria) == (committed.title, committed.criteria)


def test_import_again_changes_nothing(org):
    run("import_scoretable", str(EXAMPLE_XLSX), *CAMPAIGN, "--cluster", "C1")

    out = run("import_scoretable", str(EXAMPLE_XLSX), *CAMPAIGN, "--cluster", "C1")

    assert ScoreTable.objects.count() == 1
    assert "already holds this file" in out


def test_draft_stays_a_draft_and_lists_what_stops_publishing(org, tmp_path):
    path = tmp_path / "bang.xlsx"
    path.write_bytes(xlsx([("I", "Xây dựng", 30, ""), ("1", "a", 10, ""), ("2", "b", 10, "")]))

    out = run("import_scoretable", str(path), *CAMPAIGN, "--cluster", "C1", "--draft")

    table = ScoreTable.objects.get()
    assert (table.title, table.status) == (TITLE, "draft")
    assert "It stays a draft." in out
    assert "  - I: declared max 30.00 differs from the sum of its base children's max 20.00" in out


def test_rows_not_understood_stop_publication_and_nothing_is_stored(org, tmp_path):
    path = tmp_path / "bang.xlsx"
    path.write_bytes(xlsx([("1", "a", 10, ""), ("2", "b", "nhiều", "")]))

    with pytest.raises(CommandError) as caught:
        run("import_scoretable", str(path), *CAMPAIGN, "--cluster", "C1")

    assert str(caught.value).splitlines() == [
        f"{path} was not imported, nothing was stored: 2 errors.",
        f"  - {path}: row 4: the points “nhiều” are not a number (2 | b | nhiều)",
        f"  - {path}: not published: rows were not understood or do not add up. Correct the "
        "file, or import it as a draft and correct the table.",
    ]
    assert ScoreTable.objects.count() == 0


def test_rows_not_understood_are_listed_when_stored_as_a_draft(org, tmp_path):
    path = tmp_path / "bang.xlsx"
    path.write_bytes(xlsx([("1", "a", 10, ""), ("2", "b", "nhiều", "")]))

    out = run("import_scoretable", str(path), *CAMPAIGN, "--cluster", "C1", "--draft")

    assert ScoreTable.objects.get().status == "draft"
    assert Criterion.objects.count() == 1
    assert "  - row 4: the points “nhiều” are not a number (2 | b | nhiều)" in out


def test_refused_file_stores_nothing(org, tmp_path):
    path = tmp_path / "bang.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"))

    with pytest.raises(CommandError) as caught:
        run("import_scoretable", str(path), *CAMPAIGN, "--cluster", "C1")

    assert str(caught.value).splitlines() == [
        f"{path} was not imported, nothing was stored: 1 error.",
        f"  - {path}: The file is an Excel 97-2003 workbook (.xls), an old format that is not "
        "read. Open it in Excel and save it as .xlsx.",
    ]
    assert ScoreTable.objects.count() == 0


def test_missing_office_file_is_refused(org, tmp_path):
    path = tmp_path / "none.xlsx"

    with pytest.raises(CommandError) as caught:
        run("import_scoretable", str(path), *CAMPAIGN, "--cluster", "C1")

    assert str(caught.value).splitlines()[0] == (
        f"{path} was not imported, nothing was stored: 1 error."
    )
    assert "cannot be read" in str(caught.value)


def test_unknown_cluster_is_refused_as_for_json(org):
    with pytest.raises(CommandError) as caught:
        run("import_scoretable", str(EXAMPLE_XLSX), *CAMPAIGN, "--cluster", "C9")

    assert 'the campaign 2023 has no cluster with the code "C9"' in str(caught.value)
    assert ScoreTable.objects.count() == 0


def test_office_file_needs_year_and_cluster(org):
    with pytest.raises(CommandError) as caught:
        run("import_scoretable", str(EXAMPLE_XLSX), "--year", "2023")

    assert str(caught.value) == "An .xlsx or .docx file needs --year and at least one --cluster."


def test_json_file_refuses_year_and_cluster(org, tmp_path):
    path = tmp_path / "table.json"
    path.write_text(json.dumps({"format": "thidua.scoretable/1"}), encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        run("import_scoretable", str(path), "--year", "2023", "--cluster", "C1")

    assert str(caught.value) == (
        "--year and --cluster are for .xlsx and .docx files; a JSON file names its own year "
        "and clusters."
    )


def test_preview_stores_nothing_and_gives_the_checks(org):
    table = office_read(
        xlsx([("I", "Xây dựng", 30, ""), ("1", "a", 10, ""), ("2", "b", 10, "")]), name="b.xlsx"
    )

    preview = office_preview(table, year=2023, clusters=["C1"], organiser="CAT")

    assert (preview.action, preview.version) == ("created", 1)
    assert [(c.criterion, str(c)) for c in preview.checks] == [
        ("I", "I: declared max 30.00 differs from the sum of its base children's max 20.00")
    ]
    assert ScoreTable.objects.count() == 0
    assert Criterion.objects.count() == 0
