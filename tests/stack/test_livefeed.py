"""A dispatch published on node A reaches SSE readers on node B and through Varnish."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from .conftest import Stack, editor


def _rich(text: str) -> str:
    block = {
        "key": "k0",
        "type": "unstyled",
        "depth": 0,
        "text": text,
        "inlineStyleRanges": [],
        "entityRanges": [],
        "data": {},
    }
    return json.dumps({"blocks": [block], "entityMap": {}})


class SSEClient(threading.Thread):
    """Reads a text/event-stream and puts each line on a queue."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.lines: queue.Queue[str] = queue.Queue()
        self.connected = threading.Event()
        self.response: Any = None

    def run(self) -> None:
        http = requests.Session()
        http.trust_env = False
        with http.get(self.url, stream=True, timeout=(5, 30)) as response:
            self.response = response
            self.connected.set()
            for line in response.iter_lines(chunk_size=1, decode_unicode=True):
                self.lines.put(line)

    def wait_for(self, needle: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if needle in line:
                return line
        raise AssertionError(f"{needle!r} not received on {self.url} within {timeout} s")


def test_dispatch_on_node_a_reaches_sse_clients_on_node_b_and_varnish(stack: Stack) -> None:
    clients = [
        SSEClient(stack.nodes["node2"] + "/newsroom/flux/"),
        SSEClient(stack.url + "/newsroom/flux/"),
    ]
    for client in clients:
        client.start()
        assert client.connected.wait(10), client.url
        assert client.response.status_code == 200
        assert client.response.headers["Content-Type"].startswith("text/event-stream")
        client.wait_for("retry:", timeout=5)  # the stream's first frame, unbuffered

    headline = f"Depeche de la pile {time.time_ns()}"
    node_a = editor(stack, "node1")
    add = "/admin/livefeed/dispatch/add/"
    response = node_a.post(
        add,
        data={
            "csrfmiddlewaretoken": node_a.csrf_token(add),
            "headline": headline,
            "body": _rich("Un court texte de la pile."),
            "credit": "Lede",
            "access_level": "public",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    for client in clients:
        line = client.wait_for(headline, timeout=5)
        assert line.startswith("data:")


# --- the nchan road: the stack's front (nginx + nchan on STACK_PORT+10) -----------------

SSE = {"Accept": "text/event-stream"}


def _front(stack: Stack) -> str:
    return f"http://127.0.0.1:{(urlsplit(stack.url).port or 80) + 10}"


class FrontStream(threading.Thread):
    """An EventSource-like reader of the front: parsed events on a queue."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.headers = {**SSE, **(headers or {})}
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.connected = threading.Event()
        self.status = 0
        self._response: Any = None

    def run(self) -> None:
        http = requests.Session()
        http.trust_env = False
        with http.get(self.url, headers=self.headers, stream=True, timeout=(5, 60)) as response:
            self._response = response
            self.status = response.status_code
            self.connected.set()
            event: dict[str, Any] = {}
            try:
                for line in response.iter_lines(chunk_size=1, decode_unicode=True):
                    if line == "":
                        if "data" in event:
                            event["json"] = json.loads(event["data"])
                            self.events.put(event)
                        event = {}
                    elif not line.startswith(":") and ":" in line:
                        name, _, value = line.partition(":")
                        event[name] = value.lstrip(" ")
            except (requests.RequestException, AttributeError, ValueError):
                return  # closed by close()

    def close(self) -> None:
        if self._response is not None:
            with contextlib.suppress(Exception):
                self._response.close()

    def wait_for(self, predicate: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if predicate(event):
                return event
        raise AssertionError(f"no matching event on {self.url} within {timeout} s")


def _open(url: str, headers: dict[str, str] | None = None) -> FrontStream:
    stream = FrontStream(url, headers)
    stream.start()
    assert stream.connected.wait(10), url
    return stream


def _publish(stack: Stack, headline: str, body: str, access: str = "public") -> None:
    node_a = editor(stack, "node1")
    add = "/admin/livefeed/dispatch/add/"
    response = node_a.post(
        add,
        data={
            "csrfmiddlewaretoken": node_a.csrf_token(add),
            "headline": headline,
            "body": _rich(body),
            "credit": "Lede",
            "access_level": access,
        },
    )
    assert response.status_code == 302, response.text[:2000]


def _headline(text: str) -> Any:
    return lambda event: text in event["json"].get("html", "")


def test_front_delivers_a_dispatch_with_its_publication_time(stack: Stack) -> None:
    stream = _open(_front(stack) + "/newsroom/flux/")
    try:
        assert stream.status == 200
        assert stream._response.headers["Content-Type"].startswith("text/event-stream")
        headline = f"Depeche nchan {time.time_ns()}"
        _publish(stack, headline, "Un court texte public.")
        event = stream.wait_for(_headline(headline), timeout=10)
        assert event["event"] == "dispatch"
        assert ":" in event["id"]  # nchan's own message id
        assert event["json"]["locked"] is False
        assert event["json"]["published_at"]
        assert isinstance(event["json"]["event"], int)  # the feed event id
    finally:
        stream.close()


def test_front_replays_after_reconnect_with_last_event_id(stack: Stack) -> None:
    url = _front(stack) + "/newsroom/flux/"
    first_headline = f"Avant la coupure {time.time_ns()}"
    stream = _open(url)
    _publish(stack, first_headline, "Premier texte.")
    seen = stream.wait_for(_headline(first_headline), timeout=10)
    stream.close()

    missed = f"Pendant la coupure {time.time_ns()}"
    _publish(stack, missed, "Second texte.")
    again = _open(url, {"Last-Event-ID": seen["id"]})
    try:
        event = again.wait_for(
            lambda e: "Avant" in e["json"]["html"] or missed in e["json"]["html"], 10
        )
        assert missed in event["json"]["html"], "replayed from before the id it was given"
    finally:
        again.close()


def test_front_survives_its_restart(stack: Stack) -> None:
    """nginx restarted: nchan's memory is gone; the refill from Redis gives a
    reader reconnecting with an old id what was published meanwhile."""
    url = _front(stack) + "/newsroom/flux/"
    before = f"Avant le redemarrage {time.time_ns()}"
    stream = _open(url)
    _publish(stack, before, "Avant.")
    seen = stream.wait_for(_headline(before), timeout=10)
    stream.close()
    stack._bin("stop", "front")
    during = f"Pendant le redemarrage {time.time_ns()}"
    try:
        _publish(stack, during, "Publiee, front arrete.")  # the publish to nchan fails
    finally:
        stack._bin("start", "front")  # and refills
    again = _open(url, {"Last-Event-ID": seen["id"]})
    try:
        event = again.wait_for(_headline(during), timeout=10)
        assert event["json"]["event"] > seen["json"]["event"]
    finally:
        again.close()


def test_front_garbage_last_event_id_still_streams(stack: Stack) -> None:
    for garbage in ("garbage", "-1", "99999999999999999999:1", "1:2:3", "' OR 1=1 --"):
        stream = _open(_front(stack) + "/newsroom/flux/", {"Last-Event-ID": garbage})
        try:
            assert stream.status == 200, garbage
        finally:
            stream.close()


def test_front_caps_streams_per_address(stack: Stack) -> None:
    """100 streams from one address; the 101st is refused with 429."""
    port = (urlsplit(stack.url).port or 80) + 10
    address = f"127.0.{time.time_ns() % 200 + 20}.{time.time_ns() % 250 + 1}"
    request = (
        b"GET /newsroom/flux/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    held: list[socket.socket] = []

    def open_one() -> bytes:
        sock = socket.socket()
        sock.bind((address, 0))
        sock.settimeout(10)
        sock.connect(("127.0.0.1", port))
        sock.sendall(request)
        head = sock.recv(4096)
        held.append(sock)
        return head

    try:
        for _ in range(100):
            assert open_one().startswith(b"HTTP/1.1 200"), "refused before the cap"
        assert open_one().startswith(b"HTTP/1.1 429")
        other = socket.socket()
        other.settimeout(10)
        other.connect(("127.0.0.1", port))  # another address is not affected
        other.sendall(request)
        assert other.recv(4096).startswith(b"HTTP/1.1 200")
        held.append(other)
    finally:
        for sock in held:
            sock.close()


def test_front_carries_a_reserved_dispatch_locked(stack: Stack) -> None:
    """The shared stream never carries a reserved dispatch's text; a
    subscriber's page gets it from the paywall (livefeed:dispatch)."""
    stream = _open(_front(stack) + "/newsroom/flux/")
    secret = f"Phrase reservee aux abonnes {time.time_ns()}"
    headline = f"Depeche reservee {time.time_ns()}"
    try:
        _publish(stack, headline, secret, access="subscribers")
        event = stream.wait_for(_headline(headline), timeout=10)
    finally:
        stream.close()
    assert event["json"]["locked"] is True
    assert secret not in event["data"]
    fragment = f"/newsroom/depeche/{event['json']['dispatch']}/"
    anonymous = requests.get(_front(stack) + fragment, timeout=10)
    assert anonymous.status_code == 200
    assert secret not in anonymous.text
    assert anonymous.headers["X-Lede-Locked"] == "1"
    subscriber = requests.get(
        _front(stack) + fragment, cookies=stack.session("subscriber"), timeout=10
    )
    assert secret in subscriber.text
    assert "private" in subscriber.headers["Cache-Control"]
    assert "X-Cache" not in subscriber.headers or subscriber.headers["X-Cache"] != "HIT"
