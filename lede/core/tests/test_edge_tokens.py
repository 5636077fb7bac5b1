"""Edge entitlement tokens: issued for one article, variant, kind of reader
and session; refused when anything of it changes (lede/core/caching/edge_tokens.py).

The same checks run in Varnish (deploy/varnish/lede.vcl); the stack tests
(tests/stack/test_paywall_edge.py) send these forgeries through it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from lede.core import process_state
from lede.core.caching import edge_tokens, keys

SECRET = b"k" * 64
NOW = 1_800_000_000
SESSION = edge_tokens.session_digest("abcdefgh12345678")
ARTICLE = {"host": "www.example.ma", "path": "/enquetes/les-oasis/"}
VCL = Path(settings.BASE_DIR) / "deploy" / "varnish" / "lede.vcl"


def _issue(**changes: object) -> str:
    args: dict[str, object] = {
        "secret": SECRET,
        "now": NOW,
        "variant": "full",
        "kind": "subscriber",
        "session_sha256": SESSION,
        **ARTICLE,
    }
    args.update(changes)
    return edge_tokens.issue(**args)  # type: ignore[arg-type]


def _verify(token: str, **changes: object) -> edge_tokens.Grant | None:
    args: dict[str, object] = {"secret": SECRET, "now": NOW + 1, "session_sha256": SESSION}
    args.update(ARTICLE)
    args.update(changes)
    return edge_tokens.verify(token, **args)  # type: ignore[arg-type]


def test_a_token_verifies_for_its_article_and_session() -> None:
    token = _issue()
    assert re.fullmatch(r"1\.\d+\.full\.subscriber\.[0-9a-f]{64}", token)
    grant = _verify(token)
    assert grant == edge_tokens.Grant("full", "subscriber", NOW + edge_tokens.lifetime())


@pytest.mark.parametrize(
    "changes",
    [
        {"path": "/enquetes/un-autre-article/"},  # replayed on another article
        {"path": "/ar/enquetes/les-oasis/"},  # on another edition's address
        {"host": "autre.example.ma"},
        {"session_sha256": edge_tokens.session_digest("another-session")},  # logged out
        {"secret": b"x" * 64},  # signed with another key
    ],
)
def test_a_token_is_refused_elsewhere(changes: dict[str, object]) -> None:
    token = _issue()
    assert _verify(token, **changes) is None
    # Also once this process has checked it where it belongs (the checked
    # signatures are kept: edge_tokens._checked), and for a later check.
    assert _verify(token) is not None
    assert _verify(token, **changes) is None
    assert _verify(token, now=NOW + 2, **changes) is None
    assert _verify(token) is not None


def test_a_checked_token_still_lapses_and_a_forged_one_is_never_kept() -> None:
    token = _issue()
    assert _verify(token) is not None
    expires = NOW + edge_tokens.lifetime()
    assert _verify(token, now=expires) is None  # the time limits: on every check
    assert _verify(token, now=NOW - edge_tokens.skew() - edge_tokens.lifetime()) is None
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert _verify(forged) is None
    assert all(grant_key[0] != forged for grant_key in edge_tokens._checked)
    process_state.reset_all()
    assert not edge_tokens._checked


def test_a_modified_token_is_refused() -> None:
    token = _issue()
    version, expires, variant, kind, signature = token.split(".")
    forged = [
        f"{version}.{int(expires) + 60}.{variant}.{kind}.{signature}",  # expiry
        f"{version}.{expires}.locked.{kind}.{signature}",  # variant
        f"{version}.{expires}.{variant}.registered.{signature}",  # kind
        f"{version}.{expires}.{variant}.staff.{signature}",  # a kind never issued
        f"2.{expires}.{variant}.{kind}.{signature}",  # version
        f"{version}.{expires}.{variant}.{kind}.{signature[:-1]}0",  # signature
        f"{version}.{expires}.{variant}.{kind}.{signature.upper()}",
        token + ".x",
        "",
        "garbage",
    ]
    for candidate in forged:
        if candidate == token:
            continue
        assert _verify(candidate) is None, candidate


def test_expiry_and_clock_skew() -> None:
    token = _issue()
    expires = NOW + edge_tokens.lifetime()
    assert _verify(token, now=expires - 1) is not None
    assert _verify(token, now=expires) is None  # lapsed
    assert _verify(token, now=expires + 3600) is None
    # A node whose clock runs ahead of the edge's by up to the skew: its
    # tokens still verify; further ahead, they are refused (no long-lived
    # tokens from a wrong clock).
    ahead = _issue(now=NOW + edge_tokens.skew())
    assert _verify(ahead, now=NOW) is not None
    too_far = _issue(now=NOW + edge_tokens.skew() + 1)
    assert _verify(too_far, now=NOW) is None
    # A node whose clock runs behind issues tokens that lapse sooner.
    behind = _issue(now=NOW - 200)
    assert _verify(behind, now=NOW) is not None
    assert _verify(behind, now=NOW - 200 + edge_tokens.lifetime()) is None


def test_a_node_behind_by_a_lifetime_issues_nothing_usable() -> None:
    """A node whose clock runs behind the edge's by the token's lifetime or
    more (beyond any skew tolerated) signs tokens already lapsed at the edge:
    refused, never stretched by the skew allowance (which only looks ahead)."""
    lifetime = edge_tokens.lifetime()
    assert _verify(_issue(now=NOW - lifetime + 1), now=NOW) is not None  # 1 s left
    assert _verify(_issue(now=NOW - lifetime), now=NOW) is None
    assert _verify(_issue(now=NOW - lifetime - edge_tokens.skew()), now=NOW) is None
    assert _verify(_issue(now=NOW - 86_400), now=NOW) is None


@pytest.mark.parametrize(("skew", "lifetime"), [(0, 300), (5, 60), (120, 600)])
def test_the_tolerated_skew_follows_the_settings(skew: int, lifetime: int) -> None:
    """Within LEDE_EDGE_TOKEN_SKEW_SECONDS ahead, accepted; one second
    beyond, refused; with no skew allowed, only a node on the edge's clock."""
    with override_settings(LEDE_EDGE_TOKEN_SKEW_SECONDS=skew, LEDE_EDGE_TOKEN_SECONDS=lifetime):
        assert _verify(_issue(now=NOW + skew), now=NOW) is not None
        assert _verify(_issue(now=NOW + skew + 1), now=NOW) is None
        # The longest a wrong clock can make a token last at the edge.
        grant = _verify(_issue(now=NOW + skew), now=NOW)
        assert grant is not None and grant.expires - NOW == lifetime + skew
        assert _verify(_issue(now=NOW + skew), now=NOW + lifetime + skew) is None


def test_only_full_variants_for_shared_kinds_are_issued() -> None:
    for changes in ({"variant": "locked"}, {"kind": "staff"}, {"kind": "group:3"}):
        with pytest.raises(ValueError):
            _issue(**changes)


def test_no_key_no_tokens(tmp_path: Path) -> None:
    with override_settings(LEDE_EDGE_TOKEN_KEY_FILE=""):
        assert edge_tokens.key() is None
    short = tmp_path / "short"
    short.write_bytes(b"too short")
    with override_settings(LEDE_EDGE_TOKEN_KEY_FILE=str(short)):
        assert edge_tokens.key() is None
    with override_settings(LEDE_EDGE_TOKEN_KEY_FILE=str(tmp_path / "missing")):
        assert edge_tokens.key() is None
    good = tmp_path / "key"
    good.write_bytes(SECRET)
    with override_settings(LEDE_EDGE_TOKEN_KEY_FILE=str(good)):
        assert edge_tokens.key() == SECRET
    process_state.reset_all()


def test_the_vcl_checks_what_the_application_signs() -> None:
    """deploy/varnish/lede.vcl rebuilds the message and bounds the expiry
    itself: the same fields, in the same order, and the same window."""
    vcl = VCL.read_text()
    window = edge_tokens.lifetime() + edge_tokens.skew()
    assert f"std.integer(time=now) + {window})" in vcl
    assert f'cookie.get("{keys.EDGE_TOKEN_COOKIE}")' in vcl
    assert f'"(^|;\\s*){keys.EDGE_TOKEN_COOKIE}="' in vcl
    message = keys.edge_token_message(
        version="1",
        expires=0,
        variant="full",
        kind="K",
        host="H",
        path="P",
        session_sha256="S",
    )
    assert message == "1|0|full|K|H|P|S"
    assert '"1|" + req.http.X-Lede-Edge-Expires + "|full|" + req.http.X-Lede-Edge-Kind\n' in vcl
    assert '+ "|" + std.tolower(regsub(req.http.host, ":[0-9]+$", ""))' in vcl
    assert '+ "|" + req.url + "|" + req.http.X-Lede-Edge-Session))' in vcl
    kinds = re.search(r"\\\.full\\\.\(([a-z|]+)\)", vcl)
    assert kinds and set(kinds.group(1).split("|")) == edge_tokens.KINDS
    assert edge_tokens.edge_host("WWW.Example.MA:8443") == "www.example.ma"
