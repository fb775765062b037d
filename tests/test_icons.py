"""The icon sprite (deploy/build_icons.py) and the {% icon %} tag (emulation/icons.py)."""

import importlib.util

import pytest
from django.template import engines

from emulation.icons import icon_svg
from emulation.settings import BASE_DIR

spec = importlib.util.spec_from_file_location("build_icons", BASE_DIR / "deploy" / "build_icons.py")
build_icons = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_icons)


def test_the_committed_sprite_is_the_one_the_sources_need():
    names = build_icons.icons_in_use()
    assert {"house", "trophy", "flag-fill", "bullseye", "chat-left-text-fill"} <= names
    assert build_icons.OUTPUT.read_text(encoding="utf-8") == build_icons.sprite(names)
    assert build_icons.main(["--check"]) == 0


def test_a_symbol_per_icon_from_bootstrap_icons():
    text = build_icons.sprite({"house", "trophy"})
    assert text.count("<symbol ") == 2
    assert '<symbol id="house" viewBox="0 0 16 16"><path d="M8.707 1.5' in text
    assert text.index('id="house"') < text.index('id="trophy"')


def test_an_unknown_icon_stops_the_build_naming_it():
    with pytest.raises(SystemExit) as stop:
        build_icons.sprite({"house", "no-such-icon"})
    assert str(stop.value).endswith(": no-such-icon")


def test_the_tag_draws_a_decorative_icon_from_the_sprite():
    html = engines["django"].from_string('{% icon "trophy" class="fs-1 d-block" %}').render()
    assert html == (
        '<svg class="bi bi-trophy fs-1 d-block" aria-hidden="true" focusable="false">'
        '<use href="/static/build/icons.svg#trophy"></use></svg>'
    )


def test_a_labelled_icon_is_an_image_with_its_name_escaped():
    html = (
        engines["django"]
        .from_string('{% icon "star-fill" label=text %}')
        .render({"text": "Dẫn đầu <b>"})
    )
    assert html == (
        '<svg class="bi bi-star-fill" role="img" aria-label="Dẫn đầu &lt;b&gt;">'
        "<title>Dẫn đầu &lt;b&gt;</title>"
        '<use href="/static/build/icons.svg#star-fill"></use></svg>'
    )
    assert icon_svg("star-fill", label="Dẫn đầu <b>") == html
