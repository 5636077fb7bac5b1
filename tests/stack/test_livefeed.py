"""A dispatch published on node A reaches SSE readers on node B and through Varnish."""

from __future__ import annotations

import json
import queue
import threading
import time
from typing import Any

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
