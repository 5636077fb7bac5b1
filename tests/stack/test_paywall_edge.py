"""The paywall behind Varnish: cached locked variants, never a reader's page."""

from __future__ import annotations

import time

from lede.core.caching import edge_tokens

from .conftest import Browser, Stack, wait_until
from .signin import log_in


def test_subscriber_and_anonymous_alternating_through_varnish(stack: Stack) -> None:
    locked = stack.seed["locked"]
    path, sentence = locked["url"], locked["sentence"]
    Browser(stack.url).request("PURGE", path)  # start from an empty cache
    subscriber = log_in(stack, "subscriber", path)
    reader = log_in(stack, "reader", path)
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
    subscriber = log_in(stack, "subscriber", locked["url"])
    for _ in range(3):
        # The application's answer to a signed-in reader (here without the
        # edge token it hands out, which the tests below follow).
        subscriber.cookies.pop(edge_tokens.COOKIE, None)
        response = subscriber.get(locked["url"])
        assert response.headers.get("X-Cache") == "MISS"
        assert "X-Lede-Edge" not in response.headers
    # An anonymous reader on a metered/public page gets a meter cookie: the
    # answer that sets it is not stored either.
    first = Browser(stack.url).get(stack.seed["articles"][1])
    assert first.status_code == 200
    if "set-cookie" in first.headers:
        second = Browser(stack.url).get(stack.seed["articles"][1])
        assert second.headers.get("X-Cache") == "MISS"


# --- Subscriber articles at the edge (entitlement tokens) -------------------------


def _edge_key(stack: Stack) -> bytes:
    return (stack.dir / "edge_key").read_bytes()


def _forge(stack: Stack, path: str, session_id: str, **changes: object) -> str:
    args: dict[str, object] = {
        "secret": _edge_key(stack),
        "now": int(time.time()),
        "variant": "full",
        "kind": "subscriber",
        "host": "127.0.0.1",
        "path": path,
        "session_sha256": edge_tokens.session_digest(session_id),
    }
    args.update(changes)
    return edge_tokens.issue(**args)  # type: ignore[arg-type]


def test_a_subscriber_is_served_by_the_edge(stack: Stack) -> None:
    locked = stack.seed["locked"]
    path, sentence = locked["url"], locked["sentence"]
    subscriber = log_in(stack, "subscriber", path)
    first = subscriber.get(path)  # the application decides, and signs
    assert first.headers["X-Lede-Variant"] == "full"
    token = subscriber.cookies.get(edge_tokens.COOKIE)
    assert token and ".full.subscriber." in token
    served = [subscriber.get(path) for _ in range(5)]
    for response in served:
        assert response.status_code == 200
        assert sentence in response.text
        assert response.headers["X-Lede-Edge"] == "full:subscriber"
        assert "no-store" in response.headers["Cache-Control"]  # for the browser
        assert "set-cookie" not in response.headers
        assert "X-Lede-Edge-Cache" not in response.headers
    assert served[-1].headers["X-Cache"] == "HIT"
    # Another subscriber shares the copy; nothing personal is in it.
    other = log_in(stack, "subscriber", path)
    other.get(path)
    again = other.get(path)
    assert again.headers["X-Cache"] == "HIT" and sentence in again.text
    assert "subscriber@stack.example" not in again.text
    # Anonymous readers still get the locked copy, never the edge's full one.
    anonymous = Browser(stack.url).get(path)
    assert sentence not in anonymous.text and "X-Lede-Edge" not in anonymous.headers


def test_log_out_drops_the_edge(stack: Stack) -> None:
    locked = stack.seed["locked"]
    path, sentence = locked["url"], locked["sentence"]
    subscriber = log_in(stack, "subscriber", path)
    subscriber.get(path)
    token = subscriber.cookies[edge_tokens.COOKIE]
    assert subscriber.get(path).headers.get("X-Lede-Edge") == "full:subscriber"
    csrf = subscriber.csrf_token("/compte/logout/")
    response = subscriber.post(
        "/compte/logout/",
        data={"csrfmiddlewaretoken": csrf},
        headers={"Referer": stack.url + "/compte/logout/"},
    )
    assert response.status_code == 302
    # The browser drops the session cookie (this test client keeps deleted
    # cookies: drop it as a browser does).
    assert 'sessionid=""' in response.headers["Set-Cookie"]
    subscriber.cookies.pop("sessionid")
    # The browser still sends the token (its cookie outlives the session):
    # bound to the session that ended, it opens nothing.
    subscriber.cookies[edge_tokens.COOKIE] = token
    after = subscriber.get(path)
    assert sentence not in after.text and after.headers["X-Lede-Variant"] == "locked"
    assert "X-Lede-Edge" not in after.headers


def test_forged_tokens_get_the_locked_variant(stack: Stack) -> None:
    locked = stack.seed["locked"]
    path, sentence = locked["url"], locked["sentence"]
    other_article = stack.seed["articles"][0]
    # A registered reader (no subscription) and an anonymous reader with a
    # made-up session, each trying tokens the application never gave them.
    reader = log_in(stack, "reader", path)
    session = reader.cookies["sessionid"]
    real = _forge(stack, path, session)
    version, expires, variant, kind, signature = real.split(".")
    forgeries = {
        "another key": _forge(stack, path, session, secret=b"f" * 64),
        "expired": _forge(stack, path, session, now=int(time.time()) - 400),
        "too far ahead (a fast clock)": _forge(stack, path, session, seconds=3600),
        "expiry modified": f"{version}.{int(expires) + 600}.{variant}.{kind}.{signature}",
        "variant modified": f"{version}.{expires}.locked.{kind}.{signature}",
        "kind modified": f"{version}.{expires}.{variant}.registered.{signature}",
        "signature modified": f"{version}.{expires}.{variant}.{kind}.{signature[::-1]}",
        "another article's": _forge(stack, other_article, session),
        "another session's": _forge(stack, path, "z" * 32),
        "garbage": "1.2.full.subscriber.xyz",
    }
    for name, token in forgeries.items():
        for cookies in (
            {"sessionid": session, edge_tokens.COOKIE: token},  # the registered reader
            {"sessionid": "q" * 32, edge_tokens.COOKIE: token},  # no such session
            {edge_tokens.COOKIE: token},  # no session at all
        ):
            response = Browser(stack.url, cookies).get(path)
            assert response.status_code == 200, name
            assert sentence not in response.text, (name, cookies.keys())
            assert response.headers["X-Lede-Variant"] == "locked", name
            assert "X-Lede-Edge" not in response.headers, name
        # The edge's own headers sent by a client: dropped by Varnish.
        response = Browser(stack.url).get(
            path,
            headers={"X-Lede-Edge-Token": token, "X-Lede-Edge-Session": "0" * 64},
        )
        assert sentence not in response.text, name
    # Control: the same forging hand with the real key and session works —
    # so the refusals above are the checks at work, not a broken edge.
    control = Browser(stack.url, {"sessionid": session, edge_tokens.COOKIE: real}).get(path)
    assert sentence in control.text and control.headers["X-Lede-Edge"] == "full:subscriber"


def test_a_cancelled_subscription_ends_at_the_edge_with_the_token(stack: Stack) -> None:
    """Access ends within the token's lifetime: a token that lapsed is not
    renewed for a reader whose grant ended (waiting five minutes in a test is
    not an option: the lapse is simulated by the token's own expiry, signed
    with the stack's key)."""
    locked = stack.seed["locked"]
    path, sentence = locked["url"], locked["sentence"]
    reader = log_in(stack, "reader", path)  # never entitled: no token from the app
    session = reader.cookies["sessionid"]
    assert edge_tokens.COOKIE not in reader.cookies
    lapsing = _forge(stack, path, session, seconds=2)
    browser = Browser(stack.url, {"sessionid": session, edge_tokens.COOKIE: lapsing})
    assert sentence in browser.get(path).text  # within its lifetime: the edge serves
    wait_until(lambda: int(lapsing.split(".")[1]) < time.time() - 1, timeout=10, interval=0.2)
    after = browser.get(path)
    assert sentence not in after.text and after.headers["X-Lede-Variant"] == "locked"
    assert edge_tokens.COOKIE not in browser.cookies or browser.cookies[edge_tokens.COOKIE] == (
        lapsing
    )
