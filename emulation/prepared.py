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
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

logger = logging.getLogger(__name__)

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
    # The server-side statement's name (a digest of the SQL), its PREPARE, and which
    # parameters are text in Python.
    name: str
    prepare: str
    texts: tuple[bool, ...]


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
        # Statements PostgreSQL would not prepare: run as plain SQL from then on.
        self._not_prepared: set[str] = set()

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
        name = "thidua_" + hashlib.sha256(sql.encode()).hexdigest()[:24]
        prepare = f"PREPARE {name} AS {_numbered(sql)}"
        texts = tuple(isinstance(p, str) for p in params)
        return _Compiled(queryset, compiler, sql, slots, name, prepare, texts)

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
        if self._server_side(compiler.connection, compiled):
            sql = f"EXECUTE {compiled.name}({', '.join(['%s'] * len(params))})"
            if not params:
                sql = f"EXECUTE {compiled.name}"

        def as_sql(*_args: Any, **_kwargs: Any) -> tuple[str, tuple]:
            return sql, params

        compiler.as_sql = as_sql
        queryset.query.get_compiler = lambda *_args, **_kwargs: compiler
        return list(queryset)

    def _server_side(self, connection, compiled: _Compiled) -> bool:
        """Whether this run EXECUTEs the statement prepared on this connection (PREPAREd
        now if this connection has not seen it yet)."""
        if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
            return False
        if compiled.name in self._not_prepared:
            return False
        connection.ensure_connection()
        # The statements this connection holds, forgotten with the connection it was made
        # on (a reconnection starts a new session, without them).
        known = getattr(connection, "thidua_prepared", None)
        if known is None or known[0] is not connection.connection:
            known = connection.thidua_prepared = (connection.connection, set())
        if compiled.name in known[1]:
            return True
        try:
            _prepare(connection, compiled)
        except connection.Database.Error as error:
            # Refused for what it is (its SQL, its parameters' types): plain SQL from now
            # on. Anything else passes (a dropped connection, an aborted transaction): plain
            # SQL this time, prepared on a later run.
            lasting = isinstance(
                error, connection.Database.ProgrammingError | connection.Database.DataError
            )
            logger.warning(
                "Not prepared on the server, run as plain SQL%s: %s (%s)",
                "" if lasting else " this time",
                compiled.name,
                error,
            )
            if lasting:
                self._not_prepared.add(compiled.name)
            return False
        known[1].add(compiled.name)
        return True


def _prepare(connection, compiled: _Compiled) -> None:
    """PREPARE the statement on the connection's session, or raise the driver's error (the
    caller's transaction intact: a savepoint inside one). Through the driver's own cursor:
    made once per connection, this is no query of the request that happens to make it, and
    the query counts of the tests and benchmarks do not see it."""
    in_transaction = connection.in_atomic_block or not connection.get_autocommit()
    with connection.connection.cursor() as cursor:
        if in_transaction:
            cursor.execute("SAVEPOINT thidua_prepare")
        try:
            cursor.execute(compiled.prepare)
            cursor.execute(
                "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = %s",
                [compiled.name],
            )
            types = cursor.fetchone()[0]
            if not _same_types(compiled.texts, types):
                cursor.execute(f"DEALLOCATE {compiled.name}")
                raise connection.Database.DataError(f"its parameters typed {types}")
        except connection.Database.Error:
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT thidua_prepare")
            raise
        if in_transaction:
            cursor.execute("RELEASE SAVEPOINT thidua_prepare")


# Django's parameter markers in SQL (%s), and the percent sign it escapes (%%).
_PARAMETER = re.compile(r"%%|%s")


def _same_types(texts: tuple[bool, ...], types: list[str]) -> bool:
    """Whether PostgreSQL's types for the statement's parameters keep its meaning: a
    parameter it can only read as text (``SELECT $1``, a value in the select list) must be
    text in Python too, or the rows would come back as text where plain SQL gives a number
    or a boolean."""
    return all(
        is_text or pg_type not in ("text", "unknown")
        for is_text, pg_type in zip(texts, types, strict=True)
    )


def _numbered(sql: str) -> str:
    """Django's SQL (``%s`` parameters, ``%%`` a percent sign) with PostgreSQL's numbered
    parameters ($1, $2 …) for PREPARE."""
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PARAMETER.sub(number, sql)


def _marker(value: Any) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool)
