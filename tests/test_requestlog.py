"""Request ids, one log line per request, JSON logs, and errors mailed to ADMINS."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from emulation.requestlog import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "9fQ2x!Lr8Zp#Wm4Tn7Vb1Cy6Hd0Js5Gu" * 2


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "thidua.request"]


def _run(script: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "LOG_FORMAT", "EMAIL_HOST", "ADMINS"}
    }
    clean.update(
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="emulation.settings",
        PYTHONWARNINGS="ignore",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db
def test_request_id_from_the_proxy_is_echoed_and_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="thidua.request")

    response = client.get("/login/", HTTP_X_REQUEST_ID="7f3a9c-01")

    assert response.status_code == 200
    assert response["X-Request-ID"] == "7f3a9c-01"
    [line] = _request_lines(caplog)
    assert line.request_id == "7f3a9c-01"
    assert (line.user, line.method, line.path, line.status) == ("-", "GET", "/login/", 200)
    assert line.duration_ms >= 0
    assert line.getMessage().startswith("GET /login/ 200 - ")


@pytest.mark.django_db
def test_request_id_is_made_when_missing_or_unsafe(client):
    missing = client.get("/login/")
    unsafe = client.get("/login/", HTTP_X_REQUEST_ID="bad id\nforged line")

    assert re.fullmatch(r"[0-9a-f]{32}", missing["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", unsafe["X-Request-ID"])
    assert missing["X-Request-ID"] != unsafe["X-Request-ID"]


@pytest.mark.django_db
def test_request_line_names_the_logged_in_user(client, org, caplog):
    caplog.set_level(logging.INFO, logger="thidua.request")
    client.force_login(org.member)

    response = client.get("/jobs/", HTTP_X_REQUEST_ID="rid-42")

    [line] = _request_lines(caplog)
    assert (line.user, line.path, line.status) == ("member", "/jobs/", response.status_code)


def test_request_id_filter_tags_records_logged_during_the_request():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, None)

    RequestIdFilter().filter(record)

    assert record.request_id == "-"


def test_json_formatter_writes_one_object_with_the_request_fields():
    record = logging.LogRecord(
        "thidua.request", logging.INFO, __file__, 1, "GET %s", ("/jobs/",), None
    )
    for name, value in {
        "request_id": "rid-1",
        "user": "trực_ban",
        "method": "GET",
        "path": "/jobs/",
        "status": 200,
        "duration_ms": 12.5,
    }.items():
        setattr(record, name, value)

    line = JsonFormatter().format(record)

    data = json.loads(line)
    assert "\n" not in line
    assert data.pop("time").endswith("+00:00")
    assert data == {
        "level": "INFO",
        "logger": "thidua.request",
        "message": "GET /jobs/",
        "request_id": "rid-1",
        "user": "trực_ban",
        "method": "GET",
        "path": "/jobs/",
        "status": 200,
        "duration_ms": 12.5,
    }


def test_log_format_json_writes_json_lines_on_the_console():
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "Client().get('/healthz')\n"
        "import logging; logging.getLogger('jobs').warning('queue is %s', 'slow')\n"
    )

    result = _run(script, LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    assert [(d["level"], d["logger"], d["message"], d["request_id"]) for d in lines] == [
        ("WARNING", "jobs", "queue is slow", "-")
    ]


def test_log_format_plain_carries_the_request_id():
    script = (
        "import django; django.setup()\nimport logging; logging.getLogger('jobs').warning('hi')\n"
    )

    result = _run(script)

    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\S+ \S+ WARNING \[-\] jobs: hi", result.stderr.strip())


def test_log_format_other_than_plain_or_json_is_refused():
    result = _run("import django; django.setup()", LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be plain or json; got 'xml'." in result.stderr


MAIL_SCRIPT = """
import django, logging
django.setup()
from django.conf import settings
from django.core import mail
from django.test.utils import setup_test_environment
setup_test_environment()
logging.getLogger("django.request").error("Internal Server Error: /grid/")
logging.getLogger("jobs.tasks").error("Background job 1 failed")
print(repr(settings.ADMINS))
print(len(mail.outbox))
for message in mail.outbox:
    print(message.to, message.subject)
"""


def test_errors_are_mailed_to_admins_when_email_host_is_set():
    result = _run(
        MAIL_SCRIPT,
        EMAIL_HOST="mail.ca.example.vn",
        ADMINS="Trực ban kỹ thuật <kt@ca.example.vn>, Bảo <bao@ca.example.vn>",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "[('Trực ban kỹ thuật', 'kt@ca.example.vn'), ('Bảo', 'bao@ca.example.vn')]",
        "2",
        "['kt@ca.example.vn', 'bao@ca.example.vn'] [Thi đua] ERROR: Internal Server Error: /grid/",
        "['kt@ca.example.vn', 'bao@ca.example.vn'] [Thi đua] ERROR: Background job 1 failed",
    ]


def test_errors_are_not_mailed_without_email_host():
    result = _run(MAIL_SCRIPT, ADMINS="Kỹ thuật <kt@ca.example.vn>")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "0"


def test_a_foreign_host_header_is_logged_but_not_mailed():
    script = (
        "import django; django.setup()\n"
        "from django.core import mail\n"
        "from django.test.utils import setup_test_environment\n"
        "setup_test_environment()\n"
        "from django.test import Client\n"
        "status = Client().get('/login/', HTTP_HOST='scanner.example').status_code\n"
        "print(status, len(mail.outbox))\n"
    )

    result = _run(script, EMAIL_HOST="mail.ca.example.vn", ADMINS="Kỹ thuật <kt@ca.example.vn>")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["400", "0"]
    assert "Invalid HTTP_HOST header: 'scanner.example'" in result.stderr
