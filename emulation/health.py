"""Health probes for the reverse proxy, systemd and monitoring: no login, nothing secret.

- ``/healthz``: the process answers (``{"status": "ok"}``); nothing else is looked at, so
  a database outage does not make the proxy drop every app server at once.
- ``/readyz``: the installation can serve: the database answers, no migration is left to
  apply, a queue worker beat within the last 5 minutes (``run_worker``, see
  :mod:`jobs.heartbeat`) and the disk holding MEDIA_ROOT has at least
  ``READYZ_MIN_FREE_MB`` free. 200 when every check passes, else 503; each check says
  ``ok`` or what failed, never an error text (it could name hosts or accounts).

:class:`HealthCheckMiddleware` answers both before any other middleware, so a probe over
plain HTTP on localhost is neither redirected to HTTPS nor refused for its Host header,
and no session is touched.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

HEALTH_PATHS = ("/healthz", "/readyz")


def check_database() -> dict:
    """The default database answers a query."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("readyz: the database does not answer")
        return {"ok": False, "error": "unreachable"}
    return {"ok": True}


def unapplied_migrations() -> list[str]:
    """``app.migration`` names of the migrations the database still lacks."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations() -> dict:
    """Every migration of the code is applied."""
    try:
        pending = unapplied_migrations()
    except Exception:
        logger.exception("readyz: the migrations could not be read")
        return {"ok": False, "error": "unknown"}
    if pending:
        return {"ok": False, "error": "unapplied", "unapplied": pending}
    return {"ok": True}


def check_worker() -> dict:
    """Some queue worker beat within the last 5 minutes."""
    from jobs.heartbeat import MAX_AGE, latest_heartbeat

    try:
        beat = latest_heartbeat()
    except Exception:
        logger.exception("readyz: the worker heartbeat could not be read")
        return {"ok": False, "error": "unknown"}
    if beat is None:
        return {"ok": False, "error": "no worker"}
    age = int((timezone.now() - beat).total_seconds())
    if age > MAX_AGE.total_seconds():
        return {"ok": False, "error": "stale", "age_seconds": age}
    return {"ok": True, "age_seconds": age}


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing parent (MEDIA_ROOT may not exist before the first
    upload; its disk is the one it will be made on)."""
    path = path.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk() -> dict:
    """The disk of MEDIA_ROOT has at least READYZ_MIN_FREE_MB megabytes free."""
    minimum = settings.READYZ_MIN_FREE_MB
    try:
        free_mb = shutil.disk_usage(_existing(Path(settings.MEDIA_ROOT))).free // (1024 * 1024)
    except OSError:
        logger.exception("readyz: the free space of MEDIA_ROOT could not be read")
        return {"ok": False, "error": "unknown"}
    if free_mb < minimum:
        return {"ok": False, "error": "low", "free_mb": free_mb, "min_free_mb": minimum}
    return {"ok": True, "free_mb": free_mb, "min_free_mb": minimum}


READINESS_CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "migrations": check_migrations,
    "worker": check_worker,
    "disk": check_disk,
}


def readiness() -> tuple[bool, dict]:
    """Run every check; a failed database skips the checks that need it."""
    results: dict[str, dict] = {}
    for name, check in READINESS_CHECKS.items():
        if name in ("migrations", "worker") and not results["database"]["ok"]:
            results[name] = {"ok": False, "error": "database unreachable"}
        else:
            results[name] = check()
    return all(result["ok"] for result in results.values()), results


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return _json({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    ok, checks = readiness()
    failed = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "ok" if ok else "fail", "checks": checks}
    if failed:
        body["failed"] = failed
    return _json(body, status=200 if ok else 503)


class HealthCheckMiddleware:
    """Answer ``/healthz`` and ``/readyz`` (GET or HEAD, with or without a trailing slash)
    first, before host validation, the HTTPS redirect and sessions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path in HEALTH_PATHS:
            if request.method not in ("GET", "HEAD"):
                response = HttpResponse(status=405)
                response["Allow"] = "GET, HEAD"
                return response
            return healthz(request) if path == "/healthz" else readyz(request)
        return self.get_response(request)
