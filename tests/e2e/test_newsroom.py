"""The Newsroom page is open in Chromium; an editor publishes; the dispatch appears
without a reload, behind a "N nouvelles dépêches" button.

Server-Sent Events need an ASGI server (Django's live_server is WSGI and would
buffer the stream), so the app is served by uvicorn in a thread of the test
process: it shares the test database (committed data, transaction=True).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

T = TypeVar("T")


def _write(write: Callable[[], T]) -> T:
    """Run an editor's write from the test thread while the server's threads
    read. The SQLite test database is in memory with a shared cache, whose
    table locks fail a writer at once while a reader is mid-statement (no
    busy time-out applies): try again, as the write is atomic and left
    nothing behind. On PostgreSQL, and on the demo's SQLite file (WAL), a
    write simply waits."""
    from django.db import OperationalError

    for _ in range(50):
        try:
            return write()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.1)
    return write()


@pytest.fixture
def asgi_server(transactional_db: Any, settings: Any) -> Iterator[str]:
    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from lede.core.asgi import LedeASGIHandler

    settings.LEDE_SSE_HEARTBEAT = 5
    app = ASGIStaticFilesHandler(LedeASGIHandler())  # as config/asgi.py
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        loop="asyncio",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-e2e", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        from lede.livefeed.broker import all_hubs

        # The browser page is closed by now: let the hub wind down (it releases
        # its database connection) before the server and the test database go.
        deadline = time.monotonic() + 10
        while not all(hub.idle for hub in all_hubs()) and time.monotonic() < deadline:
            time.sleep(0.05)
        server.should_exit = True
        thread.join(10)


def _stream_open(page: Any) -> None:
    """Wait until the page's EventSource is connected (not strictly needed: the
    page passes the last event id it was rendered with, so nothing is lost)."""
    page.locator("[data-live-feed][data-stream-state=open]").wait_for(
        state="attached", timeout=15_000
    )


def test_dispatch_appears_without_reload(
    asgi_server: str, page: Any, publication: dict[str, Any]
) -> None:
    from lede.livefeed import services

    _write(
        lambda: services.dispatch_publish(
            headline="Déjà là avant l'ouverture", body="Texte ancien."
        )
    )
    page.goto(asgi_server + "/newsroom/")
    assert page.locator("h1").inner_text() == "Newsroom"
    assert page.get_by_text("Le meilleur de l’actualité au fil des événements").is_visible()
    page.evaluate("window.__sameDocument = true")
    _stream_open(page)

    dispatch = _write(
        lambda: services.dispatch_publish(
            headline="Le Parlement adopte la loi de finances",
            body="Le texte a été voté en seconde lecture.",
            section=publication["eco"],
            credit="MAP",
        )
    )
    button = page.get_by_role("button", name="1 nouvelle dépêche")
    button.wait_for(state="visible", timeout=15_000)
    # Nothing moved under the reader's eyes before they asked.
    first = page.locator(".newsroom__list article").first
    assert "Déjà là avant l’ouverture" in first.inner_text()
    assert page.get_by_role("status").inner_text() == "1 nouvelle dépêche"

    button.focus()
    page.keyboard.press("Enter")
    first = page.locator(".newsroom__list article").first
    assert first.get_attribute("id") == f"depeche-{dispatch.pk}"
    assert "Le Parlement adopte la loi de finances" in first.inner_text()
    assert "MAP" in first.inner_text() and "ÉCONOMIE" in first.inner_text().upper()
    assert not button.is_visible()
    assert page.evaluate("document.activeElement.id") == f"depeche-{dispatch.pk}"
    assert page.evaluate("window.__sameDocument") is True  # no reload happened

    # Two more: the label follows French plurals.
    _write(lambda: services.dispatch_publish(headline="Deuxième dépêche", body="Texte."))
    _write(lambda: services.dispatch_publish(headline="Troisième dépêche", body="Texte."))
    page.get_by_role("button", name="2 nouvelles dépêches").wait_for(timeout=15_000)

    # A withdrawal removes the item on the open page, leaving the editor's note.
    _write(
        lambda: services.dispatch_withdraw(
            dispatch=dispatch, note="Cette dépêche a été retirée par erreur."
        )
    )
    page.get_by_text("Cette dépêche a été retirée par erreur.").wait_for(timeout=15_000)
    assert page.get_by_text("Le Parlement adopte la loi de finances").count() == 0
    assert page.evaluate("window.__sameDocument") is True


def test_live_blog_gets_new_entries_and_ends(
    asgi_server: str, page: Any, publication: dict[str, Any]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from lede.livefeed.models import LiveBlogEntry, LiveBlogPage

    blog = LiveBlogPage(title="Élections : le direct", summary="<p>Participation en hausse.</p>")
    blog.entries = [  # type: ignore[assignment]
        LiveBlogEntry(
            time=timezone.now() - timedelta(minutes=5),
            title="Ouverture des bureaux",
            content=[("text", "<p>Les bureaux ont ouvert à 8 heures.</p>")],  # type: ignore[misc]
        )
    ]
    publication["eco"].add_child(instance=blog)
    _write(lambda: blog.save_revision().publish())

    page.goto(asgi_server + blog.url)
    page.evaluate("window.__sameDocument = true")
    page.locator("[data-live-blog][data-stream-state=open]").wait_for(
        state="attached", timeout=15_000
    )
    blog = LiveBlogPage.objects.get(pk=blog.pk)
    blog.entries.add(
        LiveBlogEntry(
            title="Premiers résultats",
            content=[("text", "<p>Le dépouillement commence.</p>")],  # type: ignore[misc]
        )
    )
    _write(lambda: blog.save_revision().publish())
    button = page.get_by_role("button", name="1 nouvelle entrée")
    button.wait_for(timeout=15_000)
    button.click()
    entries = page.locator(".live-blog__entries article")
    assert "Premiers résultats" in entries.first.inner_text()

    blog = LiveBlogPage.objects.get(pk=blog.pk)
    blog.status = LiveBlogPage.Status.ENDED
    _write(lambda: blog.save_revision().publish())
    page.get_by_role("status").filter(has_text="Ce direct est terminé.").wait_for(
        state="attached", timeout=15_000
    )
    assert page.locator("[data-stream-state=closed]").count() == 1
    assert page.evaluate("window.__sameDocument") is True
