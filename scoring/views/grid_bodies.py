"""The grid page's cells kept between requests, one unit's column at a time, while none of
the rows they show has changed (issue 13 point 8: the 15 × 150 grid under 50 ms).

Writing the 3,000 cells of a big grid is most of the page's time (grid_html.py), and most
requests of a deadline day ask again for cells nobody changed since: the leader reloading
after saving a few cells of one unit, the deputy and the standing agency looking at the same
cluster. So each unit's column of cells is kept in this process (grid_build._page_body),
under a key that names everything it was written from:

- the *row versions* of the rows read for it, for every column in one query: how many rows
  and the sum of a hash of each row's id and ``xmin`` (the transaction that wrote this
  version of the row), of the entries of the unit's sheet and of its self-assessment, its
  explanations, its own targets, and of the table's criteria and the table itself.
  PostgreSQL writes a new row version on every UPDATE, whoever makes it and however (the
  application, the admin, an import, SQL by hand), so any change of any of these rows, an
  added or a deleted row, gives the column another key;
- what is read anyway and shown: the column's sheet, unit and place, whether the user may
  edit it (their rights, a closed deadline) and the sheet's figures at the foot;
- the layout (``?by=units``), the language (words and decimal separator) and the database.

A save changes one unit's column (and every column's figures when ranks move, or a relative
criterion's whole row): only those columns are read and written again. Nothing is ever
invalidated by hand, so no write path can forget to. A key not asked for again simply ages
out: at most ``GRID_CACHE_COLUMNS`` columns (default 256, about 60 KB each for 150
criteria) per process, the least recently used dropped first; 0 turns it off. Only on
PostgreSQL (SQLite has no row versions to read) and outside a transaction (enabled()):
elsewhere every page writes all its cells. docs/performance.md ("The grid's cells, kept")
has the figures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from django.conf import settings
from django.db import connections
from django.db.models import F, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language

_LOCK = threading.Lock()
_KEPT: OrderedDict[Hashable, tuple] = OrderedDict()


def enabled(using: str) -> bool:
    """On PostgreSQL, with a size, outside a transaction: rows the current transaction
    wrote share its ``xmin`` however often it changes them, so inside one the versions do
    not tell every change (a request reads the grid in autocommit; tests run in one)."""
    connection = connections[using]
    return (
        connection.vendor == "postgresql"
        and settings.GRID_CACHE_COLUMNS > 0
        and not connection.in_atomic_block
    )


def _versions_sql(queryset: QuerySet, group: str | None) -> tuple[str, tuple]:
    """The SQL of ``queryset``'s rows as (_g: the value of the field ``group``, or 0;
    _v: a 64-bit hash of the row's id seeded with its ``xmin``, PostgreSQL's
    hashint8extended)."""
    connection = connections[queryset.db]
    meta = queryset.model._meta
    table = connection.ops.quote_name(meta.db_table)
    column = f"{table}.{connection.ops.quote_name(meta.pk.column)}"
    rows = queryset.order_by().annotate(
        _g=F(group) if group else Value(0),
        _v=RawSQL(f"hashint8extended({column}, {table}.xmin::text::bigint)", ()),
    )
    return rows.values_list("_g", "_v").query.sql_with_params()


def row_versions(parts: Sequence[tuple[QuerySet, str | None]]) -> list:
    """For each (queryset, group) in ``parts``, in one query: how many rows it has and the
    sum of their versions' hashes, as "count:sum", for each value of the field ``group``
    ({value: "count:sum"}), or for all its rows when ``group`` is None ("count:sum", None
    for no row). Any row written again, added or deleted changes its group's (two changes
    cancelling out in a sum of 64-bit hashes: about one chance in 2**64)."""
    selects: list[str] = []
    params: list = []
    for queryset, group in parts:
        sql, values = _versions_sql(queryset, group)
        selects.append(
            "(SELECT json_object_agg(g._g, g._v) FROM (SELECT r._g, count(*) || ':' || "
            f"sum(r._v) AS _v FROM ({sql}) r GROUP BY r._g) g)"
        )
        params.extend(values)
    with connections[parts[0][0].db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)
        found = cursor.fetchone()
    versions = []
    for (_queryset, group), by_group in zip(parts, found, strict=True):
        by_group = by_group or {}  # JSON: the groups' values come back as text
        if group is None:
            versions.append(by_group.get("0"))
        else:
            versions.append({int(value): digest for value, digest in by_group.items()})
    return versions


def key(using: str, by_units: bool, versions: Hashable) -> Hashable:
    """What every column's key of one page shares: the database, the layout, the
    language, and ``versions`` (those of the table and its criteria)."""
    return (connections[using].settings_dict["NAME"], by_units, get_language(), versions)


def get(body_key: Hashable) -> tuple | None:
    with _LOCK:
        kept = _KEPT.get(body_key)
        if kept is not None:
            _KEPT.move_to_end(body_key)
        return kept


def keep(body_key: Hashable, value: tuple) -> None:
    size = settings.GRID_CACHE_COLUMNS
    with _LOCK:
        _KEPT[body_key] = value
        _KEPT.move_to_end(body_key)
        while len(_KEPT) > size:
            _KEPT.popitem(last=False)


def clear() -> None:
    with _LOCK:
        _KEPT.clear()


def kept_count() -> int:
    return len(_KEPT)
