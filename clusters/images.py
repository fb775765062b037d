"""Every uploaded picture as it is stored: re-encoded on the server, whatever sent it.

A photo taken on a phone carries the place it was taken (EXIF GPS), the phone's make and
serial, the time, a thumbnail of the original, often XMP and a colour profile. None of that
belongs to a score sheet or a conference's gallery, and a 12-50 megapixel original is far
more than a page shows. So ``clean_image`` decodes the picture, turns it upright (the EXIF
orientation applied to the pixels), converts a colour profile to sRGB, shrinks it to at most
``MAX_SIDE`` pixels on its long side (aspect kept) and encodes it again in its own format
with no metadata block at all: no EXIF, XMP, ICC profile, comment or text chunk.

The services that store uploads call it right after the model's content check
(``clusters.validators``), so views, imports and the admin go through the same function:
``clean_upload`` for fields that also take documents (a PDF or Word file is kept as it came),
``clean_field_upload`` for a new upload waiting in a model's file field.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

from clusters.validators import IMAGE_TYPES, sniff

MAX_SIDE = 2000  # pixels on the long side of a stored picture
JPEG_QUALITY = 85
WEBP_QUALITY = 85

_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_SUFFIXES = {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}
# Modes each format stores as they are; anything else is converted first.
_KEPT_MODES = {
    "jpeg": {"L", "RGB"},
    "png": {"1", "L", "LA", "P", "RGB", "RGBA"},
    "webp": {"RGB", "RGBA"},
}
# What a damaged or hostile file makes Pillow's decoders raise.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, struct.error)
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


UNREADABLE = _(
    "The picture cannot be read: the file is damaged or is not really a JPEG, PNG or WebP "
    "picture. Take or choose the photo again."
)
TOO_LARGE = _(
    "The picture has too many pixels (at most %(limit)s megapixels). Reduce its size and "
    "upload it again."
)


def _unreadable() -> ValidationError:
    return ValidationError(UNREADABLE, code="image_unreadable")


def _too_large() -> ValidationError:
    limit = Image.MAX_IMAGE_PIXELS or 0
    return ValidationError(
        TOO_LARGE, code="image_too_large", params={"limit": max(1, round(limit / 1_000_000))}
    )


def _check_pixels(size: tuple[int, int]) -> None:
    """Refuse a picture whose pixels would exhaust memory once decoded (a decompression bomb:
    a few kilobytes that unpack to gigabytes), before any pixel is decoded."""
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and size[0] * size[1] > limit:
        raise _too_large()


def _fit(size: tuple[int, int]) -> tuple[int, int]:
    """``size`` shrunk (never enlarged) so its long side is at most MAX_SIDE, aspect kept."""
    width, height = size
    scale = min(1.0, MAX_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_srgb(picture: Image.Image, icc: bytes | None) -> Image.Image:
    """Colours converted from the picture's embedded profile (Display P3, Adobe RGB, a CMYK
    press profile) to sRGB, the profile a browser assumes once the embedded one is removed;
    an unusable profile is ignored."""
    if not icc or picture.mode not in ("RGB", "RGBA", "CMYK"):
        return picture
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if picture.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(picture, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return picture
    return converted if converted is not None else picture


def _has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("LA", "RGBA", "PA") or "transparency" in picture.info


def _decode(upload: File, kind: str) -> tuple[Image.Image, object]:
    """The picture upright, in sRGB, at most MAX_SIDE on its long side, and its PNG
    transparency (a palette or colour key), with no other information attached."""
    with Image.open(upload, formats=[_FORMATS[kind]]) as source:
        _check_pixels(source.size)
        if kind == "jpeg":
            # Decode a large JPEG at 1/2, 1/4 or 1/8 scale directly (far less memory).
            source.draft(None, _fit(source.size))
        source.load()
        icc = source.info.get("icc_profile")
        try:
            picture = ImageOps.exif_transpose(source)
        except _DECODE_ERRORS:
            # Unreadable EXIF: the pixels are sound, only their orientation is unknown.
            picture = source.copy()
    picture = _to_srgb(picture, icc)
    if picture.mode.startswith("I"):
        # 16- or 32-bit grey (some scanners): scaled to 8 bits, not clipped to white.
        picture = picture.convert("I").point(lambda value: value / 256).convert("L")
    if picture.size != _fit(picture.size):
        if picture.mode not in ("L", "LA", "RGB", "RGBA"):
            # A palette or bilevel picture would be shrunk by dropping pixels.
            picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
        picture = picture.resize(_fit(picture.size), Image.Resampling.LANCZOS)
    if picture.mode not in _KEPT_MODES[kind]:
        alpha = kind != "jpeg" and _has_alpha(picture)
        picture = picture.convert("RGBA" if alpha else "RGB")
    transparency = picture.info.get("transparency") if kind == "png" else None
    # Drop everything read from the file: JPEG's writer would copy a comment from here, PNG's
    # a colour profile.
    picture.info = {}
    return picture, transparency


def _encode(picture: Image.Image, kind: str, transparency: object) -> bytes:
    """The picture in its own format with no metadata: nothing but the pixels is passed."""
    out = io.BytesIO()
    if kind == "jpeg":
        picture.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    elif kind == "png":
        keep = {"transparency": transparency} if transparency is not None else {}
        picture.save(out, "PNG", **keep)
    else:
        picture.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def clean_image(upload: File) -> ContentFile:
    """The uploaded JPEG, PNG or WebP picture re-encoded in the same format: orientation
    applied to the pixels (``ImageOps.exif_transpose``), at most ``MAX_SIDE`` pixels on the
    long side, every metadata block removed (EXIF with its GPS location, XMP, ICC profile
    after conversion to sRGB, comments, PNG text chunks). A file that does not decode, or
    whose pixels exceed ``Image.MAX_IMAGE_PIXELS``, is refused (ValidationError) and nothing
    is written. Only the first frame of an animated picture is kept."""
    kind = sniff(upload)
    if kind not in IMAGE_TYPES:
        raise _unreadable()
    upload.seek(0)
    try:
        picture, transparency = _decode(upload, kind)
        data = _encode(picture, kind, transparency)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        raise _too_large() from bomb
    except _DECODE_ERRORS as damaged:
        raise _unreadable() from damaged
    finally:
        upload.seek(0)
    stem = Path(getattr(upload, "name", "") or "").stem or "photo"
    return ContentFile(data, name=stem + _SUFFIXES[kind])


def clean_upload(upload: File) -> File:
    """A picture (by its content) re-encoded by ``clean_image``; any other file, such as a
    PDF or Word document, as it came."""
    if sniff(upload) in IMAGE_TYPES:
        return clean_image(upload)
    return upload


def clean_field_upload(instance: models.Model, field: str) -> None:
    """Replace a new upload waiting in ``instance.<field>`` (not yet stored) by
    ``clean_upload``'s copy; a file already stored is left alone. Call it after
    ``full_clean()`` (the content and size checks) and before ``save()``. A refusal is a
    ValidationError on ``field``."""
    value = getattr(instance, field)
    if not value or getattr(value, "_committed", True):
        return
    upload = value.file
    if not getattr(upload, "name", None):
        upload.name = value.name
    try:
        cleaned = clean_upload(upload)
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from error
    if cleaned is not upload:
        setattr(instance, field, cleaned)
