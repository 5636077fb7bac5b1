"""The database is down: a French 503 page, fast, never a 500 or a hang."""

from __future__ import annotations

import copy
import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from lede.accounts.models import User
from lede.core.middleware import DatabaseUnavailableMiddleware
from lede.core.testing.processes import production_settings

MIDDLEWARE_PATH = "lede.core.middleware.DatabaseUnavailableMiddleware"


def _count_users(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"{User.objects.count()} lecteurs")


def _broken(request: HttpRequest) -> HttpResponse:
    raise ValueError("not a database problem")


_unreachable: dict[str, Any] = {}


def _unreachable_database(request: HttpRequest) -> HttpResponse:
    """Opens a real connection to a PostgreSQL port where nothing listens."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    wrapper = DatabaseWrapper(_unreachable["settings"], alias="unreachable")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        wrapper.close()
    return HttpResponse("unexpected")


urlpatterns = [
    path("lecteurs/", _count_users),
    path("casse/", _broken),
    path("injoignable/", _unreachable_database),
]


class QueryingMiddleware:
    """Stands for session/authentication middleware that query the database
    before the view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        User.objects.exists()
        return self.get_response(request)


def _database_down(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    raise OperationalError(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    )


@pytest.fixture(autouse=True)
def _no_rights_headers(settings: Any) -> None:
    # This module's URLconf has no rights policy page to name in the
    # TDMRep headers; those are tested in lede/syndication.
    settings.LEDE_TDM_SKIP_PATHS = [*settings.LEDE_TDM_SKIP_PATHS, "/lecteurs/"]


@pytest.fixture
def down() -> Iterator[None]:
    """Every query on the default connection fails as when PostgreSQL is down."""
    with connection.execute_wrapper(_database_down):
        yield


def _assert_503_page(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "Service momentanément indisponible" in body
    assert '<html lang="fr"' in body


pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


def test_the_middleware_is_installed_before_anything_that_queries(settings: Any) -> None:
    middleware = list(settings.MIDDLEWARE)
    assert MIDDLEWARE_PATH in middleware
    position = middleware.index(MIDDLEWARE_PATH)
    for later in (
        "lede.paywall.fastpath.ArticleFastPathMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ):
        if later in middleware:
            assert middleware.index(later) > position
    assert "django.contrib.sessions.middleware.SessionMiddleware" in middleware


def test_a_view_that_hits_a_down_database_gets_the_french_503_page(
    client: Client, down: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = client.get("/lecteurs/")
    _assert_503_page(response)
    ours = [r for r in caplog.records if r.name == "lede.database"]
    assert len(ours) == 1 and ours[0].levelno == logging.WARNING
    assert "OperationalError" in ours[0].getMessage()
    # Not logged a second time as an error by Django's request logger.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_page_renders_without_the_database(client: Client, down: None) -> None:
    """The execute wrapper fails every query: a 503 page at all proves that
    rendering it needs none."""
    response = client.get("/lecteurs/", HTTP_ACCEPT="text/html")
    _assert_503_page(response)
    assert "Réessayer" in response.content.decode()


def test_api_clients_get_json(client: Client, down: None) -> None:
    response = client.get("/lecteurs/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json() == {"detail": "Service momentanément indisponible"}
    assert response["Retry-After"] == "5"


def test_errors_raised_inside_other_middleware_also_become_503(settings: Any, down: None) -> None:
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        f"{__name__}.QueryingMiddleware",
    )
    settings.MIDDLEWARE = middleware
    client = Client(raise_request_exception=False)
    response = client.get("/casse/")
    _assert_503_page(response)


def test_other_errors_stay_500(settings: Any) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/casse/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_working_database_is_left_alone(client: Client) -> None:
    response = client.get("/lecteurs/")
    assert response.status_code == 200
    assert response.content.decode() == "0 lecteurs"


def test_process_exception_ignores_other_exceptions(rf: Any) -> None:
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(rf.get("/"), ValueError("x")) is None
    response = middleware.process_exception(rf.get("/"), OperationalError("down"))
    assert response is not None and response.status_code == 503


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real PostgreSQL connection")
def test_a_connection_to_a_closed_port_fails_with_operational_error(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    broken = copy.deepcopy(connection.settings_dict)
    broken.update(HOST="127.0.0.1", PORT=str(_closed_port()), CONN_MAX_AGE=0)
    broken.setdefault("OPTIONS", {})["connect_timeout"] = 2
    from django.db.backends.postgresql.base import DatabaseWrapper

    wrapper = DatabaseWrapper(broken, alias="unreachable")
    with pytest.raises(OperationalError):
        wrapper.ensure_connection()
    wrapper.close()

    # The same failure inside a request is a 503 page, not a 500.
    _unreachable["settings"] = broken
    with caplog.at_level(logging.WARNING):
        response = client.get("/injoignable/")
    _assert_503_page(response)
    assert len([r for r in caplog.records if r.name == "lede.database"]) == 1


def test_production_fails_fast_and_checks_connections() -> None:
    prod = production_settings()
    default = prod["db"]["default"]
    assert default["OPTIONS"]["connect_timeout"] == 3
    assert default["CONN_HEALTH_CHECKS"] is True
    assert default["CONN_MAX_AGE"] == 60
    assert MIDDLEWARE_PATH in prod["middleware"]

    prod = production_settings(DB_CONNECT_TIMEOUT="7")
    assert prod["db"]["default"]["OPTIONS"]["connect_timeout"] == 7


def test_production_pool_option() -> None:
    prod = production_settings(DB_POOL_MAX_SIZE="6")
    default = prod["db"]["default"]
    assert default["OPTIONS"]["pool"] == {
        "min_size": 2,
        "max_size": 6,
        "timeout": 2,
        "reconnect_timeout": 3,
    }
    assert default["CONN_MAX_AGE"] == 0  # Django refuses both together
    assert default["CONN_HEALTH_CHECKS"] is True  # the pool checks before lending
    assert "pool" not in production_settings()["db"]["default"]["OPTIONS"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real PostgreSQL pool")
def test_a_pooled_connection_is_reused_and_fails_fast_when_unreachable() -> None:
    from django.db.backends.postgresql.base import DatabaseWrapper

    pooled = copy.deepcopy(connection.settings_dict)
    pooled.update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=True)
    pooled.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 2, "timeout": 2}
    wrapper = DatabaseWrapper(pooled, alias="pooled")
    try:
        backends = set()
        for _ in range(6):
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backends.add(cursor.fetchone()[0])
            wrapper.close()  # back to the pool, not closed
        # Six requests, at most the pool's two connections (no fork per request).
        assert 1 <= len(backends) <= 2, backends
        assert wrapper.pool.get_stats()["pool_size"] <= 2
    finally:
        wrapper.close_pool()

    broken = copy.deepcopy(pooled)
    broken.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    wrapper = DatabaseWrapper(broken, alias="pooled-unreachable")
    try:
        with pytest.raises(OperationalError):
            wrapper.ensure_connection()
    finally:
        wrapper.close_pool()
