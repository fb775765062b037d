"""The ``{% icon %}`` template tag (a built-in: no ``{% load %}``) and ``icon_svg`` for pages
built in Python: a Bootstrap icon drawn from the sprite static/build/icons.svg, which
deploy/build_icons.py builds from the icons named in the sources (docs/performance.md).

    {% icon "trophy" %}                                  decorative: aria-hidden
    {% icon "flag-fill" class="text-danger" label=text %} meaningful: role="img", its name
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


# The sprite's URL by the static settings it comes from: static() asks the storage (with
# WhiteNoise's manifest, a lookup and a urljoin) every time, and a grid page draws some 80
# icons (docs/performance.md).
_SPRITE_URLS: dict[tuple[str, str], str] = {}


def _sprite_url() -> str:
    key = (str(settings.STATIC_URL), str(settings.STORAGES["staticfiles"]["BACKEND"]))
    url = _SPRITE_URLS.get(key)
    if url is None:
        url = _SPRITE_URLS[key] = static("build/icons.svg")
    return url


def icon_svg(name: str, *, css: str = "", label: str = "") -> str:
    """The markup of one icon; with a label it is an image with that name (and a tooltip)."""
    classes = f"bi bi-{name} {css}".strip()
    href = f"{_sprite_url()}#{name}"
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}"><title>{}</title>'
            '<use href="{}"></use></svg>',
            classes,
            label,
            label,
            href,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>',
        classes,
        href,
    )


@register.simple_tag(name="icon")
def icon(name: str, **options: str) -> str:
    return icon_svg(name, css=options.get("class", ""), label=options.get("label", ""))
