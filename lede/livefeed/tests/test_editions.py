"""One stream per edition (fr, ar), the per-address cap, and the dispatch's edition."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.exceptions import ValidationError

from lede.livefeed import selectors, services
from lede.livefeed.models import Dispatch, edition_for

from .conftest import SSEClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _editions(settings: Any) -> None:
    settings.LEDE_SSE_POLL_INTERVAL = 30
    settings.LEDE_SSE_CHANNEL = f"lede:livefeed:test:{uuid.uuid4().hex}"
    # The Arabic edition as issue 18 adds it (the locale middleware picks it).
    settings.LANGUAGES = [("fr", "Français"), ("ar", "العربية")]


def run(scenario: Callable[[], Any]) -> Any:
    return async_to_sync(scenario)()


def _publisher(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    def publish(**kwargs: Any) -> Any:
        kwargs.setdefault("body", "Premier paragraphe.")
        with django_capture_on_commit_callbacks(execute=True):
            return services.dispatch_publish(**kwargs)

    return sync_to_async(publish)


def test_edition_of_a_language() -> None:
    assert edition_for("ar") == "ar"
    assert edition_for("ar-ma") == "ar"
    assert edition_for("fr-fr") == "fr"
    assert edition_for("en") == "fr"
    assert edition_for(None) == "fr"


def test_each_edition_streams_only_its_dispatches(
    asgi_app: Any, desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    publish = _publisher(django_capture_on_commit_callbacks)

    async def scenario() -> None:
        french = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        arabic = await SSEClient(asgi_app, "/ar/newsroom/flux/").connect()
        ar = await publish(headline="خبر عاجل من الرباط", language="ar")
        fr = await publish(headline="Dépêche de Rabat")
        got_fr = await french.next_event()
        got_ar = await arabic.next_event()
        assert got_fr["data"]["dispatch"] == fr.pk
        assert got_ar["data"]["dispatch"] == ar.pk
        await french.disconnect()
        await arabic.disconnect()
        assert "خبر".encode() not in french.buffer
        assert b"Rabat" not in arabic.buffer

        # Replay keeps to the edition too.
        headers = [(b"last-event-id", b"0")]
        replay = await SSEClient(asgi_app, "/ar/newsroom/flux/", headers=headers).connect()
        again = await replay.next_event()
        assert again["data"]["dispatch"] == ar.pk
        await replay.disconnect()
        assert b"Rabat" not in replay.buffer

    run(scenario)


def test_listings_keep_to_the_edition(desk: dict[str, Any]) -> None:
    fr = services.dispatch_publish(headline="Une brève", body="Texte.")
    ar = services.dispatch_publish(headline="خبر", body="نص.", language="ar")
    assert list(selectors.newsroom_dispatches()) == [fr]
    assert list(selectors.newsroom_dispatches(language="ar")) == [ar]
    assert list(selectors.latest_dispatches(language="ar")) == [ar]


def test_edition_is_checked_and_fixed_at_publication(desk: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as bad:
        services.dispatch_publish(headline="Titre", body="Texte.", language="xx")
    assert "language" in bad.value.message_dict
    assert not Dispatch.objects.exists()
    dispatch = services.dispatch_publish(headline="Titre", body="Texte.")
    with pytest.raises(ValidationError) as moved:
        services.dispatch_update(dispatch=dispatch, headline="Titre", body="Texte.", language="ar")
    assert "language" in moved.value.message_dict
    same = services.dispatch_update(dispatch=dispatch, headline="Titre 2", body="Texte.")
    assert same.language == "fr"


def test_one_address_holds_a_limited_number_of_streams(
    asgi_app: Any, desk: dict[str, Any], settings: Any
) -> None:
    settings.LEDE_SSE_MAX_PER_IP = 2

    async def scenario() -> None:
        first = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        second = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        third = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        assert (first.status, second.status) == (200, 200)
        assert third.status == 429
        assert third.response_headers["content-type"] == "text/plain; charset=utf-8"
        assert (await third.body()).decode() == "Trop de flux ouverts depuis cette adresse."
        await first.disconnect()
        fourth = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        assert fourth.status == 200  # a place freed is a place taken
        await second.disconnect()
        await fourth.disconnect()

    run(scenario)
