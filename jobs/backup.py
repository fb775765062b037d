"""Backups of an installation: the database and the uploads, with SHA-256 sums.

``python manage.py backup`` writes one file, ``BACKUP_DIR/thidua-YYYYMMDD-HHMMSS.tar``
(readable by its owner only), holding:

- ``database.dump``: ``pg_dump --format=custom`` of the PostgreSQL database, or
  ``database.sqlite3``: a consistent copy of an SQLite database made with SQLite's online
  backup API (the copy is right even while the application writes);
- ``media.tar``: every file under MEDIA_ROOT (uploads, job results);
- ``manifest.json``: format ``thidua.backup/1``, when and from which release, the database
  engine, and the SHA-256 sum and size of each part.

Only the newest ``BACKUP_KEEP`` backups are kept. ``python manage.py restore FILE`` checks
every sum first and refuses a file whose parts do not match (damaged or changed), then
restores into an EMPTY database (no table at all) and an empty MEDIA_ROOT, and refuses
anything else: it never overwrites data.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "thidua.backup/1"
MANIFEST = "manifest.json"
MEDIA_PART = "media.tar"
POSTGRES_PART = "database.dump"
SQLITE_PART = "database.sqlite3"
PARTS = {"postgresql": POSTGRES_PART, "sqlite": SQLITE_PART}
PREFIX = "thidua-"
SUFFIX = ".tar"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be written or restored; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict
    removed: list[Path]


def _engine() -> str:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in PARTS:
        raise BackupError(
            _("Backups support PostgreSQL and SQLite, not %(engine)s.") % {"engine": vendor}
        )
    return vendor


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump and pg_restore, the password in the environment."""
    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return [*args, "--dbname", db["NAME"]], env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as missing:
        raise BackupError(
            _("%(program)s was not found: install the PostgreSQL client (postgresql-client).")
            % {"program": command[0]}
        ) from missing
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": result.stderr.strip()}
        )


def _dump_database(engine: str, target: Path) -> None:
    if engine == "postgresql":
        connection_args, env = _pg_env()
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *connection_args],
            env,
        )
        return
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()


def _tar_media(target: Path) -> int:
    """Every file under MEDIA_ROOT into ``target``; returns how many."""
    media = Path(settings.MEDIA_ROOT)
    count = 0
    with tarfile.open(target, "w") as archive:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=path.relative_to(media).as_posix(), recursive=False)
                    count += 1
    return count


def _applied_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    for app, name in sorted(recorder.applied_migrations()):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def _release() -> str:
    """The release's version: the VERSION file an offline bundle carries, else the
    version in pyproject.toml."""
    base = Path(settings.BASE_DIR)
    if (base / "VERSION").is_file():
        return (base / "VERSION").read_text().strip()
    try:
        with (base / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, ValueError):
        return "unknown"


def backups(folder: Path) -> list[Path]:
    """The backups in ``folder``, oldest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())


def backup_create(*, folder: Path | None = None, keep: int | None = None) -> BackupResult:
    """Write a backup into ``folder`` (BACKUP_DIR) and keep the newest ``keep``
    (BACKUP_KEEP). The file appears complete or not at all (written aside, then renamed)."""
    folder = Path(folder or settings.BACKUP_DIR)
    keep = settings.BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError(_("BACKUP_KEEP must be 1 or more; got %(keep)d.") % {"keep": keep})
    engine = _engine()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = timezone.now()
    stamp = now.strftime("%Y%m%d-%H%M%S")
    final = folder / f"{PREFIX}{stamp}{SUFFIX}"
    if final.exists():
        raise BackupError(_("%(file)s already exists; try again in a second.") % {"file": final})
    old_umask = os.umask(0o077)
    try:
        with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as work:
            work_dir = Path(work)
            database = work_dir / PARTS[engine]
            _dump_database(engine, database)
            media = work_dir / MEDIA_PART
            files = _tar_media(media)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "release": _release(),
                "engine": engine,
                "media_files": files,
                "migrations": _applied_migrations(),
                "parts": {
                    path.name: {"sha256": sha256(path), "size": path.stat().st_size}
                    for path in (database, media)
                },
            }
            manifest_path = work_dir / MANIFEST
            manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            partial = work_dir / f"{final.name}.part"
            with tarfile.open(partial, "w") as archive:
                for path in (manifest_path, database, media):
                    archive.add(path, arcname=path.name, recursive=False)
            partial.replace(final)
    finally:
        os.umask(old_umask)
    removed = []
    for old in backups(folder)[:-keep]:
        old.unlink()
        removed.append(old)
    return BackupResult(path=final, manifest=manifest, removed=removed)


# --- Restore -------------------------------------------------------------------------------


def _extract_checked(path: Path, work_dir: Path) -> dict:
    """Unpack the backup's parts into ``work_dir`` and check them against the manifest;
    returns the manifest. Refuses anything but the three expected plain files."""
    try:
        archive = tarfile.open(path, "r")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(
            _("%(file)s is not a backup file (%(error)s).") % {"file": path, "error": error}
        ) from error
    with archive:
        members = {member.name: member for member in archive.getmembers()}
        if MANIFEST not in members:
            raise BackupError(
                _("%(file)s has no manifest.json: it is not a backup file.") % {"file": path}
            )
        try:
            manifest = json.load(archive.extractfile(members[MANIFEST]))
        except (ValueError, AttributeError) as error:
            raise BackupError(
                _("%(file)s: manifest.json cannot be read (%(error)s).")
                % {"file": path, "error": error}
            ) from error
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(
                _("%(file)s: not a %(format)s backup.") % {"file": path, "format": FORMAT}
            )
        parts = manifest.get("parts")
        expected = {PARTS.get(manifest.get("engine"), ""), MEDIA_PART}
        if not isinstance(parts, dict) or set(parts) != expected:
            raise BackupError(
                _("%(file)s: the manifest does not list the expected parts.") % {"file": path}
            )
        if set(members) != {MANIFEST, *expected}:
            raise BackupError(
                _("%(file)s: holds other files than its manifest lists.") % {"file": path}
            )
        for name, member in members.items():
            if not member.isfile():
                raise BackupError(
                    _("%(file)s: %(part)s is not a plain file.") % {"file": path, "part": name}
                )
        for name in sorted(expected):
            target = work_dir / name
            with archive.extractfile(members[name]) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
            declared = parts[name]
            if (
                not isinstance(declared, dict)
                or declared.get("sha256") != sha256(target)
                or declared.get("size") != target.stat().st_size
            ):
                raise BackupError(
                    _(
                        "%(file)s: %(part)s does not match its SHA-256 sum in the manifest; "
                        "the file is damaged or was changed. Nothing was restored."
                    )
                    % {"file": path, "part": name}
                )
    return manifest


def backup_verify(path: Path) -> dict:
    """Check every part of the backup at ``path`` against its manifest; returns it."""
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".verify-") as work:
        return _extract_checked(path, Path(work))


def _database_tables() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _media_files() -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.is_dir() else []


def _restore_database(engine: str, source: Path) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    if engine == "postgresql":
        connection.close()
        connection_args, env = _pg_env()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *connection_args,
                str(source),
            ],
            env,
        )
        return
    connection.ensure_connection()
    with sqlite3.connect(source) as copy:
        copy.backup(connection.connection)
    copy.close()
    connection.close()


def backup_restore(*, path: Path) -> dict:
    """Restore the backup at ``path`` into the configured, empty database and empty
    MEDIA_ROOT. Every sum is checked before anything is written; returns the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("%(file)s does not exist.") % {"file": path})
    engine = _engine()
    tables = _database_tables()
    if tables:
        raise BackupError(
            _(
                "The database is not empty (%(count)d tables): a backup is restored only "
                "into an empty database. Drop and create the database first."
            )
            % {"count": len(tables)}
        )
    if files := _media_files():
        raise BackupError(
            _(
                "MEDIA_ROOT (%(folder)s) is not empty (%(count)d files): a backup is "
                "restored only into an empty MEDIA_ROOT."
            )
            % {"folder": settings.MEDIA_ROOT, "count": len(files)}
        )
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".restore-") as work:
        work_dir = Path(work)
        manifest = _extract_checked(path, work_dir)
        if manifest["engine"] != engine:
            raise BackupError(
                _("This backup is of a %(backup)s database; the configured database is %(engine)s.")
                % {"backup": manifest["engine"], "engine": engine}
            )
        _restore_database(engine, work_dir / PARTS[engine])
        media = Path(settings.MEDIA_ROOT)
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(work_dir / MEDIA_PART, "r") as archive:
            archive.extractall(media, filter="data")
    return manifest


def describe(manifest: dict) -> str:
    created = datetime.fromisoformat(manifest["created_at"])
    return _("%(engine)s database and %(count)d files, made %(time)s (release %(release)s)") % {
        "engine": manifest["engine"],
        "count": manifest["media_files"],
        "time": f"{timezone.localtime(created):%d/%m/%Y %H:%M}",
        "release": manifest["release"],
    }
