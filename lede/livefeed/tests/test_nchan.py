"""The nchan publisher: what Lede sends to the shared stream, and the refill of
a restarted front. The fronts are replaced by a recorder (no network in tests;
the real nginx is exercised by tests/stack/test_livefeed.py)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from lede.livefeed import fast_refill, nchan, services
from lede.livefeed.models import Edition

from .conftest import OwnRedis

pytestmark = pytest.mark.django_db

SECRET = "Le chiffre que seuls les abonnés lisent."


@pytest.fixture
def fronts(settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    settings.LEDE_LIVEFEED_BACKEND = "nchan"
    settings.LEDE_NCHAN_PUBLISH_URLS = "http://front-a/pub/, http://front-b/pub"
    settings.REDIS_URL = ""  # the refill falls back on the database
    state: dict[str, Any] = {"posts": [], "held": 0}

    def post(base: str, language: str, event: str, data: bytes, **kwargs: Any) -> bool:
        state["posts"].append((base, nchan.channel_id(language), event, json.loads(data)))
        return True

    monkeypatch.setattr(nchan, "_post", post)
    monkeypatch.setattr(nchan, "_channel_messages", lambda base, language: state["held"])
    return state


def _publish(django_capture_on_commit_callbacks: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("body", "Premier paragraphe.")
    with django_capture_on_commit_callbacks(execute=True):
        return services.dispatch_publish(**kwargs)


def test_disabled_by_default(settings: Any) -> None:
    assert settings.LEDE_LIVEFEED_BACKEND == "python"
    assert not nchan.enabled()


def test_each_event_goes_to_every_front_once(
    fronts: dict[str, Any], desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    dispatch = _publish(django_capture_on_commit_callbacks, headline="Séisme ressenti à Agadir")
    assert [(base, channel, event) for base, channel, event, _ in fronts["posts"]] == [
        ("http://front-a/pub/", "lede-fr", "dispatch"),
        ("http://front-b/pub/", "lede-fr", "dispatch"),
    ]
    data = fronts["posts"][0][3]
    assert data["dispatch"] == dispatch.pk
    assert data["published_at"] == dispatch.published_at.isoformat()
    assert data["locked"] is False
    assert isinstance(data["event"], int)


def test_the_shared_stream_never_carries_a_reserved_text(
    fronts: dict[str, Any], desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _publish(
        django_capture_on_commit_callbacks,
        headline="Exclusif : le budget",
        body=f"<p>{SECRET}</p>",
        access_level="subscribers",
        photo=desk["photo"],
    )
    data = fronts["posts"][0][3]
    assert data["locked"] is True
    assert "Réservé aux abonnés" in data["html"]
    assert SECRET not in json.dumps(fronts["posts"], ensure_ascii=False)
    assert "La place au matin" not in data["html"]


def test_each_edition_has_its_channel(
    fronts: dict[str, Any], desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _publish(django_capture_on_commit_callbacks, headline="خبر عاجل", language="ar")
    assert {channel for _, channel, _, _ in fronts["posts"]} == {"lede-ar"}


def test_withdrawal_is_published(
    fronts: dict[str, Any], desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    dispatch = _publish(django_capture_on_commit_callbacks, headline="Une brève")
    with django_capture_on_commit_callbacks(execute=True):
        services.dispatch_withdraw(dispatch=dispatch, note="Retirée après vérification.")
    event, data = fronts["posts"][-1][2:]
    assert event == "withdrawn"
    assert data["dispatch"] == dispatch.pk


def test_a_front_that_is_down_never_breaks_the_publication(
    settings: Any, desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settings.LEDE_LIVEFEED_BACKEND = "nchan"
    settings.LEDE_NCHAN_PUBLISH_URLS = "http://127.0.0.1:9/pub/"  # nothing listens
    settings.REDIS_URL = ""
    dispatch = _publish(django_capture_on_commit_callbacks, headline="Publiée quand même")
    assert dispatch.pk


def test_refill_sends_the_recent_frames_in_order_to_an_empty_front(
    fronts: dict[str, Any], desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    first = _publish(django_capture_on_commit_callbacks, headline="Première")
    second = _publish(
        django_capture_on_commit_callbacks,
        headline="Seconde",
        access_level="subscribers",
        body=f"<p>{SECRET}</p>",
    )
    fronts["posts"].clear()
    fronts["held"] = 5  # the fronts still hold messages: nothing to do
    assert nchan.refill() == {}
    fronts["held"] = 0  # restarted
    # The Arabic channel has nothing to replay: it gets a "hello" event, so
    # that no channel is left empty (nchan's issue #534).
    assert nchan.refill() == {"fr": 4, "ar": 2}
    assert {event for _, channel, event, _ in fronts["posts"] if channel == "lede-ar"} == {"hello"}
    sent = [
        (base, data["dispatch"])
        for base, channel, _, data in fronts["posts"]
        if channel == "lede-fr"
    ]
    assert sent == [
        ("http://front-a/pub/", first.pk),
        ("http://front-a/pub/", second.pk),
        ("http://front-b/pub/", first.pk),
        ("http://front-b/pub/", second.pk),
    ]
    assert SECRET not in json.dumps(fronts["posts"], ensure_ascii=False)


def test_a_signed_in_reader_gets_the_full_text_from_the_paywall(
    desk: dict[str, Any], django_user_model: Any
) -> None:
    dispatch = services.dispatch_publish(
        headline="Réservée", body=f"<p>{SECRET}</p>", access_level="subscribers"
    )
    url = f"/newsroom/depeche/{dispatch.pk}/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 200
    assert anonymous["X-Lede-Locked"] == "1"
    assert SECRET not in anonymous.content.decode()
    assert "private" in anonymous["Cache-Control"]
    chief = django_user_model.objects.create_superuser("chef@example.com", "pw-chef-2026-x")
    browser = Client()
    browser.force_login(chief)
    full = browser.get(url)
    assert full["X-Lede-Locked"] == "0"
    assert SECRET in full.content.decode()
    assert "no-store" in full["Cache-Control"]
    assert Client().get("/newsroom/depeche/999999/").status_code == 404


def test_redis_down_during_a_live_event_still_publishes(
    fronts: dict[str, Any],
    settings: Any,
    desk: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Redis restarting: no lock, no replay log, but the frame still reaches
    the fronts (and a refill falls back on the database)."""
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    nchan.forget_clients()
    try:
        dispatch = _publish(django_capture_on_commit_callbacks, headline="Pendant la panne")
        assert [data["dispatch"] for *_, data in fronts["posts"]] == [dispatch.pk] * 2
        fronts["posts"].clear()
        assert nchan.refill() == {"fr": 2, "ar": 2}  # from the database (ar: its hello)
    finally:
        nchan.forget_clients()


def test_only_a_signed_in_readers_newsroom_asks_for_full_texts(
    desk: dict[str, Any], django_user_model: Any
) -> None:
    """Anonymous pages (the ones the edge caches) never carry the unlock URL."""
    assert "data-unlock-url" not in Client().get("/newsroom/").content.decode()
    reader = django_user_model.objects.create_user("lectrice@example.com", "pw-lectrice-2026")
    browser = Client()
    browser.force_login(reader)
    assert 'data-unlock-url="/newsroom/depeche/0/"' in browser.get("/newsroom/").content.decode()


def test_the_fast_refill_speaks_the_publishers_language(settings: Any) -> None:
    """lede/livefeed/fast_refill.py runs without Django: its names must stay
    those of nchan.py."""
    assert set(fast_refill.EDITIONS) == set(Edition.values)
    assert fast_refill.HELLO == nchan.HELLO
    assert nchan.log_key("ar") == f"{settings.LEDE_SSE_CHANNEL}:nchan:ar"
    assert nchan.complete_key("ar") == f"{settings.LEDE_SSE_CHANNEL}:nchan:ar:complete"
    assert nchan.channel_id("ar") == "lede-ar"


class FrontRecorder(ThreadingHTTPServer):
    """A stand-in front for fast_refill.py (which speaks HTTP itself)."""

    def __init__(self) -> None:
        posts: list[tuple[str, str, dict[str, Any]]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event = self.headers["X-EventSource-Event"]
                posts.append((self.path.rsplit("/", 1)[-1], event, json.loads(body)))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.posts = posts
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/_nchan/pub/"


@pytest.fixture
def front() -> Iterator[FrontRecorder]:
    server = FrontRecorder()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_a_replay_log_redis_lost_is_rebuilt_from_the_database(
    fronts: dict[str, Any],
    settings: Any,
    desk: dict[str, Any],
    own_redis: OwnRedis,
    front: FrontRecorder,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Redis restarted empty (no persistence) during a live event: the refill
    of a front restarted afterwards still gives every edition its last frames,
    not only those published since Redis came back (docs/livefeed.md)."""
    settings.REDIS_URL = own_redis.url
    settings.LEDE_SSE_CHANNEL = f"lede:livefeed:test:{uuid.uuid4().hex}"
    nchan.forget_clients()
    channel = settings.LEDE_SSE_CHANNEL

    def fast_refill_sends() -> dict[str, int] | None:
        return fast_refill.refill(own_redis.url, channel, 50, front.url)

    try:
        before = [
            _publish(django_capture_on_commit_callbacks, headline=f"Avant {i}") for i in range(3)
        ]
        arabic = _publish(django_capture_on_commit_callbacks, headline="قبل", language="ar")
        assert fast_refill_sends() == {"fr": 3, "ar": 1}

        own_redis.stop()
        own_redis.start()  # empty
        assert fast_refill_sends() is None  # the logs are gone: the database knows more
        after = _publish(django_capture_on_commit_callbacks, headline="Après le retour")
        # The French log is whole again (rebuilt from the database at this
        # publication); the Arabic one is not yet: still the database's turn.
        assert fast_refill_sends() is None
        front.posts.clear()
        fronts["posts"].clear()
        assert nchan.refill() == {"fr": 8, "ar": 2}  # the management command, two fronts
        by_channel = {
            channel_id: [
                data["dispatch"] for base, c, _, data in fronts["posts"] if c == channel_id
            ]
            for channel_id in ("lede-fr", "lede-ar")
        }
        assert by_channel["lede-fr"] == [d.pk for d in [*before, after]] * 2
        assert by_channel["lede-ar"] == [arabic.pk] * 2
        # ...which rebuilt the Arabic log: the fast refill works again.
        assert fast_refill_sends() == {"fr": 4, "ar": 1}
        assert [data["dispatch"] for lang, _, data in front.posts if lang == "lede-fr"] == [
            d.pk for d in [*before, after]
        ]
    finally:
        nchan.forget_clients()


def test_an_edition_without_dispatches_keeps_the_fast_refill(
    fronts: dict[str, Any],
    settings: Any,
    desk: dict[str, Any],
    own_redis: OwnRedis,
    front: FrontRecorder,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A site without Arabic dispatches: once the logs are built, the Arabic
    channel gets its "hello" from the fast refill, not a trip through Django."""
    settings.REDIS_URL = own_redis.url
    settings.LEDE_SSE_CHANNEL = f"lede:livefeed:test:{uuid.uuid4().hex}"
    nchan.forget_clients()
    try:
        assert nchan.refill() == {"ar": 2, "fr": 2}  # hello, hello (empty database)
        _publish(django_capture_on_commit_callbacks, headline="Seule")
        sent = fast_refill.refill(own_redis.url, settings.LEDE_SSE_CHANNEL, 50, front.url)
        assert sent == {"fr": 1, "ar": 1}
        assert {event for lang, event, _ in front.posts if lang == "lede-ar"} == {"hello"}
    finally:
        nchan.forget_clients()
