"""The paywall holds in e-mail: no locked text reaches, by e-mail, the
browser view or the preview, a recipient who may not read the article;
recipients with access get the full text only where the newsletter says so.

Every body block of the locked articles carries a "secret" sentence (even
the free first paragraph: an e-mail shows a locked article as headline,
standfirst and link only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lede.accounts.models import User
from lede.core.testing import factories as f
from lede.newsletters import services
from lede.newsletters.delivery import deliver_edition
from lede.newsletters.models import Audience, Edition, EditionArticle, Newsletter
from lede.paywall.models import AccessGrant

from .helpers import confirmed
from .smtp import scripted_smtp

pytestmark = pytest.mark.django_db(transaction=True)

LEVELS = {"registered": ("registered", False), "subscribers": ("subscribers", False)}
LEVELS["metered"] = ("subscribers", True)


def secret(level: str, n: int) -> str:
    return f"Phrase-secrète-{level}-{n} que seul un lecteur autorisé peut lire."


def _article(section: Any, level: str) -> Any:
    access_level, metered = LEVELS[level]
    return f.make_article(
        section,
        f"Titre {level}",
        standfirst=f"Chapô public {level}.",
        access_level=access_level,
        metered=metered,
        body=[
            ("paragraph", f"<p>{secret(level, 0)}</p>"),
            ("subheading", secret(level, 1)),
            ("paragraph", f"<p>{secret(level, 2)}</p>"),
            ("quote", {"text": secret(level, 3), "attribution": "Source"}),
        ],
    )


@pytest.fixture
def locked(db: Any) -> dict[str, Any]:
    section = f.make_section("Enquêtes")
    articles = {level: _article(section, level) for level in LEVELS}
    public = f.make_article(
        section,
        "Titre public",
        standfirst="Chapô public.",
        access_level="public",
        body=[("paragraph", "<p>Texte libre pour tous.</p>")],
    )
    newsletter = Newsletter.objects.create(
        name="Lettre intégrale",
        slug="lettre-integrale",
        sender_name="Le Quotidien",
        sender_address="lettre@lede.example",
        audience=Audience.ANYONE,
        full_text_for_entitled=True,
    )
    edition = Edition.objects.create(newsletter=newsletter, subject="Édition test")
    for i, article in enumerate([*articles.values(), public]):
        EditionArticle.objects.create(edition=edition, article=article, sort_order=i)
    return {"newsletter": newsletter, "edition": edition, "articles": articles, "public": public}


def _text_of(received: Any) -> str:
    return received.body("plain") + "\n" + received.body("html") + "\n" + received.raw.decode()


def _assert_no_secret(text: str, where: str) -> None:
    for level in LEVELS:
        for n in range(4):
            needle = secret(level, n)
            assert needle not in text, f"{needle!r} leaked through {where}"
            assert needle.replace("'", "&#x27;") not in text, f"{needle!r} leaked through {where}"
        assert f"Phrase-secrète-{level}" not in text, f"{level} leaked through {where}"


def _recipients(newsletter: Newsletter) -> dict[str, str]:
    now = timezone.now()
    registered = User.objects.create_user("inscrit@example.ma", "pw-2026-lecteur")
    subscriber = User.objects.create_user("abonne@example.ma", "pw-2026-lecteur")
    AccessGrant.objects.create(user=subscriber, starts_at=now - timedelta(days=1))
    expired = User.objects.create_user("ancien@example.ma", "pw-2026-lecteur")
    AccessGrant.objects.create(
        user=expired, starts_at=now - timedelta(days=60), ends_at=now - timedelta(days=1)
    )
    staff = User.objects.create_user("redaction@example.ma", "pw-2026-lecteur", is_staff=True)
    confirmed(newsletter, "anonyme@example.ma")
    for user in (registered, subscriber, expired, staff):
        confirmed(newsletter, user.email, user=user)
    return {
        "anonyme@example.ma": "none",
        "inscrit@example.ma": "registered",
        "abonne@example.ma": "all",
        "ancien@example.ma": "registered",  # an account: registered articles open
        "redaction@example.ma": "all",
    }


def test_no_locked_text_in_any_email_to_a_reader_without_access(
    settings: Any, locked: dict[str, Any]
) -> None:
    expected = _recipients(locked["newsletter"])
    with scripted_smtp(settings) as (server, _script):
        services.edition_enqueue(edition=locked["edition"])
        report = deliver_edition(locked["edition"], connections=2)
        assert report.sent == len(expected)
        received = {m.rcpt_tos[0]: m for m in server.wait_for(len(expected))}
    for address, access in expected.items():
        text = _text_of(received[address])
        # Every article is there as headline, standfirst and link.
        for level in LEVELS:
            assert f"Titre {level}" in text and f"Chapô public {level}." in text
        assert "Texte libre pour tous." in text  # public: full text for everyone
        if access == "none":
            _assert_no_secret(text, f"the e-mail to {address}")
        elif access == "registered":
            # A signed-in reader may read registered articles, not the others.
            assert secret("registered", 2) in text
            for level in ("subscribers", "metered"):
                for n in range(4):
                    assert secret(level, n) not in text, f"{level} leaked to {address}"
        else:
            for level in LEVELS:
                assert secret(level, 2) in text, f"{address} should get {level} in full"


def test_teaser_newsletters_send_no_body_even_to_subscribers(
    settings: Any, locked: dict[str, Any]
) -> None:
    newsletter = locked["newsletter"]
    newsletter.full_text_for_entitled = False
    newsletter.save()
    _recipients(newsletter)
    with scripted_smtp(settings) as (server, _script):
        services.edition_enqueue(edition=locked["edition"])
        deliver_edition(locked["edition"])
        for message in server.wait_for(5):
            _assert_no_secret(_text_of(message), f"the teaser e-mail to {message.rcpt_tos}")


def test_browser_view_and_preview_apply_the_paywall(locked: dict[str, Any], client: Client) -> None:
    edition = locked["edition"]
    services.edition_enqueue(edition=edition)
    url = f"/lettres/{locked['newsletter'].slug}/{edition.pk}/"
    anonymous = client.get(url)
    assert anonymous.status_code == 200 and "private" in anonymous["Cache-Control"]
    _assert_no_secret(anonymous.content.decode(), "the browser view")
    user = User.objects.create_user("abonne@example.ma", "pw-2026-lecteur")
    AccessGrant.objects.create(user=user, starts_at=timezone.now() - timedelta(days=1))
    reader = Client()
    reader.force_login(user)
    assert secret("subscribers", 2) in reader.get(url).content.decode()
    archive = client.get(f"/lettres/{locked['newsletter'].slug}/").content.decode()
    assert url in archive
    _assert_no_secret(archive, "the archive")
