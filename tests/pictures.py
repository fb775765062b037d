"""Pictures for the upload tests, made with Pillow: a phone's JPEG with everything a phone
writes into it (EXIF with the GPS location and the orientation, XMP, an ICC profile, a
comment), a PNG with text chunks, a WebP with EXIF, and files that only claim to be
pictures. ``assert_no_metadata`` is the check every stored picture must pass."""

from __future__ import annotations

import functools
import io
import struct
import zlib

from PIL import Image, ImageCms, PngImagePlugin

# Where the photo was taken, as a phone writes it: 21°01'30" N, 105°51'00" E (Hà Nội).
GPS = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="21,1.5N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
COMMENT = b"Camera SM-A525F serial 0123456789"
# Marks of metadata blocks in the encoded bytes: JPEG's APP1 Exif and XMP and APP2 ICC,
# PNG's eXIf, iCCP and text chunks, WebP's EXIF, XMP and ICCP chunks.
METADATA_MARKS = (
    b"Exif",
    b"EXIF",
    b"http://ns.adobe.com/xap/1.0/",
    b"ICC_PROFILE",
    b"eXIf",
    b"iCCP",
    b"tEXt",
    b"zTXt",
    b"iTXt",
    b"XMP ",
    b"ICCP",
    b"adobe:ns:meta",
    COMMENT,
)


def phone_exif(orientation: int = 6) -> Image.Exif:
    """EXIF as a phone writes it: make, model, time, orientation and the GPS location."""
    exif = Image.Exif()
    exif[0x010F] = "Samsung"  # Make
    exif[0x0110] = "SM-A525F"  # Model
    exif[0x0132] = "2026:11:20 08:15:00"  # DateTime
    exif[0x0112] = orientation  # Orientation
    exif[0x8825] = GPS  # GPSInfo
    return exif


def halves(size: tuple[int, int]) -> Image.Image:
    """Left half red, right half blue: where each half ends up shows the rotation."""
    width, height = size
    picture = Image.new("RGB", size, (20, 20, 220))
    picture.paste((220, 20, 20), (0, 0, width // 2, height))
    return picture


@functools.cache  # bytes: the same photo for every test that asks, made once
def phone_jpeg(size: tuple[int, int] = (4000, 3000), orientation: int = 6) -> bytes:
    """A phone's photo: JPEG with EXIF (GPS, orientation), XMP, an ICC profile, a comment."""
    out = io.BytesIO()
    halves(size).save(
        out,
        "JPEG",
        quality=90,
        exif=phone_exif(orientation),
        xmp=XMP,
        icc_profile=SRGB_ICC,
        comment=COMMENT,
    )
    return out.getvalue()


def png_with_text(size: tuple[int, int] = (60, 40)) -> bytes:
    """A PNG with tEXt, zTXt and iTXt chunks, an eXIf chunk with the GPS location and an
    ICC profile."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 21.025 105.85")  # Latin-1 text: a tEXt chunk
    info.add_text("Author", "Nguyen Van A", zip=True)  # zTXt
    info.add_itxt("Description", "Hội nghị ký kết", lang="vi")
    out = io.BytesIO()
    halves(size).save(
        out, "PNG", pnginfo=info, exif=phone_exif(orientation=1), icc_profile=SRGB_ICC
    )
    return out.getvalue()


def webp_with_exif(size: tuple[int, int] = (300, 200), orientation: int = 6) -> bytes:
    out = io.BytesIO()
    halves(size).save(
        out, "WEBP", quality=90, exif=phone_exif(orientation), xmp=XMP, icc_profile=SRGB_ICC
    )
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (4, 3)) -> bytes:
    """A plain small PNG."""
    out = io.BytesIO()
    halves(size).save(out, "PNG")
    return out.getvalue()


def bogus_jpeg() -> bytes:
    """Starts like a JPEG, is not one."""
    return b"\xff\xd8\xff\xe0" + b"not a picture at all " * 20


def truncated_jpeg() -> bytes:
    """A real photo cut in the middle, as a dropped connection leaves it."""
    data = phone_jpeg((800, 600), orientation=1)
    return data[: len(data) // 2]


def png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels in a few dozen bytes: decoded,
    it would take gigabytes of memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def assert_no_metadata(data: bytes) -> Image.Image:
    """Assert that the encoded picture ``data`` carries no metadata block; return it open."""
    picture = Image.open(io.BytesIO(data))
    assert dict(picture.getexif()) == {}
    kept = {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "Comment", "Author"}
    assert sorted(kept & set(picture.info)) == []
    assert [mark for mark in METADATA_MARKS if mark in data] == []
    return picture
