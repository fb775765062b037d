"""Protected files (uploads, job results): sent only after the view's permission check.

Every view that hands out a stored file calls :func:`protected_file_response` once it has
checked that the user may have it. With ``SENDFILE_MODE=django`` (the default) the
application streams the file itself. With ``SENDFILE_MODE=nginx`` it answers with an empty
body and ``X-Accel-Redirect: <PROTECTED_URL_PREFIX><name>``; nginx then sends the file
from MEDIA_ROOT through its ``internal`` location (deploy/nginx/thidua.conf), so a slow
download does not hold an application worker. Both answers carry the same Content-Type,
Content-Disposition (attachment, or inline for pictures shown in a page),
``X-Content-Type-Options: nosniff`` and ``Cache-Control: private``.

The type is read from the file's content (clusters.validators.sniff), never from its name:
only a JPEG, PNG, WebP or PDF is ever shown inline; anything else (an HTML or SVG file
renamed to .png included) is an attachment of type ``application/octet-stream`` unless it
is a recognised Office file, so a browser never renders an uploaded page or script.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from clusters.validators import sniff

GENERIC_TYPE = "application/octet-stream"

# Types shown in the page when the view asks for it; read from the content.
INLINE_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
}
# Types only ever downloaded.
ATTACHMENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}


# What a view may name as the type of a generated file it serves (zip of a job, CSV, JSON):
# never a type a browser renders as a page or runs.
SAFE_TYPES = frozenset(
    {
        *INLINE_TYPES.values(),
        *ATTACHMENT_TYPES.values(),
        GENERIC_TYPE,
        "application/zip",
        "application/json",
        "text/csv",
    }
)


# Where an uploaded workbook (the grid's or the units' targets') waits between its preview and
# its confirmation, under MEDIA_ROOT; ``python manage.py cleanup`` (jobs.cleanup) removes the
# expired ones.
PREVIEW_FOLDER = "excel-previews"


def preview_folder() -> Path:
    """Where an uploaded file waits between its preview and its confirmation: under
    MEDIA_ROOT (never served), which every app server shares, since the confirmation may
    reach another server than the preview."""
    folder = Path(settings.MEDIA_ROOT) / PREVIEW_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


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
    storage = getattr(file, "storage", default_storage)
    try:
        handle = file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    kind = sniff(handle)
    handle.seek(0)
    inline = inline and kind in INLINE_TYPES
    content_type = (
        INLINE_TYPES.get(kind) or ATTACHMENT_TYPES.get(kind) or content_type or GENERIC_TYPE
    )
    if content_type not in SAFE_TYPES:
        content_type = GENERIC_TYPE
    if settings.SENDFILE_MODE == "nginx":
        handle.close()
        if not storage.exists(file.name):
            raise Http404
        response = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = accel_redirect_uri(file.name)
        return _headers(response, filename=filename, inline=inline)
    response = FileResponse(handle, content_type=content_type)
    return _headers(response, filename=filename, inline=inline)
