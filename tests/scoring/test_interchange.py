"""The scoring interchange files and their commands (domain.md section 7,
docs/scoring-files.md): import_scoretable, export_scoretable, import_scores, export_results."""

from __future__ import annotations

import copy
import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.utils import translation

from clusters.enums import MemberRole
from scoring import interchange, services
from scoring.models import Criterion, ScoreEntry, ScoreSheet, ScoreTable, UnitTarget
from tests.factories import MembershipFactory, UnitFactory

D = Decimal

# The table of these tests, written exactly as export_scoretable writes it (so a round trip
# must give it back unchanged). Group I: 10 + 10 + 10 + 15 + 15 = 60.
TABLE = {
    "format": "thidua.scoretable/1",
    "organiser": "CAT",
    "year": 2023,
    "clusters": ["C1"],
    "title": "Thang điểm khối Công an huyện 2023",
    "bonus_cap": "3.00",
    "bands": [
        {"label": "Xuất sắc", "min": "50.00"},
        {"label": "Khá", "min": "40.00"},
        {"label": "Đạt", "min": "0.00"},
    ],
    "criteria": [
        {
            "code": "I",
            "title": "Công tác đảm bảo an ninh, trật tự",
            "kind": "group",
            "max": "60.00",
            "children": [
                {"code": "I.1", "title": "Tham mưu", "kind": "manual", "max": "10.00"},
                {
                    "code": "I.2",
                    "title": "Không để xảy ra điểm nóng",
                    "guidance": "Theo báo cáo tổng kết năm.",
                    "kind": "pass_fail",
                    "max": "10.00",
                },
                {
                    "code": "I.3",
                    "title": "Mô hình điển hình",
                    "kind": "count",
                    "max": "10.00",
                    "per_item": "2.50",
                },
                {
                    "code": "I.4",
                    "title": "Tỷ lệ giải quyết tin báo",
                    "kind": "target",
                    "max": "15.00",
                    "metric": "rate",
                    "direction": "higher",
                    "method": "threshold",
                    "target": "90.00",
                },
                {
                    "code": "I.5",
                    "title": "Số vụ phá án",
                    "kind": "target",
                    "max": "15.00",
                    "metric": "value",
                    "direction": "higher",
                    "method": "relative",
                    "target": "100.00",
                },
            ],
        },
        {"code": "B", "title": "Điểm thưởng", "kind": "bonus", "max": "5.00", "per_item": "1.00"},
        {"code": "T", "title": "Điểm trừ", "kind": "deduction", "max": "10.00"},
        {
            "code": "V",
            "title": "Không để xảy ra oan sai",
            "kind": "veto",
            "deduct": "5.00",
            "max_band": "Khá",
            "excludes_leading": True,
        },
    ],
}

# Cluster-stage scores of the cluster's three units; numbers are given both as JSON numbers
# and as strings, as the format allows.
SCORES = {
    "format": "thidua.scores/1",
    "organiser": "CAT",
    "year": 2023,
    "cluster": "C1",
    "stage": "cluster",
    "sheets": [
        {
            "unit": "L1",
            "entries": {
                "I.1": {"points": "8.5"},
                "I.2": {"passed": True},
                "I.3": {"count": 3},
                "I.4": {"numerator": 45, "denominator": 50},
                "I.5": {"actual": "120"},
                "B": {"count": 4},
                "T": {"points": "2", "comment": "Chậm báo cáo"},
                "V": {"violated": False},
            },
        },
        {
            "unit": "D1",
            "entries": {
                "I.1": {"points": 10},
                "I.2": {"passed": False},
                "I.3": {"count": 5},
                "I.4": {"numerator": "44", "denominator": "50"},
                "I.5": {"actual": 110, "target": 80},
                "B": {"count": 1},
                "T": {"points": 0},
                "V": {"violated": False},
            },
        },
        {
            "unit": "M1",
            "entries": {
                "I.1": {"points": 6, "override": "9.25", "reason": "Phúc tra: bổ sung hồ sơ"},
                "I.2": {"passed": True},
                "I.3": {"count": 4},
                "I.4": {"numerator": 0, "denominator": 0},
                "I.5": {"actual": 140},
                "B": {"count": 2},
                "T": {"points": "1.50"},
                "V": {"violated": True},
            },
        },
    ],
}

# Hand-computed from SCORES (domain.md section 5):
# I.5 relative, e = (A - T) / T: L1 (120 - 100) / 100 = 0.2; D1 (110 - 80) / 80 = 0.375;
# M1 (140 - 100) / 100 = 0.4 = E, the leader: 15. D1: 0.5 × 15 × (1 + 0.375 / 0.4)
# = 7.5 × 1.9375 = 14.53125 → 14.53. L1: 7.5 × (1 + 0.2 / 0.4) = 11.25.
# L1: base 8.50 + 10 + 7.50 (3 × 2.5) + 15 (90 % ≥ 90 %) + 11.25 = 52.25; bonus 4 capped at 3;
#     deduction 2; total 53.25 → Xuất sắc.
# D1: base 10 + 0 + 10 (5 × 2.5 = 12.5 capped at 10) + 0 (88 % < 90 %) + 14.53 = 34.53;
#     bonus 1; deduction 0; total 35.53 → Đạt.
# M1: base 9.25 (override) + 10 + 10 (4 × 2.5) + 15 (denominator 0: full) + 15 = 59.25;
#     bonus 2; deduction 1.50 + 5 (veto) = 6.50; total 54.75 → Xuất sắc, capped at Khá by
#     the veto, which also excludes M1 from leading.
# Ranks: M1 54.75 → 1, L1 53.25 → 2, D1 35.53 → 3; leading: L1 (M1 is excluded).
RESULTS = {
    "format": "thidua.results/1",
    "organiser": "CAT",
    "year": 2023,
    "cluster": "C1",
    "period": "year_end",
    "stage": "cluster",
    "results": [
        {
            "unit": "M1",
            "raw_base": "59.25",
            "base": "59.25",
            "bonus": "2.00",
            "deduction": "6.50",
            "total": "54.75",
            "rank": 1,
            "band": "Khá",
            "leading": False,
            "not_assigned": [],
            "points": {
                "I.1": "9.25",
                "I.2": "10.00",
                "I.3": "10.00",
                "I.4": "15.00",
                "I.5": "15.00",
                "B": "2.00",
                "T": "1.50",
                "V": "5.00",
            },
        },
        {
            "unit": "L1",
            "raw_base": "52.25",
            "base": "52.25",
            "bonus": "3.00",
            "deduction": "2.00",
            "total": "53.25",
            "rank": 2,
            "band": "Xuất sắc",
            "leading": True,
            "not_assigned": [],
            "points": {
                "I.1": "8.50",
                "I.2": "10.00",
                "I.3": "7.50",
                "I.4": "15.00",
                "I.5": "11.25",
                "B": "4.00",
                "T": "2.00",
                "V": "0.00",
            },
        },
        {
            "unit": "D1",
            "raw_base": "34.53",
            "base": "34.53",
            "bonus": "1.00",
            "deduction": "0.00",
            "total": "35.53",
            "rank": 3,
            "band": "Đạt",
            "leading": False,
            "not_assigned": [],
            "points": {
                "I.1": "10.00",
                "I.2": "0.00",
                "I.3": "10.00",
                "I.4": "0.00",
                "I.5": "14.53",
                "B": "1.00",
                "T": "0.00",
                "V": "0.00",
            },
        },
    ],
}


CAMPAIGN = ("--year", "2023", "--organiser", "CAT")
EXPORT_RESULTS = ("export_results", *CAMPAIGN, "--cluster", "C1", "--stage", "cluster")


def write(tmp_path: Path, name: str, document: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def entry_values() -> list[tuple]:
    """Every stored input and computed figure, to show that nothing changed."""
    return list(
        ScoreEntry.objects.order_by("pk").values_list(
            "pk",
            "input_points",
            "passed",
            "count",
            "actual",
            "numerator",
            "denominator",
            "baseline",
            "violated",
            "override",
            "override_reason",
            "comment",
            "points",
        )
    )


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English, whatever catalogue is installed."""
    with translation.override("en"):
        yield


@pytest.fixture
def published(org, tmp_path):
    run("import_scoretable", write(tmp_path, "table.json", TABLE))
    return ScoreTable.objects.get(title=TABLE["title"])


@pytest.fixture
def scored(published, tmp_path):
    run("import_scores", write(tmp_path, "scores.json", SCORES))
    return published


# --- import_scoretable -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["import_scoretable", "import_scores", "export_results", "export_scoretable"]
)
def test_command_help_is_formatted(name):
    command = load_command_class("scoring", name)

    text = command.create_parser("manage.py", name).format_help()

    assert text.startswith(f"usage: manage.py {name} ")
    assert command.help in " ".join(text.split())


def test_import_scoretable_publishes_the_tree(org, tmp_path):
    out = run("import_scoretable", write(tmp_path, "table.json", TABLE))

    table = ScoreTable.objects.get()
    assert (table.campaign, table.version, table.status) == (org.campaign, 1, "published")
    assert table.published_at is not None
    assert list(table.clusters.all()) == [org.cluster]
    assert table.bonus_cap == D("3.00")
    assert table.bands == TABLE["bands"]
    rows = [
        (c.code, c.parent.code if c.parent else None, c.position, c.depth, c.kind, c.max_points)
        for c in table.criteria.select_related("parent").order_by("position")
    ]
    assert rows == [
        ("I", None, 0, 0, "group", D("60.00")),
        ("I.1", "I", 1, 1, "manual", D("10.00")),
        ("I.2", "I", 2, 1, "pass_fail", D("10.00")),
        ("I.3", "I", 3, 1, "count", D("10.00")),
        ("I.4", "I", 4, 1, "target", D("15.00")),
        ("I.5", "I", 5, 1, "target", D("15.00")),
        ("B", None, 6, 0, "bonus", D("5.00")),
        ("T", None, 7, 0, "deduction", D("10.00")),
        ("V", None, 8, 0, "veto", D("0.00")),
    ]
    i4 = table.criteria.get(code="I.4")
    assert (i4.metric, i4.direction, i4.method, i4.target) == (
        "rate",
        "higher",
        "threshold",
        D("90.0000"),
    )
    veto = table.criteria.get(code="V")
    assert (veto.deduct, veto.max_band, veto.excludes_leading) == (D("5.00"), "Khá", True)
    assert table.criteria.get(code="I.2").guidance == "Theo báo cáo tổng kết năm."
    assert "Published it." in out


def test_import_scoretable_draft_stays_draft(org, tmp_path):
    run("import_scoretable", write(tmp_path, "table.json", TABLE), "--draft")

    table = ScoreTable.objects.get()
    assert (table.status, table.published_at) == ("draft", None)
    assert table.criteria.count() == 9


def test_import_scoretable_draft_reports_what_stops_publishing(org, tmp_path):
    document = copy.deepcopy(TABLE)
    document["criteria"][0]["max"] = "70"

    out = run("import_scoretable", write(tmp_path, "table.json", document), "--draft")

    assert ScoreTable.objects.get().status == "draft"
    assert "It cannot be published yet:" in out
    assert "I: declared max 70.00 differs from the sum of its base children's max 60.00" in out


def test_import_scoretable_unpublishable_refused_with_every_problem(org, tmp_path):
    document = copy.deepcopy(TABLE)
    document["criteria"][0]["max"] = "70"  # the children add up to 60
    document["criteria"][3]["max_band"] = "Giỏi"  # not a band of the table
    path = write(tmp_path, "table.json", document)

    with pytest.raises(CommandError) as caught:
        run("import_scoretable", path)

    assert str(caught.value).splitlines() == [
        f"{path} was not imported, nothing was stored: 2 errors.",
        f"  - {path}: criteria[3] (code \"V\"): max_band 'Giỏi' is not a band of the table",
        f'  - {path}: criteria[0] (code "I"): declared max 70.00 differs from the sum of its '
        "base children's max 60.00",
    ]
    assert ScoreTable.objects.count() == 0
    assert Criterion.objects.count() == 0


def test_import_scoretable_bad_structure_lists_every_path(org, tmp_path):
    document = copy.deepcopy(TABLE)
    children = document["criteria"][0]["children"]
    children[0]["kind"] = "manuel"
    children[1]["per_item"] = "1"
    children[2]["max"] = "abc"
    children[3]["code"] = "I.1"
    del children[4]["title"]
    document["bands"][1]["min"] = "40.005"
    path = write(tmp_path, "table.json", document)

    with pytest.raises(CommandError) as caught:
        run("import_scoretable", path)

    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path} was not imported, nothing was stored: 6 errors."
    assert lines[1:] == [
        f"  - {path}: bands[1]: min: Ensure that there are no more than 2 decimal places.",
        f'  - {path}: criteria[0].children[0] (code "I.1"): kind "manuel" is not one of '
        "group, manual, pass_fail, count, target, bonus, deduction, veto",
        f'  - {path}: criteria[0].children[1] (code "I.2"): "per_item" does not apply to a '
        "pass_fail criterion",
        f'  - {path}: criteria[0].children[2] (code "I.3"): max must be a decimal number '
        '(e.g. "12.50"), not "abc"',
        f'  - {path}: criteria[0].children[3] (code "I.1"): the code "I.1" is already used by '
        'criteria[0].children[0] (code "I.1")',
        f'  - {path}: criteria[0].children[4] (code "I.5"): the key "title" is missing',
    ]
    assert ScoreTable.objects.count() == 0


def test_import_scoretable_unknown_cluster_and_organiser_conflict(org, tmp_path):
    document = {**TABLE, "clusters": ["C1", "C9"]}
    path = write(tmp_path, "table.json", document)

    with pytest.raises(CommandError) as caught:
        run("import_scoretable", path, "--organiser", "OTHER")

    assert str(caught.value).splitlines()[1:] == [
        f'  - {path}: organiser: the file names "CAT" but the command was given "OTHER"',
    ]
    with pytest.raises(CommandError) as caught:
        run("import_scoretable", path)
    assert str(caught.value).splitlines()[1:] == [
        f'  - {path}: clusters[1]: the campaign 2023 has no cluster with the code "C9"',
    ]


def test_import_scoretable_without_organiser_means_the_default(org, tmp_path):
    document = {k: v for k, v in TABLE.items() if k != "organiser"}
    path = write(tmp_path, "table.json", document)

    with pytest.raises(CommandError) as caught:
        run("import_scoretable", path)
    assert str(caught.value).splitlines()[1:] == [
        f'  - {path}: year: the organiser "DEFAULT" has no campaign in 2023',
    ]

    run("import_scoretable", path, "--organiser", "CAT")
    assert ScoreTable.objects.get().campaign == org.campaign


def test_import_scoretable_again_unchanged(published, tmp_path):
    out = run("import_scoretable", write(tmp_path, "again.json", TABLE))

    assert "already holds this file" in out
    assert list(ScoreTable.objects.values_list("pk", "version")) == [(published.pk, 1)]


def test_import_scoretable_changed_published_makes_next_version(published, org, tmp_path):
    UnitTarget.objects.create(
        criterion=published.criteria.get(code="I.5"), unit=org.member_unit, target=D(70)
    )
    document = copy.deepcopy(TABLE)
    document["criteria"][0]["children"][0]["title"] = "Tham mưu, đề xuất"

    out = run("import_scoretable", write(tmp_path, "v2.json", document))

    new = ScoreTable.objects.get(version=2)
    assert (new.previous, new.status, new.title) == (published, "published", TABLE["title"])
    assert new.criteria.get(code="I.1").title == "Tham mưu, đề xuất"
    assert list(new.clusters.all()) == [org.cluster]
    assert list(UnitTarget.objects.filter(criterion__table=new).values_list("target")) == [
        (D("70.0000"),)
    ]
    assert services.table_for_cluster(org.cluster) == new
    assert "the next version" in out


def test_import_scoretable_draft_again_replaces_its_criteria(org, tmp_path):
    run("import_scoretable", write(tmp_path, "a.json", TABLE), "--draft")
    draft = ScoreTable.objects.get()
    document = copy.deepcopy(TABLE)
    document["criteria"] = document["criteria"][1:3]  # only B and T

    run("import_scoretable", write(tmp_path, "b.json", document), "--draft")

    table = ScoreTable.objects.get()
    assert (table.pk, table.version, table.status) == (draft.pk, 1, "draft")
    assert list(table.criteria.order_by("position").values_list("code", flat=True)) == ["B", "T"]


# --- export_scoretable -------------------------------------------------------------------


def test_export_scoretable_round_trip_gives_the_same_table(published, tmp_path):
    exported = tmp_path / "exported.json"

    run("export_scoretable", *CAMPAIGN, "--cluster", "C1", "--output", str(exported))
    first = json.loads(exported.read_text(encoding="utf-8"))
    assert first == TABLE

    # Re-imported under another title, the new table exports to the same document.
    renamed = {**first, "title": "Bản sao"}
    run("import_scoretable", write(tmp_path, "copy.json", renamed))
    second = json.loads(run("export_scoretable", *CAMPAIGN, "--title", "Bản sao"))
    assert second == renamed
    assert ScoreTable.objects.get(title="Bản sao").status == "published"


def test_export_scoretable_leaves_out_keys_of_other_kinds(published):
    document = interchange.scoretable_export(published)

    assert {c["code"]: sorted(c) for c in document["criteria"]} == {
        "I": ["children", "code", "kind", "max", "title"],
        "B": ["code", "kind", "max", "per_item", "title"],
        "T": ["code", "kind", "max", "title"],
        "V": ["code", "deduct", "excludes_leading", "kind", "max_band", "title"],
    }


# --- import_scores and export_results ---------------------------------------------------


def test_import_scores_then_export_results_gives_the_hand_computed_figures(scored, tmp_path):
    out = run(*EXPORT_RESULTS)

    assert json.loads(out) == RESULTS
    assert UnitTarget.objects.get().target == D("80.0000")  # D1's own target for I.5
    m1 = ScoreEntry.objects.get(sheet__unit__code="M1", criterion__code="I.1")
    assert (m1.input_points, m1.override, m1.override_reason) == (
        D("6.00"),
        D("9.25"),
        "Phúc tra: bổ sung hồ sơ",
    )


def test_import_scores_again_changes_nothing(scored, tmp_path):
    before = entry_values()

    out = run("import_scores", write(tmp_path, "again.json", SCORES))

    assert entry_values() == before
    assert out == (
        "Cluster C1, stage cluster: sheets created 0, updated 3; entries stored 24; unit "
        "targets set 1; results recomputed.\n"
    )


def test_import_scores_keys_left_out_keep_their_value(scored, tmp_path):
    document = {**SCORES, "sheets": [{"unit": "M1", "entries": {"I.1": {"points": 7}}}]}

    run("import_scores", write(tmp_path, "partial.json", document))

    m1 = ScoreEntry.objects.get(sheet__unit__code="M1", criterion__code="I.1")
    assert (m1.input_points, m1.override, m1.points) == (D("7.00"), D("9.25"), D("9.25"))


def test_import_scores_target_recomputes_the_units_other_stages(published, tmp_path):
    # D1 and M1 score I.5 at the self stage: against the default target 100, e = 0.1 (D1)
    # and 0.4 (M1, the leader), so D1 gets 7.5 × (1 + 0.1 / 0.4) = 9.375 → 9.38.
    self_scores = {
        **SCORES,
        "stage": "self",
        "sheets": [
            {"unit": "D1", "entries": {"I.5": {"actual": 110}}},
            {"unit": "M1", "entries": {"I.5": {"actual": 140}}},
        ],
    }
    run("import_scores", write(tmp_path, "self.json", self_scores))
    d1 = ScoreEntry.objects.get(sheet__unit__code="D1", sheet__stage="self", criterion__code="I.5")
    assert d1.points == D("9.38")

    # D1's own target of 80, given in the cluster-stage file, counts at the self stage too:
    # e = 30 / 80 = 0.375, E = 0.4: 7.5 × (1 + 0.375 / 0.4) = 14.53125 → 14.53.
    run("import_scores", write(tmp_path, "scores.json", SCORES))

    d1.refresh_from_db()
    assert d1.points == D("14.53")
    assert ScoreSheet.objects.get(unit__code="D1", stage="self").total == D("14.53")


def test_import_scores_null_clears_an_override_and_reason_alone_rewords_it(scored, tmp_path):
    reworded = {**SCORES, "sheets": [{"unit": "M1", "entries": {"I.1": {"reason": "Bổ sung"}}}]}
    run("import_scores", write(tmp_path, "reason.json", reworded))
    m1 = ScoreEntry.objects.get(sheet__unit__code="M1", criterion__code="I.1")
    assert (m1.override, m1.override_reason, m1.points) == (D("9.25"), "Bổ sung", D("9.25"))

    cleared = {**SCORES, "sheets": [{"unit": "M1", "entries": {"I.1": {"override": None}}}]}
    run("import_scores", write(tmp_path, "cleared.json", cleared))

    m1.refresh_from_db()
    assert (m1.override, m1.override_reason, m1.points) == (None, "", D("6.00"))
    assert ScoreSheet.objects.get(unit__code="M1", stage="cluster").total == D("51.50")


def test_export_results_points_null_when_not_entered(published, tmp_path):
    document = {**SCORES, "sheets": [{"unit": "L1", "entries": {"I.1": {"points": "4"}}}]}
    run("import_scores", write(tmp_path, "one.json", document))

    result = interchange.results_export(cluster=published.clusters.get(), stage="cluster")

    assert result["results"] == [
        {
            "unit": "L1",
            "raw_base": "4.00",
            "base": "4.00",
            "bonus": "0.00",
            "deduction": "0.00",
            "total": "4.00",
            "rank": 1,
            "band": "Đạt",
            "leading": True,
            "not_assigned": [],
            "points": {
                "I.1": "4.00",
                "I.2": None,
                "I.3": None,
                "I.4": None,
                "I.5": None,
                "B": None,
                "T": None,
                "V": None,
            },
        }
    ]


def _bad(unit: str, code: str, entry: dict) -> dict:
    return {**SCORES, "sheets": [{"unit": unit, "entries": {code: entry}}]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            _bad("XX9", "I.1", {"points": 1}), "unit XX9: no unit has this code", id="unknown-unit"
        ),
        pytest.param(
            _bad("O1", "I.1", {"points": 1}),
            "unit O1: is not a member of cluster C1 in 2023",
            id="not-a-member",
        ),
        pytest.param(
            _bad("L1", "Z.9", {"points": 1}),
            'unit L1, criterion Z.9: the table "Thang điểm khối Công an huyện 2023 (v1)" has no '
            "criterion with this code",
            id="unknown-criterion",
        ),
        pytest.param(
            _bad("L1", "I", {"points": 1}),
            "unit L1, criterion I: is a group; enter its criteria instead",
            id="group",
        ),
        pytest.param(
            _bad("D1", "I.4", {"numerator": 51, "denominator": 50}),
            "unit D1, criterion I.4: numerator 51 must not exceed denominator 50",
            id="numerator-above-denominator",
        ),
        pytest.param(
            _bad("M1", "I.1", {"points": "10.5"}),
            "unit M1, criterion I.1: points 10.5 is above the maximum 10.00",
            id="points-above-max",
        ),
        pytest.param(
            _bad("L1", "I.1", {"override": "5"}),
            "unit L1, criterion I.1: an override needs a written reason",
            id="override-without-reason",
        ),
        pytest.param(
            _bad("L1", "I.2", {"passed": "yes"}),
            'unit L1, criterion I.2: passed must be true or false, not "yes"',
            id="not-a-boolean",
        ),
        pytest.param(
            _bad("L1", "I.3", {"count": "1.5"}),
            "unit L1, criterion I.3: count must be a whole number, not 1.5",
            id="not-whole",
        ),
        pytest.param(
            _bad("L1", "I.5", {"actual": "1.23456"}),
            "unit L1, criterion I.5: actual: Ensure that there are no more than 4 decimal places.",
            id="too-precise",
        ),
        pytest.param(
            _bad("L1", "V", {"points": 1}),
            "unit L1, criterion V: points does not apply to a veto criterion",
            id="not-applicable",
        ),
    ],
)
def test_import_scores_bad_value_refused_and_nothing_stored(scored, tmp_path, document, message):
    path = write(tmp_path, "bad.json", document)
    before = entry_values()
    sheets = list(ScoreSheet.objects.order_by("pk").values_list("pk", "total", "rank", "version"))

    with pytest.raises(CommandError) as caught:
        run("import_scores", path)

    assert str(caught.value).splitlines() == [
        f"{path} was not imported, nothing was stored: 1 error.",
        f"  - {path}: {message}",
    ]
    assert entry_values() == before
    assert (
        list(ScoreSheet.objects.order_by("pk").values_list("pk", "total", "rank", "version"))
        == sheets
    )


def test_import_scores_locked_stage_refused(scored, org, tmp_path):
    ScoreSheet.objects.filter(unit=org.leader_unit).update(status="locked")
    document = _bad("D1", "I.1", {"points": 1})
    path = write(tmp_path, "locked.json", document)
    before = entry_values()

    with pytest.raises(CommandError) as caught:
        run("import_scores", path)

    assert str(caught.value).splitlines()[1:] == [
        f'  - {path}: unit D1: the stage "cluster" of cluster C1 is locked (published); its '
        "scores cannot change",
    ]
    assert entry_values() == before


def test_import_scores_reports_every_error_at_once(published, tmp_path):
    document = copy.deepcopy(SCORES)
    document["sheets"][0]["entries"]["I.1"] = {"points": "-1"}
    document["sheets"][1]["entries"]["I.4"] = {"numerator": 3}
    document["sheets"][2]["entries"]["I.3"] = {"count": 2, "colour": "red"}
    path = write(tmp_path, "bad.json", document)

    with pytest.raises(CommandError) as caught:
        run("import_scores", path)

    assert str(caught.value).splitlines() == [
        f"{path} was not imported, nothing was stored: 3 errors.",
        f"  - {path}: unit L1, criterion I.1: points must not be negative (-1)",
        f"  - {path}: unit D1, criterion I.4: denominator is missing: this criterion's inputs "
        "go together",
        f'  - {path}: unit M1, criterion I.3: unknown key "colour" (allowed: points, passed, '
        "count, actual, numerator, denominator, baseline, violated, target, override, reason, "
        "comment)",
    ]
    assert ScoreSheet.objects.count() == 0


def test_import_scores_refusal_in_vietnamese_names_file_unit_and_criterion(published, tmp_path):
    path = write(tmp_path, "bad.json", _bad("M1", "I.1", {"points": "10.5"}))

    with translation.override("vi"), pytest.raises(CommandError) as caught:
        run("import_scores", path)

    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[0].count(path) == 1
    assert lines[1].startswith(f"  - {path}: ")
    assert "M1" in lines[1]
    assert "I.1" in lines[1]
    assert ScoreSheet.objects.count() == 0


def test_import_scores_bad_file_exits_with_status_1(published, tmp_path, capsys):
    from scoring.management.commands.import_scores import Command

    path = write(tmp_path, "bad.json", _bad("XX9", "I.1", {"points": 1}))

    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["manage.py", "import_scores", path])

    assert caught.value.code == 1
    assert f"{path}: unit XX9: no unit has this code" in capsys.readouterr().err


def test_import_scores_not_json_refused(published, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "thidua.scores/1",', encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        run("import_scores", str(path))

    assert "not valid JSON" in str(caught.value)


def test_parse_json_reads_fractions_as_decimal_never_float():
    data = interchange.parse_json('{"a": 8.5, "b": 3, "c": [0.1]}')

    assert data == {"a": D("8.5"), "b": 3, "c": [D("0.1")]}
    assert type(data["a"]) is Decimal


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": NaN}', "-: NaN is not a number JSON allows"),
        ('{"a": 1, "a": 2}', '-: the key "a" appears twice in one object'),
    ],
)
def test_parse_json_refuses_nan_and_repeated_keys(text, message):
    with pytest.raises(interchange.ScoringFileError) as caught:
        interchange.parse_json(text)

    assert caught.value.errors == [message]


# --- CSV and xlsx ------------------------------------------------------------------------


def test_export_results_csv_equals_the_json_figures(scored, tmp_path):
    path = tmp_path / "results.csv"

    run(*EXPORT_RESULTS, "--format", "csv", "--output", str(path))

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    codes = ["I.1", "I.2", "I.3", "I.4", "I.5", "B", "T", "V"]
    assert rows[0] == [
        "unit",
        "rank",
        "raw_base",
        "base",
        "bonus",
        "deduction",
        "total",
        "band",
        "leading",
        "not_assigned",
        *codes,
    ]
    expected = [
        [r["unit"], str(r["rank"]), r["raw_base"], r["base"], r["bonus"], r["deduction"]]
        + [r["total"], r["band"], "true" if r["leading"] else "false", ""]
        + [r["points"][c] for c in codes]
        for r in RESULTS["results"]
    ]
    assert rows[1:] == expected


def test_export_results_xlsx_equals_the_json_figures(scored, tmp_path):
    path = tmp_path / "results.xlsx"

    run(*EXPORT_RESULTS, "--format", "xlsx", "--output", str(path))

    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    codes = ["I.1", "I.2", "I.3", "I.4", "I.5", "B", "T", "V"]
    assert rows[0] == (*interchange.RESULT_COLUMNS, *codes)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "B2"
    assert sheet["C2"].data_type == "n"
    assert sheet["C2"].number_format == "0.00"
    figures = [
        [
            row[0],
            row[1],
            *(str(D(str(v)).quantize(D("0.01"))) for v in (*row[2:7], *row[10:])),
            row[7],
            row[8],
            row[9],
        ]
        for row in rows[1:]
    ]
    expected = [
        [r["unit"], r["rank"], r["raw_base"], r["base"], r["bonus"], r["deduction"], r["total"]]
        + [r["points"][c] for c in codes]
        + [r["band"], r["leading"], None]
        for r in RESULTS["results"]
    ]
    assert figures == expected


def test_export_results_xlsx_needs_output(scored):
    with pytest.raises(CommandError) as caught:
        run(*EXPORT_RESULTS, "--format", "xlsx")

    assert str(caught.value) == "The xlsx format needs --output FILE."


def test_export_results_unknown_organiser_refused(scored):
    with pytest.raises(CommandError) as caught:
        run("export_results", "--year", "2023", "--cluster", "C1", "--stage", "cluster")

    assert str(caught.value) == (
        'The organiser "DEFAULT" has no campaign in 2023 (organisers with one: CAT; choose '
        "with --organiser)."
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("Khá", "Khá"),
        ("", ""),
        (D("-1.50"), D("-1.50")),
        (3, 3),
        (None, None),
        (True, True),
    ],
)
def test_safe_cell_neutralises_formulas(value, expected):
    assert interchange.safe_cell(value) == expected


def test_export_results_formula_text_neutralised(org, tmp_path):
    document = copy.deepcopy(TABLE)
    document["bands"] = [{"label": '=HYPERLINK("http://x")', "min": "0.00"}]
    del document["criteria"][3]["max_band"]
    run("import_scoretable", write(tmp_path, "table.json", document))
    run("import_scores", write(tmp_path, "scores.json", SCORES))
    path = tmp_path / "results.xlsx"

    run(*EXPORT_RESULTS, "--format", "xlsx", "--output", str(path))
    csv_text = run(*EXPORT_RESULTS, "--format", "csv")

    cell = openpyxl.load_workbook(path).active["H2"]
    assert (cell.value, cell.data_type) == ('\'=HYPERLINK("http://x")', "s")
    assert list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))[1][7] == (
        '\'=HYPERLINK("http://x")'
    )


# --- Query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("extra_units", [0, 6])
def test_export_results_query_count_fixed(org, tmp_path, extra_units, django_assert_num_queries):
    document = copy.deepcopy(TABLE)
    # More units and more criteria in the bigger case.
    document["criteria"][0]["max"] = str(60 + 10 * extra_units)
    document["criteria"][0]["children"] += [
        {"code": f"I.{6 + n}", "title": "Thêm", "kind": "manual", "max": "10.00"}
        for n in range(extra_units)
    ]
    run("import_scoretable", write(tmp_path, "table.json", document))
    for n in range(extra_units):
        MembershipFactory(
            cluster=org.cluster, unit=UnitFactory(code=f"X{n}"), role=MemberRole.MEMBER
        )
    run("import_scores", write(tmp_path, "scores.json", SCORES))
    for membership in org.cluster.memberships.select_related("unit"):
        services.sheet_get_or_create(cluster=org.cluster, unit=membership.unit, stage="cluster")
    cluster = type(org.cluster).objects.select_related("campaign__organiser").get(pk=org.cluster.pk)

    with django_assert_num_queries(3):
        document = interchange.results_export(cluster=cluster, stage="cluster")

    assert len(document["results"]) == 3 + extra_units
    assert len(document["results"][0]["points"]) == 8 + extra_units
