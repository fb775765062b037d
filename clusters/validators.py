"""Validators for uploaded files: the type is read from the content, not the name."""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

IMAGE_TYPES = frozenset({"jpeg", "png", "webp"})
DOCUMENT_TYPES = frozenset({"pdf", "docx", "xlsx", "doc", "xls", "jpeg", "png", "webp"})

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(upload: File) -> str | None:
    """Name the type of ``upload`` from its first bytes (and, for Office files, its parts)."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(_OLE_MAGIC):
        # Old Word and Excel files share the OLE container; which one is in the name's care.
        name = (getattr(upload, "name", "") or "").lower()
        return "xls" if name.endswith(".xls") else "doc"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


@deconstructible
class FileContentValidator:
    """Refuse a file whose content is not one of ``allowed`` or that is too large."""

    def __init__(self, allowed: frozenset[str] | list[str] | tuple[str, ...]) -> None:
        self.allowed = tuple(sorted(allowed))

    def __call__(self, value: File) -> None:
        limit = settings.UPLOAD_MAX_MB * 1024 * 1024
        if value.size is not None and value.size > limit:
            raise ValidationError(
                _("The file is larger than %(limit)s MB."),
                code="file_too_large",
                params={"limit": settings.UPLOAD_MAX_MB},
            )
        kind = sniff(value)
        if kind not in self.allowed:
            raise ValidationError(
                _("This type of file is not accepted. Accepted: %(types)s."),
                code="file_type",
                params={"types": ", ".join(t.upper() for t in self.allowed)},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileContentValidator) and self.allowed == other.allowed


validate_image = FileContentValidator(IMAGE_TYPES)
validate_document = FileContentValidator(DOCUMENT_TYPES)
