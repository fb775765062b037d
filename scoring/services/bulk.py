"""Writing thousands of rows at once, for the copy of a year (a province: 2,400 criteria,
6,750 targets, 6,750 last-year figures and a history row for each): multi-row INSERT
statements and INSERT … SELECT, without building a model instance per row, which costs
more than the database's work at that size. History rows are written as django-simple-
history writes them (the row's columns, history_date, history_type "+", the change reason
and the user), so the history pages read them like any other."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection, models

CHUNK = 400


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """INSERT ``rows`` (tuples of values already adapted for the database, in the order of
    ``columns``) into ``model``'s table, CHUNK rows per statement."""
    if not rows:
        return
    table = _qn(model._meta.db_table)
    names = ", ".join(_qn(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(part))}",
                [value for row in part for value in row],
            )


def copy_rows_sql(
    model: type[models.Model], values: dict[str, str], where: str, params: Sequence
) -> None:
    """INSERT INTO ``model``'s table SELECT its other columns FROM the rows ``where`` says,
    with the columns of ``values`` replaced by SQL expressions (read in the selected row as
    ``src``). The primary key is left to the database."""
    table = _qn(model._meta.db_table)
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    select = ", ".join(values.get(c, f"src.{_qn(c)}") for c in columns)
    sql = (
        f"INSERT INTO {table} ({', '.join(_qn(c) for c in columns)}) "
        f"SELECT {select} FROM {table} src WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def history_rows(
    model: type[models.Model],
    where: str,
    params: Sequence,
    *,
    when: datetime,
    reason: str,
    user_id: int | None,
) -> None:
    """One "created" history row for each row of ``model`` that ``where`` selects."""
    history = model.history.model
    own = [
        f.column
        for f in history._meta.concrete_fields
        if not f.name.startswith("history_") and f.column != "history_id"
    ]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    columns = ", ".join(_qn(c) for c in [*own, *extra])
    select = ", ".join(f"src.{_qn(c)}" for c in own)
    sql = (
        f"INSERT INTO {_qn(history._meta.db_table)} ({columns}) "
        f"SELECT {select}, %s, %s, '+', %s FROM {_qn(model._meta.db_table)} src WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [connection.ops.adapt_datetimefield_value(when), reason, user_id, *params]
        )


def adapt(value):
    """A Python value as a raw INSERT's parameter."""
    from decimal import Decimal

    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, Decimal):
        return connection.ops.adapt_decimalfield_value(value)
    if hasattr(value, "isoformat"):
        return connection.ops.adapt_datefield_value(value)
    if isinstance(value, str):
        return str(value)  # choices are str subclasses; drivers want plain text
    return value
