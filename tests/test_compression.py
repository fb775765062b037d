"""Pages and JSON are gzipped by the application (emulation.compression), with Django's random
padding; files and the pages that show a lasting secret are not (docs/security.md)."""

from __future__ import annotations

import gzip

import pytest
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory

from emulation.compression import TextGZipMiddleware

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
PAGE = "<!doctype html><title>t</title>" + "<p>Thi đua khen thưởng</p>" * 50


def _through_middleware(response: HttpResponse, **headers: str) -> HttpResponse:
    request = RequestFactory().get("/", **headers)
    return TextGZipMiddleware(lambda _request: response)(request)


@pytest.mark.django_db
def test_compression_page_gzipped_when_the_browser_accepts_it(client):
    response = client.get("/login/", **GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    page = gzip.decompress(response.content).decode()
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert 'name="csrfmiddlewaretoken"' in page
    assert int(response["Content-Length"]) == len(response.content) < len(page.encode())


@pytest.mark.django_db
def test_compression_page_plain_without_accept_encoding(client):
    response = client.get("/login/")

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]
    assert b"csrfmiddlewaretoken" in response.content


def test_compression_padding_changes_the_length_of_the_same_answer():
    lengths = {len(_through_middleware(HttpResponse(PAGE), **GZIP).content) for _ in range(20)}

    assert len(lengths) > 1


def test_compression_json_gzipped():
    response = _through_middleware(JsonResponse({"rows": ["12,50"] * 100}), **GZIP)

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b'{"rows": ["12,50"')


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/pdf",
        "image/png",
        "application/octet-stream",
    ],
)
def test_compression_files_sent_as_they_are(content_type):
    body = b"PK\x03\x04" + b"x" * 2000

    response = _through_middleware(HttpResponse(body, content_type=content_type), **GZIP)

    assert not response.has_header("Content-Encoding")
    assert response.content == body


def test_compression_short_answer_sent_as_it_is():
    response = _through_middleware(HttpResponse("<p>ok</p>"), **GZIP)

    assert not response.has_header("Content-Encoding")
    assert response.content == b"<p>ok</p>"


@pytest.mark.django_db
def test_compression_never_on_pages_with_a_lasting_secret(client, org):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.accounts.test_second_factor import _code

    client.force_login(org.staff)

    setup = client.get("/account/two-factor/setup/", **GZIP)
    device = TOTPDevice.objects.get(user=org.staff)
    client.post("/account/two-factor/setup/", {"code": _code(device)})
    codes = client.get("/account/two-factor/codes/", **GZIP)

    for response in (setup, codes):
        assert response.status_code == 200
        assert not response.has_header("Content-Encoding")
        assert b"<html" in response.content
    assert len(codes.context["codes"]) == 10


@pytest.mark.django_db
def test_compression_other_account_pages_gzipped(client, org):
    client.force_login(org.staff)

    response = client.get("/account/two-factor/", **GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
