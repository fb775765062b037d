"""From the rows of a sheet or Word table to a tree of criteria (services.CriterionData):
the grid that holds the table, its header and title (layout.py), the rows placed in a tree
and turned into criteria (tree.py); every row not understood is kept with its place."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from scoring.interchange.office.files import Grid, OfficeFileRefused
from scoring.interchange.office.layout import Columns, RowNote, TreeReader, find_columns, title_of
from scoring.interchange.office.tree import TreeBuilder, places_of
from scoring.services import CriterionData

__all__ = ["Reading", "RowNote", "read_grid", "read_grids"]


@dataclass
class Reading:
    """What was read from one grid."""

    grid: Grid
    title: str
    criteria: list[CriterionData]
    bonus_cap: Decimal | None
    places: dict[str, str]  # criterion code → where its row is
    notes: list[RowNote]  # rows not understood
    problems: list[RowNote]  # totals that do not add up, numbering repeated


def read_grid(grid: Grid, columns: Columns) -> Reading:
    reader = TreeReader(grid, columns)
    reader.read()
    builder = TreeBuilder(reader)
    criteria, cap = builder.build()
    return Reading(
        grid=grid,
        title=title_of(grid, columns.header),
        criteria=criteria,
        bonus_cap=cap,
        places=places_of(criteria, reader),
        notes=sorted([*reader.notes, *builder.notes], key=lambda n: _order(grid, n.where)),
        problems=[*builder.problems, *reader.problems],
    )


def _order(grid: Grid, where: str) -> int:
    for index, row in enumerate(grid.rows):
        if row.where == where:
            return index
    return len(grid.rows)


def read_grids(grids: list[Grid]) -> Reading:
    """The score table of the first grid that has a header row with a points column;
    OfficeFileRefused saying what was missing when none has."""
    without_points: tuple[Grid, Columns] | None = None
    for grid in grids:
        columns = find_columns(grid)
        if columns is None:
            continue
        if columns.points is None:
            without_points = without_points or (grid, columns)
            continue
        return read_grid(grid, columns)
    if without_points is not None:
        grid, columns = without_points
        raise OfficeFileRefused(
            _(
                "No points column: the header row (%(where)s) names no column Điểm, "
                "Điểm chuẩn or Điểm tối đa."
            )
            % {"where": grid.rows[columns.header].where}
        )
    raise OfficeFileRefused(
        _(
            "No score table was found: no row names the columns TT (or STT), Nội dung (or "
            "Tiêu chí) and Điểm (or Điểm chuẩn, Điểm tối đa)."
        )
    )
