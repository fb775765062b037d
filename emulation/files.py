"""Protected files (uploads, job results): sent only after the view's permission check.

Every view that hands out a stored file calls :func:`protected_file_response` once it has
checked that the user may have it. With ``SENDFILE_MODE=django`` (the default) the
application streams the file itself. With ``SENDFILE_MODE=nginx`` it answers with an empty
body and ``X-Accel-Redirect: <PROTECTED_URL_PREFIX><name>``; nginx then sends the file
from MEDIA_ROOT through its ``internal`` location (deploy/nginx/thidua.conf), so a slow
download does not hold an application worker. Both answers carry the same Content-Type,
Content-Disposition (attachment, or inline for pictures shown in a page),
``X-Content-Type-Options: nosniff`` and ``Cache-Control: private``.
"""

from __future__ import annotations

import mimetypes
import os
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

GENERIC_TYPE = "application/octet-stream"


def content_type_for(filename: str) -> str:
    """The file's media type from its name, ``application/octet-stream`` when unknown."""
    return mimetypes.guess_type(filename)[0] or GENERIC_TYPE


def accel_redirect_uri(name: str) -> str:
    """The internal URI nginx serves ``name`` (a storage name under MEDIA_ROOT) from.
    Percent-encoded, as nginx decodes the X-Accel-Redirect URI before looking it up."""
    return settings.PROTECTED_URL_PREFIX + quote(name.lstrip("/"), safe="/")


def _headers(response: HttpResponse, *, filename: str, inline: bool) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not inline, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


def protected_file_response(
    request: HttpRequest,
    file: FieldFile,
    *,
    filename: str | None = None,
    inline: bool = False,
    content_type: str | None = None,
) -> HttpResponse:
    """The stored ``file`` as the answer to ``request``, downloaded as ``filename`` (its
    own base name by default), or shown in the page when ``inline``. A missing file is
    "not found". Call it only after the permission check: it checks nothing itself."""
    if not file or not file.name:
        raise Http404
    filename = filename or os.path.basename(file.name)
    content_type = content_type or content_type_for(filename)
    storage = getattr(file, "storage", default_storage)
    if settings.SENDFILE_MODE == "nginx":
        if not storage.exists(file.name):
            raise Http404
        response = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = accel_redirect_uri(file.name)
        return _headers(response, filename=filename, inline=inline)
    try:
        handle = file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, content_type=content_type)
    return _headers(response, filename=filename, inline=inline)
