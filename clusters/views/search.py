"""The search page of the header (clusters.search): /search/?q=…, for every signed-in user,
results grouped by kind, only what the user may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from clusters import search as finder


@require_GET
@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:200]
    groups = finder.search(request.user, query) if query else []
    context = {
        "query": query,
        "groups": groups,
        "too_short": bool(query) and not finder.words(query),
        "min_length": finder.MIN_LENGTH,
    }
    return render(request, "clusters/search.html", context)


urlpatterns = [path("search/", search, name="search")]
