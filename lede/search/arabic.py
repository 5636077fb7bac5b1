"""Arabic normalisation for the search index and queries.

Applied to every text before it is indexed and to every query before it is
searched, on SQLite (FTS5) and on PostgreSQL, so that spellings a reader
types differently meet. It only touches Arabic code points: French text is
returned unchanged (and quickly).

The choices (see ``docs/search.md``):

* **Tashkeel removed**: the harakat and tanwin (U+064B–U+065F), the dagger
  alef (U+0670) and the Quranic annotation marks (U+0610–U+061A,
  U+06D6–U+06ED). Newspaper Arabic is mostly unvowelled; a reader who types
  ``كَتَبَ`` must find ``كتب``.
* **Tatweel removed** (U+0640): a justification stretch, never part of a word.
* **Alef forms to bare alef**: ``أ إ آ ٱ`` → ``ا``. Hamza on alef is written
  inconsistently in the press and almost never typed on phone keyboards.
* **Ta marbuta to ha**: ``ة`` → ``ه``. Readers often type the final ``ه``;
  merging them costs little (a few words differ only by it).
* **Alef maqsura to ya**: ``ى`` → ``ي``. In Moroccan and Egyptian usage the
  final ``ي`` is often written without dots and the reverse.
* **Kept as they are**: hamza on waw and ya (``ؤ ئ``) and the lone hamza
  (``ء``), which distinguish words; Arabic-Indic digits (the edition writes
  Western digits); the Persian letters and ligatures.

PostgreSQL's ``arabic`` configuration (the Snowball stemmer) then stems the
normalised text; SQLite indexes it as it is (no stemming: only the forms
above are merged).
"""

from __future__ import annotations

import re

#: The SQLite function the FTS5 triggers call (registered by lede.search.apps).
SQLITE_NORMALIZE = "lede_search_normalize"
#: Marks removed: Quranic annotations, harakat and tanwin, dagger alef, small
#: high marks; and the tatweel.
_REMOVED = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]+")
_FOLDED = str.maketrans(
    {
        "\u0623": "\u0627",  # أ alef with hamza above
        "\u0625": "\u0627",  # إ alef with hamza below
        "\u0622": "\u0627",  # آ alef with madda
        "\u0671": "\u0627",  # ٱ alef wasla
        "\u0629": "\u0647",  # ة ta marbuta -> ه
        "\u0649": "\u064a",  # ى alef maqsura -> ي
    }
)
#: Any code point of the Arabic block: only text holding one is touched.
_ARABIC = re.compile("[\u0600-\u06ff]")
#: A character of an Arabic word that is a mark (or the tatweel), not a letter:
#: word splitters must keep it inside the word.
WORD_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"


def has_arabic(text: str) -> bool:
    return bool(text) and not text.isascii() and _ARABIC.search(text) is not None


def normalize_arabic(text: str) -> str:
    """``text`` with the Arabic spellings above merged; unchanged when it holds
    no Arabic letter."""
    if not has_arabic(text):
        return text
    return _REMOVED.sub("", text).translate(_FOLDED)
