"""French typography at render: table tests (lede.core.typography)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from lede.core.typography import french_html, french_text

N = "\u202f"  # narrow no-break space

TEXT_CASES = [
    # apostrophes
    ("L'État et l'armée", "L’État et l’armée"),
    ("aujourd'hui", "aujourd’hui"),
    ("'quoted' start", "'quoted' start"),  # not between letters: left alone
    # guillemets
    ("« Nous verrons »", f"«{N}Nous verrons{N}»"),
    ("«Nous verrons»", f"«{N}Nous verrons{N}»"),
    (f"«{N}déjà fait{N}»", f"«{N}déjà fait{N}»"),
    ('Il a dit "non" hier', f"Il a dit «{N}non{N}» hier"),
    # double punctuation
    ("Régionalisation : les conseils", f"Régionalisation{N}: les conseils"),
    ("Régionalisation: les conseils", f"Régionalisation{N}: les conseils"),
    ("Vraiment ? Oui !", f"Vraiment{N}? Oui{N}!"),
    ("Vraiment? Oui!", f"Vraiment{N}? Oui{N}!"),
    ("Quoi?!", f"Quoi{N}?!"),
    ("un ; deux", f"un{N}; deux"),
    ("un\u00a0: deux", f"un{N}: deux"),  # full no-break space becomes narrow
    ("« Non » !", f"«{N}Non{N}»{N}!"),
    # percentages, amounts, thousands
    ("2,1 % de croissance", f"2,1{N}% de croissance"),
    ("2,1% de croissance", f"2,1{N}% de croissance"),
    ("60 DH par mois", f"60{N}DH par mois"),
    ("600 dirhams", f"600{N}dirhams"),
    ("12 €", f"12{N}€"),
    ("10 000 personnes", f"10{N}000 personnes"),
    ("1 250 000 habitants", f"1{N}250{N}000 habitants"),
    ("le reçu n° LQ-2026-000001", "le reçu n°\u00a0LQ-2026-000001"),
    ("N° 12 : fin", f"N°\u00a012{N}: fin"),
    # left alone: times, ratios, years, URLs and e-mail addresses
    ("à 13:03", "à 13:03"),
    ("score 3:1", "score 3:1"),
    ("le 26 juillet 2016", "le 26 juillet 2016"),
    ("voir https://exemple.ma/a?b=c:d&e=f'g !", f"voir https://exemple.ma/a?b=c:d&e=f'g{N}!"),
    ("écrire à l'équipe: redaction@exemple.ma", f"écrire à l’équipe{N}: redaction@exemple.ma"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), TEXT_CASES)
def test_french_text(raw: str, expected: str) -> None:
    assert french_text(raw) == expected
    assert french_text(expected) == expected  # idempotent


HTML_CASES = [
    ("<p>L'État : « oui »</p>", f"<p>L’État{N}: «{N}oui{N}»</p>"),
    # attributes and tags untouched, entities decoded and re-escaped
    (
        '<a href="/a?x=1&amp;y=2" title="l\'a : b">l&#x27;article</a> !',
        f'<a href="/a?x=1&amp;y=2" title="l\'a : b">l’article</a>{N}!',
    ),
    ("Tom &amp; Jerry : fin", f"Tom &amp; Jerry{N}: fin"),
    ("Prix&nbsp;: 60&nbsp;DH", f"Prix{N}: 60{N}DH"),
    ("Fine&#8239;: déjà", f"Fine{N}: déjà"),
    # code, pre, script, style are never touched
    ("<p>Tapez <code>a : b 'c'</code> !</p>", f"<p>Tapez <code>a : b 'c'</code>{N}!</p>"),
    ("<pre>x ? y</pre>", "<pre>x ? y</pre>"),
    ('<script>var a = "b : c";</script>', '<script>var a = "b : c";</script>'),
    # markers and comments stay exactly as written
    ("<!--lede:meter--><p>Oui !</p>", f"<!--lede:meter--><p>Oui{N}!</p>"),
    # nested inline markup
    (
        "<p><em>Salut</em> ! <strong>ça va</strong> ?</p>",
        f"<p><em>Salut</em>{N}! <strong>ça va</strong>{N}?</p>",
    ),
    ('<br>Fin : <img src="a.png" alt="x : y">', f'<br>Fin{N}: <img src="a.png" alt="x : y">'),
    # escaping is preserved: no markup can be created from text
    ("&lt;b&gt; : x", f"&lt;b&gt;{N}: x"),
]


@pytest.mark.parametrize(("raw", "expected"), HTML_CASES)
def test_french_html(raw: str, expected: str) -> None:
    assert french_html(raw) == expected
    assert french_html(expected) == expected  # idempotent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("L'État : « oui »", f"L’État{N}: «{N}oui{N}»"),
        ('<b>"x"</b>', f"&lt;b&gt;«{N}x{N}»&lt;/b&gt;"),  # plain text is escaped first
        ('a "b', "a &quot;b"),  # safe inside a double-quoted attribute
        (None, ""),
    ],
)
def test_typo_filter(value: object, expected: str) -> None:
    with translation.override("fr"):
        out = Template("{% load lede %}{{ value|typo }}").render(Context({"value": value}))
    assert out == expected


def test_typo_filter_leaves_other_languages_alone() -> None:
    with translation.override("ar"):
        out = Template("{% load lede %}{{ value|typo }}").render(Context({"value": "a : b"}))
    assert out == "a : b"
