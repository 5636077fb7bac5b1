"""French typography applied at render time.

Hand-written on purpose: the PyPI candidates were checked (typographeur:
unmaintained since Python 3.8, regexes over the markup, ordinary no-break
space before ``:``; french-typo: plain text and AsciiDoc only, and it also
rewrites units and ordinals, which a newsroom does not want done behind its
back). This module is small, works on HTML *text nodes only* (through the
standard library's tokenizer, never regexes over markup), leaves attributes,
comments, ``<code>``/``<pre>``/``<script>``… and URLs alone, and is idempotent:
running it twice gives the same text, and text that already carries narrow
spaces or entities is left as it should be.

Rules (Imprimerie nationale, as French newspapers apply them on screen):
- typographic apostrophe between letters: l'État → l’État;
- « » with a narrow no-break space (U+202F) inside; "…" pairs become « … »;
- a narrow no-break space before ; : ! ? and % (an ordinary space there is
  replaced; one is added after a word when the writer left none);
- a narrow no-break space inside amounts and large numbers: 60 DH, 10 000;
- a no-break space after "n°": n° 12.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

NNBSP = "\u202f"  # narrow no-break space (espace fine insécable)
NBSP = "\u00a0"
RSQUO = "\u2019"

# Elements whose text is never touched.
SKIP_ELEMENTS = frozenset({"code", "pre", "kbd", "samp", "var", "script", "style", "textarea"})
VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)

# Tokens left exactly as written: addresses and e-mail addresses.
_PROTECTED = re.compile(
    r"(?:https?://|ftp://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE
)

_LETTER = r"[^\W\d_]"
_SPACES = f"[ \t{NBSP}]"  # breakable or full no-break spaces, never the narrow one
_APOSTROPHE = re.compile(rf"(?<={_LETTER})'(?={_LETTER})")
_DOUBLE_QUOTES = re.compile(r'"([^"\n]+?)"')
_OPEN_GUILLEMET = re.compile(r"«\s*")
_CLOSE_GUILLEMET = re.compile(r"\s*»")
_SPACE_BEFORE_DOUBLE = re.compile(rf"{_SPACES}+(?=[;:!?%])")
# A word (or a closing guillemet/parenthesis) glued to ; ! ? followed by a
# space or the end: "Vraiment?" → "Vraiment ?". Not "?!" chains, not "3:1",
# not "http://".
_GLUED_DOUBLE = re.compile(r"(?:(?<=[^\W_])|(?<=»)|(?<=\)))([;!?]+)(?=\s|$|[»)])")
_GLUED_COLON = re.compile(rf"(?:(?<={_LETTER})|(?<=»)|(?<=\)))(:)(?=\s|$)")
_GLUED_PERCENT = re.compile(r"(?<=\d)%")
_CURRENCY = re.compile(
    rf"(?<=\d){_SPACES}(?=(?:DH|Dh|MAD|EUR|USD|€|\$|dirhams?|euros?|dollars?|centimes?)\b|€|\$)"
)
_THOUSANDS = re.compile(rf"(?<=\d){_SPACES}(?=\d{{3}}(?!\d))")
# "n° 12", "N° LQ-2026-000001": the sign never ends a line without its number.
_NUMERO = re.compile(r"(?<=\b[nN]°) (?=\w)")


def _french_plain(text: str) -> str:
    text = _APOSTROPHE.sub(RSQUO, text)
    text = _DOUBLE_QUOTES.sub(lambda m: f"«{NNBSP}{m.group(1).strip()}{NNBSP}»", text)
    text = _OPEN_GUILLEMET.sub("«" + NNBSP, text)
    text = _CLOSE_GUILLEMET.sub(NNBSP + "»", text)
    text = _SPACE_BEFORE_DOUBLE.sub(NNBSP, text)
    text = _GLUED_DOUBLE.sub(NNBSP + r"\1", text)
    text = _GLUED_COLON.sub(NNBSP + r"\1", text)
    text = _GLUED_PERCENT.sub(NNBSP + "%", text)
    text = _CURRENCY.sub(NNBSP, text)
    text = _NUMERO.sub(NBSP, text)
    return _THOUSANDS.sub(NNBSP, text)


def french_text(text: str) -> str:
    """Apply the rules to plain text (no markup), URLs and e-mails excepted."""
    if not text:
        return text
    out: list[str] = []
    last = 0
    for match in _PROTECTED.finditer(text):
        out.append(_french_plain(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_french_plain(text[last:]))
    return "".join(out)


def _escape_text(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


class _Typographer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip_depth = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag in SKIP_ELEMENTS:
            self.skip_depth += 1
            self._stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_ELEMENTS and tag in self._stack:
            while self._stack:
                self.skip_depth -= 1
                if self._stack.pop() == tag:
                    break
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.cdata_elem is not None:  # <script>/<style>: raw, untouched
            self.out.append(data)
        elif self.skip_depth:
            self.out.append(_escape_text(data))
        else:
            self.out.append(_escape_text(french_text(data)))

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def french_html(html: str) -> str:
    """Apply the rules to the text nodes of an HTML fragment.

    Tags and attributes are copied exactly as written; text is re-escaped
    (``& < > "``) so the result is safe wherever the input was.
    """
    if not html:
        return html
    parser = _Typographer()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


def typeset(html: str) -> str:
    """``french_html`` when the active language is French; the input otherwise."""
    from django.utils.translation import get_language

    if not (get_language() or "fr").startswith("fr"):
        return html
    return french_html(html)
