"""The Arabic catalogue (locale/ar/LC_MESSAGES): every message translated,
nothing fuzzy, the placeholders kept, and the committed .mo compiled from the
committed .po (so a bare machine needs no gettext tools to run the demo or
the tests; after editing the .po, run ``manage.py compilemessages -l ar``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "ar" / "LC_MESSAGES"
#: %(name)s, %s, %d… and {name}; "%%" is a literal percent sign.
PRINTF = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdifrx]|%[sdifr]|%%")
BRACES = re.compile(r"\{(\w*)\}")
#: HTML tags in a message (``<strong>``, ``<a href="%(url)s">``), not
#: pseudo-tags such as ``Bearer <clé>``.
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^>]*)?>")


def _catalogue() -> Any:
    with (LOCALE / "django.po").open("rb") as handle:
        return read_po(handle)


def _key(message: Any) -> str:
    ident = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}\x04{ident}" if message.context else ident


def _placeholders(text: str) -> set[str]:
    return set(PRINTF.findall(text)) | {"{" + name + "}" for name in BRACES.findall(text)}


def _printf_names(text: str) -> list[str]:
    return re.findall(r"%\((\w+)\)", text)


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    catalogue = _catalogue()
    assert catalogue.plural_forms.startswith("nplurals=6;")
    untranslated, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings):
            untranslated.append(_key(message))
        if message.fuzzy:
            fuzzy.append(_key(message))
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:10]}"
    assert len(catalogue) > 1000


def test_placeholders_are_kept() -> None:
    wrong = []
    for message in _catalogue():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            wanted = _placeholders(message.id[0]) | _placeholders(message.id[1])
            for index, form in enumerate(message.string):
                found = _placeholders(form)
                # Arabic zero/one/two forms may spell the number out
                # ("ساعة واحدة", "ساعتان") and leave the count out.
                missing = wanted - found
                if found - wanted or (missing and (index > 2 or len(missing) > 1)):
                    wrong.append((_key(message), index, form))
        else:
            if _placeholders(message.id) != _placeholders(message.string):
                wrong.append((_key(message), 0, message.string))
    assert not wrong, wrong[:10]


def test_html_tags_are_kept() -> None:
    wrong = []
    for message in _catalogue():
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if sorted(TAG.findall(text)) != sorted(TAG.findall(source)):
                wrong.append((source, text))
    assert not wrong, wrong[:5]


def test_python_format_messages_format() -> None:
    """Each translation formats with the names its French message uses."""
    for message in _catalogue():
        if not message.id or "python-format" not in message.flags:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        values = {name: 2 for text in ids for name in _printf_names(text)}
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if values:
                text % values
            elif "%" in text:
                text % ()


def _plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_the_compiled_catalogue_matches_the_po() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = {(m.context, _plain(m.id)): _plain(m.string) for m in read_mo(handle) if m.id}
    source = {
        (m.context, _plain(m.id)): _plain(m.string)
        for m in _catalogue()
        if m.id and not m.fuzzy and m.string
    }
    stale = sorted(str(k[1]) for k in source.keys() ^ compiled.keys())
    stale += sorted(str(k[1]) for k in source.keys() & compiled.keys() if source[k] != compiled[k])
    assert not stale, (
        "locale/ar/LC_MESSAGES/django.mo is out of date: run "
        f"`manage.py compilemessages -l ar` ({stale[:5]})"
    )
