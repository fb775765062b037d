"""Scale-out: several app servers and workers on one database (docs/deploy.md, "Several
servers").

- the read-replica router (emulation/routers.py): its decisions, and real requests with a
  second database alias set up as a TEST MIRROR of ``default``;
- sessions in Redis through Django's own Redis cache when REDIS_URL is set (skipped when
  no Redis answers at 127.0.0.1:6379);
- the queue's claiming on PostgreSQL: two workers never take the same task (skipped on
  SQLite, whose workers take the whole database's lock instead).
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from clusters.models import Unit
from emulation import routers
from emulation.routers import PRIMARY, REPLICA, ReplicaRouter, Routing, replica_reads, routing

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
BOTH = ["default", "replica"]


# --- The replica alias ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker):
    """A ``replica`` alias for the module's tests: a second connection to the test database,
    configured as a TEST MIRROR of ``default`` (as settings.py does for
    DATABASE_REPLICA_URL), so a query routed to it really runs on another connection."""
    mirror = copy.deepcopy(connections["default"].settings_dict)
    mirror["TEST"] = {**mirror["TEST"], "MIRROR": "default"}
    connections.settings[REPLICA] = mirror
    yield REPLICA
    with django_db_blocker.unblock():
        wrapper = connections[REPLICA]
        if wrapper.connection is not None:
            # An in-memory SQLite wrapper ignores close(); close its DB-API connection.
            wrapper.connection.close()
            wrapper.connection = None
    del connections[REPLICA]
    del connections.settings[REPLICA]


def tables(queries) -> set[str]:
    """The tables named after FROM in captured queries."""
    found = set()
    for query in queries:
        sql = query["sql"].replace('"', "")
        if " FROM " in sql:
            found.add(sql.split(" FROM ", 1)[1].split()[0])
    return found


# --- The router's decisions ------------------------------------------------------------------


def test_router_reads_primary_outside_a_request(replica):
    assert ReplicaRouter().db_for_read(Unit) == PRIMARY


def test_router_reads_primary_in_a_view_not_marked(replica):
    with routing(Routing()):
        assert ReplicaRouter().db_for_read(Unit) == PRIMARY


def test_router_reads_replica_in_a_marked_view(replica):
    with routing(Routing()), replica_reads():
        assert ReplicaRouter().db_for_read(Unit) == REPLICA


def test_router_reads_sessions_from_the_primary_even_in_a_marked_view(replica):
    with routing(Routing()), replica_reads():
        assert ReplicaRouter().db_for_read(Session) == PRIMARY


def test_router_after_a_write_reads_primary_for_the_rest_of_the_request(replica):
    router = ReplicaRouter()
    with routing(Routing()) as state, replica_reads():
        before = router.db_for_read(Unit)
        written = router.db_for_write(Unit)
        after = router.db_for_read(Unit)

    assert (before, written, after) == (REPLICA, PRIMARY, PRIMARY)
    assert (state.pinned, state.wrote) == (True, True)


def test_router_session_save_does_not_pin_the_request(replica):
    router = ReplicaRouter()
    with routing(Routing()) as state, replica_reads():
        assert router.db_for_write(Session) == PRIMARY
        assert router.db_for_read(Unit) == REPLICA

    assert (state.pinned, state.wrote) == (False, False)


def test_router_pinned_request_reads_primary_in_a_marked_view(replica):
    with routing(Routing(pinned=True)), replica_reads():
        assert ReplicaRouter().db_for_read(Unit) == PRIMARY


def test_router_marked_block_ends_with_its_view(replica):
    router = ReplicaRouter()
    with routing(Routing()):
        with replica_reads():
            inside = router.db_for_read(Unit)
        outside = router.db_for_read(Unit)

    assert (inside, outside) == (REPLICA, PRIMARY)


def test_router_without_replica_alias_reads_primary(monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA, raising=False)

    with routing(Routing()), replica_reads():
        assert ReplicaRouter().db_for_read(Unit) == PRIMARY


def test_router_never_migrates_the_replica(replica):
    router = ReplicaRouter()

    assert router.allow_migrate(REPLICA, "scoring") is False
    assert router.allow_migrate(PRIMARY, "scoring") is None


def test_router_allows_relations_between_primary_and_replica_objects(replica):
    one, two = Unit(code="A"), Unit(code="B")
    one._state.db, two._state.db = PRIMARY, REPLICA

    assert ReplicaRouter().allow_relation(one, two) is True


def test_report_views_are_marked_for_the_replica():
    from scoring.views import documents, reports, results

    marked = [
        reports.report_cluster,
        reports.report_province,
        reports.report_unit_history,
        reports.report_gaps,
        results.campaign_overview,
        results.ranking,
        results.ranking_default,
        documents.sheet_docx,
        documents.sheet_print,
        documents.minutes_docx,
        documents.minutes_print,
    ]

    assert [getattr(view, "reads_from_replica", False) for view in marked] == [True] * 11


# --- Real requests through the mirror alias ------------------------------------------------


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_report_request_reads_from_the_replica_connection(replica, client, org):
    client.force_login(org.staff)
    url = reverse("ranking", args=[org.cluster.pk, "cluster"])

    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as mirror,
    ):
        response = client.get(url)

    assert response.status_code == 200
    assert "clusters_cluster" in tables(mirror.captured_queries)
    assert "clusters_cluster" not in tables(primary.captured_queries)
    assert "django_session" in tables(primary.captured_queries)
    assert "django_session" not in tables(mirror.captured_queries)
    assert routers.STICKY_COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_page_not_marked_reads_only_the_primary(replica, client, org):
    client.force_login(org.leader)

    with CaptureQueriesContext(connections[REPLICA]) as mirror:
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert mirror.captured_queries == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_write_sets_sticky_cookie_and_next_report_reads_primary(replica, client, org, settings):
    settings.DATABASE_REPLICA_STICKY_SECONDS = 30
    url = reverse("ranking", args=[org.cluster.pk, "cluster"])

    login = client.post(
        reverse("login"), {"username": "staff", "password": "correct horse battery staple"}
    )
    cookie = login.cookies[routers.STICKY_COOKIE]
    with CaptureQueriesContext(connections[REPLICA]) as mirror:
        after_write = client.get(url)

    assert login.status_code == 302  # last_login was written on the primary
    assert cookie["max-age"] == 30
    assert int(time.time()) < int(cookie.value) <= int(time.time()) + 30
    assert after_write.status_code == 200
    assert mirror.captured_queries == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_expired_sticky_cookie_reads_replica_again(replica, client, org):
    client.force_login(org.staff)
    client.cookies[routers.STICKY_COOKIE] = str(int(time.time()) - 1)

    with CaptureQueriesContext(connections[REPLICA]) as mirror:
        response = client.get(reverse("ranking", args=[org.cluster.pk, "cluster"]))

    assert response.status_code == 200
    assert "clusters_cluster" in tables(mirror.captured_queries)


# --- Settings from the environment -----------------------------------------------------------


def _settings_of(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    clean.update({"DEBUG": "0", "SECRET_KEY": "test-only-not-secret", **env})
    show = (
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, sorted(s.DATABASES), "
        "s.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'))"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", show],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_sessions_in_database_without_redis_url():
    result = _settings_of()

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
        "['default']",
        "None",
    ]


def test_settings_sessions_in_redis_with_redis_url():
    result = _settings_of(REDIS_URL="redis://127.0.0.1:6379/3")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_settings_replica_alias_is_a_test_mirror_of_default():
    result = _settings_of(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/thidua",
        DATABASE_REPLICA_URL="postgres://postgres@10.0.0.2:5432/thidua",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["['default',", "'replica']", "default"]


def test_settings_replica_refused_with_sqlite():
    result = _settings_of(DATABASE_REPLICA_URL="postgres://postgres@10.0.0.2:5432/thidua")

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL" in result.stderr


# --- Sessions in Redis -----------------------------------------------------------------------


@pytest.fixture
def redis_sessions(settings):
    """Sessions through Django's Redis cache (as REDIS_URL sets them), under a key prefix of
    the test's own, removed afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")
    prefix = f"thidua-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield client, prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_session_in_redis_serves_a_request_without_its_database_row(redis_sessions, client, org):
    redis_client, prefix = redis_sessions
    client.force_login(org.leader)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    stored = [k.decode() for k in redis_client.scan_iter(f"{prefix}:*")]
    Session.objects.filter(session_key=key).delete()  # Redis alone must carry the session
    response = client.get(reverse("home"))

    assert stored == [f"{prefix}:1:django.contrib.sessions.cached_db{key}"]
    assert response.status_code == 200
    assert response.wsgi_request.user == org.leader


# --- Several workers on one queue --------------------------------------------------------------

RUNS: list[int] = []

postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="needs PostgreSQL (DATABASE_URL=postgres://...): on SQLite a worker locks the "
    "whole database to claim, there is no SELECT ... FOR UPDATE SKIP LOCKED to prove",
)


@task()
def record_run(number: int) -> int:
    """A task that notes each run of it, to count how often each one ran."""
    RUNS.append(number)
    time.sleep(0.01)
    return number


def _in_thread(target, *args) -> threading.Thread:
    def run():
        try:
            target(*args)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_take_different_tasks():
    first, second = record_run.enqueue(1), record_run.enqueue(2)
    both_hold_a_lock = threading.Barrier(2, timeout=10)
    claimed: dict[str, str] = {}
    sql: dict[str, list[str]] = {}

    def claim(worker_id: str) -> None:
        connection = connections["default"]
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            result = DBTaskResult.objects.ready().get_locked()
            # Without SKIP LOCKED the second claim would wait for the first one's lock,
            # which waits here for the second: the barrier would break.
            both_hold_a_lock.wait()
            result.claim(worker_id)
            claimed[worker_id] = str(result.id)
        sql[worker_id] = [q["sql"] for q in queries.captured_queries]

    threads = [_in_thread(claim, name) for name in ("w1", "w2")]
    for thread in threads:
        thread.join(20)

    assert sorted(claimed.values()) == sorted([str(first.id), str(second.id)])
    assert all(
        any("FOR UPDATE SKIP LOCKED" in statement for statement in statements)
        for statements in sql.values()
    )
    assert sorted(
        (str(r.id), r.status, len(r.worker_ids))
        for r in DBTaskResult.objects.filter(task_path=record_run.module_path)
    ) == sorted([(str(first.id), "RUNNING", 1), (str(second.id), "RUNNING", 1)])


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_run_every_task_exactly_once():
    RUNS.clear()
    for number in range(30):
        record_run.enqueue(number)

    def work(worker_id: str) -> None:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        ).run()

    threads = [_in_thread(work, name) for name in ("w1", "w2")]
    for thread in threads:
        thread.join(60)

    results = list(DBTaskResult.objects.filter(task_path=record_run.module_path))
    assert sorted(RUNS) == list(range(30))
    assert {r.status for r in results} == {"SUCCESSFUL"}
    assert sorted(len(r.worker_ids) for r in results) == [1] * 30
    assert {r.worker_ids[0] for r in results} <= {"w1", "w2"}
