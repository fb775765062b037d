"""``thidua.results/1`` and the same figures as CSV and xlsx, read from what
scoring.services stored (never recomputed)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, BinaryIO

from django.db.models import F

from clusters.enums import PeriodKind
from clusters.models import Cluster
from scoring.enums import CriterionKind
from scoring.interchange.common import FORMAT_RESULTS, decimal_text
from scoring.models import Criterion, ScoreEntry, ScoreSheet

RESULT_COLUMNS = (
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
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The cell of a criterion not assigned to the unit, in CSV and xlsx.
NOT_ASSIGNED = "—"


def results_export(*, cluster: Cluster, stage: str, period: str = PeriodKind.YEAR_END) -> dict:
    """The stored results of ``cluster`` at ``stage`` of ``period`` (a PeriodKind: the
    year-end review unless the six-month review is asked for, named in the document's
    ``"period"``) as a ``thidua.results/1`` document,
    ordered by rank, then unit code. Points are given for every leaf of each sheet's table
    in table order (null while not entered), except the leaves not assigned to the unit,
    which are listed under ``not_assigned``; ``raw_base`` is the sum of the assigned base
    leaves and ``base`` that raw base normalised to the whole table (equal when everything
    applies). Nothing is recomputed: the figures are the ones scoring.services stored.
    Three queries, plus two unless the cluster was selected with its campaign and
    organiser."""
    campaign = cluster.campaign
    sheets = list(
        ScoreSheet.objects.filter(cluster=cluster, stage=stage, period__kind=period)
        .select_related("unit")
        .order_by(F("rank").asc(nulls_last=True), "unit__code")
    )
    leaves: dict[int, list[tuple[int, str]]] = {}
    for table_id, pk, code in (
        Criterion.objects.filter(table_id__in={s.table_id for s in sheets})
        .exclude(kind=CriterionKind.GROUP)
        .order_by("table_id", "position", "pk")
        .values_list("table_id", "pk", "code")
    ):
        leaves.setdefault(table_id, []).append((pk, code))
    points: dict[tuple[int, int], Decimal | None] = {}
    unassigned: set[tuple[int, int]] = set()
    for sheet_id, criterion_id, value, not_assigned in ScoreEntry.objects.filter(
        sheet__cluster=cluster, sheet__stage=stage, sheet__period__kind=period
    ).values_list("sheet_id", "criterion_id", "points", "not_assigned"):
        points[(sheet_id, criterion_id)] = value
        if not_assigned:
            unassigned.add((sheet_id, criterion_id))
    return {
        "format": FORMAT_RESULTS,
        "organiser": campaign.organiser.code,
        "year": campaign.year,
        "cluster": cluster.code,
        "period": str(period),
        "stage": stage,
        "results": [
            {
                "unit": sheet.unit.code,
                "raw_base": decimal_text(sheet.raw_base),
                "base": decimal_text(sheet.base),
                "bonus": decimal_text(sheet.bonus),
                "deduction": decimal_text(sheet.deduction),
                "total": decimal_text(sheet.total),
                "rank": sheet.rank,
                "band": sheet.band or None,
                "leading": sheet.leading,
                "points": {
                    code: decimal_text(points.get((sheet.pk, pk)))
                    for pk, code in leaves.get(sheet.table_id, [])
                    if (sheet.pk, pk) not in unassigned
                },
                "not_assigned": [
                    code
                    for pk, code in leaves.get(sheet.table_id, [])
                    if (sheet.pk, pk) in unassigned
                ],
            }
            for sheet in sheets
        ],
    }


def safe_cell(value: Any) -> Any:
    """A value to put in a spreadsheet cell: text that a spreadsheet would take for a
    formula (starting with =, +, -, @, a tab or a carriage return) gets a leading
    apostrophe, so it is shown as the text it is and never run. Other values pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def result_rows(document: dict) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a results document; numbers as Decimal, absent ones None; the
    criteria not assigned to a unit as their codes, comma separated, and "—" in their
    columns."""
    codes: dict[str, None] = {}
    for result in document["results"]:
        codes.update(dict.fromkeys(result["points"]))
        codes.update(dict.fromkeys(result.get("not_assigned", [])))
    header = [*RESULT_COLUMNS, *codes]

    def number(value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    rows = []
    for r in document["results"]:
        unassigned = r.get("not_assigned", [])
        rows.append(
            [
                r["unit"],
                r["rank"],
                number(r.get("raw_base", r["base"])),
                number(r["base"]),
                number(r["bonus"]),
                number(r["deduction"]),
                number(r["total"]),
                r["band"],
                r["leading"],
                ", ".join(unassigned) or None,
                *(
                    NOT_ASSIGNED if code in unassigned else number(r["points"].get(code))
                    for code in codes
                ),
            ]
        )
    return header, rows


def results_csv(document: dict) -> str:
    """A results document as CSV text, starting with a UTF-8 byte order mark so that
    Excel reads Vietnamese correctly: one row per unit; decimals with a point and 2
    decimals, leading as true/false, empty cells where there is no value."""
    header, rows = result_rows(document)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        cells = []
        for value in row:
            if value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append("true" if value else "false")
            elif isinstance(value, Decimal):
                cells.append(decimal_text(value))
            else:
                cells.append(safe_cell(value))
        writer.writerow(cells)
    return out.getvalue()


# Characters a worksheet's title cannot hold.
BAD_TITLE = "[]:*?/\\"


def sheet_title(name: str, fallback: str) -> str:
    """``name`` as a worksheet's title: without the characters a title cannot hold, 31 at
    most; ``fallback`` when nothing is left."""
    return "".join(c for c in name if c not in BAD_TITLE)[:31] or fallback


def write_sheet(
    workbook, title: str, header: list[str], rows: Iterable[list[Any]], *, freeze: str
) -> None:
    """Add a worksheet laid out as every workbook of the project is: a bold header row,
    numbers (Decimal) as numbers with 2 decimals shown, booleans as TRUE/FALSE, text
    neutralised with :func:`safe_cell` and stored as text (never a formula, whatever it
    starts with), panes frozen at ``freeze``. Each row is written as it comes, so a
    write-only workbook streams it (no cell kept in memory once written)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = freeze
    bold = Font(bold=True)

    def cell(value, **style):
        written = WriteOnlyCell(sheet, value=value)
        for name, setting in style.items():
            setattr(written, name, setting)
        return written

    sheet.append([cell(safe_cell(h), font=bold) for h in header])
    for row in rows:
        cells = []
        for value in row:
            value = safe_cell(value)
            if isinstance(value, Decimal):
                cells.append(cell(value, number_format="0.00"))
            elif isinstance(value, str):
                cells.append(cell(value, data_type="s"))
            else:
                cells.append(value)
        sheet.append(cells)


def results_xlsx(document: dict, stream: BinaryIO) -> None:
    """Write a results document to ``stream`` as an .xlsx workbook of one worksheet
    (:func:`write_sheet`, panes frozen below the header and right of the unit)."""
    from openpyxl import Workbook

    header, rows = result_rows(document)
    workbook = Workbook()
    workbook.remove(workbook.active)
    name = f"{document['cluster']} {document['stage']}"
    workbook.properties.title = f"{FORMAT_RESULTS} {document['year']} {name}"
    write_sheet(workbook, sheet_title(name, "results"), header, rows, freeze="B2")
    workbook.save(stream)
