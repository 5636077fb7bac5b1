"""Webhooks to licensees, against a real HTTP receiver on loopback: signed,
retried with back-off after a 500, a time-out or a redirect, logged; a kill
reaches the licensee who received the article; publishing never waits."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from lede.core.testing import factories as f
from lede.syndication import webhooks
from lede.syndication.models import WebhookDelivery, WebhookEndpoint
from lede.syndication.tasks import webhooks_retry_due

from .builders import make_licence

pytestmark = pytest.mark.django_db


class Receiver:
    """Records each call; answers with the next planned status ("hang" waits
    until released, longer than the client's time-out)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.plan: list[int | str] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append({"headers": dict(self.headers), "body": body})
                answer = receiver.plan.pop(0) if receiver.plan else 200
                if answer == "hang":
                    receiver.release.wait(timeout=10)
                    answer = 200
                self.send_response(int(answer))
                if int(answer) in {301, 302}:
                    self.send_header("Location", "http://127.0.0.1:9/ailleurs")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.stop()


@pytest.fixture
def licensed(receiver: Receiver) -> dict[str, Any]:
    politique = f.make_section("Politique")
    sport = f.make_section("Sport")
    licence = make_licence(sections=[politique])
    endpoint = WebhookEndpoint.objects.create(
        licence=licence, url=receiver.url, secret=webhooks.new_secret()
    )
    return {"politique": politique, "sport": sport, "licence": licence, "endpoint": endpoint}


def publish(section: Any, title: str, capture: Any) -> Any:
    with capture(execute=True):
        return f.make_article(section, title, published_at=timezone.now(), body=[])


def test_publish_is_signed_and_only_for_covered_sections(
    licensed: dict[str, Any], receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    article = publish(
        licensed["politique"], "Un article couvert", django_capture_on_commit_callbacks
    )
    publish(licensed["sport"], "Un article hors licence", django_capture_on_commit_callbacks)
    assert len(receiver.calls) == 1
    call = receiver.calls[0]
    payload = json.loads(call["body"])
    assert payload["event"] == "article.published"
    assert payload["article"]["id"] == article.pk
    stamp, mac = call["headers"]["X-Lede-Signature"].split(",")
    expected = hmac.new(
        licensed["endpoint"].secret.encode(),
        stamp.removeprefix("t=").encode() + b"." + call["body"],
        hashlib.sha256,
    ).hexdigest()
    assert mac == f"v1={expected}"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1


@pytest.mark.parametrize("failure", [500, 302, "hang"])
def test_failures_are_retried_with_back_off(
    licensed: dict[str, Any],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    failure: int | str,
) -> None:
    settings.LEDE_WEBHOOK_TIMEOUT = 0.5
    receiver.plan = [failure]
    publish(licensed["politique"], "Un article", django_capture_on_commit_callbacks)
    receiver.release.set()  # a hung call may finish now; the client gave up already
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at > timezone.now()
    # Not due yet: nothing sent.
    assert webhooks.webhooks_due() == []
    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert webhooks.webhooks_due(later) == [delivery.pk]
    assert webhooks.webhook_attempt(delivery_id=delivery.pk, now=later) == "delivered"
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_status == 200


def test_gives_up_after_the_last_attempt(
    licensed: dict[str, Any],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.LEDE_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.plan = [500, 500]
    publish(licensed["politique"], "Un article", django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    later = timezone.now() + timedelta(days=1)
    assert webhooks.webhook_attempt(delivery_id=delivery.pk, now=later) == "failed"
    assert webhooks_retry_due.enqueue().return_value == "0 attempted"


def test_a_kill_reaches_the_licensee_who_received_it(
    licensed: dict[str, Any], receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    article = publish(
        licensed["politique"], "Un article retiré", django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    events = [json.loads(c["body"])["event"] for c in receiver.calls]
    assert events == ["article.published", "article.killed"]


def test_a_dead_endpoint_never_blocks_publishing(
    licensed: dict[str, Any], django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.LEDE_WEBHOOK_TIMEOUT = 0.5
    WebhookEndpoint.objects.filter(pk=licensed["endpoint"].pk).update(url="http://127.0.0.1:9/")
    article = publish(
        licensed["politique"], "Publié quand même", django_capture_on_commit_callbacks
    )
    article.refresh_from_db()
    assert article.live
    assert WebhookDelivery.objects.get().status == "pending"
