"""Search never matches the locked text of an article for a reader the paywall
keeps out of it: such a reader matches a non-public article (metered ones
included) on what every reader may read — title, standfirst, the free part of
the body, section, authors and tags. Readers the paywall lets in keep matching
the full text. Runs on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from lede.accounts.models import User
from lede.core.testing import factories as f
from lede.core.typography import typeset
from lede.paywall.access import Entitlement, EntitlementKind, Reader
from lede.paywall.models import AccessGrant, Organisation
from lede.search.models import SearchDocument
from lede.search.selectors import search_articles

pytestmark = pytest.mark.django_db

#: Only in the locked part of every fixture article.
LOCKED_WORD = "chrysanthème"
#: Free to all in the subscriber article: (what, word).
FREE_WORDS = [
    ("title", "hippodrome"),
    ("standfirst", "Périgord"),
    ("subheading before the first paragraph", "prélude"),
    ("first paragraph", "mandarine"),
    ("section", "Investigations"),
    ("author", "Ouazzani"),
    ("tag", "cartographie"),
]


def _body(free: str) -> list[tuple[str, Any]]:
    return [
        ("subheading", "Un prélude"),
        ("paragraph", f"<p>Premier paragraphe libre {free}.</p>"),
        ("paragraph", f"<p>Le mot {LOCKED_WORD} est verrouillé.</p>"),
        ("quote", {"text": f"Un {LOCKED_WORD} cité.", "attribution": "Source"}),
    ]


@pytest.fixture
def locked(db: Any) -> dict[str, Any]:
    investigations = f.make_section("Investigations")
    sports = f.make_section("Sports")
    yasmina = f.make_author("Yasmina Ouazzani")
    now = timezone.now()

    def make(section: Any, title: str, level: str, hours: int, **kwargs: Any) -> Any:
        return f.make_article(
            section,
            title,
            standfirst=kwargs.pop("standfirst", "Un chapô."),
            access_level=level,
            published_at=now - timedelta(hours=hours),
            body=_body(kwargs.pop("free", "")),
            **kwargs,
        )

    articles = {
        "public": make(investigations, "Dossier public", "public", 1),
        "registered": make(investigations, "Dossier inscrits", "registered", 2),
        "subscribers": make(
            investigations,
            "L'hippodrome oublié",
            "subscribers",
            3,
            standfirst="Un voyage en Périgord.",
            free="sur la mandarine",
            authors=[yasmina],
            tags="cartographie",
        ),
        "metered": make(investigations, "Dossier compteur", "subscribers", 4, metered=True),
        "sports": make(sports, "Dossier sportif", "subscribers", 5),
    }
    return {"investigations": investigations, "sports": sports, "articles": articles}


def _titles(query: str, reader: Reader | None = None) -> set[str]:
    return {hit.article.title for hit in search_articles(query, reader=reader)}


def _entitlement(kind: EntitlementKind, section: Any = None, **kwargs: Any) -> Entitlement:
    return Entitlement(
        kind=kind,
        starts_at=timezone.now() - timedelta(days=1),
        section_ids=frozenset({section.pk}) if section is not None else None,
        **kwargs,
    )


ALL = {"Dossier public", "Dossier inscrits", "L'hippodrome oublié", "Dossier compteur"}
ALL_WITH_SPORTS = ALL | {"Dossier sportif"}


def test_locked_words_match_only_what_the_reader_may_read(locked: dict[str, Any]) -> None:
    investigations, sports = locked["investigations"], locked["sports"]
    subscription, group = EntitlementKind.SUBSCRIPTION, EntitlementKind.GROUP
    expired = _entitlement(subscription, ends_at=timezone.now() - timedelta(hours=1))
    cases: list[tuple[str, Reader | None, set[str]]] = [
        ("anonymous", None, {"Dossier public"}),
        # The paywall lets any signed-in reader read registered-level articles.
        ("registered", Reader(is_authenticated=True), {"Dossier public", "Dossier inscrits"}),
        (
            "registered, expired subscription",
            Reader(is_authenticated=True, entitlements=(expired,)),
            {"Dossier public", "Dossier inscrits"},
        ),
        (
            "subscriber",
            Reader(is_authenticated=True, entitlements=(_entitlement(subscription),)),
            ALL_WITH_SPORTS,
        ),
        (
            "group licence (by network address)",
            Reader(is_authenticated=False, entitlements=(_entitlement(group),)),
            ALL_WITH_SPORTS,
        ),
        (
            "group licence for one section",
            Reader(is_authenticated=False, entitlements=(_entitlement(group, investigations),)),
            ALL,
        ),
        (
            "subscriber to another section",
            Reader(is_authenticated=True, entitlements=(_entitlement(subscription, sports),)),
            {"Dossier public", "Dossier inscrits", "Dossier sportif"},
        ),
        ("staff", Reader(is_authenticated=True, is_staff=True), ALL_WITH_SPORTS),
    ]
    for name, reader, expected in cases:
        assert _titles(LOCKED_WORD, reader) == expected, name
        # A second locked word changes nothing, nor does a prefix (SQLite).
        assert _titles(f"verrouillé {LOCKED_WORD}", reader) == expected, name
        if connection.vendor == "sqlite":
            assert _titles(f"verrouillé {LOCKED_WORD[:6]}", reader) == expected, name


def test_free_text_matches_for_every_reader(locked: dict[str, Any]) -> None:
    readers = [
        None,
        Reader(is_authenticated=True),
        Reader(is_authenticated=True, is_staff=True),
    ]
    for what, word in FREE_WORDS:
        for reader in readers:
            assert "L'hippodrome oublié" in _titles(word, reader), (what, reader)


def test_free_and_locked_words_together_need_the_full_text(locked: dict[str, Any]) -> None:
    assert _titles(f"mandarine {LOCKED_WORD}") == set()
    staff = Reader(is_authenticated=True, is_staff=True)
    assert _titles(f"mandarine {LOCKED_WORD}", staff) == {"L'hippodrome oublié"}
    # A phrase across the wall: its second word is locked.
    assert _titles('"mandarine le mot"') == set()


def test_snippets_come_from_the_free_text(locked: dict[str, Any]) -> None:
    [hit] = search_articles("mandarine")
    assert "<mark>mandarine</mark>" in hit.snippet
    assert LOCKED_WORD not in hit.snippet and "verrouillé" not in hit.snippet
    staff = Reader(is_authenticated=True, is_staff=True)
    hits = {h.article.title: h for h in search_articles(LOCKED_WORD, reader=staff)}
    assert f"<mark>{LOCKED_WORD}</mark>" in hits["L'hippodrome oublié"].snippet


def test_search_page_by_kind_of_reader(locked: dict[str, Any]) -> None:
    """Through the page: the reader comes from the request (session, grants,
    group licence by network address), as the paywall sees them."""
    now = timezone.now()
    Organisation.objects.create(
        name="Université", ip_ranges="10.0.0.0/8", starts_at=now - timedelta(days=1)
    )
    subscriber = User.objects.create_user("abonne@example.com", "pw-abonne-2026")
    AccessGrant.objects.create(user=subscriber, starts_at=now - timedelta(days=1))
    registered = User.objects.create_user("inscrit@example.com", "pw-inscrit-2026")

    def titles(client: Client) -> set[str]:
        response = client.get("/recherche/", {"q": LOCKED_WORD})
        assert response.status_code == 200
        html = response.content.decode()
        return {t for t in ALL_WITH_SPORTS if typeset(str(escape(t))) in html}

    assert titles(Client()) == {"Dossier public"}
    registered_client = Client()
    registered_client.force_login(registered)
    assert titles(registered_client) == {"Dossier public", "Dossier inscrits"}
    subscriber_client = Client()
    subscriber_client.force_login(subscriber)
    assert titles(subscriber_client) == ALL_WITH_SPORTS
    assert titles(Client(REMOTE_ADDR="10.1.2.3")) == ALL_WITH_SPORTS
    assert titles(Client(REMOTE_ADDR="192.0.2.7")) == {"Dossier public"}


def test_the_index_keeps_the_free_text_apart(locked: dict[str, Any]) -> None:
    article = locked["articles"]["subscribers"]
    doc = SearchDocument.objects.get(pk=article.pk)
    assert doc.lead == "Un prélude Premier paragraphe libre sur la mandarine."
    assert LOCKED_WORD in doc.body and LOCKED_WORD not in doc.lead
    assert (doc.section, doc.tags, doc.credits) == (
        "Investigations",
        "cartographie",
        "Yasmina Ouazzani",
    )


def test_rebuild_and_republish_keep_the_free_text_apart(locked: dict[str, Any]) -> None:
    SearchDocument.objects.all().delete()
    call_command("rebuild_search_index", verbosity=0)
    assert _titles(LOCKED_WORD) == {"Dossier public"}
    assert _titles("cartographie") == {"L'hippodrome oublié"}
    call_command("rebuild_search_index", "--force", verbosity=0)
    assert _titles(LOCKED_WORD) == {"Dossier public"}
    assert _titles("mandarine") == {"L'hippodrome oublié"}
    # The editor moves the locked word into the free paragraph: it becomes free.
    article = locked["articles"]["subscribers"]
    article.body = [  # type: ignore[assignment]
        ("paragraph", f"<p>Désormais le {LOCKED_WORD} est libre.</p>"),
        ("paragraph", "<p>Et la mandarine verrouillée.</p>"),
    ]
    article.save_revision().publish()
    assert _titles(LOCKED_WORD) == {"Dossier public", "L'hippodrome oublié"}
    assert _titles("mandarine") == set()


def test_a_section_made_public_opens_its_locked_text(locked: dict[str, Any]) -> None:
    """The level is read when searching (as the paywall reads it), not frozen
    in the index: an article that follows its section's default level."""
    sports = locked["sports"]
    article = f.make_article(
        sports,
        "Dossier par défaut",
        published_at=timezone.now() - timedelta(hours=6),
        body=_body(""),
    )
    assert "Dossier par défaut" in _titles(LOCKED_WORD)  # section default: public
    sports.default_access_level = "subscribers"
    sports.save_revision().publish()
    assert "Dossier par défaut" not in _titles(LOCKED_WORD)
    assert article.pk in {h.article.pk for h in search_articles("Sports")}


def test_renamed_section_and_tag_are_reindexed(
    locked: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from taggit.models import Tag

    investigations = locked["investigations"]
    investigations.title = "Révélations"
    with django_capture_on_commit_callbacks(execute=True):
        investigations.save_revision().publish()
    assert "L'hippodrome oublié" in _titles("Révélations")
    assert _titles("Investigations") == set()
    tag = Tag.objects.get(name="cartographie")
    tag.name = "topographie"
    with django_capture_on_commit_callbacks(execute=True):
        tag.save()
    assert _titles("topographie") == {"L'hippodrome oublié"}
    assert _titles("cartographie") == set()
