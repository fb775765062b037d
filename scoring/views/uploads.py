"""Uploaded files that wait between their preview and their confirmation: the grid's and the
targets' Excel uploads (scoring.views.excel, scoring.views.targets) and a score table's import
(scoring.views.table_import).

The preview keeps the file in a folder under a random token and, in the session, what its
confirmation must find again (the cluster, table or campaign, the file's name, the signature of
what the preview showed); the confirmation reads both back, or answers 404.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import Http404, HttpRequest


@dataclass(frozen=True)
class PendingUploads:
    """The waiting uploads of one kind: their session key, their folder and their suffix."""

    session_key: str
    folder: Callable[[], Path]
    suffix: str

    def path(self, token: str) -> Path:
        return self.folder() / f"{token}{self.suffix}"

    def remember(self, request: HttpRequest, content: bytes, data: dict) -> str:
        """Keep ``content`` under a new token, with ``data`` in the session; the token."""
        token = secrets.token_urlsafe(16)
        self.path(token).write_bytes(content)
        uploads = request.session.get(self.session_key, {})
        uploads[token] = data
        request.session[self.session_key] = uploads
        return token

    def read(self, request: HttpRequest, token: str, **expected: object) -> tuple[dict, bytes]:
        """The session's data of ``token`` (the dict itself: a change to it is kept once
        ``request.session.modified`` is set) and the file's content, when the session holds the
        token with the ``expected`` values; else 404 (and a token whose file is gone is
        forgotten)."""
        stored = request.session.get(self.session_key, {}).get(token)
        if not stored or any(stored.get(key) != value for key, value in expected.items()):
            raise Http404
        file = self.path(token)
        if not file.is_file():
            self.forget(request, token)
            raise Http404
        return stored, file.read_bytes()

    def recheck(self, request: HttpRequest, token: str, stored: dict, plan) -> int | None:
        """What a confirmation answers after reading the file again into ``plan`` (with
        ``ok`` and ``signature()``): 422 when it no longer reads (the token is forgotten),
        409 when it reads otherwise than its preview showed (the new signature is kept, so
        confirming again stores what is shown now), None when it reads as previewed."""
        if not plan.ok:
            self.forget(request, token)
            return 422
        if plan.signature() != stored["signature"]:
            stored["signature"] = plan.signature()
            request.session.modified = True
            return 409
        return None

    def forget(self, request: HttpRequest, token: str) -> None:
        """Drop the token from the session and its file."""
        uploads = request.session.get(self.session_key, {})
        uploads.pop(token, None)
        request.session[self.session_key] = uploads
        self.path(token).unlink(missing_ok=True)


def capped_upload(upload: UploadedFile) -> tuple[str, bytes, SimpleUploadedFile]:
    """The upload's file name (without any folder, 200 characters at most), its content and the
    upload as a file to read again. A file larger than UPLOAD_MAX_MB is not read: its content is
    empty and its size kept, so the reader refuses it by its size."""
    name = Path(upload.name or "").name[:200]
    limit = settings.UPLOAD_MAX_MB * 1024 * 1024
    content = b"" if upload.size > limit else upload.read()
    again = SimpleUploadedFile(name, content)
    again.size = upload.size
    return name, content, again
