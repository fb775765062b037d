"""manage.py backup and restore: sums checked, only into an empty database, and a round
trip that gives byte-identical exports (SQLite here; PostgreSQL when DATABASE_URL is)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from jobs.backup import backups

ROOT = Path(__file__).resolve().parent.parent.parent
STRONG_KEY = "k3y-" + "9fQ2x!Lr8Zp#Wm4Tn7Vb1Cy6Hd0Js5Gu" * 2

# Every results export of every cluster at every stage, and every score table, of the
# installation DATABASE_URL names: {name: text}.
EXPORTS = """
import io, json, django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from django.core.management.base import CommandError
from clusters.models import Cluster
from scoring.enums import Stage
from scoring.models import ScoreTable

def run(*args):
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except CommandError as error:
        return "refused: " + str(error)
    return out.getvalue()

exports = {}
for year, organiser, code in Cluster.objects.order_by("campaign__year", "code").values_list(
    "campaign__year", "campaign__organiser__code", "code"
):
    for stage in Stage.values:
        for fmt in ("json", "csv"):
            exports[f"results {year} {code} {stage} {fmt}"] = run(
                "export_results", "--year", str(year), "--organiser", organiser,
                "--cluster", code, "--stage", stage, "--format", fmt,
            )
tables = ScoreTable.objects.order_by("campaign__year", "title").values_list(
    "campaign__year", "campaign__organiser__code", "title"
)
for year, organiser, title in tables.distinct():
    exports[f"table {year} {title}"] = run(
        "export_scoretable", "--year", str(year), "--organiser", organiser, "--title", title
    )
print(json.dumps(exports))
"""


def _env(database_url: str, media: Path, backups_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media),
        BACKUP_DIR=str(backups_dir),
        PYTHONWARNINGS="ignore",
        DJANGO_SETTINGS_MODULE="emulation.settings",
    )
    return env


# manage.py in English, whatever the catalogue says.
MANAGE_EN = (
    "import sys, django; django.setup()\n"
    "from django.utils import translation; translation.activate('en')\n"
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(['manage.py', *sys.argv[1:]])\n"
)


def _manage(env: dict, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-c", MANAGE_EN, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _exports(env: dict) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-c", EXPORTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _tables(env: dict) -> int:
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "print(len(connection.introspection.table_names()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(result.stdout.strip())


def _rewrite(backup: Path, target: Path, change) -> Path:
    """A copy of ``backup`` with ``change(name, bytes) -> bytes`` applied to its members."""
    with tarfile.open(backup) as source, tarfile.open(target, "w") as out:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def _tampered_manifest(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["parts"]["media.tar"]["sha256"] = "0" * 64
    return json.dumps(manifest).encode()


def _tampered_media(name: str, data: bytes) -> bytes:
    if name != "media.tar":
        return data
    return data.replace(b"minutes of 25/02/2023", b"minutes of 26/02/2023")


def _round_trip(tmp_path: Path, source_url: str, recreate) -> None:
    """Demo data and an upload, exports, backup, an empty database, restore, exports."""
    media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    (media / "clusters" / "minutes").mkdir(parents=True)
    (media / "clusters" / "minutes" / "bien-ban.txt").write_bytes(b"minutes of 25/02/2023")
    env = _env(source_url, media, tmp_path / "backups")
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo")
    before = _exports(env)
    made = _manage(env, "backup")
    [backup] = backups(tmp_path / "backups")
    assert made.stdout.startswith(f"Backup written: {backup} (")

    target_url = recreate()
    restore_env = _env(target_url, restored_media, tmp_path / "backups")
    assert _tables(restore_env) == 0
    restored = _manage(restore_env, "restore", str(backup))

    assert restored.stdout.startswith("Restored ")
    after = _exports(restore_env)
    assert len(before) >= 6
    assert sum(text.startswith("{") for text in before.values()) >= 3
    assert after == before
    assert (restored_media / "clusters" / "minutes" / "bien-ban.txt").read_bytes() == (
        b"minutes of 25/02/2023"
    )
    assert _manage(restore_env, "migrate", "--check", ok=False).returncode == 0

    # The same installation refuses a second restore: the database is no longer empty.
    again = _manage(restore_env, "restore", str(backup), ok=False)
    assert again.returncode == 1
    assert "The database is not empty" in again.stderr


def _refusals(tmp_path: Path, empty_url: str) -> None:
    """A changed manifest or a changed part is refused, and nothing is written."""
    [backup] = backups(tmp_path / "backups")
    env = _env(empty_url, tmp_path / "empty-media", tmp_path / "backups")
    for name, change in (("manifest", _tampered_manifest), ("media", _tampered_media)):
        tampered = _rewrite(backup, tmp_path / f"tampered-{name}.tar", change)

        result = _manage(env, "restore", str(tampered), ok=False)

        assert result.returncode == 1
        assert (
            "media.tar does not match its SHA-256 sum in the manifest; the file is damaged "
            "or was changed. Nothing was restored." in result.stderr
        )
        assert _tables(env) == 0
        assert not (tmp_path / "empty-media").exists()


def test_backup_restore_round_trip_on_sqlite(tmp_path):
    source = f"sqlite:///{tmp_path / 'source.sqlite3'}"

    _round_trip(tmp_path, source, lambda: f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    _refusals(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.mark.skipif(
    _postgres_url() is None,
    reason="the PostgreSQL backup round trip needs DATABASE_URL=postgres://... (CI sets it)",
)
def test_backup_restore_round_trip_on_postgresql(tmp_path):
    import psycopg2

    base = _postgres_url().rsplit("/", 1)[0]
    name = f"thidua_ops_backup_{uuid.uuid4().hex[:8]}"
    empty = f"{name}_empty"
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True

    def sql(statement: str) -> None:
        with admin.cursor() as cursor:
            cursor.execute(statement)

    def recreate() -> str:
        sql(f"DROP DATABASE {name} WITH (FORCE)")
        sql(f"CREATE DATABASE {name}")
        return f"{base}/{name}"

    sql(f"CREATE DATABASE {name}")
    sql(f"CREATE DATABASE {empty}")
    try:
        _round_trip(tmp_path, f"{base}/{name}", recreate)
        _refusals(tmp_path, f"{base}/{empty}")
    finally:
        sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        sql(f"DROP DATABASE IF EXISTS {empty} WITH (FORCE)")
        admin.close()


@pytest.mark.django_db
def test_backup_keeps_the_newest_backup_keep(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20250101-000000", "20250102-000000", "20250103-000000"):
        (folder / f"thidua-{stamp}.tar").write_bytes(b"old")
    (folder / "notes.txt").write_text("not a backup")
    out = io.StringIO()

    with translation.override("en"):
        call_command("backup", "--dir", str(folder), "--keep", "2", stdout=out)

    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 3
    assert names[0] == "notes.txt"
    assert names[1] == "thidua-20250103-000000.tar"
    assert names[2].startswith("thidua-2")
    assert names[2] != names[1]
    assert out.getvalue().splitlines()[1:] == [
        f"Removed old backup: {folder / 'thidua-20250101-000000.tar'}",
        f"Removed old backup: {folder / 'thidua-20250102-000000.tar'}",
    ]
    assert oct((folder / names[2]).stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db
def test_backup_manifest_lists_every_part_with_its_sum(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "jobs").mkdir(parents=True)
    (tmp_path / "media" / "jobs" / "a.xlsx").write_bytes(b"PK")

    call_command("backup", "--dir", str(tmp_path / "b"), stdout=io.StringIO())

    [backup] = backups(tmp_path / "b")
    engine = connection.vendor
    database = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}[engine]
    with tarfile.open(backup) as archive:
        assert archive.getnames() == ["manifest.json", database, "media.tar"]
        manifest = json.load(archive.extractfile("manifest.json"))
        with tarfile.open(fileobj=archive.extractfile("media.tar")) as media:
            assert media.getnames() == ["jobs/a.xlsx"]
    assert manifest["format"] == "thidua.backup/1"
    assert manifest["engine"] == engine
    assert manifest["media_files"] == 1
    assert sorted(manifest["parts"]) == [database, "media.tar"]
    assert all(len(part["sha256"]) == 64 for part in manifest["parts"].values())


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "thidua-20250101-000000.tar"
    bogus.write_bytes(b"not a tar at all")
    env = _env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "media", tmp_path)

    result = _manage(env, "restore", str(bogus), ok=False)

    assert result.returncode == 1
    assert f"{bogus} is not a backup file" in result.stderr
