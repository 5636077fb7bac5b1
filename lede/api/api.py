"""The content API, version 1 (django-ninja; why ninja: docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.schema import OpenAPISchema

from .calls import log_call
from .clients import request_client
from .endpoints import articles, newsroom, reference, usage
from .errors import ApiError

DESCRIPTION = (
    "API de contenus du journal : articles, rubriques, auteurs, mots-clés, brèves et "
    "directs, en JSON ou en IPTC ninjs 3.1. Sans clé : contenus publics, et pour les "
    "articles réservés le titre, le chapô et le premier paragraphe seulement. Avec une "
    "clé (en-tête `Authorization: Bearer <clé>` ou `X-Api-Key`) : ce que couvre la "
    "licence de reproduction. Documentation : /api/v1/docs/."
)


class LedeApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {})
        components["securitySchemes"] = {
            "cle": {"type": "http", "scheme": "bearer", "description": _("Clé d’API")},
            "cleEnTete": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
        }
        # A key is optional: without one, public content and abstracts.
        schema["security"] = [{}, {"cle": []}, {"cleEnTete": []}]
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                _conditional_requests(operation, since=path.rstrip("/") in SINCE_PATHS)
        return schema


#: The operations that also answer ``If-Modified-Since`` with a 304
#: (lede.api.conditional.fresh); the others validate by ``ETag`` only.
SINCE_PATHS = ("/api/v1/articles", "/api/v1/articles/{article_id}")


def _header(name: str, description: str) -> dict[str, Any]:
    return {
        "in": "header",
        "name": name,
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


def _conditional_requests(operation: dict[str, Any], *, since: bool) -> None:
    """Documents the validators of an operation that can answer 304."""
    responses = operation.get("responses", {})
    if 304 not in responses and "304" not in responses:
        return
    parameters = operation.setdefault("parameters", [])
    parameters.append(
        _header("If-None-Match", _("ETag d’une réponse précédente : 304 si rien n’a changé."))
    )
    validators = {
        "ETag": {"schema": {"type": "string"}, "description": _("Validateur (faible).")},
        "Last-Modified": {
            "schema": {"type": "string"},
            "description": _("Dernière modification du contenu ou des droits de l’appelant."),
        },
    }
    if since:
        parameters.append(
            _header(
                "If-Modified-Since",
                _(
                    "Date HTTP d’une réponse précédente (son Last-Modified) : 304 si rien "
                    "n’a changé depuis. Ignoré si If-None-Match est présent."
                ),
            )
        )
    for status in (200, 304):
        response = responses.get(status) or responses.get(str(status))
        if response is not None:
            response["headers"] = validators
    notmodified = responses.get(304) or responses.get("304")
    notmodified["description"] = _("Non modifié : la copie du client est à jour.")


api = LedeApi(
    title="API de contenus",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url=None,
)
api.add_router("", articles.router)
api.add_router("", newsroom.router)
api.add_router("", reference.router)
api.add_router("", usage.router)


def _error(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    if not getattr(request, "api_logged", False):
        log_call(request, request_client(request), status)
    return api.create_response(request, body, status=status)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    response = _error(request, exc.status, exc.body())
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    names = sorted(
        {str(error.get("loc", ["", "?"])[-1]) for error in exc.errors if isinstance(error, dict)}
    )
    message = _("Paramètre invalide : %(names)s.") % {"names": ", ".join(names) or "?"}
    return _error(request, 400, {"error": {"code": "invalid_parameter", "message": message}})


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = _("Cet élément n’existe pas ou ne vous est pas accessible.")
    return _error(request, 404, {"error": {"code": "not_found", "message": message}})
