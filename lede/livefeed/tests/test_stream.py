"""The SSE stream through Django's real ASGI handler: delivery, replay, access,
heartbeat, clean disconnects, polling and Redis fan-out."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from lede.core.typography import typeset
from lede.livefeed import broker, services
from lede.livefeed.broker import current_hub
from lede.livefeed.models import FeedEvent

from .conftest import SSEClient

pytestmark = pytest.mark.django_db

SECRET = "Le détail confidentiel que seuls les abonnés lisent."


def run(scenario: Callable[[], Any]) -> Any:
    return async_to_sync(scenario)()


@pytest.fixture(autouse=True)
def _fast_stream(settings: Any) -> None:
    settings.LEDE_SSE_POLL_INTERVAL = 30  # tests prove the wake-up paths, not the poll
    settings.LEDE_SSE_HEARTBEAT = 15
    settings.LEDE_SSE_CHANNEL = f"lede:livefeed:test:{uuid.uuid4().hex}"


def _publisher(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Publish through the service and run its on-commit callbacks (the test
    transaction never commits)."""

    def publish(**kwargs: Any) -> Any:
        kwargs.setdefault("body", "Premier paragraphe.")
        with django_capture_on_commit_callbacks(execute=True):
            return services.dispatch_publish(**kwargs)

    return sync_to_async(publish)


def test_published_dispatch_arrives(
    asgi_app: Any, desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    publish = _publisher(django_capture_on_commit_callbacks)

    async def scenario() -> None:
        client = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        assert client.status == 200
        assert client.response_headers["content-type"].startswith("text/event-stream")
        assert "no-cache" in client.response_headers["cache-control"]
        assert client.response_headers["x-accel-buffering"] == "no"
        first = await client.next_block()
        assert "retry: 3000" in first
        dispatch = await publish(
            headline="Séisme ressenti à Agadir",
            section=desk["maroc"],
            credit="AFP",
            photo=desk["photo"],
        )
        event = await client.next_event(timeout=10)
        last = await sync_to_async(lambda: FeedEvent.objects.latest("id").pk)()
        assert event["id"] == last
        assert event["event"] == "dispatch"
        assert event["data"]["dispatch"] == dispatch.pk
        assert event["data"]["locked"] is False
        html = event["data"]["html"]
        assert "Séisme ressenti à Agadir" in html
        assert "Premier paragraphe." in html
        assert "AFP" in html and "Maroc" in html
        assert "NADIA IDRISSI / AFP" in html and "La place au matin" in html
        await client.disconnect()

    run(scenario)


def test_reconnect_with_last_event_id_replays_exactly_what_was_missed(
    asgi_app: Any, desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    publish = _publisher(django_capture_on_commit_callbacks)

    def withdraw(dispatch: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.dispatch_withdraw(dispatch=dispatch, note="Erreur de lieu.")

    async def scenario() -> None:
        client = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        await publish(headline="Première dépêche")
        seen = await client.next_event()
        await client.disconnect()

        # While the reader is away:
        second = await publish(headline="Deuxième dépêche")
        third = await publish(headline="Troisième dépêche")
        await sync_to_async(withdraw)(second)

        headers = [(b"last-event-id", str(seen["id"]).encode())]
        back = await SSEClient(asgi_app, "/newsroom/flux/", headers=headers).connect()
        replayed = [await back.next_event() for _ in range(3)]
        assert [e["id"] for e in replayed] == sorted(e["id"] for e in replayed)
        assert [e["id"] for e in replayed] == [seen["id"] + 1, seen["id"] + 2, seen["id"] + 3]
        # The second dispatch was withdrawn meanwhile: its replay says so.
        assert [e["event"] for e in replayed] == ["withdrawn", "dispatch", "withdrawn"]
        assert replayed[1]["data"]["dispatch"] == third.pk
        assert "Erreur de lieu." in replayed[2]["data"]["html"]
        # Nothing more, nothing twice: the next event is one published after.
        sentinel = await publish(headline="Publiée après le retour")
        after = await back.next_event()
        assert (after["event"], after["data"]["dispatch"]) == ("dispatch", sentinel.pk)
        await back.disconnect()

        # The id the page was rendered with works the same (first connection).
        query = f"last_event_id={seen['id'] + 2}"
        page = await SSEClient(asgi_app, "/newsroom/flux/", query=query).connect()
        replayed = [await page.next_event() for _ in range(2)]
        assert [e["id"] for e in replayed] == [seen["id"] + 3, after["id"]]
        # Nothing more, nothing twice: next comes one published now.
        last = await publish(headline="Publiée pendant la lecture de la page")
        assert (await page.next_event())["data"]["dispatch"] == last.pk
        await page.disconnect()

    run(scenario)


def test_locked_dispatch_body_never_reaches_anonymous_readers(
    asgi_app: Any,
    desk: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    django_user_model: Any,
) -> None:
    from django.test import Client

    publish = _publisher(django_capture_on_commit_callbacks)
    editor = django_user_model.objects.create_superuser("chef@example.com", "pw-chef-2026-x")
    browser = Client()
    browser.force_login(editor)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()

    async def scenario() -> None:
        anonymous = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        staff = SSEClient(asgi_app, "/newsroom/flux/", headers=[(b"cookie", cookie)])
        await staff.connect()
        dispatch = await publish(
            headline="Exclusif : le budget rectificatif",
            body=f"<p>{SECRET}</p>",
            access_level="subscribers",
            photo=desk["photo"],
        )
        locked = await anonymous.next_event()
        assert locked["data"]["locked"] is True
        assert typeset("Exclusif : le budget rectificatif") in locked["data"]["html"]
        assert "Réservé aux abonnés" in locked["data"]["html"]
        assert SECRET not in locked["data"]["html"]
        assert "La place au matin" not in locked["data"]["html"]
        full = await staff.next_event()
        assert full["data"]["locked"] is False
        assert SECRET in full["data"]["html"]
        await anonymous.disconnect()
        await staff.disconnect()

        # Nor through a replay.
        headers = [(b"last-event-id", str(locked["id"] - 1).encode())]
        replay = await SSEClient(asgi_app, "/newsroom/flux/", headers=headers).connect()
        again = await replay.next_event()
        assert again["data"]["dispatch"] == dispatch.pk
        assert SECRET not in again["data"]["html"]
        await replay.disconnect()
        assert SECRET.encode() not in anonymous.buffer + replay.buffer

    run(scenario)


def test_disconnect_leaves_no_subscriber_and_no_task(asgi_app: Any, desk: dict[str, Any]) -> None:
    async def scenario() -> None:
        clients = [await SSEClient(asgi_app, "/newsroom/flux/").connect() for _ in range(3)]
        for client in clients:
            await client.next_block()
        hub = current_hub()
        assert hub is not None
        assert hub.subscriber_count == 3
        assert hub.running
        for client in clients:
            await client.disconnect()
        assert hub.subscriber_count == 0
        assert not hub.running
        # The hub's task winds down (Redis closed, if any): waited for, 5 s at most.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if others:
            await asyncio.wait(others, timeout=5)
        assert [t for t in others if not t.done()] == []
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []

    run(scenario)


def test_heartbeat_and_retry(asgi_app: Any, desk: dict[str, Any], settings: Any) -> None:
    settings.LEDE_SSE_HEARTBEAT = 0.05
    settings.LEDE_SSE_RETRY_MS = 5000

    async def scenario() -> None:
        client = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        assert "retry: 5000" in await client.next_block()
        assert await client.next_block(timeout=2) == ": ping"
        assert await client.next_block(timeout=2) == ": ping"
        await client.disconnect()

    run(scenario)


def test_stream_ends_after_max_age_so_the_browser_reconnects(
    asgi_app: Any, desk: dict[str, Any], settings: Any
) -> None:
    settings.LEDE_SSE_MAX_AGE = 0.1
    settings.LEDE_SSE_HEARTBEAT = 0.05  # the age is checked when the stream wakes up

    async def scenario() -> None:
        client = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        await client.body(timeout=10)
        assert client.finished
        await asyncio.wait_for(client.task, 2)  # type: ignore[arg-type]
        hub = current_hub()
        assert hub is not None and hub.subscriber_count == 0

    run(scenario)


def test_withdrawal_and_correction_events(
    asgi_app: Any, desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    publish = _publisher(django_capture_on_commit_callbacks)

    def correct(dispatch: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.dispatch_update(
                dispatch=dispatch, headline="Bilan corrigé : 3 blessés", body="Texte corrigé."
            )

    def withdraw(dispatch: Any, note: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.dispatch_withdraw(dispatch=dispatch, note=note)

    async def scenario() -> None:
        client = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        first = await publish(headline="Bilan : 2 blessés")
        second = await publish(headline="Une rumeur")
        await client.next_event()
        await client.next_event()
        await sync_to_async(correct)(first)
        corrected = await client.next_event()
        assert corrected["event"] == "dispatch"
        assert corrected["data"]["kind"] == "updated"
        assert typeset("Bilan corrigé : 3 blessés") in corrected["data"]["html"]
        assert "Mis à jour le" in corrected["data"]["html"]
        await sync_to_async(withdraw)(first, "Cette dépêche comportait une erreur.")
        gone = await client.next_event()
        assert gone["event"] == "withdrawn"
        assert gone["data"]["dispatch"] == first.pk
        assert "Cette dépêche comportait une erreur." in gone["data"]["html"]
        await sync_to_async(withdraw)(second, "")
        silent = await client.next_event()
        assert silent == {
            "id": silent["id"],
            "event": "withdrawn",
            "data": {"event": silent["id"], "dispatch": second.pk, "html": ""},
        }
        await client.disconnect()

    run(scenario)


def test_change_committed_elsewhere_arrives_by_polling(
    asgi_app: Any, desk: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A management command or a worker without Redis: nobody pokes this process."""
    settings.LEDE_SSE_POLL_INTERVAL = 0.05

    def publish_silently() -> Any:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            dispatch = services.dispatch_publish(headline="Depuis le worker", body="Texte.")
        assert len(callbacks) == 1  # the notification that would have been sent
        return dispatch

    async def scenario() -> None:
        client = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        await client.next_block()
        dispatch = await sync_to_async(publish_silently)()
        event = await client.next_event(timeout=10)
        assert event["data"]["dispatch"] == dispatch.pk
        await client.disconnect()

    run(scenario)


@pytest.mark.redis
def test_redis_message_from_another_process_wakes_the_hub(
    asgi_app: Any, desk: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.LEDE_SSE_POLL_INTERVAL = 60  # only Redis can deliver within the test

    def publish_elsewhere() -> Any:
        with django_capture_on_commit_callbacks(execute=False):
            dispatch = services.dispatch_publish(headline="Par Redis", body="Texte.")
        event_id = FeedEvent.objects.latest("id").pk
        # What another process's notify() does: publish on the channel only.
        broker._sync_redis(settings.REDIS_URL).publish(broker.channel(), f'{{"ids":[{event_id}]}}')
        return dispatch

    async def scenario() -> None:
        client = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        await client.next_block()
        hub = current_hub()
        assert hub is not None
        await asyncio.wait_for(hub.redis_ready.wait(), 5)
        dispatch = await sync_to_async(publish_elsewhere)()
        event = await client.next_event(timeout=10)
        assert event["data"]["dispatch"] == dispatch.pk
        await client.disconnect()
        assert not hub.running

    run(scenario)


def test_slow_reader_is_cut_off_and_replays(
    asgi_app: Any, desk: dict[str, Any], monkeypatch: Any
) -> None:
    from lede.livefeed.broker import Subscription
    from lede.livefeed.events import Payload

    monkeypatch.setattr(broker, "QUEUE_SIZE", 2)

    async def scenario() -> None:
        sub = Subscription(None)
        for i in range(5):
            sub.offer(Payload(id=i, blog_id=None, frame=b""))
        assert await sub.batch() is None
        sub.offer(Payload(id=9, blog_id=None, frame=b"x"))
        sub.tick()  # not needed: something is queued
        sub.offer(Payload(id=10, blog_id=7, frame=b"y"))  # another live blog
        assert [p.id for p in await sub.batch() or []] == [9]
        sub.tick()
        assert await sub.batch() == []

    run(scenario)


def test_bad_parameters(asgi_app: Any, desk: dict[str, Any]) -> None:
    async def scenario() -> None:
        for query in ("blog=abc", "last_event_id=-1", "last_event_id=1e9"):
            client = await SSEClient(asgi_app, "/newsroom/flux/", query=query).connect()
            assert client.status == 400, query
            # French text: the charset is said, or clients show "ParamÃ¨tre".
            assert client.response_headers["content-type"] == "text/plain; charset=utf-8"
            assert (await client.body()).decode("utf-8") == "Paramètre invalide."
        missing = await SSEClient(asgi_app, "/newsroom/flux/", query="blog=999999").connect()
        assert missing.status == 404
        assert missing.response_headers["content-type"] == "text/plain; charset=utf-8"
        assert (await missing.body()).decode("utf-8") == "Ce direct n’existe pas."
        # A garbled header is ignored rather than refused.
        garbled = await SSEClient(
            asgi_app, "/newsroom/flux/", headers=[(b"last-event-id", b"n/a")]
        ).connect()
        assert garbled.status == 200
        await garbled.next_block()
        await garbled.disconnect()

    run(scenario)


def test_under_a_wsgi_server_the_stream_is_one_short_poll(
    client: Any, desk: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A WSGI server consumes a response synchronously: a held stream would keep
    its thread (and an event loop) busy for LEDE_SSE_MAX_AGE. There the stream
    answers at once with what was missed, and the browser polls after ``retry``."""
    settings.LEDE_SSE_MAX_AGE = 2  # bounds the wait if a held stream came back
    with django_capture_on_commit_callbacks(execute=True):
        first = services.dispatch_publish(headline="Avant la page", body="Un.")
    before = FeedEvent.objects.last_id()
    with django_capture_on_commit_callbacks(execute=True):
        missed = services.dispatch_publish(headline="Pendant l’absence", body="Deux.")

    response = client.get("/newsroom/flux/", {"last_event_id": before})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert not response.streaming  # answered whole, no thread held
    text = response.content.decode()
    assert text.startswith(f"retry: {settings.LEDE_SSE_RETRY_MS}")
    ids = [int(line[4:]) for line in text.splitlines() if line.startswith("id: ")]
    assert ids == [before + 1]
    assert str(missed.pk) in text and "Avant la page" not in text
    assert first.pk != missed.pk
