"""Pages and JSON compressed by the application (issue 18 point 5: light pages).

Why here and not in nginx: Django's ``GZipMiddleware`` pads every compressed answer with up
to 100 random bytes in the gzip header ("Heal the BREACH"), and Django masks the CSRF token
differently in every answer; nginx's gzip has neither. Both blunt the BREACH attack, which
guesses a secret in a compressed page from the page's length over many requests that echo
the attacker's guess (docs/security.md, "Compressed pages"). The pages that show a lasting
secret (the authenticator's key, the recovery codes) are never compressed
(:func:`never_compress`). It also works the same behind any proxy, and under ``make
lighthouse``, which talks to gunicorn directly.

Only text is compressed: HTML, JSON, CSV, plain text, JavaScript, XML and SVG. Excel
workbooks, PDF, images and the uploads are compressed already or are sent by nginx
(``X-Accel-Redirect``), so compressing them again would cost the worker's CPU for nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
)
NEVER_COMPRESS = "_never_compress"


def never_compress(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Mark a view whose answers carry a lasting secret: they are sent uncompressed."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(*args, **kwargs)
        setattr(response, NEVER_COMPRESS, True)
        return response

    return wrapper


class TextGZipMiddleware(GZipMiddleware):
    """Django's ``GZipMiddleware`` (with its random padding) for text answers only."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(response, NEVER_COMPRESS, False):
            return response
        content_type = response.get("Content-Type", "").lower()
        if not content_type.startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
