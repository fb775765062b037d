"""Settings are read from the environment and refuse unsafe production set-ups."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from emulation.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "9fQ2x!Lr8Zp#Wm4Tn7Vb1Cy6Hd0Js5Gu" * 2


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_without_secret_key_refuse_to_start_when_debug_off():
    result = _run(["check"], DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_settings_start_without_secret_key_when_debug_on():
    result = _run(["check"], DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_has_no_warnings_with_production_variables():
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="thidua.example.vn",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_bad_boolean_fails_with_the_variables_name():
    result = _run(["check"], DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("On", True), ("0", False), ("no", False), ("", False)],
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("THIDUA_TEST_FLAG", raw)

    assert env_bool("THIDUA_TEST_FLAG", default=not expected) is expected


def test_env_int_refuses_text(monkeypatch):
    monkeypatch.setenv("THIDUA_TEST_INT", "ten")

    with pytest.raises(ImproperlyConfigured, match="THIDUA_TEST_INT must be a whole number"):
        env_int("THIDUA_TEST_INT", 1)


def test_env_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("THIDUA_TEST_LIST", "a.vn, ,b.vn,")

    assert env_list("THIDUA_TEST_LIST", []) == ["a.vn", "b.vn"]


def test_settings_use_vietnamese_time_and_argon2(settings):
    import emulation.settings as project

    assert project.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ is True
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
