"""Evidence photographed with a phone: the evidence field offers the camera (accept
"image/*", documents still accepted), and a photo is stored re-encoded by clusters.images,
upright, at most 2,000 px, without EXIF (GPS location included) or any other metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters import images
from clusters.enums import Phase
from scoring import services
from scoring.enums import Stage
from scoring.models import Evidence, ScoreEntry
from tests.pictures import assert_no_metadata, bogus_jpeg, phone_jpeg, png_with_text

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def own(org, table):
    """Self-assessment open; the member unit's own sheet."""
    org.campaign.phase = Phase.SELF_ASSESSMENT
    org.campaign.save()
    return services.sheet_get_or_create(cluster=org.cluster, unit=org.member_unit, stage=Stage.SELF)


def first_entry(sheet) -> ScoreEntry:
    return sheet.entries.get(criterion__code="I.1")


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_evidence_add_stores_a_phone_photo_without_exif(own, media):
    evidence = services.evidence_add(
        entry=first_entry(own),
        upload=SimpleUploadedFile("IMG_20261120_081500.jpg", phone_jpeg((4000, 3000), 6)),
        description="Ảnh hiện trường",
    )

    data = (media / evidence.file.name).read_bytes()
    picture = assert_no_metadata(data)
    assert b"Exif" not in data
    assert "exif" not in picture.info
    assert dict(picture.getexif()) == {}
    assert (picture.format, picture.size) == ("JPEG", (1500, 2000))
    assert evidence.file.name.startswith("evidence/")
    assert evidence.file.name.endswith("IMG_20261120_081500.jpg")


def test_evidence_add_stores_a_png_without_its_text_chunks(own, media):
    evidence = services.evidence_add(
        entry=first_entry(own), upload=SimpleUploadedFile("so-lieu.png", png_with_text())
    )

    picture = assert_no_metadata((media / evidence.file.name).read_bytes())
    assert (picture.format, picture.info) == ("PNG", {})


def test_evidence_add_keeps_a_pdf_as_it_came(own, media):
    evidence = services.evidence_add(
        entry=first_entry(own), upload=SimpleUploadedFile("bao-cao.pdf", PDF)
    )

    assert (media / evidence.file.name).read_bytes() == PDF


def test_evidence_add_refuses_a_bogus_picture_and_stores_nothing(own, media):
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            entry=first_entry(own), upload=SimpleUploadedFile("anh.jpg", bogus_jpeg())
        )

    assert [e.code for e in refused.value.error_dict["file"]] == ["image_unreadable"]
    assert Evidence.objects.count() == 0
    assert stored_files(media) == []


def test_evidence_upload_view_stores_the_photo_clean(client, org, own, media):
    client.force_login(org.member)

    response = client.post(
        reverse("evidence_upload", args=[first_entry(own).pk]),
        {"file": SimpleUploadedFile("IMG_0004.JPG", phone_jpeg()), "description": "Ảnh"},
        **HTMX,
    )

    assert response.status_code == 200
    evidence = Evidence.objects.get()
    assert assert_no_metadata((media / evidence.file.name).read_bytes()).size == (1500, 2000)


def test_evidence_upload_view_refuses_a_bogus_picture_with_its_reason(client, org, own, media):
    client.force_login(org.member)

    response = client.post(
        reverse("evidence_upload", args=[first_entry(own).pk]),
        {"file": SimpleUploadedFile("anh.jpg", bogus_jpeg()), "description": ""},
        **HTMX,
    )

    assert response.status_code == 200
    assert str(images.UNREADABLE) in response.content.decode()
    assert Evidence.objects.count() == 0
    assert stored_files(media) == []


def test_sheet_evidence_field_offers_the_camera_and_documents(client, org, own):
    client.force_login(org.member)

    response = client.get(reverse("my_sheet"))

    assert 'accept="image/*,.pdf,.doc,.docx,.xls,.xlsx"' in response.content.decode()
