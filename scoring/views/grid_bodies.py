"""The grid page's body kept between requests while nothing it shows has changed (issue 13
point 8: the 15 × 150 grid under 50 ms).

Writing the 3,000 cells of a big grid is most of the page's time (grid_html.py), and most
requests of a deadline day ask again for a grid nobody changed since: the leader reloading,
the deputy and the standing agency looking at the same cluster. So the written body (criteria
as rows) or its rows and line headings (units as rows) are kept in this process, under a key
that names everything they were written from:

- the *row versions* of every row read for it, in one query: how many rows and a hash of
  each row's id and ``xmin`` (the transaction that wrote this version of the row), of the
  entries of the grid's sheets and of the units' self-assessments, the cluster's
  explanations, the units' own targets, the table's criteria and the table itself.
  PostgreSQL writes a new row version on every UPDATE, whoever makes it and however (the
  application, the admin, an import, SQL by hand), so any change of any of these rows, an
  added or a deleted row, gives another key;
- what is read anyway and shown: every column's sheet, unit, place, whether the user may
  edit it (their rights, a closed deadline) and the sheet's figures at the foot;
- the layout (``?by=units``), the language (words and decimal separator) and the database.

Nothing is ever invalidated by hand, so no write path can forget to. A key not asked for
again simply ages out: at most ``GRID_BODY_CACHE_SIZE`` bodies (default 16, about 1 MB each
for 15 × 150) per process, the least recently used dropped first; 0 turns it off. Only on
PostgreSQL (SQLite has no row versions to read) and outside a transaction (enabled()):
elsewhere every page writes its body.
docs/performance.md ("The grid's body, kept") has the figures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
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
        and settings.GRID_BODY_CACHE_SIZE > 0
        and not connection.in_atomic_block
    )


def _versions_sql(queryset: QuerySet) -> tuple[str, tuple]:
    """The SQL of ``queryset``'s rows as one number each: a 64-bit hash of the row's id
    seeded with its ``xmin`` (PostgreSQL's hashint8extended)."""
    connection = connections[queryset.db]
    meta = queryset.model._meta
    table = connection.ops.quote_name(meta.db_table)
    column = f"{table}.{connection.ops.quote_name(meta.pk.column)}"
    version = RawSQL(f"hashint8extended({column}, {table}.xmin::text::bigint)", ())
    return queryset.order_by().annotate(_v=version).values_list("_v").query.sql_with_params()


def row_versions(querysets: Sequence[QuerySet]) -> tuple:
    """For each queryset, in one query: how many rows it has and the sum of their
    versions' hashes, as "count:sum". Any row written again, added or deleted changes it
    (two changes cancelling out in a sum of 64-bit hashes: about one chance in 2**64)."""
    selects: list[str] = []
    params: list = []
    for queryset in querysets:
        sql, values = _versions_sql(queryset)
        selects.append(f"(SELECT count(*) || ':' || coalesce(sum(r._v), 0) FROM ({sql}) r)")
        params.extend(values)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)
        return tuple(cursor.fetchone())


def key(using: str, by_units: bool, versions: tuple, shown: Hashable) -> Hashable:
    return (connections[using].settings_dict["NAME"], by_units, get_language(), versions, shown)


def get(body_key: Hashable) -> tuple | None:
    with _LOCK:
        kept = _KEPT.get(body_key)
        if kept is not None:
            _KEPT.move_to_end(body_key)
        return kept


def keep(body_key: Hashable, value: tuple) -> None:
    size = settings.GRID_BODY_CACHE_SIZE
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
