from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from lede.paywall.access import Reader

from .selectors import search_articles
from .text import max_query_length, normalize_query


def _reader(request: HttpRequest) -> Reader:
    """The reader as the paywall sees them (grants, group licences, staff), so
    that snippets from a locked body are shown only to those who may read it."""
    from django.utils import timezone

    from lede.paywall.selectors import reader_for_request

    return reader_for_request(request, timezone.now())


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = normalize_query(request.GET.get("q", ""))
    # The edition of the address (/recherche/ or /ar/recherche/).
    language = get_language()
    results = search_articles(query, reader=_reader(request), language=language) if query else []
    context = {"query": query, "results": results, "max_length": max_query_length()}
    return render(request, "search/results.html", context)
