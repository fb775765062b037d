"""Photos of a model or advanced example (issue 15 point 8): uploaded from the model's page by
whoever may edit the model, stored cleaned (re-encoded, at most 2,000 px, no EXIF), served
only through the permission check, removed with their file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import AdvancedModelPhoto
from clusters.services import activities as activity_services
from tests.factories import UnitFactory
from tests.pictures import assert_no_metadata, phone_jpeg, png_bytes

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def model(org):
    """A model of the member unit M1, replicated by the deputy unit."""
    return activity_services.advanced_model_record(
        unit=org.member_unit,
        title="Mô hình camera an ninh",
        since=dt.date(2022, 3, 1),
        replicated_by=[org.deputy_unit],
    )


@pytest.fixture
def photo(model, media):
    return activity_services.model_photo_add(
        model=model, image=SimpleUploadedFile("a.png", png_bytes()), caption="Ảnh 1"
    )


def _login(client, org, role):
    client.force_login(getattr(org, role))
    return client


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- The service: cleaned like an activity's photo ---------------------------------------


def test_model_photo_add_stores_the_phone_photo_without_exif(model, media):
    photo = activity_services.model_photo_add(
        model=model, image=SimpleUploadedFile("IMG_0002.JPG", phone_jpeg()), caption="  Mặt trước "
    )

    data = (media / photo.image.name).read_bytes()
    picture = assert_no_metadata(data)
    assert picture.size == (1500, 2000)  # turned upright, long side 2,000 px
    assert b"Samsung" not in data
    assert photo.image.name.startswith("activities/photos/")
    assert photo.caption == "Mặt trước"


def test_model_photo_add_refuses_a_pdf_by_its_content(model, media):
    with pytest.raises(ValidationError) as refused:
        activity_services.model_photo_add(model=model, image=SimpleUploadedFile("anh.jpg", PDF))

    assert [e.code for e in refused.value.error_dict["image"]] == ["file_type"]
    assert AdvancedModelPhoto.objects.count() == 0
    assert stored_files(media) == []


def test_model_photo_remove_deletes_the_file_after_commit(
    photo, media, django_capture_on_commit_callbacks
):
    name = photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        activity_services.model_photo_remove(photo=photo)

    assert AdvancedModelPhoto.objects.count() == 0
    assert not (media / name).exists()


# --- The pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("staff", 302),
        ("member", 302),  # the model's own unit
        ("leader", 403),
        ("deputy", 403),  # replicated it: may see it, not change it
        ("outsider", 403),
    ],
)
def test_model_photo_add_by_role(client, org, model, media, role, status):
    response = _login(client, org, role).post(
        reverse("model_photo_add", args=[model.pk]),
        {"image": SimpleUploadedFile("p.jpg", phone_jpeg((800, 600))), "caption": "Ảnh"},
    )
    assert response.status_code == status
    assert model.photos.count() == (1 if status == 302 else 0)
    if status == 302:
        assert response["Location"] == reverse("model_detail", args=[model.pk]) + "#photos"
        assert_no_metadata((media / model.photos.get().image.name).read_bytes())


def test_model_photo_add_outside_scope_404(client, org, media):
    hidden = activity_services.advanced_model_record(unit=UnitFactory(code="X9"), title="Ẩn")
    response = _login(client, org, "member").post(
        reverse("model_photo_add", args=[hidden.pk]),
        {"image": SimpleUploadedFile("p.png", png_bytes())},
    )
    assert response.status_code == 404
    assert AdvancedModelPhoto.objects.count() == 0


def test_model_photo_add_get_405(client, org, model):
    response = _login(client, org, "member").get(reverse("model_photo_add", args=[model.pk]))
    assert response.status_code == 405


def test_model_photo_add_refuses_a_fake_image_with_a_message(client, org, model, media):
    fake = SimpleUploadedFile("p.png", b"<html>not an image</html>", content_type="image/png")
    response = _login(client, org, "member").post(
        reverse("model_photo_add", args=[model.pk]), {"image": fake}, follow=True
    )
    assert response.status_code == 200
    assert model.photos.count() == 0
    assert len([m for m in response.context["messages"] if m.level_tag == "error"]) == 1
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("member", 200),
        ("leader", 200),
        ("deputy", 200),
        ("outsider", 200),  # a unit of the same campaign sees its peers' models
    ],
)
def test_model_photo_download_by_role(client, org, photo, media, role, status):
    response = _login(client, org, role).get(reverse("model_photo", args=[photo.pk]))
    assert response.status_code == status
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content) == (media / photo.image.name).read_bytes()
    response.close()


def test_model_photo_download_outside_scope_404_and_anonymous_redirected(client, org, media):
    hidden = activity_services.advanced_model_record(unit=UnitFactory(code="X9"), title="Ẩn")
    photo = activity_services.model_photo_add(
        model=hidden, image=SimpleUploadedFile("p.png", png_bytes())
    )
    assert client.get(reverse("model_photo", args=[photo.pk])).status_code == 302
    response = _login(client, org, "member").get(reverse("model_photo", args=[photo.pk]))
    assert response.status_code == 404


def test_model_photo_download_post_405(client, org, photo):
    response = _login(client, org, "admin").post(reverse("model_photo", args=[photo.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 302), ("staff", 302), ("member", 302), ("deputy", 403), ("outsider", 403)],
)
def test_model_photo_remove_by_role(
    client, org, photo, media, role, status, django_capture_on_commit_callbacks
):
    name = photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        response = _login(client, org, role).post(reverse("model_photo_remove", args=[photo.pk]))
    assert response.status_code == status
    assert AdvancedModelPhoto.objects.filter(pk=photo.pk).exists() == (status != 302)
    assert (media / name).exists() == (status != 302)


def test_model_photo_remove_get_405(client, org, photo):
    response = _login(client, org, "member").get(reverse("model_photo_remove", args=[photo.pk]))
    assert response.status_code == 405


def test_model_page_shows_the_photos_and_the_camera_upload_to_its_editors(
    client, org, photo, settings
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _login(client, org, "member").get(
        reverse("model_detail", args=[photo.advanced_model_id])
    )
    html = page.content.decode()
    assert reverse("model_photo", args=[photo.pk]) in html
    assert 'alt="Ảnh 1"' in html
    assert 'accept="image/*"' in html
    assert reverse("model_photo_remove", args=[photo.pk]) in html

    reader = _login(client, org, "deputy").get(
        reverse("model_detail", args=[photo.advanced_model_id])
    )
    html = reader.content.decode()
    assert reverse("model_photo", args=[photo.pk]) in html
    assert 'accept="image/*"' not in html
    assert reverse("model_photo_remove", args=[photo.pk]) not in html
