"""Try every road by which the locked part of an article could reach a reader
who may not read it, for every access level and meter state, and find nothing.

The locked part of each fixture article holds sentences built by ``secret()``
and an inline image captioned "Légende cachée …"; none may appear anywhere a
non-entitled client can reach."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lede.accounts.models import User
from lede.api import press_review
from lede.api.tasks import digests_send
from lede.core import process_state
from lede.core.caching import edge_tokens
from lede.core.testing import factories as f
from lede.images.models import LedeImage
from lede.syndication.models import PressReview, PressReviewItem
from lede.syndication.tests.builders import make_key, make_licence

from .conftest import secret

pytestmark = pytest.mark.django_db

LOCKED_LEVELS = ["registered", "subscribers", "metered"]


def _needles(level: str) -> list[str]:
    level_name = "subscribers" if level == "metered" else level
    needles = [secret(level_name, n) for n in range(4)]
    needles += [f"Phrase-secrète-{level_name}", f"Légende cachée {level_name}"]
    return needles


def _inline_image_files(level: str) -> list[str]:
    title_by_level = {
        "registered": "Article inscrits",
        "subscribers": "Article abonnés",
        "metered": "Article au compteur",
    }
    image = LedeImage.objects.get(title=f"Inline {title_by_level[level]}")
    names = [image.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]]
    names += [r.file.name.rsplit("/", 1)[-1] for r in image.renditions.all()]
    return names


def _assert_nothing(text: str, level: str, where: str) -> None:
    for needle in _needles(level):
        assert needle not in text, f"{needle!r} leaked through {where}"
        # The same sentence HTML- or JSON-escaped.
        assert needle.replace("'", "&#x27;") not in text, f"{needle!r} leaked through {where}"
        assert json.dumps(needle)[1:-1] not in text, f"{needle!r} leaked through {where}"
    for name in _inline_image_files(level):
        assert name not in text, f"inline image {name} leaked through {where}"


def _exhaust_meter(client: Client, paywalled: dict[str, Any]) -> None:
    for article in paywalled["more_metered"]:
        client.get(article.url)


READER_STATES = ["anonymous", "anonymous_exhausted", "registered_exhausted"]


def _client_for(state: str, paywalled: dict[str, Any]) -> Client:
    client = Client()
    if state.startswith("registered"):
        client.force_login(User.objects.create_user(f"{state}@example.com", "pw-lecteur-2026"))
    if state.endswith("exhausted"):
        _exhaust_meter(client, paywalled)
    return client


def _cases() -> list[tuple[str, str]]:
    cases = []
    for state in READER_STATES:
        for level in LOCKED_LEVELS:
            if level == "registered" and state.startswith("registered"):
                continue  # registered readers may read registered articles
            if level == "metered" and not state.endswith("exhausted"):
                continue  # a fresh meter lets the reader in: that is its purpose
            cases.append((state, level))
    return cases


@pytest.mark.parametrize(("state", "level"), _cases())
def test_no_road_leaks_the_locked_part(paywalled: dict[str, Any], state: str, level: str) -> None:
    client = _client_for(state, paywalled)
    article = paywalled["articles"][level]

    # The article page itself, over GET and HEAD, with odd query strings.
    for suffix in ("", "?format=json", "?full=1", "?amp=1", "?page=2"):
        response = client.get(article.url + suffix)
        assert response.status_code == 200
        assert response["X-Lede-Variant"] == "locked", (state, level, suffix)
        html = response.content.decode()
        _assert_nothing(html, level, f"article page {suffix}")
        assert "<!--" not in html.split('class="article__body"', 1)[1]
    head = client.head(article.url)
    _assert_nothing(head.content.decode(), level, "HEAD")

    html = client.get(article.url).content.decode()
    # Open Graph and Twitter descriptions: the standfirst only.
    for prop in ("og:description", "twitter:description"):
        match = re.search(rf'(?:property|name)="{prop}" content="([^"]*)"', html)
        assert match and match.group(1).startswith("Chapô public"), prop
    # JSON-LD: no body, not free, the paywalled container named.
    ld_match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert ld_match
    data = json.loads(ld_match.group(1))
    assert "articleBody" not in data and "text" not in data
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"]["cssSelector"] == ".article__paywalled"
    assert data["hasPart"]["isAccessibleForFree"] is False

    # Feeds, sitemaps, listings, search, author/tag pages.
    roads = [
        "/rss/",
        paywalled["section"].url + "rss/",
        "/news-sitemap.xml",
        "/sitemap.xml",
        "/",
        paywalled["section"].url,
        "/recherche/?q=secrète",
        "/recherche/?q=Phrase",
        f"/recherche/?q={level}",
    ]
    for url in roads:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_nothing(response.content.decode(), level, url)

    # Preview, drafts, revisions and JSON endpoints are closed to readers.
    for url in (
        f"/admin/pages/{article.pk}/view_draft/",
        f"/admin/pages/{article.pk}/edit/preview/",
        f"/admin/pages/{article.pk}/revisions/",
        f"/admin/pages/{article.pk}/edit/",
        "/api/v2/pages/",
        f"/api/v2/pages/{article.pk}/",
        "/admin/api/main/pages/",
        f"/admin/api/main/pages/{article.pk}/",
    ):
        response = client.get(url)
        assert response.status_code in {302, 403, 404}, (url, response.status_code)
        _assert_nothing(response.content.decode(), level, url)


def test_entitled_reader_does_get_the_locked_part(paywalled: dict[str, Any]) -> None:
    """The test above can fail: the same needles are there for a subscriber."""
    from datetime import timedelta

    from django.utils import timezone

    from lede.paywall.models import AccessGrant

    user = User.objects.create_user("abonne@example.com", "pw-abonne-2026")
    AccessGrant.objects.create(user=user, starts_at=timezone.now() - timedelta(days=1))
    client = Client()
    client.force_login(user)
    html = client.get(paywalled["articles"]["subscribers"].url).content.decode()
    with pytest.raises(AssertionError):
        _assert_nothing(html, "subscribers", "subscriber page")


# --- search: a match is a leak too ------------------------------------------------
#: Words only in the locked part of the fixture articles (the secret sentences,
#: the subheading and the factbox after the first paragraph).
LOCKED_WORDS = ["autorisés", "Intertitre", "Repères", "Phrase secrète"]
#: A metered article stays locked to search even with free reads left: the
#: meter opens one article to one read, a results page is not a read.
SEARCH_CASES = [
    ("anonymous", "registered"),
    ("anonymous", "subscribers"),
    ("anonymous", "metered"),
    ("registered", "subscribers"),
    ("registered", "metered"),
]


def _listed(client: Client, query: str, title: str) -> bool:
    response = client.get("/recherche/", {"q": query})
    assert response.status_code == 200
    return f">{title}<" in response.content.decode()


@pytest.mark.parametrize(("state", "level"), SEARCH_CASES)
def test_search_does_not_match_the_locked_part(
    paywalled: dict[str, Any], state: str, level: str
) -> None:
    client = Client()
    if state == "registered":
        client.force_login(User.objects.create_user("lecteur@example.com", "pw-lecteur-2026"))
    title = paywalled["articles"][level].title
    for query in LOCKED_WORDS:
        assert not _listed(client, query, title), (state, level, query)
    # What every reader may read still finds it (so the test above can fail).
    assert _listed(client, "Premier paragraphe public", title)
    assert _listed(client, "Chapô public", title)


def test_entitled_readers_match_the_locked_part(paywalled: dict[str, Any]) -> None:
    """A subscriber, and a reader on an organisation's network, find the
    articles by their locked words."""
    from datetime import timedelta

    from django.utils import timezone

    from lede.paywall.models import AccessGrant, Organisation

    now = timezone.now()
    user = User.objects.create_user("abonne@example.com", "pw-abonne-2026")
    AccessGrant.objects.create(user=user, starts_at=now - timedelta(days=1))
    subscriber = Client()
    subscriber.force_login(user)
    Organisation.objects.create(
        name="Bibliothèque", ip_ranges="10.0.0.0/8", starts_at=now - timedelta(days=1)
    )
    on_network = Client(REMOTE_ADDR="10.20.30.40")
    for client in (subscriber, on_network):
        for level in LOCKED_LEVELS:
            title = paywalled["articles"][level].title
            for query in LOCKED_WORDS:
                assert _listed(client, query, title), (level, query)


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def test_registered_wall_sign_up_road_tells_nothing_and_opens_the_article(
    paywalled: dict[str, Any],
) -> None:
    """The wall's "Créer un compte" leads to the one road in (address → code):
    a known and an unknown address get the same answers, no page on the road
    shows the locked part, and the new reader then reads the article."""
    from django.core import mail

    article = paywalled["articles"]["registered"]
    User.objects.create_user("connue@example.com", "pw-lecteur-2026")
    answers = []
    for email in ("connue@example.com", "nouvelle@example.com"):
        client = Client()
        wall = client.get(article.url).content.decode()
        match = re.search(r'href="(/compte/signup/\?next=[^"]+)"', wall)
        assert match, "the registered wall links to the sign-up road"
        road = match.group(1).replace("&amp;", "&")
        page = client.get(road)
        assert page.status_code == 200 and 'name="email"' in page.content.decode()
        sent = client.post(road, {"email": email})
        code_page = client.get(sent["Location"])
        for response in (page, code_page):
            _assert_nothing(response.content.decode(), "registered", "sign-up road")
        answers.append(
            [
                (r.status_code, r.get("Location", ""), _CSRF.sub("", r.content.decode()))
                for r in (sent, code_page)
            ]
        )
        answers[-1] = [(s, loc, body.replace(email, "ADDRESS")) for s, loc, body in answers[-1]]
    assert answers[0] == answers[1]

    code = re.search(r"^\s*([A-Z0-9-]{4,16})\s*$", str(mail.outbox[-1].body), re.MULTILINE)
    assert code and mail.outbox[-1].to == ["nouvelle@example.com"]
    done = client.post(sent["Location"], {"code": code.group(1)})
    assert done.status_code == 302 and done["Location"] == article.url
    assert client.get(article.url)["X-Lede-Variant"] == "full"


# --- Shared renders (lede.core.caching) ------------------------------------------
#
# Variants and listings are rendered once, for whoever comes first, and then
# served to everyone: nothing of that first reader may be in them.

SUBSCRIBER_EMAIL = "abonnee.singuliere@example.com"
SUBSCRIBER_CSRF = "Jeton0CSRF0de0la0lectrice0abonnee0x"  # 32+ characters, as Django's
SESSION_NOTE = "Note-de-session-personnelle"


def _first_reader(paywalled: dict[str, Any]) -> Client:
    """A subscriber with a CSRF cookie and something of her own in her
    session: she causes the shared renders."""
    from datetime import timedelta

    from django.utils import timezone

    from lede.paywall.models import AccessGrant

    user = User.objects.create_user(SUBSCRIBER_EMAIL, "pw-lecteur-2026")
    AccessGrant.objects.create(
        user=user,
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=30),
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session["note"] = SESSION_NOTE
    session.save()
    client.cookies["csrftoken"] = SUBSCRIBER_CSRF
    return client


def _assert_nothing_personal(text: str, where: str, session_key: str) -> None:
    for needle in (SUBSCRIBER_EMAIL, "abonnee.singuliere", SUBSCRIBER_CSRF, SESSION_NOTE):
        assert needle not in text, f"{needle!r} of the first reader is in {where}"
    assert session_key not in text, f"the first reader's session key is in {where}"


def test_shared_renders_keep_nothing_of_the_reader_who_caused_them(
    paywalled: dict[str, Any],
) -> None:
    from lede.core.caching import variants

    first = _first_reader(paywalled)
    session_key = first.cookies["sessionid"].value
    article = paywalled["articles"]["subscribers"]
    listings = ["/", paywalled["section"].url, "/rss/", "/sitemap.xml"]
    # She renders the full variant and every listing.
    assert first.get(article.url)["X-Lede-Variant"] == "full"
    for url in listings:
        assert first.get(url).status_code == 200
    # What is stored: the process copies of the variants.
    stored = variants.local_variants.stored()
    assert stored, "the variant was stored"
    for html in stored:
        _assert_nothing_personal(html, "a stored variant", session_key)
        assert "csrfmiddlewaretoken" not in html
    # What another reader gets from those renders.
    anonymous = Client()
    for url in [article.url, *listings]:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        _assert_nothing_personal(html, url, session_key)
        if url != "/rss/" and url != "/sitemap.xml":  # HTML: the header is the reader's own
            assert "Se connecter" in html and "Se déconnecter" not in html, url
            assert ">Abonné<" not in html, url
    # And the other way: what an anonymous reader caused, she gets with her
    # own header.
    public = paywalled["articles"]["public"]
    anonymous.get(public.url)
    mine = first.get(public.url).content.decode()
    assert "Se déconnecter" in mine and ">Abonné<" in mine


# --- The content API (/api/v1/) ---------------------------------------------------


def _api_roads(article: Any) -> list[str]:
    return [
        f"/api/v1/articles/{article.pk}",
        f"/api/v1/articles/{article.pk}?format=ninjs",
        f"/api/v1/articles/{article.pk}?format=json&full=1",
        "/api/v1/articles",
        "/api/v1/articles?limit=100",
        "/api/v1/dispatches",
        "/api/v1/liveblogs",
        # The licensees' feeds (lede.api.feeds), filtered by the wire rights too.
        "/api/v1/flux/articles.rss",
        "/api/v1/flux/articles.ninjs",
        "/api/v1/flux/articles.ninjs?limit=100",
    ]


def _api_clients(paywalled: dict[str, Any]) -> dict[str, Client]:
    """Callers who may not read a locked article through the API: no key, a
    full-text licence for another section, an abstracts-only licence for its
    own section, a full-text licence that has ended."""
    elsewhere = f.make_section("Ailleurs")
    own = paywalled["section"]
    now = timezone.now()
    licences = {
        "other-section": make_licence(sections=[elsewhere], organisation_name="Org A"),
        "abstracts": make_licence(sections=[own], full_text=False, organisation_name="Org B"),
        "ended": make_licence(
            organisation_name="Org C",
            starts_at=now - timedelta(days=60),
            ends_at=now - timedelta(days=1),
        ),
    }
    clients = {"no-key": Client()}
    for name, licence in licences.items():
        _key, plaintext = make_key(licence)
        clients[name] = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return clients


@pytest.mark.parametrize("level", LOCKED_LEVELS)
def test_the_api_never_leaks_the_locked_part(paywalled: dict[str, Any], level: str) -> None:
    article = paywalled["articles"][level]
    for who, client in _api_clients(paywalled).items():
        for url in _api_roads(article):
            response = client.get(url)
            assert response.status_code in {200, 404}, (who, url, response.status_code)
            _assert_nothing(response.content.decode(), level, f"API {url} ({who})")
        detail = client.get(f"/api/v1/articles/{article.pk}")
        if detail.status_code == 200:
            data = detail.json()
            assert data["representation"] == "partial", who
            assert (
                f"Premier paragraphe public {'subscribers' if level == 'metered' else level}"
                in (data["body_html"])
            )


def test_a_full_text_licence_does_get_the_locked_part_through_the_api(
    paywalled: dict[str, Any],
) -> None:
    """The test above can fail: the needles are there for a covering licence."""
    _key, plaintext = make_key(make_licence(sections=[paywalled["section"]]))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    article = paywalled["articles"]["subscribers"]
    text = client.get(f"/api/v1/articles/{article.pk}?format=ninjs").content.decode()
    assert json.dumps(secret("subscribers", 1))[1:-1] in text


def test_the_email_digest_never_leaks_the_locked_part(
    paywalled: dict[str, Any], smtp_server: Any
) -> None:
    """The digest channel (lede.api.digest) over a real SMTP server: a licence
    giving abstracts, one for another section and an ended one get nothing of
    any locked part."""
    own = paywalled["section"]
    elsewhere = f.make_section("Ailleurs")
    now = timezone.now()
    for name, licence in {
        "abstracts": make_licence(sections=[own], full_text=False, organisation_name="Org B"),
        "other-section": make_licence(sections=[elsewhere], organisation_name="Org A"),
        "ended": make_licence(
            organisation_name="Org C",
            starts_at=now - timedelta(days=60),
            ends_at=now - timedelta(days=1),
        ),
    }.items():
        licence.channel_digest = True
        licence.digest_recipients = f"{name}@veille.example"
        licence.save()
    digests_send.call()
    [received] = smtp_server.wait_for(1)  # only the abstracts licence has news
    assert received.rcpt_tos == ["abstracts@veille.example"]
    text = "\n".join(
        part.get_content()
        for part in received.message.walk()
        if part.get_content_maintype() == "text"
    )
    assert "Article abonnés" in text
    for level in LOCKED_LEVELS:
        _assert_nothing(text, level, f"digest ({level})")


# --- The edge-token road (lede/paywall/edgeaccess.py, deploy/varnish/lede.vcl) ---


def _edge_token(key: bytes, url: str, digest: str, **changes: Any) -> str:
    args: dict[str, Any] = {
        "secret": key,
        "now": int(time.time()),
        "variant": "full",
        "kind": "subscriber",
        "host": "testserver",
        "path": url,
        "session_sha256": digest,
    }
    args.update(changes)
    return edge_tokens.issue(**args)


@pytest.mark.parametrize("level", LOCKED_LEVELS)
def test_forged_edge_tokens_leak_nothing(
    paywalled: dict[str, Any], level: str, tmp_path: Any, settings: Any
) -> None:
    """Whatever a client makes of a token — forged, signed with another key,
    expired, too far ahead, modified, for another article, another session,
    the edge's own headers sent straight to a node — a reader who may not
    read the article gets the locked variant, and no copy the edge would keep."""
    key = b"k" * 64
    key_file = tmp_path / "edge_key"
    key_file.write_bytes(key)
    settings.LEDE_EDGE_TOKEN_KEY_FILE = str(key_file)
    process_state.reset_all()
    article = paywalled["articles"][level]
    other = paywalled["articles"]["public"]
    url = article.url
    digest = edge_tokens.session_digest("x" * 32)
    good = _edge_token(key, other.url, digest)  # a real token, for another article
    version, expires, variant, kind, signature = _edge_token(key, url, digest).split(".")
    forged = [
        _edge_token(b"z" * 64, url, digest),  # another key
        _edge_token(key, url, digest, now=int(expires) - 10_000),  # expired
        _edge_token(key, url, digest, seconds=24 * 3600),  # too far ahead
        _edge_token(key, "/ar" + url, digest),  # the same path in another edition
        _edge_token(key, url, digest, host="autre.example.ma"),
        f"{version}.{int(expires) + 3600}.{variant}.{kind}.{signature}",  # expiry moved
        f"{version}.{expires}.locked.{kind}.{signature}",
        f"{version}.{expires}.{variant}.registered.{signature}",
        f"{version}.{expires}.{variant}.staff.{signature}",
        good,
        "1." + "9" * 12 + ".full.subscriber." + "0" * 64,
        "",
    ]
    clients = [Client()]
    if level != "registered":  # a registered reader may read that one
        registered = Client()
        registered.force_login(User.objects.create_user("curieux@example.com", "pw-lecteur-2026"))
        clients.append(registered)
    for client in clients:
        if level == "metered":
            _exhaust_meter(client, paywalled)
        for token in forged:
            for session in (digest, edge_tokens.session_digest("y" * 32)):
                # As Varnish's fetch of a shared copy would carry it …
                response = client.get(
                    url, HTTP_X_LEDE_EDGE_TOKEN=token, HTTP_X_LEDE_EDGE_SESSION=session
                )
                assert response["X-Lede-Variant"] == "locked", (level, token)
                assert "X-Lede-Edge-Cache" not in response
                _assert_nothing(response.content.decode(), level, f"edge token {token!r}")
            # … and as a cookie a client sends the application itself.
            client.cookies[edge_tokens.COOKIE] = token
            response = client.get(url)
            assert response["X-Lede-Variant"] == "locked", (level, token)
            _assert_nothing(response.content.decode(), level, f"edge cookie {token!r}")
            del client.cookies[edge_tokens.COOKIE]


def _review_of(licence: Any, articles: list[Any]) -> PressReview:
    review = PressReview.objects.create(
        licence=licence, title="Revue", edition_date=timezone.localdate()
    )
    for n, article in enumerate(articles):
        PressReviewItem.objects.create(review=review, article=article, sort_order=n)
    return review


def test_the_press_review_pdf_never_leaks_the_locked_part(paywalled: dict[str, Any]) -> None:
    """The press-review channel (lede.api.press_review): an abstracts-only
    licence, one for another section and an ended one get nothing of any
    locked part, neither in the HTML the PDF is made from nor in the PDF's
    text; a covering full-text licence does (the test can fail)."""
    own = paywalled["section"]
    elsewhere = f.make_section("Ailleurs")
    now = timezone.now()
    articles = [paywalled["articles"][level] for level in LOCKED_LEVELS]
    licences = {
        "abstracts": make_licence(sections=[own], full_text=False, organisation_name="Org B"),
        "other-section": make_licence(sections=[elsewhere], organisation_name="Org A"),
        "ended": make_licence(
            organisation_name="Org C",
            starts_at=now - timedelta(days=60),
            ends_at=now - timedelta(days=1),
        ),
    }
    for who, licence in licences.items():
        licence.channel_press_review = True
        licence.save()
        review = _review_of(licence, articles)
        try:
            built = press_review.review_build(review, now)
        except press_review.PressReviewRefused:
            assert who == "ended"
            continue
        html = press_review.review_html(built)
        pdf = press_review.review_pdf(review)
        text = html + pdf_text(pdf)
        for level in LOCKED_LEVELS:
            _assert_nothing(text, level, f"press review ({who}, {level})")
    covering = make_licence(sections=[own], organisation_name="Org D", channel_press_review=True)
    html = press_review.review_html(press_review.review_build(_review_of(covering, articles), now))
    needle = secret("subscribers", 1)
    assert needle in html or needle.replace("'", "&#x27;") in html


def pdf_text(pdf: bytes) -> str:
    """The PDF's text (poppler's pdftotext), or "" where it is not installed
    (the HTML it is made from is checked in any case)."""
    if shutil.which("pdftotext") is None:
        return ""
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
