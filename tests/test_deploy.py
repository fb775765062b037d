"""The deployment files agree with the settings: every variable settings.py reads is in
deploy/thidua.env.example and in the README's configuration table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"')
LISTED = re.compile(r"^#?([A-Z0-9_]+)=", re.MULTILINE)


def _settings_variables() -> set[str]:
    return set(READ.findall((ROOT / "emulation" / "settings.py").read_text()))


def test_env_example_lists_every_setting():
    listed = set(LISTED.findall((ROOT / "deploy" / "thidua.env.example").read_text()))

    assert sorted(_settings_variables() - listed) == []


def test_env_example_lists_every_gunicorn_variable():
    config = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    read = set(re.findall(r'(?:_int|os\.environ\.get)\(\s*"(GUNICORN_[A-Z_]+)"', config))
    listed = set(LISTED.findall((ROOT / "deploy" / "thidua.env.example").read_text()))

    assert len(read) >= 8
    assert sorted(read - listed) == []


def test_readme_configuration_names_every_setting():
    readme = (ROOT / "README.md").read_text()

    assert sorted(v for v in _settings_variables() if f"`{v}`" not in readme) == []


def test_gunicorn_freezes_the_loaded_application_before_each_fork():
    import gc
    import runpy

    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["preload_app"] is True
    try:
        config["pre_fork"](None, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
