"""Pages of the organisation app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clusters import queries


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Who you are, your unit, your clusters this year and what you can do."""
    return render(request, "clusters/home.html", queries.home_context(request.user))
