"""Answers recorded per kind of request, in one process.

The article front (lede/paywall/front.py) answers a signed-in reader's
article on the event loop, and most of what it does there is the same for
every request of one kind: the variant's markers filled in, the response
object, the headers of every middleware below the fast path. Measured on a
stack node, building them was about half of the worker's Python time for a
subscriber's article (bench/RESULTS.md, "The Python path"). This store
keeps, per process, the answer built for one *kind* of request and gives a
copy of it to the next requests of that kind.

What keeps it from ever giving one reader's answer to another:

* the key (the caller's) holds everything the answer was built from that is
  not the same for every request of the kind: the article's snapshot and
  revision, the host and scheme, the chrome generation, the edition, the
  paywall's decision, and what the header shows (one kind of reader: never a
  name or an address, ``selectors.AccountState``);
* nothing the reader holds alone is ever recorded: an answer carrying a
  cookie is not recorded at all (the caller adds the reader's edge token to
  each copy, after the record);
* an answer is given again only once two requests of the kind, from two
  different readers (``builder``: the caller's name for the reader), have
  built it independently, byte for byte the same (status, every header,
  body). A part that is the reader's own — a name, an id a middleware below
  might add one day — or that changes from one request to the next — a
  nonce, a time — makes the two differ, and that kind is then built for each
  request, as before, until its entry expires (the same reader building it
  again proves nothing and promotes nothing);
* entries live a few seconds (``seconds``: ``LEDE_RECORDED_ANSWER_SECONDS``,
  5; 0 turns the store off) and at most ``max_entries`` are kept (least
  recently used first out). Whatever the key misses cannot outlive that.

The caller's middleware above the fast path (request id, metrics, the log
line, security headers) runs on every copy, as on a built answer.

Written here rather than taken from a library: what it needs — a response
recorded only after two identical builds, never with a cookie — is the point
of it, and the rest is an ordered dict.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.http.response import HttpResponseBase

from lede.core import process_state

MAX_ENTRIES = 512

_PENDING, _STABLE, _UNSTABLE = 0, 1, 2


@dataclass(slots=True)
class _Entry:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    state: int
    expires: float
    builder: Hashable


def _recordable(response: HttpResponseBase) -> bool:
    return (
        type(response) is HttpResponse
        and response.status_code == 200
        and not response.cookies
        and not response.has_header("Set-Cookie")
    )


def recording_seconds() -> float:
    return float(getattr(settings, "LEDE_RECORDED_ANSWER_SECONDS", 5))


class RecordedAnswers:
    """``seconds``: how long an entry lives (``None``: the setting, read at
    each record)."""

    def __init__(self, seconds: float | None = None, max_entries: int = MAX_ENTRIES) -> None:
        self._seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def replay(self, key: Hashable) -> HttpResponse | None:
        """A copy of the answer recorded for ``key``, or ``None`` (build it,
        then ``record`` it)."""
        entry = self._entries.get(key)
        if entry is None or entry.state != _STABLE:
            return None
        if entry.expires <= time.monotonic():
            self._entries.pop(key, None)
            return None
        self._entries.move_to_end(key)
        return HttpResponse(entry.body, status=entry.status, headers=dict(entry.headers))

    def record(self, key: Hashable, response: HttpResponseBase, builder: Hashable) -> None:
        """Note the answer built for ``key`` by the reader ``builder`` (before
        anything of theirs is added to it): the first build is kept, a
        second one by another reader must match it."""
        seconds = recording_seconds() if self._seconds is None else self._seconds
        if seconds <= 0 or not _recordable(response):
            return
        assert isinstance(response, HttpResponse)
        now = time.monotonic()
        headers = tuple(response.items())
        entry = self._entries.get(key)
        if entry is None or entry.expires <= now:
            self._entries[key] = _Entry(
                response.status_code,
                headers,
                response.content,
                _PENDING,
                now + seconds,
                builder,
            )
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
            return
        if entry.state != _PENDING or entry.builder == builder:
            return
        same = (
            entry.status == response.status_code
            and entry.headers == headers
            and entry.body == response.content
        )
        entry.state = _STABLE if same else _UNSTABLE


store = RecordedAnswers()
process_state.register("lede.core.caching.answers.store", store.clear)
