"""Live coverage pages: rendering, JSON-LD, ordering, pins, live updates, the ended state."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import Client
from django.utils import timezone

from lede.core.typography import typeset
from lede.livefeed import services
from lede.livefeed.models import FeedEvent, LiveBlogEntry, LiveBlogPage

from .conftest import SSEClient

pytestmark = pytest.mark.django_db


def _entry(minutes_ago: int, title: str, text: str, **kwargs: Any) -> LiveBlogEntry:
    return LiveBlogEntry(
        time=timezone.now() - timedelta(minutes=minutes_ago),
        title=title,
        content=[("text", f"<p>{text}</p>")],  # type: ignore[misc]
        **kwargs,
    )


@pytest.fixture
def live_blog(desk: dict[str, Any]) -> LiveBlogPage:
    page = LiveBlogPage(
        title="Séisme dans le Haut Atlas : le direct",
        summary="<ul><li>Magnitude 6,1</li><li>Les secours sur place</li></ul>",
    )
    latest = _entry(10, "Les secours arrivent", "Des équipes venues de Marrakech.")
    latest.content = [  # type: ignore[assignment]
        ("text", "<p>Des équipes venues de Marrakech.</p>"),
        ("quote", {"text": "Nous faisons au plus vite", "attribution": "Un secouriste"}),
    ]
    page.entries = [  # type: ignore[assignment]
        _entry(50, "Premières secousses", "La terre a tremblé peu avant minuit."),
        _entry(30, "Consignes", "Restez à l'écart des bâtiments fissurés.", pinned=True),
        latest,
    ]
    desk["maroc"].add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _json_ld(html: str) -> dict[str, Any]:
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert raw is not None
    return dict(json.loads(raw.group(1)))


def test_live_blog_renders_key_points_pin_and_entries(client: Client, live_blog: Any) -> None:
    response = client.get(live_blog.url)
    assert response.status_code == 200
    html = response.content.decode()
    html = html[html.index("<main") :]  # past the JSON-LD
    assert html.count("<h1") == 1 and "Séisme dans le Haut Atlas : le direct" in html
    assert "En direct" in html and "L’essentiel" in html and "Magnitude 6,1" in html
    # Pinned first, then newest first; the pin is not repeated.
    order = [html.index(t) for t in ("Consignes", "Les secours arrivent", "Premières secousses")]
    assert order == sorted(order)
    assert html.count("Restez à l") == 1
    assert "Nous faisons au plus vite" in html and "Un secouriste" in html
    assert f'data-stream-url="/newsroom/flux/?blog={live_blog.pk}"' in html
    assert "livefeed/newsroom.js" in html


def test_oldest_first(client: Client, live_blog: Any) -> None:
    live_blog.order = LiveBlogPage.Order.OLDEST_FIRST
    live_blog.save_revision().publish()
    html = client.get(live_blog.url).content.decode()
    html = html[html.index("<main") :]
    assert html.index("Premières secousses") < html.index("Les secours arrivent")
    assert html.index("Consignes") < html.index("Premières secousses")  # still pinned on top


def test_json_ld_live_blog_posting(client: Client, live_blog: Any) -> None:
    data = _json_ld(client.get(live_blog.url).content.decode())
    assert data["@type"] == "LiveBlogPosting"
    assert data["headline"] == "Séisme dans le Haut Atlas : le direct"
    assert data["coverageStartTime"]
    assert "coverageEndTime" not in data
    assert data["isAccessibleForFree"] is True
    updates = data["liveBlogUpdate"]
    assert [u["headline"] for u in updates] == [
        "Les secours arrivent",
        "Consignes",
        "Premières secousses",
    ]
    assert all(u["@type"] == "BlogPosting" for u in updates)
    assert updates[0]["articleBody"] == (
        "Des équipes venues de Marrakech. « Nous faisons au plus vite » — Un secouriste"
    )
    latest = LiveBlogEntry.objects.get(page=live_blog, title="Les secours arrivent")
    assert updates[0]["url"] == f"{live_blog.full_url}#entree-{latest.pk}"


def test_publishing_records_a_blog_event(
    live_blog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert FeedEvent.objects.filter(blog=live_blog, kind="blog").count() == 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        live_blog.entries.add(_entry(1, "Nouveau bilan", "Le bilan s'alourdit."))
        live_blog.save_revision().publish()
    assert FeedEvent.objects.filter(blog=live_blog).count() == 2
    assert callbacks  # the broker is told after the commit


def test_open_page_gets_new_entries_through_the_stream(
    asgi_app: Any, live_blog: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.LEDE_SSE_POLL_INTERVAL = 30

    def add_entry() -> None:
        page = LiveBlogPage.objects.get(pk=live_blog.pk)
        with django_capture_on_commit_callbacks(execute=True):
            page.entries.add(_entry(0, "Nouveau bilan", "Le bilan s'alourdit."))
            page.save_revision().publish()

    def publish_dispatch() -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return services.dispatch_publish(headline="Après l'entrée", body="Texte.")

    async def scenario() -> None:
        blog = await SSEClient(asgi_app, "/newsroom/flux/", query=f"blog={live_blog.pk}").connect()
        feed = await SSEClient(asgi_app, "/newsroom/flux/").connect()
        await blog.next_block()
        await feed.next_block()
        await sync_to_async(add_entry)()
        event = await blog.next_event()
        assert event["event"] == "blog"
        assert event["data"]["blog"] == live_blog.pk and event["data"]["status"] == "live"
        assert typeset("Le bilan s'alourdit.") in event["data"]["entries_html"]
        assert "Magnitude 6,1" in event["data"]["summary_html"]
        assert len(event["data"]["entry_ids"]) == 4
        # The feed does not carry live blogs: its next event is a dispatch
        # published after the entry.
        dispatch = await sync_to_async(publish_dispatch)()
        after = await feed.next_event()
        assert (after["event"], after["data"]["dispatch"]) == ("dispatch", dispatch.pk)
        await blog.disconnect()
        await feed.disconnect()

    async_to_sync(scenario)()


def test_ended_live_blog_is_an_archive(client: Client, live_blog: Any) -> None:
    live_blog.status = LiveBlogPage.Status.ENDED
    live_blog.save_revision().publish()
    live_blog.refresh_from_db()
    assert live_blog.coverage_end is not None
    html = client.get(live_blog.url).content.decode()
    assert "Terminé" in html and "En direct" not in html
    assert "data-stream-url" not in html and "newsroom.js" not in html
    data = _json_ld(html)
    assert data["coverageEndTime"] == live_blog.coverage_end.isoformat()
    event = FeedEvent.objects.filter(blog=live_blog).latest("id")
    from lede.livefeed.events import build_payloads

    frame = build_payloads([event])[0].frame.decode()
    assert '"status":"ended"' in frame


def test_draft_live_blog_has_no_stream(asgi_app: Any, desk: dict[str, Any]) -> None:
    page = LiveBlogPage(title="Brouillon", live=False)
    desk["maroc"].add_child(instance=page)

    async def scenario() -> None:
        client = await SSEClient(asgi_app, "/newsroom/flux/", query=f"blog={page.pk}").connect()
        assert client.status == 404
        await client.body()

    async_to_sync(scenario)()
