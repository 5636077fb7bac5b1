"""The Arabic edition's demo data, checked as data (no database): sections,
articles, dispatches and bylines have the shape the loader expects, the
pairs point at French sections and articles that exist, and the issue's
counts hold (≥ 6 sections, ≥ 20 articles, exactly 8 pairs, subscriber-only,
metered and free articles, mixed-direction headlines, ≥ 8 dispatches)."""

from __future__ import annotations

import re
from typing import Any

from lede.editorial.demo.articles import ARTICLES
from lede.editorial.demo.articles_ar import ARTICLES_AR
from lede.editorial.demo.dispatches_ar import DISPATCHES_AR
from lede.editorial.demo.images import IMAGES
from lede.editorial.demo.people import AUTHORS
from lede.editorial.demo.people_ar import NAMES_AR
from lede.editorial.demo.sections import SECTIONS
from lede.editorial.demo.sections_ar import SECTIONS_AR
from lede.livefeed.demo import DISPATCHES

ARABIC = re.compile(r"[\u0600-\u06FF]")
LATIN = re.compile(r"[A-Za-z]")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Article slugs may be Arabic (an Arabic slug in a URL is a case the edition handles).
ARTICLE_SLUG = re.compile(r"^[a-z0-9\u0621-\u064A]+(?:-[a-z0-9\u0621-\u064A]+)*$")
ACCESS = {"public", "registered", "subscribers"}
BLOCKS = {"paragraph", "subheading", "quote", "factbox", "image", "related"}

SECTION_KEYS = {s["key"] for s in SECTIONS_AR}
FRENCH_SECTIONS = {s["key"]: s for s in SECTIONS}
FRENCH_ARTICLES = {a["slug"]: a for a in ARTICLES}
IMAGE_KEYS = {i["key"] for i in IMAGES}


def _access(article: dict[str, Any]) -> str:
    """The article's access level, its section's when it names none."""
    if article.get("access"):
        return str(article["access"])
    section = next(s for s in SECTIONS_AR if s["key"] == article["section"])
    return str(section["access"])


def test_sections() -> None:
    assert len(SECTIONS_AR) >= 6
    assert len(SECTION_KEYS) == len(SECTIONS_AR)
    pairs = [s["pair"] for s in SECTIONS_AR]
    assert len(set(pairs)) == len(pairs)
    for section in SECTIONS_AR:
        *parents, last = section["key"].split("/")
        assert SLUG.match(last), section["key"]
        if parents:
            assert "/".join(parents) in SECTION_KEYS, section["key"]
        assert section["pair"] in FRENCH_SECTIONS, section["pair"]
        # A subsection mirrors a subsection of the French parent's mirror.
        if parents:
            parent = next(s for s in SECTIONS_AR if s["key"] == "/".join(parents))
            assert section["pair"].startswith(parent["pair"] + "/"), section["key"]
        assert ARABIC.search(section["title"]) and ARABIC.search(section["description"])
        assert section["access"] in ACCESS


def test_articles_shape() -> None:
    assert len(ARTICLES_AR) >= 20
    slugs = [a["slug"] for a in ARTICLES_AR]
    assert len(set(slugs)) == len(slugs)
    assert not set(slugs) & set(FRENCH_ARTICLES)
    assert any(ARABIC.search(slug) for slug in slugs) and any(SLUG.match(s) for s in slugs)
    # The loader signs them with the French edition's authors.
    authors = {a["slug"] for a in AUTHORS}
    for article in ARTICLES_AR:
        assert ARTICLE_SLUG.match(article["slug"]), article["slug"]
        assert article["section"] in SECTION_KEYS, article["section"]
        assert ARABIC.search(article["title"]) and ARABIC.search(article["standfirst"])
        assert isinstance(article["hours_ago"], int | float) and article["hours_ago"] > 0
        assert article.get("authors") or article.get("agency"), article["slug"]
        assert set(article.get("authors", [])) <= authors, article["slug"]
        assert article["image"] in IMAGE_KEYS, article["image"]
        assert article["tags"] and all(ARABIC.search(t) for t in article["tags"])
        assert article.get("access", "public") in ACCESS
        assert not article.get("metered") or article.get("access") == "subscribers"
        # Three to six blocks, like the French demo (its loader test checks it).
        assert 3 <= len(article["body"]) <= 6, article["slug"]
        for kind, value in article["body"]:
            assert kind in BLOCKS, kind
            if kind == "image":
                assert value["image"] in IMAGE_KEYS
            if kind == "paragraph":
                assert value.startswith("<p>") and ARABIC.search(value)


def test_exactly_eight_pairs_each_in_the_mirrored_section() -> None:
    paired = [a for a in ARTICLES_AR if "pair" in a]
    assert len(paired) == 8
    targets = [a["pair"] for a in paired]
    assert len(set(targets)) == 8
    for article in paired:
        french = FRENCH_ARTICLES.get(article["pair"])
        assert french is not None, article["pair"]
        section = next(s for s in SECTIONS_AR if s["key"] == article["section"])
        assert section["pair"] == french["section"], article["slug"]
    # And Arabic articles with no French pair.
    assert len(ARTICLES_AR) - len(paired) >= 8


def test_every_access_kind_is_there() -> None:
    kinds = {
        "locked": [
            a for a in ARTICLES_AR if a.get("access") == "subscribers" and not a.get("metered")
        ],
        "metered": [a for a in ARTICLES_AR if a.get("metered")],
        "registered": [a for a in ARTICLES_AR if _access(a) == "registered"],
        "public": [a for a in ARTICLES_AR if _access(a) == "public"],
    }
    for kind, found in kinds.items():
        assert found, kind


def test_mixed_direction_headlines() -> None:
    mixed = [
        a["title"]
        for a in ARTICLES_AR
        if ARABIC.search(a["title"]) and LATIN.search(a["title"]) and re.search(r"\d", a["title"])
    ]
    assert len(mixed) >= 2, mixed


def test_dispatches() -> None:
    assert len(DISPATCHES_AR) >= 8
    keys = [d["key"] for d in DISPATCHES_AR]
    assert len(set(keys)) == len(keys)
    assert not set(keys) & {d["key"] for d in DISPATCHES}
    assert set(DISPATCHES_AR[0]) <= set().union(*(d.keys() for d in DISPATCHES))
    for dispatch in DISPATCHES_AR:
        assert dispatch["key"].startswith("ar-") and SLUG.match(dispatch["key"])
        assert dispatch["section"] in SECTION_KEYS
        assert dispatch["hours"] > 0
        assert ARABIC.search(dispatch["headline"]) and len(dispatch["headline"]) <= 200
        paragraphs = re.findall(r"<p>(.*?)</p>", dispatch["body"])
        assert 1 <= len(paragraphs) <= 3 and all(ARABIC.search(x) for x in paragraphs)
        assert dispatch.get("photo", next(iter(IMAGE_KEYS))) in IMAGE_KEYS


def test_bylines() -> None:
    assert set(NAMES_AR) == {a["slug"] for a in AUTHORS}
    assert all(ARABIC.search(name) for name in NAMES_AR.values())
