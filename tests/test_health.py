"""/healthz and /readyz: JSON, no login, 200 only when every readiness check passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jobs.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "9fQ2x!Lr8Zp#Wm4Tn7Vb1Cy6Hd0Js5Gu" * 2

# A probe made in a fresh process, against the database DATABASE_URL names.
PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/readyz", HTTP_HOST="127.0.0.1")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def _beat(age: timedelta) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="app1", pid=42, started_at=now - age, beat_at=now - age
    )


@pytest.fixture
def roomy(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.READYZ_MIN_FREE_MB = 1


def _probe(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    clean.update(
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="thidua.example.vn",
        DJANGO_SETTINGS_MODULE="emulation.settings",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_plain_http_on_any_host(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_refuses_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db
def test_readyz_answers_200_when_every_check_passes(client, roomy):
    _beat(timedelta(seconds=20))

    response = client.get("/readyz/")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert "failed" not in body
    assert sorted(body["checks"]) == ["database", "disk", "migrations", "worker"]
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] is True
    assert 19 <= body["checks"]["worker"]["age_seconds"] <= 25
    assert body["checks"]["disk"]["ok"] is True
    assert body["checks"]["disk"]["min_free_mb"] == 1


@pytest.mark.django_db
def test_readyz_fails_without_worker(client, roomy):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["failed"] == ["worker"]
    assert response.json()["checks"]["worker"] == {"ok": False, "error": "no worker"}


@pytest.mark.django_db
def test_readyz_fails_when_the_heartbeat_is_older_than_5_minutes(client, roomy):
    _beat(timedelta(minutes=5, seconds=30))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["worker"]
    worker = response.json()["checks"]["worker"]
    assert worker["error"] == "stale"
    assert 330 <= worker["age_seconds"] <= 340


@pytest.mark.django_db
def test_readyz_fails_when_the_disk_of_media_root_is_low(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "not-made-yet" / "media"
    settings.READYZ_MIN_FREE_MB = 10**12
    _beat(timedelta(seconds=5))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["disk"]
    disk = response.json()["checks"]["disk"]
    assert disk["error"] == "low"
    assert disk["min_free_mb"] == 10**12
    assert disk["free_mb"] < 10**12


def test_readyz_fails_when_the_database_is_unreachable():
    result = _probe(DATABASE_URL="postgres://secretuser:secretpw@127.0.0.1:1/secretdb")

    assert result["status"] == 503
    assert result["body"]["failed"] == ["database", "migrations", "worker"]
    assert result["body"]["checks"]["database"] == {"ok": False, "error": "unreachable"}
    assert result["body"]["checks"]["worker"] == {"ok": False, "error": "database unreachable"}
    text = json.dumps(result["body"])
    assert "secret" not in text
    assert "127.0.0.1" not in text


def test_readyz_fails_with_an_unapplied_migration(tmp_path):
    database = f"sqlite:///{tmp_path / 'half.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(DEBUG="0", SECRET_KEY=STRONG_KEY, DATABASE_URL=database)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "jobs", "0002", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr

    result = _probe(DATABASE_URL=database)

    assert result["status"] == 503
    migrations = result["body"]["checks"]["migrations"]
    assert migrations["ok"] is False
    assert migrations["error"] == "unapplied"
    assert "jobs.0003_worker_heartbeat" in migrations["unapplied"]
    assert "migrations" in result["body"]["failed"]
