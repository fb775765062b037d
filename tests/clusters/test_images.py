"""Every uploaded picture is stored re-encoded (clusters.images): upright, at most 2,000 px on
its long side, with no metadata block left (EXIF with the GPS location, XMP, ICC, comments,
PNG text chunks); a file that does not decode, or a decompression bomb, is refused. Through
the services that store pictures: conference photos, activity photos, signatures' scanned
copies and the conference's minutes, and the admin's forms."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from clusters import images
from clusters.forms.activities import PhotoForm as ActivityPhotoForm
from clusters.forms.signing import PhotoForm as SigningPhotoForm
from clusters.models import ActivityPhoto, ConferencePhoto, Signature
from clusters.services import activities as activity_services
from clusters.services import signing as signing_services
from tests.factories import PledgeFactory, SigningConferenceFactory
from tests.pictures import (
    assert_no_metadata,
    bogus_jpeg,
    phone_jpeg,
    png_bomb,
    png_bytes,
    png_with_text,
    truncated_jpeg,
    webp_with_exif,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def clean(data: bytes, name: str = "IMG_0001.JPG"):
    return images.clean_image(SimpleUploadedFile(name, data))


def red_blue(picture: Image.Image, first: tuple[int, int], second: tuple[int, int]) -> list:
    """Whether the pixel at ``first`` is red and the one at ``second`` blue (JPEG colours
    are approximate)."""
    rgb = picture.convert("RGB")
    a, b = rgb.getpixel(first), rgb.getpixel(second)
    return [a[0] > 180 and a[2] < 80, b[2] > 180 and b[0] < 80]


# --- The function ------------------------------------------------------------------------


def test_clean_image_phone_jpeg_keeps_no_metadata():
    data = phone_jpeg((4000, 3000), orientation=6)

    cleaned = clean(data).read()

    picture = assert_no_metadata(cleaned)
    assert picture.format == "JPEG"
    assert b"Exif" not in cleaned
    assert "exif" not in picture.info
    assert dict(picture.getexif()) == {}


def test_clean_image_orientation_6_turns_pixels_and_swaps_sides():
    cleaned = Image.open(clean(phone_jpeg((4000, 3000), orientation=6)))

    # Orientation 6: the camera was turned a quarter clockwise; upright, the left half (red)
    # is on top.
    assert cleaned.size == (1500, 2000)
    assert red_blue(cleaned, (750, 100), (750, 1900)) == [True, True]


def test_clean_image_orientation_3_turns_upside_down():
    cleaned = Image.open(clean(phone_jpeg((800, 600), orientation=3)))

    assert cleaned.size == (800, 600)
    assert red_blue(cleaned, (700, 300), (100, 300)) == [True, True]


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((4000, 3000), (2000, 1500)),
        ((3000, 4000), (1500, 2000)),
        ((6000, 1000), (2000, 333)),
        ((2000, 1999), (2000, 1999)),
        ((1000, 600), (1000, 600)),
    ],
)
def test_clean_image_long_side_at_most_2000_aspect_kept(size, expected):
    cleaned = Image.open(clean(phone_jpeg(size, orientation=1)))

    assert cleaned.size == expected


def test_clean_image_jpeg_stays_a_progressive_jpeg_named_jpg():
    cleaned = clean(phone_jpeg((800, 600), orientation=1), name="anh hoi nghi.jpeg")

    picture = Image.open(cleaned)
    assert (cleaned.name, picture.format, picture.mode) == ("anh hoi nghi.jpg", "JPEG", "RGB")
    assert picture.info["progressive"] == 1


def test_clean_image_png_text_chunks_removed_pixels_kept():
    data = png_with_text((60, 40))

    cleaned = clean(data, name="so-do.png").read()

    picture = assert_no_metadata(cleaned)
    assert (picture.format, picture.size) == ("PNG", (60, 40))
    assert picture.info == {}
    assert picture.tobytes() == Image.open(io.BytesIO(data)).convert("RGB").tobytes()


def test_clean_image_png_palette_transparency_kept():
    source = Image.new("P", (10, 10), 1)
    source.putpalette([0, 0, 0, 255, 0, 0])
    out = io.BytesIO()
    source.save(out, "PNG", transparency=0)

    picture = Image.open(clean(out.getvalue(), name="logo.png"))

    assert (picture.mode, picture.info) == ("P", {"transparency": 0})


def test_clean_image_large_palette_png_is_shrunk_smoothly_with_its_transparency():
    source = Image.new("P", (3000, 100), 1)
    source.putpalette([0, 0, 0, 255, 0, 0])
    out = io.BytesIO()
    source.save(out, "PNG", transparency=0)

    picture = Image.open(clean(out.getvalue(), name="banner.png"))

    assert (picture.mode, picture.size) == ("RGBA", (2000, 67))
    assert picture.getpixel((10, 10)) == (255, 0, 0, 255)


def test_clean_image_webp_stays_webp_without_exif():
    cleaned = clean(webp_with_exif((300, 200), orientation=6), name="anh.webp")

    data = cleaned.read()
    picture = assert_no_metadata(data)
    assert (cleaned.name, picture.format, picture.size) == ("anh.webp", "WEBP", (200, 300))


def test_clean_image_sixteen_bit_grey_png_is_scaled_not_clipped():
    out = io.BytesIO()
    Image.new("I;16", (20, 10), 40000).save(out, "PNG")

    picture = Image.open(clean(out.getvalue(), name="scan.png"))

    assert (picture.mode, picture.getpixel((0, 0))) == ("L", 156)


def test_clean_image_cmyk_jpeg_becomes_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(out, "JPEG")

    picture = Image.open(clean(out.getvalue()))

    assert picture.mode == "RGB"
    assert red_blue(picture, (20, 15), (20, 15))[0] is True


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_clean_image_photo_with_corrupt_exif_is_kept_without_it():
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (220, 20, 20)).save(out, "JPEG", exif=b"Exif\x00\x00II*\x00\xff")

    cleaned = clean(out.getvalue()).read()

    assert assert_no_metadata(cleaned).size == (20, 10)


@pytest.mark.parametrize(
    "data", [bogus_jpeg(), truncated_jpeg(), b"\x89PNG\r\n\x1a\n" + b"\0" * 64]
)
def test_clean_image_file_that_does_not_decode_is_refused(data):
    with pytest.raises(ValidationError) as refused:
        clean(data)

    assert refused.value.code == "image_unreadable"


def test_clean_image_pdf_is_refused():
    with pytest.raises(ValidationError) as refused:
        clean(PDF, name="anh.jpg")

    assert refused.value.code == "image_unreadable"


def test_clean_image_decompression_bomb_is_refused():
    with pytest.raises(ValidationError) as refused:
        clean(png_bomb(40_000, 40_000), name="bom.png")

    assert refused.value.code == "image_too_large"
    assert refused.value.params == {"limit": 89}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_clean_image_more_pixels_than_the_limit_is_refused_before_decoding(monkeypatch):
    # Between the limit and twice it Pillow only warns (ignored in production): the check
    # of clean_image refuses it all the same.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)

    with pytest.raises(ValidationError) as refused:
        clean(phone_jpeg((150, 100), orientation=1))

    assert refused.value.code == "image_too_large"
    assert refused.value.params == {"limit": 1}


def test_clean_upload_keeps_a_pdf_as_it_came():
    upload = SimpleUploadedFile("bien-ban.pdf", PDF)

    assert images.clean_upload(upload) is upload


def test_clean_upload_cleans_a_picture():
    cleaned = images.clean_upload(SimpleUploadedFile("scan.jpg", phone_jpeg((900, 600))))

    assert Image.open(cleaned).size == (600, 900)


# --- Through the services ----------------------------------------------------------------


@pytest.fixture
def conference(org):
    return SigningConferenceFactory(cluster=org.cluster)


@pytest.fixture
def activity(org):
    return activity_services.activity_record(
        clusters=[org.cluster],
        held_on=dt.date(2023, 5, 12),
        host=org.member_unit,
        title="Giao lưu nghiệp vụ",
    )


def test_conference_photo_add_stores_the_phone_photo_clean(conference, media):
    photo = signing_services.conference_photo_add(
        conference=conference, image=SimpleUploadedFile("IMG_0001.jpg", phone_jpeg())
    )

    data = (media / photo.image.name).read_bytes()
    picture = assert_no_metadata(data)
    assert picture.size == (1500, 2000)
    assert photo.image.name.startswith("signing/photos/")
    assert photo.image.name.endswith(".jpg")


def test_conference_photo_add_refuses_a_bogus_picture_and_stores_nothing(conference, media):
    with pytest.raises(ValidationError) as refused:
        signing_services.conference_photo_add(
            conference=conference, image=SimpleUploadedFile("anh.jpg", bogus_jpeg())
        )

    assert list(refused.value.error_dict) == ["image"]
    assert ConferencePhoto.objects.count() == 0
    assert stored_files(media) == []


def test_activity_photo_add_stores_the_phone_photo_clean(activity, media):
    photo = activity_services.activity_photo_add(
        activity=activity, image=SimpleUploadedFile("IMG_0002.JPG", phone_jpeg()), caption="A"
    )

    picture = assert_no_metadata((media / photo.image.name).read_bytes())
    assert picture.size == (1500, 2000)


def test_activity_photo_add_stores_a_png_without_its_text(activity, media):
    photo = activity_services.activity_photo_add(
        activity=activity, image=SimpleUploadedFile("so-do.png", png_with_text())
    )

    picture = assert_no_metadata((media / photo.image.name).read_bytes())
    assert (picture.format, picture.info) == ("PNG", {})


def test_activity_photo_add_refuses_a_bomb_and_stores_nothing(activity, media):
    with pytest.raises(ValidationError) as refused:
        activity_services.activity_photo_add(
            activity=activity, image=SimpleUploadedFile("bom.png", png_bomb())
        )

    assert [e.code for e in refused.value.error_dict["image"]] == ["image_too_large"]
    assert ActivityPhoto.objects.count() == 0
    assert stored_files(media) == []


def test_activity_photo_add_still_refuses_a_pdf_by_its_content(activity, media):
    with pytest.raises(ValidationError) as refused:
        activity_services.activity_photo_add(
            activity=activity, image=SimpleUploadedFile("anh.jpg", PDF)
        )

    assert [e.code for e in refused.value.error_dict["image"]] == ["file_type"]
    assert stored_files(media) == []


def test_signature_scanned_copy_photographed_is_stored_clean(org, media):
    pledge = PledgeFactory(cluster=org.cluster)

    signature = signing_services.signature_sign(
        pledge=pledge,
        unit=org.member_unit,
        signatory="Nguyễn Văn A",
        position="Trưởng Công an",
        signed_on=dt.date(2023, 2, 26),
        scanned_copy=SimpleUploadedFile("chu-ky.jpg", phone_jpeg((3000, 4000), orientation=1)),
    )

    picture = assert_no_metadata((media / signature.scanned_copy.name).read_bytes())
    assert picture.size == (1500, 2000)


def test_signature_scanned_copy_pdf_is_stored_as_it_came(org, media):
    pledge = PledgeFactory(cluster=org.cluster)

    signature = signing_services.signature_sign(
        pledge=pledge,
        unit=org.member_unit,
        signatory="Nguyễn Văn A",
        position="Trưởng Công an",
        signed_on=dt.date(2023, 2, 26),
        scanned_copy=SimpleUploadedFile("chu-ky.pdf", PDF),
    )

    assert (media / signature.scanned_copy.name).read_bytes() == PDF


def test_signature_with_a_bogus_scan_is_refused_and_no_file_stored(org, media):
    pledge = PledgeFactory(cluster=org.cluster)

    with pytest.raises(ValidationError) as refused:
        signing_services.signature_sign(
            pledge=pledge,
            unit=org.member_unit,
            signatory="Nguyễn Văn A",
            position="Trưởng Công an",
            signed_on=dt.date(2023, 2, 26),
            scanned_copy=SimpleUploadedFile("chu-ky.jpg", bogus_jpeg()),
        )

    assert list(refused.value.error_dict) == ["scanned_copy"]
    assert stored_files(media) == []
    assert Signature.objects.filter(scanned_copy__gt="").count() == 0


def test_conference_minutes_photographed_are_stored_clean(conference, media):
    signing_services.conference_minutes_attach(
        conference=conference, upload=SimpleUploadedFile("bien-ban.png", png_with_text())
    )

    conference.refresh_from_db()
    assert_no_metadata((media / conference.minutes.name).read_bytes())


# --- Through the admin -------------------------------------------------------------------


def test_admin_conference_photo_added_is_stored_clean(client, org, conference, media):
    client.force_login(org.leader)

    response = client.post(
        reverse("admin:clusters_conferencephoto_add"),
        {
            "conference": str(conference.pk),
            "caption": "Ký kết",
            "image": SimpleUploadedFile("IMG_0003.jpg", phone_jpeg()),
        },
    )

    assert response.status_code == 302
    photo = ConferencePhoto.objects.get()
    picture = assert_no_metadata((media / photo.image.name).read_bytes())
    assert picture.size == (1500, 2000)


def test_admin_activity_photo_bogus_is_an_error_on_its_field(client, org, activity, media):
    client.force_login(org.leader)

    response = client.post(
        reverse("admin:clusters_activityphoto_add"),
        {
            "activity": str(activity.pk),
            "caption": "",
            "image": SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
        },
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["image"]
    assert ActivityPhoto.objects.count() == 0
    assert stored_files(media) == []


def test_admin_inline_photo_of_a_conference_is_stored_clean(client, org, conference, media):
    client.force_login(org.leader)
    data = {
        "cluster": str(org.cluster.pk),
        "held_on": "2023-02-26",
        "place": conference.place,
        "chair": conference.chair,
        "attendees": "",
        "notes": "",
        "photos-TOTAL_FORMS": "1",
        "photos-INITIAL_FORMS": "0",
        "photos-0-image": SimpleUploadedFile("anh.webp", webp_with_exif()),
        "photos-0-caption": "Toàn cảnh",
    }

    response = client.post(
        reverse("admin:clusters_signingconference_change", args=[conference.pk]), data
    )

    assert response.status_code == 302
    photo = ConferencePhoto.objects.get()
    assert assert_no_metadata((media / photo.image.name).read_bytes()).size == (200, 300)


def test_small_plain_png_survives_the_round_trip(activity, media):
    photo = activity_services.activity_photo_add(
        activity=activity, image=SimpleUploadedFile("a.png", png_bytes((4, 3)))
    )

    stored = Image.open(media / photo.image.name)
    assert (stored.size, stored.getpixel((0, 0)), stored.getpixel((3, 0))) == (
        (4, 3),
        (220, 20, 20),
        (20, 20, 220),
    )


@pytest.mark.parametrize("form_class", [SigningPhotoForm, ActivityPhotoForm])
def test_photo_forms_offer_the_camera(form_class):
    assert 'accept="image/*"' in str(form_class()["image"])
