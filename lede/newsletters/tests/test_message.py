"""The per-recipient message: the shared part encoded once, the personal
remainder substituted, and a body DKIM's relaxed canonicalisation leaves as
it is (so its hash can be carried over from the shared part)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from lede.newsletters.dkim import canonical_body
from lede.newsletters.message import Frame, _Part
from lede.newsletters.rendering import EMAIL_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER

URL = "https://lede.example/lettres/desinscription/abc:def/?a=1&b=2"


def _template(offset: int) -> str:
    before = "Déjà l’édition — é" * 40
    return (
        before[:offset]
        + f"Se désinscrire : {UNSUBSCRIBE_PLACEHOLDER} ({EMAIL_PLACEHOLDER})\n"
        + "Fin, à demain.\n" * 5
    )


@pytest.mark.parametrize("offset", [0, 1, 56, 57, 58, 113, 114, 400])
@pytest.mark.parametrize("escape", [False, True])
def test_a_part_decodes_to_the_personalised_text(offset: int, escape: bool) -> None:
    template = _template(offset)
    part = _Part.of(template, escape=escape)
    encoded = part.head + part.tail(unsubscribe_url=URL, email="lecteur@example.ma")
    url = URL.replace("&", "&amp;") if escape else URL
    expected = template.replace(UNSUBSCRIBE_PLACEHOLDER, url).replace(
        EMAIL_PLACEHOLDER, "lecteur@example.ma"
    )
    assert base64.b64decode(encoded).decode() == expected
    # Lines of 76 characters at most, each ended by CRLF.
    lines = encoded.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 76 for line in lines)


def test_the_body_is_canonical_and_its_hash_carried_over() -> None:
    frame = Frame(
        subject="=?utf-8?q?La_Matinale?=",
        boundary="=_lede_0123456789abcdef",
        text=_Part.of(_template(200) + "  deux  espaces \t\n\n\n", escape=False),
        html=_Part.of("<p>  Bonjour </p>\n\n" + _template(90), escape=True),
    )
    for email in ("a@example.ma", "un.lecteur.au.nom.tres.long@exemple-tres-long.ma"):
        body, body_hash = frame.body(unsubscribe_url=URL, email=email)
        assert canonical_body(body) == body
        assert body_hash == base64.b64encode(hashlib.sha256(body).digest()).decode()
        assert body.endswith(b"--=_lede_0123456789abcdef--\r\n")
