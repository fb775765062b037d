"""emulation.prepared: a queryset compiled once gives, for other values, exactly what the
queryset built with those values gives."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from clusters.models import Unit
from emulation.prepared import Prepared
from tests.factories import UnitFactory


def _children(*, parent_id: int, code: str):
    return (
        Unit.objects.filter(parent_id=parent_id, code__gte=code)
        .select_related("parent")
        .annotate(below=Count("children"))
        .order_by("code")
    )


@pytest.mark.django_db
def test_prepared_runs_give_what_the_queryset_gives_for_each_value():
    top = [UnitFactory(code=f"P{i}") for i in range(2)]
    for parent in top:
        for i in range(3):
            child = UnitFactory(code=f"{parent.code}-{i}", parent=parent)
            UnitFactory(code=f"{child.code}-x", parent=child)
    prepared = Prepared(_children)

    for parent in top:
        for code in (f"{parent.code}-0", f"{parent.code}-1", "Z"):
            got = prepared.run("children", parent_id=parent.pk, code=code)
            expected = list(_children(parent_id=parent.pk, code=code))
            assert [(u.pk, u.code, u.below, u.parent.code) for u in got] == [
                (u.pk, u.code, u.below, u.parent.code) for u in expected
            ]
    assert len(prepared._compiled) == 1


@pytest.mark.django_db
def test_prepared_values_list_and_one_query_a_run():
    parent = UnitFactory(code="P")
    UnitFactory(code="P-1", parent=parent)
    prepared = Prepared(
        lambda *, parent_id: Unit.objects.filter(parent_id=parent_id).values_list("code", "pk")
    )
    prepared.run("codes", parent_id=parent.pk)

    with CaptureQueriesContext(connection) as queries:
        rows = prepared.run("codes", parent_id=parent.pk)

    assert [code for code, _pk in rows] == ["P-1"]
    assert len(queries) == 1


@pytest.mark.django_db
def test_prepared_refuses_a_value_a_lookup_rewrites():
    prepared = Prepared(lambda *, name: Unit.objects.filter(name__icontains=name))

    with pytest.raises(ImproperlyConfigured, match="name"):
        prepared.run("search", name="Đắk")


@pytest.mark.django_db
def test_prepared_lists_of_ids_by_their_length():
    units = [UnitFactory(code=f"L{i}") for i in range(4)]
    prepared = Prepared(
        lambda *, ids, code: Unit.objects.filter(pk__in=ids, code__gte=code).order_by("code")
    )

    def codes(ids, code="L"):
        return [u.code for u in prepared.run("in", ids=ids, code=code)]

    assert codes([units[0].pk, units[2].pk]) == ["L0", "L2"]
    assert codes([units[3].pk, units[1].pk]) == ["L1", "L3"]
    assert codes([units[1].pk, units[2].pk, units[3].pk], code="L2") == ["L2", "L3"]
    assert codes([units[1].pk, units[1].pk]) == ["L1"]
    assert codes([]) == []
    assert len(prepared._compiled) == 2  # two lengths


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="server-side prepared statements are PostgreSQL's"
)


@needs_postgresql
@pytest.mark.django_db
def test_prepared_on_postgresql_is_executed_as_a_server_side_statement():
    units = [UnitFactory(code=f"S{i}") for i in range(3)]
    prepared = Prepared(lambda *, pk: Unit.objects.filter(pk=pk))

    first = prepared.run("one", pk=units[0].pk)
    with CaptureQueriesContext(connection) as queries:
        second = prepared.run("one", pk=units[2].pk)

    assert [u.code for u in first] == ["S0"]
    assert [u.code for u in second] == ["S2"]
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("EXECUTE thidua_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'thidua_%%'")
        assert cursor.fetchone()[0] >= 1


@needs_postgresql
@pytest.mark.django_db
def test_prepared_value_postgresql_would_read_as_text_runs_as_plain_sql():
    from django.db.models import BooleanField, Value

    unit = UnitFactory(code="T0")
    prepared = Prepared(
        lambda *, pk: Unit.objects.filter(pk=pk).values_list(
            Value(True, output_field=BooleanField()), "code"
        )
    )

    prepared.run("flag", pk=unit.pk)
    with CaptureQueriesContext(connection) as queries:
        rows = prepared.run("flag", pk=unit.pk)

    assert rows == [(True, "T0")]  # a boolean, not the text 't'
    assert not queries[0]["sql"].startswith("EXECUTE")


@needs_postgresql
@pytest.mark.django_db
def test_prepared_statements_can_be_turned_off(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    unit = UnitFactory(code="O0")
    prepared = Prepared(lambda *, pk: Unit.objects.filter(pk=pk))

    with CaptureQueriesContext(connection) as queries:
        assert [u.code for u in prepared.run("off", pk=unit.pk)] == ["O0"]

    assert queries[0]["sql"].startswith("SELECT")


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    unit = UnitFactory(code="N0")
    prepared = Prepared(lambda *, pk: Unit.objects.filter(pk=pk))
    prepared.run("again", pk=unit.pk)

    connection.close()  # a new session: the statement is gone with the old one

    assert [u.code for u in prepared.run("again", pk=unit.pk)] == ["N0"]


@needs_postgresql
@pytest.mark.django_db
def test_a_passing_failure_to_prepare_runs_plain_sql_once_then_prepares(monkeypatch):
    """A dropped connection or an aborted transaction is no reason to give the statement
    up for the life of the process: plain SQL this time, prepared on the next run."""
    from emulation import prepared as module

    unit = UnitFactory(code="F0")
    # SQL of its own: the connection outlives the test, with the statements it prepared.
    prepared = Prepared(lambda *, pk: Unit.objects.filter(pk=pk).order_by("name", "code"))
    real = module._prepare
    calls = []

    def fails_once(conn, compiled):
        calls.append(compiled.name)
        if len(calls) == 1:
            raise conn.Database.OperationalError("server closed the connection unexpectedly")
        return real(conn, compiled)

    monkeypatch.setattr(module, "_prepare", fails_once)
    with CaptureQueriesContext(connection) as first:
        assert [u.code for u in prepared.run("passing", pk=unit.pk)] == ["F0"]
    with CaptureQueriesContext(connection) as second:
        assert [u.code for u in prepared.run("passing", pk=unit.pk)] == ["F0"]

    assert first[0]["sql"].startswith("SELECT")
    assert second[0]["sql"].startswith("EXECUTE thidua_")
    assert not prepared._not_prepared


@needs_postgresql
@pytest.mark.django_db
def test_a_statement_postgresql_refuses_is_not_prepared_again(monkeypatch):
    from emulation import prepared as module

    unit = UnitFactory(code="R0")
    prepared = Prepared(lambda *, pk: Unit.objects.filter(pk=pk).order_by("kind", "code"))
    calls = []

    def refuses(conn, compiled):
        calls.append(compiled.name)
        raise conn.Database.ProgrammingError("syntax error")

    monkeypatch.setattr(module, "_prepare", refuses)
    for _ in range(3):
        assert [u.code for u in prepared.run("refused", pk=unit.pk)] == ["R0"]

    assert len(calls) == 1
