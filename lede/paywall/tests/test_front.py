"""The fast path answered on the event loop (lede/paywall/front.py): the same
answer as the fast road through Django's handler, with nothing but the one
cache read on the loop, and the thread road for anything else.

The readers sign in through the site's own forms (test_fastpath's helpers)
and the fast road is taught by the Django test client, as a browser's first
visits teach it; the front is then driven with the cookies that browser
holds, on an event loop of its own, with the database and the synchronous
cache forbidden: an answer proves nothing on the loop waited on them."""

from __future__ import annotations

import asyncio
import io
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.handlers.asgi import ASGIRequest
from django.http.response import HttpResponseBase
from django.test import Client
from django.utils.deprecation import MiddlewareMixin
from prometheus_client import REGISTRY

from lede.accounts.models import User
from lede.core import process_state
from lede.core.asgi import LedeASGIHandler
from lede.core.caching import answers, edge_tokens, variants
from lede.paywall import fastpath, front, serving
from lede.syndication import rights

from .conftest import secret
from .test_fastpath import CACHED_DB, _signed_in
from .test_leaks import _assert_nothing, _cases, _client_for

pytestmark = pytest.mark.django_db

# Headers that differ between two answers to the same request by design.
PER_REQUEST = {"x-request-id", "date"}


@pytest.fixture(autouse=True)
def _cached_sessions(settings: Any) -> None:
    """The production profile's sessions (read with the other keys: the
    front cannot read a session from the database on the loop)."""
    settings.SESSION_ENGINE = CACHED_DB


def _scope(
    url: str, client: Client | None = None, *, method: str = "GET", query: bytes = b""
) -> dict[str, Any]:
    headers = [(b"host", b"testserver")]
    if client is not None and client.cookies:
        jar = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
        headers.append((b"cookie", jar.encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }


def _on_a_loop(coroutine_factory: Any) -> Any:
    """Run on a fresh event loop in a thread of its own (the browser tests'
    Playwright leaves a loop set on the main thread)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-loop") as driver:
        return driver.submit(lambda: asyncio.run(coroutine_factory())).result()


class Forbidden(AssertionError):
    pass


# Set while the front's own read runs (the one the loop may wait on).
_front_reading: ContextVar[bool] = ContextVar("front_reading", default=False)


@contextmanager
def _nothing_but_the_loop_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every other use of the cache backend refuses meanwhile, in every
    thread (patched on its class). The database needs no patch: on the
    loop, Django itself refuses it (``SynchronousOnlyOperation``), and the
    front then declines, which the callers' ``is not None`` would catch."""
    backend = type(caches[DEFAULT_CACHE_ALIAS])
    with monkeypatch.context() as patch:
        for name in ("get", "get_many", "set", "add", "delete", "incr", "has_key", "touch"):
            real = getattr(backend, name)

            def guarded(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
                if not _front_reading.get():
                    raise Forbidden("the front used the cache besides its one read")
                return _real(*args, **kwargs)

            patch.setattr(backend, name, guarded)
        yield


def _front_answer(url: str, client: Client | None = None, **scope: Any) -> HttpResponseBase | None:
    article_front = front.build()
    assert article_front is not None
    read = article_front.get_many

    async def one_read(keys: list[str]) -> dict[str, Any]:
        token = _front_reading.set(True)
        try:
            return await read(keys)
        finally:
            _front_reading.reset(token)

    article_front.get_many = one_read

    async def ask() -> HttpResponseBase | None:
        request = ASGIRequest(_scope(url, client, **scope), io.BytesIO())
        return await article_front(request)

    result: HttpResponseBase | None = _on_a_loop(ask)
    return result


def _headers(response: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in response.items() if k.lower() not in PER_REQUEST}


def test_a_subscriber_is_answered_on_the_loop_as_the_fast_road_answers(
    paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    _user, url = _signed_in(client, paywalled)
    fast = client.get(url)
    assert fast["X-Lede-Road"] == "fast"
    with _nothing_but_the_loop_read(monkeypatch):
        answer = _front_answer(url, client)
    assert answer is not None and answer.status_code == 200
    assert answer["X-Lede-Access"] == "subscriber" and answer["X-Lede-Road"] == "fast"
    html = answer.content.decode()  # type: ignore[attr-defined]
    assert secret("subscribers", 1) in html and "Mon compte" in html
    assert html == fast.content.decode()
    # Every header from the middleware themselves, above and below the fast
    # path: the same as the road through Django's handler.
    assert _headers(answer) == _headers(fast)
    assert answer["X-Request-ID"] and answer["X-Request-ID"] != fast["X-Request-ID"]


@pytest.mark.parametrize(("state", "level"), _cases())
def test_the_front_leaks_nothing_of_the_locked_part(
    paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch, state: str, level: str
) -> None:
    """The leak matrix of test_leaks.py, on this road too."""
    client = _client_for(state, paywalled)
    url = paywalled["articles"][level].url
    for _visit in range(2):  # the first teaches the fast road
        taught = client.get(url)
        assert taught["X-Lede-Variant"] == "locked"
    with _nothing_but_the_loop_read(monkeypatch):
        answer = _front_answer(url, client)
        head = _front_answer(url, client, method="HEAD")
        # Asked again: from the third answer on, a signed-in reader's is the
        # one recorded for their kind (lede/core/caching/answers.py).
        again = [_front_answer(url, client) for _ in range(3)]
    if level == "metered":
        assert answer is None  # the meter is read and counted apart: the thread road
        return
    assert answer is not None and head is not None
    assert answer["X-Lede-Variant"] == "locked", (state, level)
    _assert_nothing(answer.content.decode(), level, "the front")  # type: ignore[attr-defined]
    _assert_nothing(head.content.decode(), level, "the front, HEAD")  # type: ignore[attr-defined]
    for later in again:
        assert later is not None and later["X-Lede-Variant"] == "locked"
        _assert_nothing(later.content.decode(), level, "the front, again")  # type: ignore[attr-defined]


def test_the_front_gives_way_whenever_it_would_have_to_wait(
    paywalled: dict[str, Any], settings: Any
) -> None:
    client = Client()
    user, url = _signed_in(client, paywalled)
    client.get(url)
    assert _front_answer(url, client) is not None
    # Not an article request the fast path takes.
    assert _front_answer(url, client, query=b"page=2") is None
    assert _front_answer(url, client, method="POST") is None
    assert _front_answer(url.rstrip("/"), client) is None
    # A metered article: the meter is read (and counted) apart.
    metered = paywalled["articles"]["metered"].url
    client.get(metered)
    client.get(metered)
    assert _front_answer(metered, client) is None
    # The variant is not in this process's memory (only in the shared cache).
    variants.local_variants.clear()
    assert _front_answer(url, client) is None
    client.get(url)  # the thread road keeps it here again
    assert _front_answer(url, client) is not None
    # The session's reader not yet known to this process: a second read.
    fastpath.uid_hints.clear()
    assert _front_answer(url, client) is None
    client.get(url)
    assert _front_answer(url, client) is not None
    # Staff get a fresh render (and any change of a reader is seen at once).
    user.is_staff = True
    user.save()
    assert _front_answer(url, client) is None
    client.get(url)
    assert client.get(url)["X-Lede-Access"] == "staff"
    assert _front_answer(url, client) is None


def test_the_front_keeps_the_paywall_decision(paywalled: dict[str, Any]) -> None:
    """A grant ending is seen at once: the decision runs on every answer."""
    client = Client()
    user, url = _signed_in(client, paywalled)
    client.get(url)
    answer = _front_answer(url, client)
    assert answer is not None and answer["X-Lede-Access"] == "subscriber"
    user.access_grants.all().delete()
    client.get(url)  # the normal road builds the new profile
    client.get(url)
    answer = _front_answer(url, client)
    assert answer is not None and answer["X-Lede-Variant"] == "locked"
    assert secret("subscribers", 1) not in answer.content.decode()  # type: ignore[attr-defined]


# --- Answers recorded per kind of reader --------------------------------------


@pytest.fixture
def edge_key(tmp_path: Path, settings: Any) -> None:
    """Edge tokens on: every signed-in reader's answer may carry their own."""
    path = tmp_path / "edge_key"
    path.write_bytes(b"k" * 48)
    settings.LEDE_EDGE_TOKEN_KEY_FILE = str(path)
    process_state.reset_all()


class Builds:
    """Counts the answers the fast path built (``serving.finish``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = serving.finish

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(serving, "finish", counted)


def _without_edge_token(client: Client) -> None:
    """The browser lost its token (or it lapsed): the next page gives one."""
    client.cookies.pop(edge_tokens.COOKIE, None)


def test_a_kind_of_readers_answer_is_built_twice_then_given_again_never_across_kinds(
    paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch, edge_key: None
) -> None:
    """Two subscribers and a reader without a subscription take turns on the
    same article: from the third answer on, each subscriber's comes from the
    record of their kind, equal to what the fast road builds, with a token
    of their own session; the other reader's never leaves the locked page."""
    first, second, registered = Client(), Client(), Client()
    _signed_in(first, paywalled, email="premier@example.com")
    _signed_in(second, paywalled, email="second@example.com")
    _user, url = _signed_in(registered, paywalled, days=None, email="inscrit@example.com")
    fast = first.get(url)
    assert fast["X-Lede-Road"] == "fast"
    builds = Builds(monkeypatch)
    copies_before = _requests_of("article-recorded")
    for turn in range(4):
        for client in (first, second, registered):
            _without_edge_token(client)
            with _nothing_but_the_loop_read(monkeypatch):
                answer = _front_answer(url, client)
            assert answer is not None and answer["X-Lede-Road"] == "fast"
            html = answer.content.decode()  # type: ignore[attr-defined]
            if client is registered:
                assert answer["X-Lede-Variant"] == "locked"
                assert secret("subscribers", 1) not in html
                assert edge_tokens.COOKIE not in answer.cookies
                continue
            assert answer["X-Lede-Access"] == "subscriber", turn
            assert html == fast.content.decode()
            assert _headers(answer) == _headers(fast)
            # The reader's own token, bound to their own session.
            token = answer.cookies[edge_tokens.COOKIE].value
            digest = edge_tokens.session_digest(client.cookies["sessionid"].value)
            grant = edge_tokens.verify(
                token,
                secret=b"k" * 48,
                now=int(time.time()),
                host="testserver",
                path=url,
                session_sha256=digest,
            )
            assert grant is not None and grant.kind == "subscriber"
    # Built by both subscribers (then recorded: the other six answers were
    # copies), and for every request of the reader alone of their kind (one
    # reader building twice proves nothing).
    assert builds.count == 2 + 4, builds.count
    # The copies are told apart in the metrics (and the request log).
    assert _requests_of("article-recorded") == copies_before + 6


def _requests_of(view: str) -> float:
    return (
        REGISTRY.get_sample_value("lede_http_requests_total", {"view": view, "status": "200"})
        or 0.0
    )


class NonceMiddleware(MiddlewareMixin):
    """A middleware below the fast path whose header changes on every
    response (as a CSP nonce would)."""

    def process_response(self, request: Any, response: Any) -> Any:
        response["X-Test-Nonce"] = secrets.token_hex(8)
        return response


class ReaderMiddleware(MiddlewareMixin):
    """A middleware below the fast path writing something of the reader's
    own, the same on each of their answers."""

    def process_response(self, request: Any, response: Any) -> Any:
        session = request.COOKIES.get("sessionid", "")
        response["X-Test-Reader"] = edge_tokens.session_digest(session)[:16]
        return response


def _two_subscribers(paywalled: dict[str, Any]) -> tuple[Client, Client, str]:
    first, second = Client(), Client()
    _signed_in(first, paywalled, email="premier@example.com")
    _user, url = _signed_in(second, paywalled, email="second@example.com")
    return first, second, url


@pytest.mark.parametrize("middleware", ["NonceMiddleware", "ReaderMiddleware"])
def test_an_answer_with_a_part_of_its_own_is_built_for_every_request(
    paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch, settings: Any, middleware: str
) -> None:
    chain = list(settings.MIDDLEWARE)
    chain.insert(chain.index(fastpath.SELF) + 1, f"{__name__}.{middleware}")
    settings.MIDDLEWARE = chain
    first, second, url = _two_subscribers(paywalled)
    builds = Builds(monkeypatch)
    seen: dict[str, set[str]] = {"premier": set(), "second": set()}
    for _ in range(3):
        for name, client in (("premier", first), ("second", second)):
            answer = _front_answer(url, client)
            assert answer is not None and answer["X-Lede-Access"] == "subscriber"
            header = "X-Test-Nonce" if middleware == "NonceMiddleware" else "X-Test-Reader"
            seen[name].add(answer[header])
    assert builds.count == 6
    if middleware == "NonceMiddleware":
        assert len(seen["premier"] | seen["second"]) == 6
    else:  # each reader only ever got their own
        assert len(seen["premier"]) == len(seen["second"]) == 1
        assert seen["premier"] != seen["second"]


def test_access_ending_is_seen_at_once_despite_the_record(paywalled: dict[str, Any]) -> None:
    first, second, url = _two_subscribers(paywalled)
    for _ in range(3):
        for client in (first, second):
            answer = _front_answer(url, client)
            assert answer is not None and answer["X-Lede-Access"] == "subscriber"
    assert len(answers.store) == 1
    User.objects.get(email="premier@example.com").access_grants.all().delete()
    # The profile changed: the front gives way, the thread road builds it.
    assert _front_answer(url, first) is None
    first.get(url)
    for _ in range(3):
        locked = _front_answer(url, first)
        assert locked is not None and locked["X-Lede-Variant"] == "locked"
        assert secret("subscribers", 1) not in locked.content.decode()  # type: ignore[attr-defined]
        still = _front_answer(url, second)
        assert still is not None and still["X-Lede-Access"] == "subscriber"


def test_recorded_answers_off(
    paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.LEDE_RECORDED_ANSWER_SECONDS = 0
    first, second, url = _two_subscribers(paywalled)
    builds = Builds(monkeypatch)
    for _ in range(2):
        for client in (first, second):
            assert _front_answer(url, client) is not None
    assert builds.count == 4 and len(answers.store) == 0


# --- Through the ASGI handler ------------------------------------------------


async def _through_handler(app: LedeASGIHandler, scope: dict[str, Any]) -> tuple[int, dict, bytes]:
    sent: list[dict[str, Any]] = []
    asked = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if asked.is_set():
            await asyncio.Event().wait()  # no disconnect while the response is sent
        asked.set()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, body


class Spy:
    """Counts what the handler's front answered and declined."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.answered = 0
        self.declined = 0

    async def __call__(self, request: Any) -> Any:
        response = await self.real(request)
        if response is None:
            self.declined += 1
        else:
            self.answered += 1
        return response


@pytest.mark.django_db(transaction=True)
def test_the_handler_offers_the_front_and_falls_back_to_the_thread(
    paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    _user, url = _signed_in(client, paywalled)
    app = LedeASGIHandler()
    spy = Spy(front.build())
    app._front = spy

    def ask() -> Any:
        return _on_a_loop(lambda: _through_handler(app, _scope(url, client)))

    status, headers, body = ask()
    assert status == 200 and spy.answered == 1, (spy.answered, spy.declined)
    assert headers["x-lede-access"] == "subscriber"
    assert secret("subscribers", 1) in body.decode()

    # Anything raised on the front (here a middleware's cold cache going to
    # the database, which the loop refuses): the thread road answers.
    rights.forget()
    status, headers, body = ask()
    assert status == 200 and (spy.answered, spy.declined) == (1, 1)
    assert headers["x-lede-access"] == "subscriber"
    assert headers.get("tdm-reservation") == "1"
    ask()  # the thread road kept the rights: the front answers again
    assert (spy.answered, spy.declined) == (2, 1)

    real_answer = fastpath.ArticleFastPathMiddleware.answer

    def broken_on_the_loop(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("on_loop"):
            raise RuntimeError("a bug in the front")
        return real_answer(*args, **kwargs)

    monkeypatch.setattr(fastpath.ArticleFastPathMiddleware, "answer", broken_on_the_loop)
    status, headers, body = ask()
    assert status == 200 and (spy.answered, spy.declined) == (2, 2)
    assert secret("subscribers", 1) in body.decode()


@pytest.mark.django_db(transaction=True)
def test_bad_requests_on_the_front_get_a_4xx_or_the_page_never_a_500(
    paywalled: dict[str, Any],
) -> None:
    """Bad input through the handler with the front on: a host Django refuses,
    garbage and forged cookies, an over-long path. The front gives way and
    the thread road answers as it always did."""
    url = paywalled["articles"]["subscribers"].url
    Client().get(url)
    Client().get(url)  # the fast road knows the article
    app = LedeASGIHandler()
    spy = Spy(front.build())
    app._front = spy

    def ask(scope: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        result: tuple[int, dict[str, str], bytes] = _on_a_loop(lambda: _through_handler(app, scope))
        return result

    bad_host = _scope(url)
    bad_host["headers"] = [(b"host", b"evil.example:99999")]
    status, _headers, _body = ask(bad_host)
    assert status == 400

    for cookie in (
        b"sessionid=\xff\xfe; lede_edge=1.2.3",
        b"sessionid=" + b"x" * 4000,
        b"sessionid=forgedforgedforged; lede_edge=1.9999999999.full.subscriber.00",
        b"=;;;==; sessionid",
    ):
        scope = _scope(url)
        scope["headers"].append((b"cookie", cookie))
        status, headers, body = ask(scope)
        assert status == 200, cookie
        assert headers["x-lede-variant"] == "locked", cookie
        assert secret("subscribers", 1) not in body.decode()

    long_path = _scope(url + "a" * 5000 + "/")
    status, _headers, _body = ask(long_path)
    assert status == 404
