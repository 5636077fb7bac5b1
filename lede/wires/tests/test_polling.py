"""Sources: drop folders and HTTP feeds (a local server in a thread, no network)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from lede.wires import tasks
from lede.wires.models import IngestLogEntry, WireItemRecord, WireSource
from lede.wires.polling import backoff_delay, wire_source_poll, wire_sources_poll

from .builders import MALFORMED_XML, SAMPLES, jpeg_bytes, ninjs_bytes, write_ninjs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]


# --------------------------------------------------------------------------- #
# Folders
# --------------------------------------------------------------------------- #


def folder_source(path: Path, **kwargs: Any) -> WireSource:
    return WireSource.objects.create(
        name=kwargs.pop("name", f"Dossier {path.name}"),
        provider="AFP",
        kind="folder",
        folder_path=str(path),
        poll_interval=60,
        **kwargs,
    )


def test_folder_poll_imports_and_moves_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_ninjs(inbox, "a.json", guid="urn:t:a")
    (inbox / "b.xml").write_bytes(
        (SAMPLES / "newsml-g2" / "LISTING_1_A_NewsML-G2_News_Item.xml").read_bytes()
    )
    (inbox / "bad.xml").write_bytes(MALFORMED_XML)
    (inbox / "photo.jpg").write_bytes(jpeg_bytes())
    (inbox / ".hidden.json").write_bytes(ninjs_bytes(guid="urn:t:hidden"))
    source = folder_source(inbox)

    reports = wire_sources_poll()

    assert len(reports) == 1 and reports[0].ok
    assert set(WireItemRecord.objects.values_list("guid", flat=True)) == {
        "urn:t:a",
        "urn:newsml:acmenews.com:20161018:US-FINANCE-FED",
    }
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["a.json", "b.xml"]
    assert [p.name for p in (inbox / "rejected").iterdir()] == ["bad.xml"]
    assert (inbox / "photo.jpg").exists()  # stays for a day: stories may refer to it
    assert (inbox / ".hidden.json").exists()
    assert IngestLogEntry.objects.filter(outcome="rejected", filename="bad.xml").exists()
    source.refresh_from_db()
    assert source.failure_count == 0 and source.last_success_at is not None
    assert source.next_attempt_at is not None and source.next_attempt_at > timezone.now()
    assert WireItemRecord.objects.filter(source=source).count() == 2

    # Not due again before its interval; nothing left to import anyway.
    assert wire_sources_poll() == []
    write_ninjs(inbox, "a.json", guid="urn:t:a")  # the same file dropped again
    report = wire_source_poll(source=source)
    assert [o.outcome for o in report.outcomes] == ["skipped"]
    assert sorted(p.name for p in (inbox / "processed").iterdir())[0].startswith("a.")
    assert len(list((inbox / "processed").iterdir())) == 3  # not overwritten


def test_files_still_being_written_wait_for_the_next_poll(tmp_path: Path, settings: Any) -> None:
    settings.LEDE_WIRE_SETTLE_SECONDS = 60
    inbox = tmp_path / "inbox"
    write_ninjs(inbox, "fresh.json")
    source = folder_source(inbox)
    wire_source_poll(source=source)
    assert (inbox / "fresh.json").exists()
    assert not WireItemRecord.objects.exists()
    old = time.time() - 120
    os.utime(inbox / "fresh.json", (old, old))
    wire_source_poll(source=source)
    assert WireItemRecord.objects.count() == 1


def test_old_pictures_are_moved_with_the_stories(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    picture = inbox / "old.jpg"
    picture.write_bytes(jpeg_bytes())
    old = time.time() - 2 * 24 * 3600
    os.utime(picture, (old, old))
    wire_source_poll(source=folder_source(inbox))
    assert (inbox / "processed" / "old.jpg").exists()


def test_missing_folder_backs_off_and_others_keep_going(tmp_path: Path) -> None:
    broken = folder_source(tmp_path / "nowhere", name="Cassé")
    inbox = tmp_path / "inbox"
    write_ninjs(inbox, "a.json")
    folder_source(inbox, name="Bon")
    reports = {r.source_name: r for r in wire_sources_poll()}
    assert not reports["Cassé"].ok and reports["Bon"].ok
    broken.refresh_from_db()
    assert broken.failure_count == 1
    assert "Dossier introuvable" in broken.last_error
    assert WireItemRecord.objects.count() == 1


def test_task_polls_the_sources(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_ninjs(inbox, "a.json")
    folder_source(inbox)
    result = tasks.wire_sources_poll.enqueue()
    assert "1 imported" in str(result.return_value)
    assert WireItemRecord.objects.count() == 1


def test_a_source_is_claimed_before_polling(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_ninjs(inbox, "a.json")
    source = folder_source(inbox)
    # Another worker holds it (its lease is in the future): this one leaves it alone.
    WireSource.objects.filter(pk=source.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert wire_sources_poll() == []
    assert not WireItemRecord.objects.exists()


def test_backoff_grows_exponentially_with_a_cap() -> None:
    assert backoff_delay(failures=1, interval=60) == timedelta(seconds=120)
    assert backoff_delay(failures=2, interval=60) == timedelta(seconds=240)
    assert backoff_delay(failures=3, interval=60) == timedelta(seconds=480)
    assert backoff_delay(failures=30, interval=60) == timedelta(hours=1)
    assert backoff_delay(failures=1, interval=7200) == timedelta(hours=2)


# --------------------------------------------------------------------------- #
# HTTP feeds against a local server
# --------------------------------------------------------------------------- #


class FeedServer:
    """A tiny feed server: routes answer with a body, an ETag, an error or a delay."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.routes: dict[str, dict[str, Any]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append({"path": self.path, "headers": dict(self.headers)})
                route = server.routes.get(self.path, {"status": 404})
                if route.get("delay"):
                    time.sleep(route["delay"])
                etag = route.get("etag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                body: bytes = route.get("body", b"")
                self.send_response(route.get("status", 200))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                if route.get("last_modified"):
                    self.send_header("Last-Modified", route["last_modified"])
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def http_source(url: str, name: str = "Flux") -> WireSource:
    return WireSource.objects.create(
        name=name, provider="Reuters", kind="http", url=url, poll_interval=60
    )


def test_http_200_imports_then_304_costs_nothing(feed_server: FeedServer) -> None:
    feed_server.routes["/feed.json"] = {
        "body": ninjs_bytes(guid="urn:t:http"),
        "etag": '"v1"',
        "last_modified": "Wed, 01 Apr 2026 08:00:00 GMT",
    }
    source = http_source(feed_server.base + "/feed.json")
    report = wire_source_poll(source=source)
    assert report.ok and [o.outcome for o in report.outcomes] == ["imported"]
    source.refresh_from_db()
    assert source.etag == '"v1"'
    assert source.last_modified == "Wed, 01 Apr 2026 08:00:00 GMT"
    assert WireItemRecord.objects.get().source == source
    log_count = IngestLogEntry.objects.count()

    report = wire_source_poll(source=source)
    assert report.ok and report.outcomes == [] and "304" in report.message
    headers = feed_server.requests[-1]["headers"]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Wed, 01 Apr 2026 08:00:00 GMT"
    assert IngestLogEntry.objects.count() == log_count
    assert WireItemRecord.objects.count() == 1


def test_http_500_backs_off_and_other_sources_keep_going(feed_server: FeedServer) -> None:
    feed_server.routes["/down"] = {"status": 500, "body": b"oops"}
    feed_server.routes["/up"] = {"body": ninjs_bytes(guid="urn:t:up")}
    down = http_source(feed_server.base + "/down", name="En panne")
    http_source(feed_server.base + "/up", name="En forme")
    before = timezone.now()
    reports = {r.source_name: r for r in wire_sources_poll(now=before)}
    assert not reports["En panne"].ok and reports["En forme"].ok
    assert WireItemRecord.objects.filter(guid="urn:t:up").exists()
    down.refresh_from_db()
    assert down.failure_count == 1
    assert down.next_attempt_at == before + timedelta(seconds=120)
    assert "HTTP 500" in down.last_error
    entry = IngestLogEntry.objects.get(source=down)
    assert (
        entry.outcome == "rejected"
        and "HTTP 500" in entry.reason
        and "Nouvel essai" in entry.reason
    )

    # Not retried before its back-off; retried after, and the delay doubles.
    assert [r.source_name for r in wire_sources_poll(now=before + timedelta(seconds=45))] == []
    later = before + timedelta(seconds=121)
    reports = {r.source_name: r for r in wire_sources_poll(now=later)}
    assert "En panne" in reports
    down.refresh_from_db()
    assert down.failure_count == 2
    assert down.next_attempt_at == later + timedelta(seconds=240)

    # Back to health: the counter is reset.
    feed_server.routes["/down"] = {"body": ninjs_bytes(guid="urn:t:back")}
    wire_source_poll(source=down, now=later + timedelta(seconds=300))
    down.refresh_from_db()
    assert down.failure_count == 0 and down.last_error == ""


def test_http_timeout_backs_off(feed_server: FeedServer, settings: Any) -> None:
    settings.LEDE_WIRE_HTTP_TIMEOUT = 0.3
    feed_server.routes["/slow"] = {"delay": 1.5, "body": ninjs_bytes()}
    source = http_source(feed_server.base + "/slow")
    report = wire_source_poll(source=source)
    assert not report.ok and "Délai dépassé" in report.message
    source.refresh_from_db()
    assert source.failure_count == 1 and source.next_attempt_at is not None
    assert not WireItemRecord.objects.exists()


def test_http_unreachable_and_oversized(feed_server: FeedServer, settings: Any) -> None:
    closed = http_source("http://127.0.0.1:9/feed", name="Fermé")
    report = wire_source_poll(source=closed)
    assert not report.ok and "injoignable" in report.message
    settings.LEDE_WIRE_MAX_BYTES = 100
    feed_server.routes["/big"] = {"body": b"{" + b" " * 1000 + b"}"}
    report = wire_source_poll(source=http_source(feed_server.base + "/big", name="Gros"))
    assert not report.ok and "trop volumineux" in report.message


def test_http_garbage_is_rejected_but_not_a_transport_failure(feed_server: FeedServer) -> None:
    feed_server.routes["/garbage"] = {"body": MALFORMED_XML}
    source = http_source(feed_server.base + "/garbage")
    report = wire_source_poll(source=source)
    assert report.ok and [o.outcome for o in report.outcomes] == ["rejected"]
    assert IngestLogEntry.objects.get().filename == "garbage"
