"""Querysets whose SQL Django compiles once per process (issue 13 point 8: cheaper requests).

A cell save runs the same few reads every time with other values (the entry in the user's
scope, the cluster's sheets locked, the change's one read). Django builds and compiles each
queryset's SQL anew on every request: about 10 ms of a save's 27 ms of CPU went to
``add_q`` and ``as_sql`` (docs/performance.md). ``Prepared`` builds its queryset once, with
a marker in place of each value that changes, compiles it, and keeps the SQL and where each
marker landed among the parameters; later runs put the new values in those places and go
through the same compiler (its select list, related models, annotations and converters), so
they return exactly what the queryset would: model instances, or the rows of
``values_list``.

The query's *shape* must not depend on the values: a value that changes the SQL (None
becoming ``IS NULL``, a list of varying length, a different branch of a permission rule)
belongs in the key the caller passes, never in a marker. A marker that does not reach the
parameters as it was given (a lookup that rewrites it, such as ``icontains``) is refused
when the query is prepared, so a mistake shows at once rather than as wrong rows.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

# Markers: negative numbers no id takes, and strings no value has.
_INT_MARK = -7_300_000_000_000
_STR_MARK = "\x1fprepared:"


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: Any
    sql: str
    # Each parameter: the name of the value it takes, or the constant it always is.
    slots: tuple[tuple[bool, Any], ...]


class Prepared:
    """``Prepared(build)``; ``run(key, build_args, **values)`` returns the list of what
    ``build(**build_args, **values)`` would give. The first run of a ``key`` calls ``build``
    with a marker in place of each of ``values`` (ids and other numbers, or text; a list of
    ids gets a list of markers, and its length is part of the key) and keeps its compiled
    SQL; later runs of that key only put their values in the markers' places. ``key`` and
    ``build_args`` must therefore name everything else that shapes the SQL, and a run of a
    key passes the same value names as its first run."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._compiled: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(
        self, key: Hashable, build_args: dict[str, Any], values: dict[str, Any]
    ) -> _Compiled:
        markers: dict[str, Any] = {}
        by_marker: dict[Any, tuple[str, int | None]] = {}
        count = 0
        for name, value in values.items():
            if isinstance(value, list | tuple):
                markers[name] = [_INT_MARK - count - i for i in range(len(value))]
                by_marker.update({m: (name, i) for i, m in enumerate(markers[name])})
                count += len(value)
            else:
                markers[name] = (
                    f"{_STR_MARK}{name}" if isinstance(value, str) else _INT_MARK - count
                )
                by_marker[markers[name]] = (name, None)
                count += 1
        queryset = self.build(**build_args, **markers)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots = tuple(
            (True, by_marker[p]) if _marker(p) and p in by_marker else (False, p) for p in params
        )
        missing = set(by_marker.values()) - {slot for is_value, slot in slots if is_value}
        if missing:
            raise ImproperlyConfigured(
                f"Prepared query {key!r}: the values {sorted({n for n, _i in missing})} are not "
                "parameters of its SQL as given (rewritten by a lookup, or unused)."
            )
        return _Compiled(queryset, compiler, sql, slots)

    def run(self, key: Hashable, build_args: dict[str, Any] | None = None, **values: Any) -> list:
        """The rows for ``values`` (model instances, or ``values_list``'s tuples)."""
        # Keyed by the database's vendor (every alias, a read replica too, has the primary's)
        # and by the length of each list of values.
        lengths = tuple(len(v) for v in values.values() if isinstance(v, list | tuple))
        if 0 in lengths:  # an empty list makes no SQL to keep (Django answers it itself)
            return list(self.build(**(build_args or {}), **values))
        alias_key = (key, connections["default"].vendor, lengths)
        compiled = self._compiled.get(alias_key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias_key)
                if compiled is None:
                    compiled = self._compile(key, build_args or {}, values)
                    self._compiled[alias_key] = compiled
        params = tuple(
            (values[slot[0]] if slot[1] is None else values[slot[0]][slot[1]]) if is_value else slot
            for is_value, slot in compiled.slots
        )
        queryset = compiled.queryset._chain()
        # A compiler on the connection the router picks now (this thread's), with the SQL
        # already made; the queryset's own iterable reads the rows through it as usual.
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[queryset.db]
        sql = compiled.sql

        def as_sql(*_args: Any, **_kwargs: Any) -> tuple[str, tuple]:
            return sql, params

        compiler.as_sql = as_sql
        queryset.query.get_compiler = lambda *_args, **_kwargs: compiler
        return list(queryset)


def _marker(value: Any) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool)
