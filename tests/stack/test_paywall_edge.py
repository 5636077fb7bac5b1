"""The paywall behind Varnish: cached locked variants, never a reader's page."""

from __future__ import annotations

from .conftest import Browser, Stack


def test_subscriber_and_anonymous_alternating_through_varnish(stack: Stack) -> None:
    locked = stack.seed["locked"]
    path, sentence = locked["url"], locked["sentence"]
    Browser(stack.url).request("PURGE", path)  # start from an empty cache
    subscriber = Browser(stack.url, stack.session("subscriber"))
    reader = Browser(stack.url, stack.session("reader"))
    cache_states = []
    for i in range(12):
        # A subscriber first, so a wrongly cached full page would be the
        # next anonymous reader's.
        full = subscriber.get(path)
        assert full.status_code == 200
        assert full.headers["X-Lede-Variant"] == "full"
        assert sentence in full.text
        assert "no-store" in full.headers["Cache-Control"]

        # Anonymous readers: none, irrelevant and meter cookies.
        for cookies in (
            {},
            {"csrftoken": "x" * 32, "_ga": "GA1.1.1.1"},
            {"lede_meter": "not-a-valid-signature"},
        ):
            anonymous = Browser(stack.url, cookies).get(path)
            assert anonymous.status_code == 200
            assert sentence not in anonymous.text, (i, cookies, anonymous.headers)
            assert anonymous.headers["X-Lede-Variant"] == "locked"
            if not cookies or "csrftoken" in cookies:
                cache_states.append(anonymous.headers.get("X-Cache"))
            else:  # a meter is personal: passed to the app, every time
                assert anonymous.headers.get("X-Cache") == "MISS"

        registered = reader.get(path)
        assert registered.status_code == 200
        assert sentence not in registered.text
    # The anonymous copy really came from the cache, shared with the reader
    # who carried only irrelevant cookies.
    assert cache_states[0] == "MISS"
    assert cache_states[1:] == ["HIT"] * (len(cache_states) - 1)


def test_reader_specific_responses_are_never_cached(stack: Stack) -> None:
    locked = stack.seed["locked"]
    subscriber = Browser(stack.url, stack.session("subscriber"))
    for _ in range(3):
        response = subscriber.get(locked["url"])
        assert response.headers.get("X-Cache") == "MISS"
    # An anonymous reader on a metered/public page gets a meter cookie: the
    # answer that sets it is not stored either.
    first = Browser(stack.url).get(stack.seed["articles"][1])
    assert first.status_code == 200
    if "set-cookie" in first.headers:
        second = Browser(stack.url).get(stack.seed["articles"][1])
        assert second.headers.get("X-Cache") == "MISS"
