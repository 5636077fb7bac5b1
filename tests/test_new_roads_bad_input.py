"""Bad input on the roads this wave added (Arabic edition, per-edition stream
fragments, licensee feeds, edge tokens): a 4xx or a page, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lede.core.caching import edge_tokens
from lede.core.testing import factories as f

BAD = [
    ("/ar/recherche/", {"q": "ـــــَُِّ" * 400}),  # tatweel and diacritics only, far too long
    ("/ar/recherche/", {"q": "\x00"}),
    ("/ar/lettres/inconnue/", {}),
    ("/ar/%D8%BA%D9%8A%D8%B1-%D9%85%D9%88%D8%AC%D9%88%D8%AF/", {}),  # an Arabic slug nowhere
    ("/ar/%FF%FE/", {}),  # not UTF-8
    ("/newsroom/depeche/999999/", {}),
    ("/ar/newsroom/depeche/999999/", {}),
    ("/api/v1/flux/articles.rss", {}),  # no key
    ("/api/v1/flux/articles.ninjs", {"key": "faux"}),
    ("/ar/offres/", {"offre": "'; DROP TABLE"}),
]


@pytest.mark.parametrize(("path", "params"), BAD)
def test_bad_input_on_the_new_roads_never_gets_a_500(
    db: Any, path: str, params: dict[str, str]
) -> None:
    f.make_section("Monde")
    client = Client(raise_request_exception=False)
    response = client.get(path, params)
    assert response.status_code < 500, (path, response.status_code)


@pytest.mark.parametrize("token", ["", "x", "1.2.3", "1." + "9" * 40 + ".full.subscriber.zz"])
def test_a_garbage_edge_cookie_is_ignored(db: Any, token: str) -> None:
    section = f.make_section("Monde")
    article = f.make_article(section, "Un article")
    client = Client(raise_request_exception=False)
    client.cookies[edge_tokens.COOKIE] = token
    assert client.get(article.url).status_code == 200
