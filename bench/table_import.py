"""Office table import benchmark: a 200-row workbook read and stored (issue 12, point 6).

Run by ``make bench`` after the other benchmarks, or alone with ``python -m bench.
table_import [--repeat N]``. Same database as bench.scoring (``thidua_bench``, with the
same refusal of anything that is not a bench database); it seeds only its own small
organiser (``BENCH-IMPORT``, one campaign of 2030, two clusters) and deletes the tables it
stores.

The workbook is an office's thang bảng điểm as an Excel user writes it (agency and motto
lines, the title, a header, the signature under it): 11 areas of 17 rows (the area, two
groups of 3 sub-items, 8 criteria, one of them counted per item), a bonus section of 5
items and a deduction section of 5 (one a veto), and the total row: 200 rows under the
header, 197 criteria. Each run, after 2 untimed ones, is timed:

- ``read``: ``office_read`` (sniffing, openpyxl, the header, the tree; nothing stored);
- ``import``: ``office_read`` then ``office_import`` with publication, as
  ``import_scoretable FILE.xlsx --year 2030 --cluster C1 --cluster C2`` does (the
  document checked, the table, its 197 criteria and their history stored, the checks, the
  publication), each run under a new title so that every run stores a whole table.

Figures are printed and written to bench-results/table_import.json; docs/performance.md
records them (section "Score table import").
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time

from bench.scoring import ROOT, bench_database_url, ensure_database, setup_django

RESULTS = ROOT / "bench-results" / "table_import.json"
ORGANISER = "BENCH-IMPORT"
YEAR = 2030
GOAL_S = 2.0
# 11 areas of 17 rows (the area, 2 groups of 3 sub-items, 8 criteria), a bonus and a
# deduction section of 5 items each, the total row: 200 rows, 197 criteria.
AREAS = 11
GROUPS = 2
CRITERIA = 8
AREA_POINTS = GROUPS * 3 + CRITERIA * 2
ROMANS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI"]


def workbook(title: str) -> bytes:
    """The 200-row workbook (rows under the header), titled ``title``."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["CÔNG AN TỈNH BENCH", None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    sheet.append(["CỤM THI ĐUA SỐ 1", None, "Độc lập - Tự do - Hạnh phúc"])
    sheet.append([title])
    sheet.merge_cells("A3:F3")
    sheet.append(["STT", "Nội dung tiêu chí", "Điểm chuẩn", "Điểm tự chấm", "Điểm cụm chấm"])
    rows = []
    for area in range(AREAS):
        rows.append([ROMANS[area], f"LĨNH VỰC CÔNG TÁC SỐ {area + 1}", AREA_POINTS])
        for number in range(1, GROUPS + CRITERIA + 1):
            if number <= GROUPS:
                rows.append([number, f"Nhóm nội dung {area + 1}.{number}", 3])
                rows += [[f"{x})", f"Nội dung {x} của nhóm {number}", 1] for x in "abc"]
            elif number == GROUPS + CRITERIA:
                per_item = "2,5 điểm/lần, tối đa 2 điểm"
                rows.append([number, f"Mô hình {area + 1}.{number}", 2, None, None, per_item])
            else:
                rows.append([number, f"Tiêu chí {area + 1}.{number}", "2 điểm"])
    rows.append(["B", "ĐIỂM THƯỞNG (tối đa 5 điểm)"])
    rows += [[n, f"Khen thưởng loại {n}", None, None, None, "1 điểm/lần"] for n in range(1, 6)]
    rows.append(["C", "ĐIỂM TRỪ (tối đa 10 điểm)"])
    rows += [[n, f"Vi phạm loại {n}", None, None, None, "trừ 1 điểm/lần"] for n in range(1, 5)]
    rows.append([5, "Không để xảy ra oan sai", None, None, None, "trừ 5 điểm"])
    rows.append([None, "TỔNG CỘNG", AREAS * AREA_POINTS])
    assert len(rows) == 200, len(rows)
    for row in rows:
        sheet.append(row)
    sheet.append([])
    sheet.append([None, None, None, "TM. CỤM THI ĐUA"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _campaign():
    from clusters.enums import UnitKind
    from clusters.services import organisation as organisation_services

    organiser = organisation_services.unit_upsert(
        code=ORGANISER, name="Đơn vị tổ chức (bench nhập thang điểm)", kind=UnitKind.OTHER
    )
    campaign = organisation_services.campaign_upsert(
        organiser=organiser, year=YEAR, name=f"Phong trào thi đua {YEAR} (bench)"
    )
    for number in (1, 2):
        organisation_services.cluster_upsert(
            campaign=campaign, code=f"C{number}", number=number, name=f"Cụm thi đua số {number}"
        )
    return campaign


def _summary(name: str, seconds: list[float], extra: dict) -> dict:
    ordered = sorted(seconds)
    return {
        "name": name,
        "runs": len(seconds),
        "median_s": round(statistics.median(seconds), 3),
        "p95_s": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
        "min_s": round(ordered[0], 3),
        "max_s": round(ordered[-1], 3),
        "goal_s": GOAL_S,
        "met": statistics.median(seconds) < GOAL_S,
        **extra,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.table_import", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each")
    args = parser.parse_args(argv)

    url = bench_database_url()
    ensure_database(url, drop=False)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scoring.interchange.office import office_import, office_read
    from scoring.models import ScoreTable

    campaign = _campaign()
    ScoreTable.objects.filter(campaign=campaign).delete()
    reads: list[float] = []
    imports: list[float] = []
    criteria = queries = 0
    for run in range(args.repeat + 2):
        content = workbook(f"THANG BẢNG ĐIỂM BENCH LẦN {run + 1}")
        start = time.perf_counter()
        table = office_read(content, name="bench.xlsx")
        read = time.perf_counter() - start
        start = time.perf_counter()
        # Timed with the query log on, to count the queries (a few ms of the total).
        with CaptureQueriesContext(connection) as captured:
            table = office_read(content, name="bench.xlsx")
            summary = office_import(
                table, year=YEAR, clusters=["C1", "C2"], organiser=ORGANISER, publish=True
            )
        stored = time.perf_counter() - start
        queries = len(captured.captured_queries)
        assert summary.published, summary.action
        assert not table.findings(), table.findings()
        criteria = summary.table.criteria.count()
        if run >= 2:
            reads.append(read)
            imports.append(stored)
    ScoreTable.objects.filter(campaign=campaign).delete()
    rows = [
        _summary("read a 200-row workbook", reads, {"rows": 200, "criteria": criteria}),
        _summary(
            "import and publish a 200-row workbook",
            imports,
            {"rows": 200, "criteria": criteria, "queries": queries},
        ),
    ]
    print(f"{'measurement':42} {'runs':>4} {'median s':>9} {'p95 s':>7} {'goal':>6}")
    for row in rows:
        met = "met" if row["met"] else "MISSED"
        print(
            f"{row['name']:42} {row['runs']:>4} {row['median_s']:>9.3f} {row['p95_s']:>7.3f} "
            f"{'< ' + str(GOAL_S):>6} {met}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    report = {"rows": rows, "load": [round(x, 2) for x in os.getloadavg()]}
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(row["met"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
