"""The store of answers recorded per kind of request
(lede/core/caching/answers.py): given again only after two readers built it
identically, never with a cookie, never past its few seconds."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse, HttpResponseNotFound

from lede.core import process_state
from lede.core.caching import answers


def _built(body: str = "<p>Le texte</p>", **headers: str) -> HttpResponse:
    response = HttpResponse(body)
    response["Cache-Control"] = "private, no-store"
    response["X-Lede-Variant"] = "full"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def test_an_answer_is_given_again_only_after_two_readers_built_it_identically() -> None:
    store = answers.RecordedAnswers(seconds=5)
    assert store.replay("k") is None
    store.record("k", _built(), builder=1)
    assert store.replay("k") is None  # one build proves nothing
    store.record("k", _built(), builder=1)
    assert store.replay("k") is None  # nor does the same reader's second one
    store.record("k", _built(), builder=2)
    copy = store.replay("k")
    assert copy is not None
    assert copy.status_code == 200 and copy.content == b"<p>Le texte</p>"
    assert dict(copy.items()) == dict(_built().items())
    # A copy is the caller's own: what the middleware above add to it, or
    # the reader's own cookie, never reaches the record.
    copy["X-Request-ID"] = "abc"
    copy.set_cookie("lede_edge", "token-of-one-reader")
    again = store.replay("k")
    assert again is not None
    assert not again.has_header("X-Request-ID") and not again.cookies
    assert store.replay("another kind") is None


@pytest.mark.parametrize(
    "second",
    [
        _built("<p>Un autre texte</p>"),
        _built(X_Nonce="b"),
        _built(Cache_Control="public, max-age=60"),
    ],
)
def test_an_answer_that_changes_between_builds_is_never_given_again(second: Any) -> None:
    store = answers.RecordedAnswers(seconds=5)
    first = _built(X_Nonce="a") if second.has_header("X-Nonce") else _built()
    store.record("k", first, builder=1)
    store.record("k", second, builder=2)
    for reader in range(3, 6):
        assert store.replay("k") is None
        store.record("k", first, builder=reader)  # built again for each request meanwhile


def test_a_part_of_the_readers_own_is_never_given_to_another() -> None:
    """A header that is the same on every answer to one reader but not
    another's (a middleware below writing the reader's id)."""
    store = answers.RecordedAnswers(seconds=5)
    for _ in range(3):
        store.record("k", _built(X_Reader="1"), builder=1)
    assert store.replay("k") is None
    store.record("k", _built(X_Reader="2"), builder=2)
    for _ in range(3):
        assert store.replay("k") is None
        store.record("k", _built(X_Reader="1"), builder=1)


def test_what_is_never_recorded() -> None:
    store = answers.RecordedAnswers(seconds=5)
    with_cookie = _built()
    with_cookie.set_cookie("lede_meter", "x")
    not_found = HttpResponseNotFound("<p>Introuvable</p>")
    for response_factory in (lambda: with_cookie, lambda: not_found):
        store.record("k", response_factory(), builder=1)
        store.record("k", response_factory(), builder=2)
        assert store.replay("k") is None
    assert len(store) == 0


def test_entries_expire_and_the_oldest_go_first(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(answers.time, "monotonic", lambda: clock[0])
    store = answers.RecordedAnswers(seconds=5, max_entries=2)
    for key in ("a", "b"):
        store.record(key, _built(), builder=1)
        store.record(key, _built(), builder=2)
    assert store.replay("a") is not None and store.replay("b") is not None
    clock[0] += 5
    assert store.replay("a") is None  # built again after its seconds
    store.record("a", _built(), builder=1)
    assert store.replay("a") is None  # and proved again by two builds
    store.record("c", _built(), builder=1)  # a third kind: the least recently used goes
    assert len(store) == 2


def test_the_setting_turns_it_off(settings: Any) -> None:
    settings.LEDE_RECORDED_ANSWER_SECONDS = 0
    store = answers.RecordedAnswers()
    store.record("k", _built(), builder=1)
    store.record("k", _built(), builder=2)
    assert store.replay("k") is None and len(store) == 0


def test_the_process_store_is_forgotten_between_tests() -> None:
    answers.store.record("k", _built(), builder=1)
    answers.store.record("k", _built(), builder=2)
    assert answers.store.replay("k") is not None
    process_state.reset_all()
    assert answers.store.replay("k") is None
