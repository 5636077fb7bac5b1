"""Property test of the API against its own OpenAPI schema (schemathesis),
through the WSGI application: no 5xx, every response conforms to the schema
(status, content type, body, headers), for callers with and without a key.
The number of examples per operation is bounded to keep CI short."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from lede.api.api import api
from lede.syndication.tests.builders import make_key, make_licence

EXAMPLES = 15


# The schema the API serves, as a dictionary (loading it needs no database).
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1"), default=str))
)
schema.app = get_wsgi_application()


@pytest.fixture
def _keep_connection() -> Iterator[None]:
    """As Django's test client does: a request's end must not close the
    connection that holds the test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def key_header(publication: dict[str, Any], settings: Any) -> dict[str, str]:
    settings.LEDE_API_ANONYMOUS_RATE_LIMIT = 0  # no limit: 429s would hide the answers
    _key, plaintext = make_key(
        make_licence(full_text=True, monthly_volume=5, agency_copy=True), rate_limit=0
    )
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.mark.django_db
@pytest.mark.usefixtures("_keep_connection")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any, key_header: dict[str, str]) -> None:
    # Every check but "a schema-valid request is accepted": a cursor is an opaque
    # token and a date may be well-formed yet outside what the database stores;
    # both are refused with a 400 that the schema documents.
    excluded = [positive_data_acceptance]
    case.call_and_validate(excluded_checks=excluded)
    case.call_and_validate(headers=key_header, excluded_checks=excluded)
