from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import search_articles


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = search_articles(query) if query.strip() else []
    return render(request, "search/results.html", {"query": query[:200], "results": results})
