"""Project-level views."""

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers (and the admin's pages) ask for /favicon.ico; ours is an SVG."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
