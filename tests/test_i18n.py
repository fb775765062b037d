"""The Vietnamese catalogue covers every user-facing string, and is compiled."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# The project package, the templates and every app (a folder with an apps.py).
SOURCE_DIRS = sorted(
    {"emulation", "templates"} | {p.name for p in ROOT.iterdir() if (p / "apps.py").exists()}
)


def _live(entries) -> list[polib.POEntry]:
    return [e for e in entries if not e.obsolete]


def test_catalogue_has_no_untranslated_or_fuzzy_message():
    catalogue = polib.pofile(str(PO))

    untranslated = [e.msgid for e in _live(catalogue) if not e.translated()]
    fuzzy = [e.msgid for e in _live(catalogue) if "fuzzy" in e.flags]

    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_source_catalogue():
    catalogue = polib.pofile(str(PO))
    compiled = polib.mofile(str(MO))

    expected = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in _live(catalogue)}
    actual = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in compiled if e.msgid}

    assert actual == expected


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_every_message_in_the_code_is_in_the_catalogue(tmp_path):
    # Run makemessages on a copy, so the check never rewrites the committed catalogue.
    for name in [*SOURCE_DIRS, "manage.py"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "emulation.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "vi", "--no-location"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(tmp_path / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    committed = {(e.msgctxt, e.msgid) for e in _live(polib.pofile(str(PO))) if e.translated()}

    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in committed)

    assert missing == [], "run `make messages` and translate: " + "; ".join(missing)
