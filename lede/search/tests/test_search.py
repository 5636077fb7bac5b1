"""Reader search: index maintenance, matching, ranking, snippets, bad input,
query counts. Runs on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import importlib
import re
import sqlite3
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from lede.core.testing import factories as f
from lede.editorial.models import ArticlePage
from lede.paywall.access import Reader
from lede.search import selectors
from lede.search.models import SearchDocument
from lede.search.selectors import search_articles
from lede.search.services import search_index_article, search_remove_article
from lede.search.text import (
    MARK_START,
    MARK_STOP,
    body_text,
    excerpt,
    fts5_match_expression,
    highlight,
    normalize_query,
    query_terms,
    render_fragment,
)

pytestmark = pytest.mark.django_db

URL = "/recherche/"


def ids(query: str, **kwargs: Any) -> list[int]:
    return [hit.article.pk for hit in search_articles(query, **kwargs)]


def article(section: Any, title: str, text: str = "", **kwargs: Any) -> ArticlePage:
    kwargs.setdefault("published_at", timezone.now() - timedelta(hours=1))
    body = [("paragraph", f"<p>{text}</p>")] if text else []
    return f.make_article(section, title, body=body, **kwargs)


# --- matching ------------------------------------------------------------------
def test_finds_an_article_by_a_body_word(publication: dict[str, Any]) -> None:
    assert ids("sommet") == [publication["lead"].pk]


def test_finds_words_in_subheadings_quotes_and_factboxes(publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    assert ids("calendrier") == [lead.pk]  # subheading
    assert ids("diplomate") == [lead.pk]  # quote attribution
    boxed = f.make_article(
        publication["eco"],
        "Les chiffres du trimestre",
        published_at=timezone.now(),
        body=[("factbox", {"title": "Repères", "body": "<p>Inflation maîtrisée</p>"})],
    )
    assert ids("inflation") == [boxed.pk]
    assert ids("reperes") == [boxed.pk]


def test_accents_do_not_matter(publication: dict[str, Any]) -> None:
    lead = publication["lead"].pk
    assert ids("prefere") == [lead]
    assert ids("PRÉFÉRÉ") == [lead]
    assert ids("délégués préféré") == [lead]


def test_finds_by_author_name_and_agency_credit(publication: dict[str, Any]) -> None:
    assert ids("Berrada") == [publication["lead"].pk]
    assert publication["agency"].pk in ids("AFP")


def test_all_words_must_match(publication: dict[str, Any]) -> None:
    assert ids("sommet dirham") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="prefix matching is FTS5 only")
def test_last_word_matches_as_a_prefix(publication: dict[str, Any]) -> None:
    assert ids("négo") == [publication["lead"].pk]


def test_title_match_ranks_above_body_only_match(publication: dict[str, Any]) -> None:
    eco = publication["eco"]
    now = timezone.now()
    in_body = article(
        eco, "Un port en pleine croissance", "Le trafic vers Zanzibar augmente.", published_at=now
    )
    in_title = article(
        eco,
        "Zanzibar mise sur le tourisme",
        "Les hôtels affichent complet.",
        published_at=now - timedelta(days=3),
    )
    assert ids("zanzibar") == [in_title.pk, in_body.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the cap is PostgreSQL's")
def test_a_very_common_word_ranks_the_most_recent_matches_only(
    publication: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranking every match of a word found in the whole archive took seconds:
    PostgreSQL ranks the RANK_CANDIDATES most recent matches."""
    monkeypatch.setattr("lede.search.selectors.RANK_CANDIDATES", 2)
    eco, now = publication["eco"], timezone.now()
    old_best = article(
        eco, "Zanzibar, Zanzibar", "Zanzibar encore.", published_at=now - timedelta(days=30)
    )
    newer = [
        article(eco, f"Escale {i}", "Une étape à Zanzibar.", published_at=now - timedelta(days=i))
        for i in range(1, 4)
    ]
    assert ids("zanzibar") == [newer[0].pk, newer[1].pk]
    monkeypatch.setattr("lede.search.selectors.RANK_CANDIDATES", 10)
    assert ids("zanzibar")[0] == old_best.pk  # within the cap, rank decides


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the window is PostgreSQL's")
def test_a_common_word_is_searched_in_a_recency_window(
    publication: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word found in many articles has its most recent matches looked for
    among the most recent documents (a window read off the planner's
    statistics), with the same results as over the whole archive."""
    monkeypatch.setattr("lede.search.selectors.RANK_CANDIDATES", 3)
    eco, now = publication["eco"], timezone.now()
    escales = [
        article(eco, f"Escale {i}", "Une étape à Zanzibar.", published_at=now - timedelta(days=i))
        for i in range(1, 41)
    ]
    rare = article(eco, "Le corail", "Un récif.", published_at=now - timedelta(days=400))
    _analyze()
    windows: list[datetime | None] = []
    original = selectors._recent_since

    def spy(*args: Any) -> datetime | None:
        windows.append(original(*args))
        return windows[-1]

    monkeypatch.setattr("lede.search.selectors._recent_since", spy)
    found = ids("zanzibar")
    assert windows[0] is not None and windows[0] < now - timedelta(days=3)
    assert found == [e.pk for e in escales[:3]]  # the three most recent, ranked alike
    monkeypatch.setattr("lede.search.selectors._recent_since", lambda *args: None)
    assert ids("zanzibar") == found  # the whole archive gives the same page
    # A rare word gets no window: an old article is found.
    monkeypatch.setattr("lede.search.selectors._recent_since", spy)
    assert ids("récif") == [rare.pk]
    assert windows[-1] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the window is PostgreSQL's")
def test_a_window_with_too_few_matches_falls_back_to_the_whole_archive(
    publication: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word common in the past and rare lately: the window holds fewer
    matches than the cap, so the whole archive is searched."""
    monkeypatch.setattr("lede.search.selectors.RANK_CANDIDATES", 3)
    eco, now = publication["eco"], timezone.now()
    old = [
        article(eco, f"Ancien {i}", "Une étape à Zanzibar.", published_at=now - timedelta(days=i))
        for i in range(300, 305)
    ]
    recent = article(eco, "Récent", "Zanzibar encore.", published_at=now - timedelta(days=1))
    monkeypatch.setattr(
        "lede.search.selectors._recent_since", lambda *args: now - timedelta(days=30)
    )
    assert ids("zanzibar") == [recent.pk, old[0].pk, old[1].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the window is PostgreSQL's")
def test_the_window_does_not_lose_the_arabic_edition(
    publication: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window is per language: a common word in the French edition and
    Arabic articles still found by the Arabic edition's search."""
    monkeypatch.setattr("lede.search.selectors.RANK_CANDIDATES", 2)
    eco, now = publication["eco"], timezone.now()
    for i in range(1, 30):
        article(eco, f"Escale {i}", "Une étape à Zanzibar.", published_at=now - timedelta(days=i))
    arabic = [
        article(eco, f"Archive {i}", "زنجبار Zanzibar.", published_at=now - timedelta(days=200 + i))
        for i in range(3)
    ]
    SearchDocument.objects.filter(article_id__in=[a.pk for a in arabic]).update(language="ar")
    _analyze()
    assert ids("zanzibar", language="ar") == [arabic[0].pk, arabic[1].pk]
    assert len(ids("zanzibar")) == 2


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SearchDocument._meta.db_table}")


def test_the_index_keeps_the_publication_date(publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    doc = SearchDocument.objects.get(pk=lead.pk)
    assert doc.published_at == lead.published_at
    lead.published_at = timezone.now() - timedelta(days=9)
    lead.save_revision().publish()
    lead.refresh_from_db()
    assert SearchDocument.objects.get(pk=lead.pk).published_at == lead.published_at


def test_migration_fills_the_publication_date(publication: dict[str, Any]) -> None:
    """Migration 0004 fills the new column from the articles (both engines)."""
    migration = importlib.import_module("lede.search.migrations.0004_published_at")
    SearchDocument.objects.update(published_at=None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as a migration's own transaction
    migration.fill(None, SimpleNamespace(connection=connection))  # it only reads .connection
    lead = publication["lead"]
    assert SearchDocument.objects.get(pk=lead.pk).published_at == lead.published_at
    assert not SearchDocument.objects.filter(published_at=None).exists()
    assert ids("sommet") == [lead.pk]  # the GIN index is back on PostgreSQL


# --- snippets ------------------------------------------------------------------
def test_snippet_highlights_the_match(publication: dict[str, Any]) -> None:
    [hit] = search_articles("prefere")
    assert "<mark>préféré</mark>" in hit.snippet
    assert MARK_START not in hit.snippet and MARK_STOP not in hit.snippet


def test_snippet_escapes_article_text(publication: dict[str, Any]) -> None:
    article(
        publication["eco"],
        "Un titre",
        "Le code &lt;script&gt;alert(1)&lt;/script&gt; &amp; zanzibar.",
    )
    [hit] = search_articles("zanzibar")
    assert "<script" not in hit.snippet
    # (PostgreSQL's headline parser drops tag-like text; FTS5 keeps it, escaped.)
    assert "&lt;script&gt;" in hit.snippet or "script" not in hit.snippet
    assert "&amp;" in hit.snippet
    assert "<mark>zanzibar</mark>" in hit.snippet


def test_title_only_match_shows_the_standfirst(publication: dict[str, Any]) -> None:
    [hit] = search_articles("Doha")
    assert "Les délégations se retrouvent" in hit.snippet


def _investigation(publication: dict[str, Any]) -> ArticlePage:
    """A subscriber article: a free first paragraph, then a locked one."""
    return f.make_article(
        publication["eco"],
        "Enquête sur les marchés publics",
        standfirst="Nos révélations.",
        access_level="subscribers",
        published_at=timezone.now() - timedelta(hours=1),
        body=[
            ("paragraph", "<p>Le rapport confidentiel est enfin publié.</p>"),
            ("paragraph", "<p>Il cite une commission occulte.</p>"),
        ],
    )


def test_paid_body_is_not_shown_in_snippets(publication: dict[str, Any]) -> None:
    _investigation(publication)
    [hit] = search_articles("rapport")
    assert "commission" not in hit.snippet
    assert "<mark>rapport</mark> confidentiel" in hit.snippet  # the free paragraph
    staff = Reader(is_authenticated=True, is_staff=True)
    [hit] = search_articles("commission", reader=staff)
    assert "<mark>commission</mark>" in hit.snippet
    [hit] = search_articles("révélations", reader=staff)
    assert "<mark>révélations</mark>" in hit.snippet


def test_search_page_uses_the_readers_entitlements(
    client: Any, publication: dict[str, Any]
) -> None:
    from lede.accounts.models import User
    from lede.paywall.models import AccessGrant

    investigation = _investigation(publication)
    html = client.get("/recherche/", {"q": "commission"}).content.decode()
    assert "occulte" not in html and investigation.title not in html
    user = User.objects.create_user("abonne@example.com", "pw-abonne-2026")
    AccessGrant.objects.create(user=user, starts_at=timezone.now() - timedelta(days=1))
    client.force_login(user)
    html = client.get("/recherche/", {"q": "commission"}).content.decode()
    assert "<mark>commission</mark> occulte" in html


# --- liveness and index maintenance --------------------------------------------
def test_unpublished_article_is_not_found(publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    lead.unpublish()
    assert ids("sommet") == []
    assert not SearchDocument.objects.filter(pk=lead.pk).exists()
    lead.refresh_from_db()
    lead.save_revision().publish()
    assert ids("sommet") == [lead.pk]


def test_draft_is_not_found_until_published(publication: dict[str, Any]) -> None:
    draft = article(publication["eco"], "Brouillon", "Le mot zanzibar.", publish=False)
    assert ids("zanzibar") == []
    draft.save_revision().publish()
    assert ids("zanzibar") == [draft.pk]


def test_republishing_reindexes_the_new_text(publication: dict[str, Any]) -> None:
    lead = ArticlePage.objects.get(pk=publication["lead"].pk)
    lead.title = "Les pourparlers de Zanzibar"
    lead.save_revision().publish()
    assert ids("zanzibar") == [lead.pk]
    assert ids("négociations") == []


def test_deleted_article_leaves_the_index(publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    lead.delete()
    assert not SearchDocument.objects.filter(pk=lead.pk).exists()
    assert ids("sommet") == []


def test_deleting_a_section_removes_its_articles(publication: dict[str, Any]) -> None:
    publication["monde"].delete()
    assert ids("sommet") == []
    assert SearchDocument.objects.count() == 2


def test_expired_article_is_not_found(publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    ArticlePage.objects.filter(pk=lead.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    assert ids("sommet") == []


def test_index_services(publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    search_remove_article(article_id=lead.pk)
    search_remove_article(article_id=lead.pk)  # twice is fine
    assert ids("sommet") == []
    assert search_index_article(article=lead) is True
    assert ids("sommet") == [lead.pk]
    doc = SearchDocument.objects.get(pk=lead.pk)
    assert doc.title == "Les négociations reprennent à Doha"
    assert "Un calendrier serré" in doc.body and "<" not in doc.body
    assert doc.credits == "Amina Berrada Karim Tazi"


def test_renaming_an_author_reindexes_their_articles(
    publication: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    amina = publication["amina"]
    amina.name = "Amina Zerhouni"
    with django_capture_on_commit_callbacks(execute=True):
        amina.save()
    assert ids("Zerhouni") == [publication["lead"].pk]


def test_rebuild_command(publication: dict[str, Any]) -> None:
    SearchDocument.objects.all().delete()
    assert ids("sommet") == []
    hidden = publication["old"]
    # Unpublished behind the signals' back: the rebuild drops its stale row.
    ArticlePage.objects.filter(pk=hidden.pk).update(live=False)
    extra = [article(publication["eco"], f"Dépêche {i}", "Marché du zinc.") for i in range(4)]
    call_command("rebuild_search_index", batch_size=2, verbosity=0)
    assert ids("sommet") == [publication["lead"].pk]
    assert ids("prefere") == [publication["lead"].pk]
    assert sorted(ids("zinc")) == sorted(a.pk for a in extra)
    assert not SearchDocument.objects.filter(pk=hidden.pk).exists()
    assert SearchDocument.objects.count() == 6
    if connection.vendor == "postgresql":
        # The first build loaded the table without the GIN index, then built it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('lede_search_document_gin') IS NOT NULL")
            assert cursor.fetchone() == (True,)
    # Idempotent.
    call_command("rebuild_search_index", verbosity=0)
    assert SearchDocument.objects.count() == 6
    assert ids("zinc") and ids("Berrada") == [publication["lead"].pk]
    call_command("rebuild_search_index", "--force", verbosity=0)
    assert ids("prefere") == [publication["lead"].pk]
    assert sorted(ids("zinc")) == sorted(a.pk for a in extra)


# --- the page ------------------------------------------------------------------
def test_results_page(client: Client, publication: dict[str, Any]) -> None:
    response = client.get(URL, {"q": "prefere"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Les négociations reprennent à Doha" in html
    assert "<mark>préféré</mark>" in html
    assert "1 résultat" in html


def test_empty_page(client: Client, publication: dict[str, Any]) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert "résultat" not in response.content.decode()


BAD_QUERIES = [
    "",
    "   ",
    "\t\n",
    "x" * 10_000,
    "sommet " * 2_000,
    '"',
    '"sommet',
    "sommet\"'",
    "'; DROP TABLE x; --",
    "' OR 1=1 --",
    "Robert'); DROP TABLE wagtailcore_page;--",
    "NEAR(sommet délégués, 2)",
    "sommet NEAR délégués",
    "sommet AND",
    "OR",
    "NOT sommet",
    "AND OR NOT",
    "somm*",
    "*",
    "^sommet",
    "title:sommet",
    "body : sommet",
    "{title body}: sommet",
    "- sommet",
    "(sommet",
    "sommet)",
    "((()))",
    "sommet\x00",
    "\x00",
    "so\x00mmet",
    "😀",
    "sommet 🔥🇲🇦",
    "%",
    "_",
    "___",
    "%s %d {0}",
    "\\",
    "\ufffd",
    "\u200b\u00ad",
    "<script>alert(1)</script>",
    "السلام عليكم",
    "a:b:c:*",
    "sommet -délégués",
    '"sommet" OR "délégués"',
]


def test_bad_input_gives_a_results_page(client: Client, publication: dict[str, Any]) -> None:
    # One test for all (the fixture is costly); the message names the culprit.
    for q in BAD_QUERIES:
        response = client.get(URL, {"q": q})
        assert response.status_code == 200, repr(q)
        assert "<script>alert" not in response.content.decode(), repr(q)


def test_bad_input_never_raises_in_the_selector(publication: dict[str, Any]) -> None:
    for q in BAD_QUERIES:
        assert isinstance(search_articles(q), list), repr(q)
        assert isinstance(search_articles(q, reader=Reader(is_authenticated=True)), list)


def test_operators_are_searched_as_words(publication: dict[str, Any]) -> None:
    lead = publication["lead"].pk
    assert ids("sommet)") == [lead]
    assert ids('"sommet') == [lead]
    assert ids("^sommet*") == [lead]


def test_long_query_is_truncated_on_the_page(client: Client, publication: dict[str, Any]) -> None:
    html = client.get(URL, {"q": "z" * 10_000}).content.decode()
    assert f'value="{"z" * 200}"' in html
    assert "z" * 201 not in html


# --- query count ---------------------------------------------------------------
def _queries(client: Client, q: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_depend_on_results(
    client: Client, publication: dict[str, Any]
) -> None:
    eco, karim = publication["eco"], publication["karim"]
    for i in range(5):
        article(eco, f"Tempête numéro {i}", "Une tempête frappe la côte.", authors=[karim])
    assert len(search_articles("dirham")) == 1
    assert len(search_articles("tempête")) == 5
    client.get(URL, {"q": "dirham"})  # warm the caches (site, settings)
    one = _queries(client, "dirham")
    five = _queries(client, "tempête")
    assert one == five
    none = _queries(client, "introuvable")
    assert none == one - 2  # no listing queries when nothing matches


def test_selector_runs_three_queries(
    publication: dict[str, Any], django_assert_num_queries: Any
) -> None:
    """Ranking and the two listing queries; on PostgreSQL one more first, the
    planner's estimate of the matches (a rare word: no window)."""
    with django_assert_num_queries(3 if connection.vendor == "sqlite" else 4):
        hits = search_articles("prefere")
        for hit in hits:
            _ = (hit.article.section, hit.article.authors, str(hit.snippet))


# --- pure helpers --------------------------------------------------------------
def test_fts5_expression_quotes_every_word() -> None:
    assert fts5_match_expression("title:foo NEAR(bar)") == '"title" AND "foo" AND "NEAR" AND "bar"'
    assert fts5_match_expression("doha négo") == '"doha" AND "négo"*'
    assert fts5_match_expression("négo!") == '"négo"'
    assert fts5_match_expression("a_b") == '"a" AND "b"'
    assert fts5_match_expression("'; -- * ^ ( ) 😀") == ""
    assert fts5_match_expression("le vol") == '"le" AND "vol"'  # too short for a prefix


def test_highlight() -> None:
    s, e = MARK_START, MARK_STOP
    text = "Les délégués ont préféré attendre la fin du sommet."
    assert (
        highlight(text, query_terms("PREFERE"))
        == f"Les délégués ont {s}préféré{e} attendre la fin du sommet."
    )
    assert highlight(text, query_terms("négo")) is None
    assert highlight("Les négociations", query_terms("négo")) == f"Les {s}négociations{e}"
    long = " ".join(["mot"] * 100 + ["cible", "ici"] + ["mot"] * 100)
    fragment = highlight(long, query_terms("cible"))
    assert fragment is not None
    assert fragment.startswith("… mot") and fragment.endswith("mot …")
    assert f"{s}cible{e} ici" in fragment
    assert len(fragment.split()) < 40
    # The window with the most distinct terms wins.
    text = "alpha " + "x " * 50 + "alpha beta " + "y " * 50
    assert f"{s}alpha{e} {s}beta{e}" in (highlight(text, query_terms("alpha beta.")) or "")


def test_excerpt() -> None:
    assert excerpt("Court.") == "Court."
    assert excerpt(" ".join(["mot"] * 100)) == " ".join(["mot"] * 30) + " …"


def test_normalize_query() -> None:
    assert normalize_query("  so\x00mmet \t délégués  ") == "so mmet délégués"
    assert normalize_query("pre\u0301fe\u0301re\u0301") == "préféré"
    assert normalize_query("x" * 1000) == "x" * 200
    assert normalize_query(None) == ""
    assert normalize_query("so\u00admmet") == "sommet"


def test_render_fragment() -> None:
    raw = f"<b>{MARK_START}a&b{MARK_STOP}</b> {MARK_STOP}{MARK_START}c"
    assert render_fragment(raw) == "&lt;b&gt;<mark>a&amp;b</mark>&lt;/b&gt; <mark>c</mark>"


def test_body_text() -> None:
    raw = [
        {"type": "paragraph", "value": "<p>Un <b>mot</b></p><p>deux&nbsp;&amp; trois</p>"},
        {"type": "subheading", "value": "Inter"},
        {"type": "quote", "value": {"text": "Dit", "attribution": "Lui"}},
        {"type": "embed", "value": "https://example.com/v"},
        {"type": "image", "value": {"image": 1, "caption": "Légende", "credit": ""}},
        {"type": "factbox", "value": {"title": "Repères", "body": "<ul><li>a</li><li>b</li></ul>"}},
        {"type": "unknown", "value": None},
        "garbage",
    ]
    assert body_text(raw) == "Un mot deux & trois Inter Dit Lui Légende Repères a b"


# --- properties ----------------------------------------------------------------
@pytest.fixture(scope="module")
def fts5() -> sqlite3.Connection:
    """A bare FTS5 table with the index's tokenizer, outside Django's database."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, body, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '4 5')"
    )
    db.execute("INSERT INTO t VALUES ('Les négociations', 'Les délégués ont préféré attendre.')")
    return db


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_valid_fts5_query(fts5: sqlite3.Connection, raw: str) -> None:
    expression = fts5_match_expression(normalize_query(raw))
    if expression:
        fts5.execute("SELECT rowid FROM t WHERE t MATCH ?", [expression]).fetchall()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=200))
def test_fragments_only_ever_contain_mark_tags(raw: str) -> None:
    fragment = highlight(raw, query_terms(normalize_query(raw))) or raw
    html = render_fragment(fragment)
    assert "<" not in re.sub(r"</?mark>", "", html)
    assert html.count("<mark>") == html.count("</mark>")
