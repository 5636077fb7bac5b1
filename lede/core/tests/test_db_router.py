"""Routing decisions of the primary/replica router and its middleware."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from lede.accounts.models import User
from lede.core import db_router
from lede.core.db_router import PRIMARY, REPLICA, PrimaryReplicaRouter
from lede.core.middleware import PIN_COOKIE, ReplicaRoutingMiddleware
from lede.core.testing.processes import production_settings
from lede.editorial.models import ArticlePage

router = PrimaryReplicaRouter()


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fake replica alias mirroring the default database (as the settings
    declare it, ``TEST: {"MIRROR": "default"}``); routing decisions only look
    at the alias being configured."""
    settings_dict = {**connections.settings[PRIMARY], "TEST": {"MIRROR": PRIMARY}}
    monkeypatch.setitem(connections.settings, REPLICA, settings_dict)
    yield REPLICA


def _route(request: HttpRequest, view: Any) -> HttpResponse:
    middleware = ReplicaRoutingMiddleware(view)
    response: HttpResponse = middleware(request)
    return response


def _reads_from() -> str:
    return router.db_for_read(ArticlePage)


def _recording(seen: list[str]) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(_reads_from())
        return HttpResponse()

    return view


def test_outside_a_request_everything_goes_to_the_primary(replica: str) -> None:
    # Management commands, tasks, the scheduler: no routing state at all.
    assert db_router.current_state() is None
    assert router.db_for_read(ArticlePage) == PRIMARY
    assert router.db_for_write(ArticlePage) == PRIMARY


def test_reader_get_reads_from_the_replica_and_writes_to_the_primary(
    replica: str, rf: RequestFactory
) -> None:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(_reads_from())
        seen.append(router.db_for_write(User))
        return HttpResponse()

    _route(rf.get("/monde/un-article/"), view)
    assert seen == [REPLICA, PRIMARY]
    assert db_router.current_state() is None  # reset after the request


def test_head_is_reader_traffic_too(replica: str, rf: RequestFactory) -> None:
    seen: list[str] = []
    _route(rf.head("/"), _recording(seen))
    assert seen == [REPLICA]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_non_get_requests_use_the_primary(replica: str, rf: RequestFactory, method: str) -> None:
    seen: list[str] = []
    request = getattr(rf, method)("/compte/")
    _route(request, _recording(seen))
    assert seen == [PRIMARY]


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/3/edit/", "/django-admin/"])
def test_the_admins_use_the_primary(replica: str, rf: RequestFactory, path: str) -> None:
    seen: list[str] = []
    _route(rf.get(path), _recording(seen))
    assert seen == [PRIMARY]


def test_after_a_write_the_request_sticks_to_the_primary(replica: str, rf: RequestFactory) -> None:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(_reads_from())
        router.db_for_write(User)  # e.g. the session or the meter saved
        seen.append(_reads_from())
        return HttpResponse()

    response = _route(rf.get("/"), view)
    assert seen == [REPLICA, PRIMARY]
    # A GET never sets the pin cookie: cacheable pages stay cacheable.
    assert PIN_COOKIE not in response.cookies


def test_a_write_by_a_post_pins_the_client_to_the_primary(
    replica: str, rf: RequestFactory, settings: Any
) -> None:
    settings.LEDE_REPLICA_PIN_SECONDS = 7

    def view(request: HttpRequest) -> HttpResponse:
        router.db_for_write(User)
        return HttpResponse(status=302)

    response = _route(rf.post("/compte/email/"), view)
    assert response.cookies[PIN_COOKIE]["max-age"] == 7

    # The redirected GET carries the cookie: read-your-writes.
    seen: list[str] = []
    follow = rf.get("/compte/")
    follow.COOKIES[PIN_COOKIE] = "1"
    _route(follow, _recording(seen))
    assert seen == [PRIMARY]


def test_a_post_that_wrote_nothing_does_not_pin(replica: str, rf: RequestFactory) -> None:
    response = _route(rf.post("/recherche/"), lambda request: HttpResponse())
    assert PIN_COOKIE not in response.cookies


def test_reads_inside_a_transaction_on_the_primary_stay_there(
    replica: str, rf: RequestFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        monkeypatch.setattr(connections[PRIMARY], "in_atomic_block", True)
        seen.append(_reads_from())
        return HttpResponse()

    _route(rf.get("/"), view)
    assert seen == [PRIMARY]


def test_without_a_replica_configured_reads_stay_on_the_primary(rf: RequestFactory) -> None:
    assert REPLICA not in connections.settings
    seen: list[str] = []
    _route(rf.get("/"), _recording(seen))
    assert seen == [PRIMARY]


def test_relations_and_migrations(replica: str) -> None:
    a, b, c = User(), User(), User()
    a._state.db, b._state.db, c._state.db = PRIMARY, REPLICA, "archive"
    assert router.allow_relation(a, b) is True
    assert router.allow_relation(b, b) is True
    assert router.allow_relation(a, c) is None
    assert router.allow_migrate(PRIMARY, "editorial") is True
    assert router.allow_migrate(REPLICA, "editorial") is False


def test_async_requests_are_routed_too(replica: str, rf: RequestFactory) -> None:
    seen: list[str] = []

    async def view(request: HttpRequest) -> HttpResponse:
        seen.append(_reads_from())
        return HttpResponse()

    middleware = ReplicaRoutingMiddleware(view)

    async def serve() -> None:
        await middleware(rf.get("/newsroom/"))
        await middleware(rf.post("/newsroom/"))

    # In a thread of its own: another test may have left a loop running here.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, serve()).result()
    assert seen == [REPLICA, PRIMARY]


def test_settings_register_the_router_only_with_a_replica() -> None:
    plain = production_settings()
    assert set(plain["db"]) == {"default"}
    assert plain["routers"] == []
    assert "lede.core.middleware.ReplicaRoutingMiddleware" not in plain["middleware"]

    both = production_settings(
        DATABASE_REPLICA_URL="postgres://lede_ro:secret@replica.internal:5432/lede"
    )
    assert both["routers"] == ["lede.core.db_router.PrimaryReplicaRouter"]
    replica = both["db"]["replica"]
    assert replica["HOST"] == "replica.internal"
    assert replica["TEST"] == {"MIRROR": "default"}
    # Same connection options as the primary.
    for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "OPTIONS"):
        assert replica[key] == both["db"]["default"][key]
    middleware = both["middleware"]
    routing = middleware.index("lede.core.middleware.ReplicaRoutingMiddleware")
    assert routing < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")


@pytest.fixture
def mirror(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real second connection to the test database under the replica alias
    (what ``TEST: {"MIRROR": "default"}`` gives a configured replica). It is
    registered as a dynamically created connection, which Django's test case
    allows, rather than in ``connections.settings``."""
    from django.db.utils import load_backend

    settings_dict = {**connections[PRIMARY].settings_dict, "TEST": {"MIRROR": PRIMARY}}
    backend = load_backend(settings_dict["ENGINE"])
    connections[REPLICA] = backend.DatabaseWrapper(settings_dict, REPLICA)
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    try:
        yield REPLICA
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]


@pytest.mark.django_db(transaction=True)
def test_queries_really_go_where_the_router_says(
    mirror: str, rf: RequestFactory, settings: Any
) -> None:
    settings.DATABASE_ROUTERS = ["lede.core.db_router.PrimaryReplicaRouter"]
    reader = User.objects.create_user(email="lectrice@example.ma", password="x" * 12)
    seen: list[tuple[str, str | None]] = []

    def view(request: HttpRequest) -> HttpResponse:
        found = User.objects.get(pk=reader.pk)
        seen.append(("read", found._state.db))
        if request.method == "POST":
            found.first_name = "Salma"
            found.save(update_fields=["first_name"])
            seen.append(("saved", found._state.db))
            again = User.objects.get(pk=reader.pk)
            seen.append((again.first_name, again._state.db))
        return HttpResponse()

    _route(rf.get("/"), view)
    _route(rf.post("/compte/"), view)
    assert seen == [
        ("read", REPLICA),
        ("read", PRIMARY),
        ("saved", PRIMARY),
        ("Salma", PRIMARY),
    ]
    # Management code (no request) reads from the primary.
    assert User.objects.get(pk=reader.pk)._state.db == PRIMARY
