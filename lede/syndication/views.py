"""The public rights documents: TDMRep's well-known file, robots.txt with the
publisher's AI-crawler policy, and the built-in licence policy page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_safe

from lede.core import views as core_views
from lede.core.selectors import publication_settings

from . import rights


@require_safe
def tdmrep_json(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(rights.tdmrep_document(rights.current()), safe=False)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """The site's robots.txt (search engines: lede.core.views) followed by one
    group per AI crawler the publisher allows or refuses."""
    base = core_views.robots_txt(request)
    lines = rights.robots_ai_lines(rights.current())
    text = base.content.decode() + "\n".join(lines)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_safe
def licence_policy(request: HttpRequest) -> HttpResponse:
    chosen = rights.current()
    return render(
        request,
        "syndication/licence_policy.html",
        {
            "publication": publication_settings(request),
            "rights": chosen,
            "settings_contact": rights.licence_contact(),
        },
    )
