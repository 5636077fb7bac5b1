"""Rich text and embeds are cleaned on save and on render."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from lede.core.sanitize import clean_embed_html, clean_html, clean_rich_text_source
from lede.core.testing import factories as f
from lede.editorial.models import ArticlePage

pytestmark = pytest.mark.django_db

EVIL = (
    '<p onclick="steal()">Texte <a href="javascript:alert(1)">lien</a>'
    '<script>alert("x")</script><img src="x" onerror="alert(2)">'
    '<iframe src="https://evil.example"></iframe><a href="https://ok.example">ok</a></p>'
)


def _assert_clean(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe", "alert("):
        assert bad not in lowered, (bad, html)


def test_clean_functions() -> None:
    _assert_clean(clean_html(EVIL))
    _assert_clean(clean_rich_text_source(EVIL))
    assert 'href="https://ok.example"' in clean_html(EVIL)
    kept = clean_rich_text_source(
        '<p><a linktype="page" id="3">x</a><embed embedtype="image" id="4" format="left"/></p>'
    )
    assert '<a linktype="page" id="3">' in kept
    assert '<embed embedtype="image" id="4" format="left"/>' in kept


def test_rich_text_is_cleaned_on_save(publication: dict[str, Any]) -> None:
    article = f.make_article(publication["eco"], "Texte piégé", body=[("paragraph", EVIL)])
    stored = ArticlePage.objects.get(pk=article.pk).body.raw_data
    _assert_clean(json.dumps(list(stored)))
    revision = article.get_latest_revision()
    assert revision is not None
    _assert_clean(json.dumps(revision.content))


def test_rich_text_is_cleaned_on_render(client: Client, publication: dict[str, Any]) -> None:
    article = f.make_article(publication["eco"], "Texte piégé", body=[("paragraph", "<p>a</p>")])
    # Bypass the save-time cleaning, as a raw database write or an old row would.
    body = [{"type": "paragraph", "value": EVIL, "id": "x1"}]
    ArticlePage.objects.filter(pk=article.pk).update(body=json.dumps(body))
    html = client.get(article.url).content.decode()
    body_html = html.split('class="article__body"', 1)[1].split("</div>", 1)[0]
    _assert_clean(body_html)
    assert "Texte" in body_html


def test_embed_html_is_cleaned(client: Client, publication: dict[str, Any]) -> None:
    url = "https://video.example/watch/1"
    Embed.objects.create(
        hash=get_embed_hash(url, None, None),
        url=url,
        max_width=None,
        type="video",
        html=(
            '<iframe src="https://video.example/embed/1" onload="x()"></iframe>'
            "<script>alert(1)</script>"
            '<iframe src="javascript:alert(1)"></iframe>'
        ),
        provider_name="Video",
    )
    article = f.make_article(publication["eco"], "Avec vidéo", body=[("embed", url)])
    html = client.get(article.url).content.decode()
    body_html = html.split('class="article__body"', 1)[1].split("</article>", 1)[0]
    assert '<iframe src="https://video.example/embed/1"' in body_html
    assert body_html.count("<iframe") == 1
    assert "<script" not in body_html and "javascript:" not in body_html
    assert "onload" not in body_html


def test_clean_embed_keeps_https_only() -> None:
    out = clean_embed_html('<iframe src="http://plain.example/x"></iframe>')
    assert "http://plain.example" not in out
