"""Past titles from Excel (docs/formats.md "Past titles (Excel)"): the template to fill and
the reading of a filled one into a plan (rows to add, rows already recorded, errors by row
number), never writing; ``awards.past_titles.past_titles_import`` stores a plan's rows, all
or nothing.

The first worksheet is read; its first row holds the headings, every later row one title:
A unit code, B unit name (for the reader only, not read), C year, D title code, E source or
decision number, F note. Empty rows are skipped.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from awards.history import known_titles, organiser_units
from awards.models import PastTitle
from awards.past_titles import PastTitleRow
from clusters.models import Unit
from scoring.reports import xlsx_bytes

FIRST_YEAR, LAST_YEAR = 1945, 2100
MAX_REFERENCE = 255
COLUMNS = 6


def headings() -> list[str]:
    return [
        _("Unit code"),
        _("Unit name (for reading only)"),
        _("Year"),
        _("Title code"),
        _("Source or decision number"),
        _("Note"),
    ]


def template_xlsx(*, organiser: Unit) -> bytes:
    """The template: the past titles' worksheet with its headings and no row, then the
    title codes and the units the organiser may import, for reference."""
    titles = sorted(known_titles(organiser).items())
    title_heading = pgettext("award", "Title")
    units = organiser_units(organiser).order_by("code").values_list("code", "name")
    return xlsx_bytes(
        _("Past titles"),
        [
            (_("Past titles"), headings(), []),
            (_("Title codes"), [_("Title code"), title_heading], [list(t) for t in titles]),
            (pgettext("heading", "Units"), [_("Unit code"), _("Unit")], [list(u) for u in units]),
        ],
    )


@dataclass
class PlanRow:
    """A row of the file read into a past title."""

    row: int
    unit: Unit
    year: int
    code: str
    name: str
    reference: str = ""
    note: str = ""

    def past_title_row(self) -> PastTitleRow:
        return PastTitleRow(
            unit=self.unit,
            year=self.year,
            code=self.code,
            name=self.name,
            reference=self.reference,
            note=self.note,
        )


@dataclass
class RowError:
    row: int | None  # None: the file itself
    message: str


@dataclass
class PastPlan:
    """What an upload would add, what is already recorded, and every problem."""

    add: list[PlanRow] = field(default_factory=list)
    present: list[PlanRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, message: str) -> None:
        self.errors.append(RowError(row, message))

    def signature(self) -> list[list]:
        """The rows to add (JSON-friendly), to tell at confirmation whether the file reads
        otherwise than its preview showed."""
        return sorted([r.unit.code, r.year, r.code, r.reference, r.note] for r in self.add)

    def rows(self) -> list[PastTitleRow]:
        return [r.past_title_row() for r in self.add]


def _open(content: bytes, plan: PastPlan):
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024
    if len(content) > limit:
        plan.error(
            None, _("The file is larger than %(limit)s MB.") % {"limit": settings.UPLOAD_MAX_MB}
        )
        return None
    not_xlsx = _("The file is not an Excel workbook (.xlsx).")
    if not content.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(content)):
        plan.error(None, not_xlsx)
        return None
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), data_only=False)
    except Exception:  # any unreadable file is reported, never a crash
        plan.error(None, not_xlsx)
        return None


def _text(cell) -> str | None:
    """A cell as text; None for a formula or a date."""
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        return None
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if number == number.to_integral_value():
            return str(int(number))
        return format(number, "f")
    if isinstance(value, str):
        return value.strip()
    return None


def _year(text: str) -> int | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if number != number.to_integral_value() or not FIRST_YEAR <= number <= LAST_YEAR:
        return None
    return int(number)


def read_upload(*, organiser: Unit, content: bytes) -> PastPlan:
    """Read a filled template into a plan: every row checked (the unit known and the
    organiser's, the year, the title code known, no row twice), the rows already recorded
    set apart. Never writes; a fixed number of queries."""
    plan = PastPlan()
    workbook = _open(content, plan)
    if workbook is None:
        return plan
    ws = workbook.worksheets[0]
    raw: list[tuple[int, list]] = []
    for number, cells in enumerate(ws.iter_rows(min_row=2, max_col=COLUMNS), start=2):
        cells = list(cells) + [None] * (COLUMNS - len(cells))
        if all(c is None or c.value in (None, "") for c in cells):
            continue
        raw.append((number, cells))
    if not raw:
        plan.error(None, _("The file holds no past title: fill the rows below the headings."))
        return plan
    titles = known_titles(organiser)
    codes = {(_text(c[0]) or "") for _n, c in raw}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    own = set(organiser_units(organiser).filter(code__in=codes).values_list("code", flat=True))
    read: list[PlanRow] = []
    for number, cells in raw:
        row = _row(plan, number, cells, units, own, titles, organiser)
        if row is not None:
            read.append(row)
    _sort(plan, read)
    return plan


def _row(plan, number, cells, units, own, titles, organiser) -> PlanRow | None:
    texts = [_text(c) if c is not None else "" for c in cells]
    problems = []
    labels = headings()
    for i in (0, 2, 3, 4, 5):
        if texts[i] is None:
            problems.append(
                _("“%(column)s” holds a formula or a date; type the value itself.")
                % {"column": labels[i]}
            )
    unit_code, _name, year_text, code, reference, note = (t or "" for t in texts)
    unit = None
    if texts[0] is not None:
        if not unit_code:
            problems.append(_("The unit code is empty."))
        elif unit_code not in units:
            problems.append(_("No unit has the code “%(code)s”.") % {"code": unit_code})
        elif unit_code not in own:
            problems.append(
                _("The unit “%(code)s” belongs to another organiser, not to %(organiser)s.")
                % {"code": unit_code, "organiser": organiser.name}
            )
        else:
            unit = units[unit_code]
    year = None
    if texts[2] is not None:
        year = _year(year_text)
        if year is None:
            problems.append(
                _("The year “%(value)s” is not a year from %(first)s to %(last)s.")
                % {"value": year_text, "first": FIRST_YEAR, "last": LAST_YEAR}
            )
    if texts[3] is not None:
        if not code:
            problems.append(_("The title code is empty."))
        elif code not in titles:
            problems.append(
                _("The title code “%(code)s” is not known; use a code of the sheet “%(sheet)s”.")
                % {"code": code, "sheet": _("Title codes")}
            )
    if len(reference) > MAX_REFERENCE:
        problems.append(
            _("The source is longer than %(count)s characters.") % {"count": MAX_REFERENCE}
        )
    for problem in problems:
        plan.error(number, problem)
    if problems or unit is None or year is None:
        return None
    return PlanRow(number, unit, year, code, titles[code], reference, note)


def _sort(plan: PastPlan, read: list[PlanRow]) -> None:
    """Rows already recorded apart; a unit, year and title twice in the file is an error."""
    stored = set(
        PastTitle.objects.filter(
            unit_id__in={r.unit.pk for r in read},
            year__in={r.year for r in read},
            code__in={r.code for r in read},
        ).values_list("unit_id", "year", "code")
    )
    first: dict[tuple[int, int, str], int] = {}
    for row in read:
        key = (row.unit.pk, row.year, row.code)
        if key in first:
            plan.error(
                row.row,
                _("The same unit, year and title as row %(row)s.") % {"row": first[key]},
            )
            continue
        first[key] = row.row
        (plan.present if key in stored else plan.add).append(row)
