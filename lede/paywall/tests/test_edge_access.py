"""Edge tokens on the application's side (lede/paywall/edgeaccess.py): who
gets one, for what, and what a node answers the edge's fetch of a shared copy.

Readers sign in through the site's own forms (password, code, after a
password change). Varnish's own check of the tokens is tested through the
real stack (tests/stack/test_paywall_edge.py)."""

from __future__ import annotations

import time
from datetime import timedelta
from http.cookies import Morsel
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from lede.accounts.models import User
from lede.core import process_state
from lede.core.caching import edge_tokens
from lede.core.testing.accounts import change_password_through_site, login_through_site
from lede.paywall.models import AccessGrant

from .conftest import secret

pytestmark = pytest.mark.django_db

PASSWORD = "pw-lecteur-2026"
KEY = b"0123456789abcdef" * 4
HOST = "testserver"


@pytest.fixture(autouse=True)
def edge_key(tmp_path: Path, settings: Any) -> bytes:
    path = tmp_path / "edge_key"
    path.write_bytes(KEY)
    settings.LEDE_EDGE_TOKEN_KEY_FILE = str(path)
    process_state.reset_all()
    return KEY


def _reader(email: str, *, days: int | None = 30, staff: bool = False) -> User:
    user = User.objects.create_user(email, PASSWORD, is_staff=staff)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    if days is not None:
        AccessGrant.objects.create(
            user=user,
            starts_at=timezone.now() - timedelta(days=1),
            ends_at=timezone.now() + timedelta(days=days),
        )
    return user


def _token_cookie(response: Any) -> Morsel[str] | None:
    return response.cookies.get(edge_tokens.COOKIE)


def _session_digest(client: Client) -> str:
    return edge_tokens.session_digest(client.cookies["sessionid"].value)


def _edge_fetch(url: str, token: str, digest: str, **extra: Any) -> Any:
    """What Varnish sends a node for a shared copy: no cookie, the token and
    the session's digest."""
    return Client().get(url, HTTP_X_LEDE_EDGE_TOKEN=token, HTTP_X_LEDE_EDGE_SESSION=digest, **extra)


@pytest.mark.parametrize("road", ["password", "code", "password_changed"])
def test_a_subscriber_gets_a_token_for_the_article_they_read(
    client: Client, paywalled: dict[str, Any], road: str
) -> None:
    url = paywalled["articles"]["subscribers"].url
    Client().get(url)
    _reader("abonne@example.com")
    if road == "code":
        login_through_site(client, "abonne@example.com", code=True, next_url=url)
    else:
        login_through_site(client, "abonne@example.com", PASSWORD, next_url=url)
    if road == "password_changed":
        change_password_through_site(client, PASSWORD, "Nouveau-Souk-2027!")
    for _ in range(2):  # the normal road, then the fast one
        if edge_tokens.COOKIE in client.cookies:  # signed again only when missing
            del client.cookies[edge_tokens.COOKIE]
        response = client.get(url)
        assert response["X-Lede-Access"] == "subscriber"
        morsel = _token_cookie(response)
        assert morsel is not None, response.get("X-Lede-Road")
        assert morsel["path"] == url
        assert morsel["max-age"] == edge_tokens.lifetime()
        assert morsel["httponly"] and morsel["samesite"] == "Lax"
        assert "private" in response["Cache-Control"]
        grant = edge_tokens.verify(
            morsel.value,
            secret=KEY,
            now=int(time.time()),
            host=HOST,
            path=url,
            session_sha256=_session_digest(client),
        )
        assert grant is not None and (grant.variant, grant.kind) == ("full", "subscriber")
    assert response.get("X-Lede-Road") == "fast"


def test_no_token_without_a_shared_full_page(client: Client, paywalled: dict[str, Any]) -> None:
    articles = paywalled["articles"]
    for article in articles.values():
        Client().get(article.url)
    # Anonymous readers (locked, metered, public): nothing to sign.
    for article in articles.values():
        assert _token_cookie(Client().get(article.url)) is None
    # A registered reader: a token for the registered article (the page every
    # registered reader gets), none for a locked or metered one (the meter
    # line is theirs) or a public one (the edge has its anonymous copy).
    _reader("lecteur@example.com", days=None)
    login_through_site(client, "lecteur@example.com", PASSWORD)
    registered = client.get(articles["registered"].url)
    morsel = _token_cookie(registered)
    assert morsel is not None and ".registered." in morsel.value
    for level in ("subscribers", "metered", "public"):
        for _ in range(2):  # first read and re-read of the metered one
            response = client.get(articles[level].url)
            assert _token_cookie(response) is None, level
    # Staff: Wagtail's user bar, never a shared page.
    staff = Client()
    _reader("chef@example.com", staff=True)
    login_through_site(staff, "chef@example.com", PASSWORD)
    assert _token_cookie(staff.get(articles["subscribers"].url)) is None


def test_no_token_when_the_grant_ended(client: Client, paywalled: dict[str, Any]) -> None:
    url = paywalled["articles"]["subscribers"].url
    user = _reader("abonne@example.com")
    login_through_site(client, "abonne@example.com", PASSWORD)
    assert _token_cookie(client.get(url)) is not None
    grant = AccessGrant.objects.get(user=user)
    grant.ends_at = timezone.now() - timedelta(seconds=1)
    grant.save()
    response = client.get(url)
    assert response["X-Lede-Variant"] == "locked"
    assert _token_cookie(response) is None


def test_the_shared_copy_is_the_page_every_subscriber_gets(
    client: Client, paywalled: dict[str, Any]
) -> None:
    url = paywalled["articles"]["subscribers"].url
    _reader("abonne@example.com")
    login_through_site(client, "abonne@example.com", PASSWORD, next_url=url)
    own = client.get(url)
    token = client.cookies[edge_tokens.COOKIE].value  # given on landing here
    for _ in range(2):  # the normal road, then the fast one
        shared = _edge_fetch(url, token, _session_digest(client))
        assert shared.status_code == 200
        assert shared["X-Lede-Edge-Cache"] == "full:subscriber"
        assert shared["X-Lede-Variant"] == "full"
        assert "private" in shared["Cache-Control"]
        assert not shared.cookies
        # Byte for byte what the subscriber got from the application: the
        # header shows the kind of reader, nothing of the reader's own.
        assert shared.content == own.content
        assert "abonne@example.com" not in shared.content.decode()
        assert secret("subscribers", 1) in shared.content.decode()


def test_a_token_for_an_article_whose_access_changed_opens_nothing(
    paywalled: dict[str, Any],
) -> None:
    """A registered reader's token (the registered article) signed before
    the article went subscribers-only: the decision for a registered reader
    now locks it, and the edge gets no shared copy."""
    article = paywalled["articles"]["subscribers"]
    digest = edge_tokens.session_digest("s" * 32)
    token = edge_tokens.issue(
        secret=KEY,
        now=int(time.time()),
        variant="full",
        kind="registered",
        host=HOST,
        path=article.url,
        session_sha256=digest,
    )
    response = _edge_fetch(article.url, token, digest)
    assert response["X-Lede-Variant"] == "locked"
    assert "X-Lede-Edge-Cache" not in response
    assert secret("subscribers", 1) not in response.content.decode()


@pytest.mark.parametrize(
    ("offset", "served"),
    [
        ("+skew", "full"),  # the signing node ahead, within the tolerated skew
        ("+skew+1", "locked"),  # further ahead: refused
        ("-lifetime+10", "full"),  # behind: a token with 10 s left here
        ("-lifetime", "locked"),  # behind by its whole life: lapsed here
    ],
)
def test_a_token_signed_by_a_node_with_a_skewed_clock(
    paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch, offset: str, served: str
) -> None:
    """The node that answers the edge's fetch checks the token with its own
    clock, whichever node signed it (LEDE_EDGE_TOKEN_SKEW_SECONDS)."""
    now = 1_900_000_000
    monkeypatch.setattr(time, "time", lambda: now + 0.5)
    shift = {
        "+skew": edge_tokens.skew(),
        "+skew+1": edge_tokens.skew() + 1,
        "-lifetime+10": -edge_tokens.lifetime() + 10,
        "-lifetime": -edge_tokens.lifetime(),
    }[offset]
    article = paywalled["articles"]["subscribers"]
    digest = edge_tokens.session_digest("s" * 32)
    token = edge_tokens.issue(
        secret=KEY,
        now=now + shift,
        variant="full",
        kind="subscriber",
        host=HOST,
        path=article.url,
        session_sha256=digest,
    )
    response = _edge_fetch(article.url, token, digest)
    assert response.status_code == 200
    assert response["X-Lede-Variant"] == served
    opened = secret("subscribers", 1) in response.content.decode()
    assert opened is (served == "full")
    assert ("X-Lede-Edge-Cache" in response) is (served == "full")


def test_a_token_from_a_node_ahead_is_kept_and_one_from_a_node_behind_renewed(
    client: Client, paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader's token signed by another node: one ahead (within the skew)
    has more than half its life left here and is kept; one from a node far
    behind has less, and this node signs a new one (no reader is left with a
    token about to lapse because a clock was wrong)."""
    url = paywalled["articles"]["subscribers"].url
    _reader("abonne@example.com")
    login_through_site(client, "abonne@example.com", PASSWORD, next_url=url)
    now = int(time.time())
    monkeypatch.setattr(time, "time", lambda: now + 0.5)

    def signed_at(when: int) -> str:
        return edge_tokens.issue(
            secret=KEY,
            now=when,
            variant="full",
            kind="subscriber",
            host=HOST,
            path=url,
            session_sha256=_session_digest(client),
        )

    client.cookies[edge_tokens.COOKIE] = signed_at(now + edge_tokens.skew())
    assert _token_cookie(client.get(url)) is None
    behind = now - edge_tokens.lifetime() // 2 - 1
    client.cookies[edge_tokens.COOKIE] = signed_at(behind)
    renewed = _token_cookie(client.get(url))
    assert renewed is not None
    grant = edge_tokens.verify(
        renewed.value,
        secret=KEY,
        now=now,
        host=HOST,
        path=url,
        session_sha256=_session_digest(client),
    )
    assert grant is not None and grant.expires == now + edge_tokens.lifetime()


def test_a_good_token_is_not_signed_again_until_half_its_life(
    client: Client, paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = paywalled["articles"]["subscribers"].url
    _reader("abonne@example.com")
    login_through_site(client, "abonne@example.com", PASSWORD, next_url=url)
    first = client.cookies[edge_tokens.COOKIE].value  # given on landing here
    assert _token_cookie(client.get(url)) is None  # still good: not signed again
    # More than half its life later, a new one.
    later = time.time() + edge_tokens.lifetime() // 2 + 1
    monkeypatch.setattr(time, "time", lambda: later)
    renewed = _token_cookie(client.get(url))
    assert renewed is not None and renewed.value != first
    # A token of another session (the reader logged in again) is replaced.
    client.cookies[edge_tokens.COOKIE] = edge_tokens.issue(
        secret=KEY,
        now=int(later),
        variant="full",
        kind="subscriber",
        host=HOST,
        path=url,
        session_sha256=edge_tokens.session_digest("another-session-key"),
    )
    assert _token_cookie(client.get(url)) is not None
