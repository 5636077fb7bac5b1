"""Pure text helpers of the search: query clean-up, FTS5 query building,
plain-text extraction from an article body, and snippet rendering.

Nothing here touches the database.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import nh3
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lede.core import process_state

from .arabic import WORD_MARKS, normalize_arabic

#: Sentinels around a highlighted term (put by ts_headline on PostgreSQL, by
#: :func:`highlight` on SQLite). Control characters are removed from indexed
#: text and from queries, so they can only come from the highlighter; they
#: survive HTML escaping untouched.
MARK_START = "\x02"
MARK_STOP = "\x03"

#: At most this many words of a query are searched for.
MAX_QUERY_WORDS = 32
#: The last word of a query is also matched as a prefix when at least this long
#: (FTS5 keeps prefix indexes for 4 and 5 characters, see migration 0001).
MIN_PREFIX_LENGTH = 4
#: Longest plain-text body indexed (characters); a safety net, not an editorial limit.
MAX_BODY_CHARS = 200_000

# Characters of the "Other" categories have no business in a query or in the
# index (and PostgreSQL refuses NUL): controls, surrogates, private use and
# unassigned ones become a space, invisible format characters (soft hyphen,
# zero-width joiners, direction marks) are dropped so words stay whole.
_SPACE_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})
_SENTINEL = re.compile(f"({MARK_START}|{MARK_STOP})")
# A word as FTS5's unicode61 tokenizer sees it: letters and digits (the
# underscore, which \w includes, is a separator there).
_WORD = re.compile(r"[^\W_]+")
# A word of text as written (highlighting): Arabic marks and the tatweel,
# removed from the index by the normalisation, stay inside their word.
_TEXT_WORD = re.compile(rf"(?:[^\W_]|[{WORD_MARKS}])+")
# Block-level tags: a space goes before them so "<p>a</p><p>b</p>" gives "a b".
_BLOCK_TAG = re.compile(
    r"<(?=/?(?:p|br|h[1-6]|li|ul|ol|blockquote|div|figure|figcaption|hr|embed|table|tr|td|th)\b)",
    re.IGNORECASE,
)


def max_query_length() -> int:
    return int(getattr(settings, "LEDE_SEARCH_MAX_QUERY", 200))


def _drop_invisible(value: str) -> str:
    out: list[str] = []
    for ch in value:
        category = unicodedata.category(ch)
        if category in _SPACE_CATEGORIES:
            out.append(" ")
        elif category != "Cf":
            out.append(ch)
    return "".join(out)


def clean_text(value: str) -> str:
    """Plain text ready for the index or a query: NFC, no control or invisible
    characters, single spaces, trimmed. (Fast path for ordinary text: this runs
    for every paragraph of every article on a rebuild.)"""
    value = " ".join(value.split())
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    if not value.isprintable():
        value = " ".join(_drop_invisible(value).split())
    return value


def normalize_query(raw: object) -> str:
    """What is left of a reader's query once made safe to search and to show:
    at most ``LEDE_SEARCH_MAX_QUERY`` characters, no control characters (NUL
    included), NFC, single spaces, trimmed."""
    if not isinstance(raw, str):
        return ""
    limit = max_query_length()
    return clean_text(raw[: limit * 4])[:limit].strip()


def query_words(query: str) -> list[str]:
    """The words of a (normalised) query, at most ``MAX_QUERY_WORDS``."""
    return _WORD.findall(query)[:MAX_QUERY_WORDS]


def fts5_match_expression(query: str) -> str:
    """An FTS5 MATCH expression for ``query`` that cannot be read as FTS5 syntax.

    Every word becomes a quoted string (so ``NEAR``, ``OR``, ``title:``, ``*``,
    ``^`` or parentheses typed by a reader are just text) and the words are
    ANDed. The last word also matches as a prefix while the reader may still be
    typing it (the query does not end with a space or punctuation). Empty when
    the query has no word.
    """
    words = query_words(query)
    if not words:
        return ""
    # Words hold letters and digits only: no double quote to escape.
    terms = [f'"{w}"' for w in words]
    if _is_prefix(query, words[-1]):
        terms[-1] += "*"
    return " AND ".join(terms)


def _is_prefix(query: str, last: str) -> bool:
    """Whether the last word is matched as a prefix too: long enough, and the
    reader may still be typing it (nothing follows it)."""
    return len(last) >= MIN_PREFIX_LENGTH and query.rstrip().endswith(last)


def html_to_text(value: str) -> str:
    """Plain text of a piece of (Wagtail rich text) HTML."""
    if not value:
        return ""
    spaced = _BLOCK_TAG.sub(" <", value)
    # nh3 drops every tag (and the content of <script>/<style>) and returns
    # escaped text; unescape it back to plain text.
    return clean_text(html.unescape(nh3.clean(spaced, tags=set())))


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def body_block_text(block_type: str, value: Any) -> list[str]:
    """The searchable text of one StreamField block, from its raw (JSON) value."""
    if block_type == "paragraph":
        return [html_to_text(_str(value))]
    if block_type == "subheading":
        return [clean_text(_str(value))]
    if not isinstance(value, Mapping):
        return []
    if block_type == "quote":
        return [clean_text(_str(value.get("text"))), clean_text(_str(value.get("attribution")))]
    if block_type == "factbox":
        return [clean_text(_str(value.get("title"))), html_to_text(_str(value.get("body")))]
    if block_type == "image":
        return [clean_text(_str(value.get("caption")))]
    # embed, related and unknown blocks carry no article text.
    return []


def body_text(raw_blocks: Iterable[Any]) -> str:
    """Plain text of an article body given its raw StreamField data
    (``[{"type": ..., "value": ...}, ...]``)."""
    parts: list[str] = []
    for item in raw_blocks:
        if not isinstance(item, Mapping):
            continue
        parts.extend(p for p in body_block_text(_str(item.get("type")), item.get("value")) if p)
    return " ".join(parts)[:MAX_BODY_CHARS]


def highlight_count(fragment: str | None) -> int:
    return fragment.count(MARK_START) if fragment else 0


def render_fragment(fragment: str) -> SafeString:
    """HTML for a highlighted fragment: the text is escaped, then the sentinels
    become ``<mark>`` elements (a sentinel out of order is dropped, so the
    marks are always balanced and never nested)."""
    out: list[str] = []
    is_open = False
    for piece in _SENTINEL.split(str(escape(fragment))):
        if piece == MARK_START:
            if not is_open:
                out.append("<mark>")
                is_open = True
        elif piece == MARK_STOP:
            if is_open:
                out.append("</mark>")
                is_open = False
        else:
            out.append(piece)
    if is_open:
        out.append("</mark>")
    return mark_safe("".join(out))  # the text was escaped above; only <mark> is added


# --- highlighting (SQLite) -----------------------------------------------------
#: Words in a fragment, and words of context kept before the first highlight.
FRAGMENT_WORDS = 30
FRAGMENT_LEAD = 6
#: Only this much of a text is scanned for a fragment.
MAX_HIGHLIGHT_CHARS = 20_000
ELLIPSIS = "…"


@functools.lru_cache(maxsize=50_000)
def fold(word: str) -> str:
    """A word as FTS5's ``unicode61 remove_diacritics 2`` compares it: lower
    case (one character for one, like FTS5), no diacritics."""
    decomposed = unicodedata.normalize("NFD", normalize_arabic(word).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


process_state.register("lede.search.text.fold", fold.cache_clear)


@dataclass(frozen=True)
class Terms:
    """The folded words of a query; ``prefix`` also matches as a prefix."""

    exact: frozenset[str]
    prefix: str = ""


def query_terms(query: str) -> Terms:
    """The terms :func:`fts5_match_expression` searches for, for highlighting."""
    words = query_words(query)
    if not words:
        return Terms(frozenset())
    exact = frozenset(fold(w) for w in words)
    last = words[-1]
    prefix = fold(last) if _is_prefix(query, last) else ""
    return Terms(exact, prefix)


def highlight(text: str, terms: Terms) -> str | None:
    """A fragment of ``text`` of about ``FRAGMENT_WORDS`` words around the
    best cluster of matches (most distinct terms, then most matches), matches
    wrapped in ``MARK_START``/``MARK_STOP``. ``None`` when nothing matches."""
    if not text or not (terms.exact or terms.prefix):
        return None
    scanned = text[:MAX_HIGHLIGHT_CHARS]
    words = list(_TEXT_WORD.finditer(scanned))
    exact, prefix = terms.exact, terms.prefix
    hits: list[tuple[int, str]] = []
    for i, m in enumerate(words):  # the hot loop of a search page: kept lean
        folded = fold(m.group())
        if folded in exact:
            hits.append((i, folded))
        elif prefix and folded.startswith(prefix):
            hits.append((i, prefix))
    if not hits:
        return None
    positions = [i for i, _ in hits]
    best: tuple[int, int] | None = None
    best_start = 0
    for first in positions:
        start = max(0, first - FRAGMENT_LEAD)
        lo = bisect.bisect_left(positions, start)
        hi = bisect.bisect_left(positions, start + FRAGMENT_WORDS)
        inside = [term for _, term in hits[lo:hi]]
        score = (len(set(inside)), len(inside))
        if best is None or score > best:
            best, best_start = score, start
    end = min(len(words), best_start + FRAGMENT_WORDS)
    hit_positions = set(positions)
    out: list[str] = [ELLIPSIS + " "] if best_start > 0 else []
    cursor = words[best_start].start()
    for i in range(best_start, end):
        m = words[i]
        out.append(scanned[cursor : m.start()])
        if i in hit_positions:
            out.append(f"{MARK_START}{m.group()}{MARK_STOP}")
        else:
            out.append(m.group())
        cursor = m.end()
    if end == len(words) and len(scanned) == len(text):
        out.append(scanned[cursor:])  # closing punctuation
    else:
        out.append(" " + ELLIPSIS)
    return "".join(out).strip()


def excerpt(text: str, max_chars: int = 400) -> str:
    """The first ``FRAGMENT_WORDS`` words of ``text`` (at most ``max_chars``
    characters), for when nothing in it matched."""
    words = list(_TEXT_WORD.finditer(text[:max_chars]))
    cut = words[FRAGMENT_WORDS].start() if len(words) > FRAGMENT_WORDS else max_chars
    if cut >= len(text):
        return text.strip()
    return text[:cut].strip() + " " + ELLIPSIS
