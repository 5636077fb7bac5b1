"""The reader's face: related stories, the first-image rule, typography and
the page shell (issue 13)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lede.core.testing import factories as f
from lede.editorial import selectors

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"


def _imgs(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*>", html)


def test_related_never_the_article_and_tags_first(publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    now = timezone.now()
    other_section = f.make_section("Sport")
    shares_two = f.make_article(
        other_section,
        "Deux mots-clés",
        tags="diplomatie, doha",
        published_at=now - timedelta(days=3),
    )
    shares_one = f.make_article(
        other_section, "Un mot-clé", tags="doha", published_at=now - timedelta(hours=1)
    )
    same_section = f.make_article(publication["proche"], "Même rubrique", published_at=now)
    f.make_article(other_section, "Sans rapport", published_at=now)

    related = selectors.related_articles(lead, limit=4)
    titles = [a.title for a in related]
    assert lead.pk not in {a.pk for a in related}
    assert titles[:2] == [shares_two.title, shares_one.title]  # most shared tags first
    assert same_section.title in titles
    assert "Sans rapport" not in titles


def test_related_query_count_does_not_grow(
    publication: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    lead = publication["lead"]
    for i in range(12):
        f.make_article(publication["proche"], f"Voisin {i}", tags="doha")
    with django_assert_max_num_queries(5):
        related = selectors.related_articles(lead, limit=4)
    assert len(related) == 4
    assert lead.pk not in {a.pk for a in related}


def test_related_of_a_lone_article_is_empty() -> None:
    section = f.make_section("Vide")
    alone = f.make_article(section, "Seul au monde")
    assert selectors.related_articles(alone) == []


def test_article_page_shows_related_author_box_tags_and_share_links(
    client: Client, publication: dict[str, Any]
) -> None:
    lead = publication["lead"]
    f.make_article(publication["proche"], "Voisin de rubrique", published_at=timezone.now())
    html = client.get(lead.url).content.decode()
    related = html.split('class="related-stories"', 1)[1]
    assert "Voisin de rubrique" in related
    assert f'href="{lead.url}"' not in related
    assert 'class="author-box"' in html and "Chef de rubrique" in html
    assert 'href="/mots-cles/doha/"' in html
    for host in (
        "x.com/intent",
        "facebook.com/sharer",
        "wa.me/",
        "linkedin.com/sharing",
        "mailto:",
    ):
        assert host in html
    # no third-party script: every script is ours
    for src in re.findall(r'<script[^>]*src="([^"]+)"', html):
        assert src.startswith("/static/"), src


def test_page_shell_is_full_width_on_articles(client: Client, publication: dict[str, Any]) -> None:
    html = client.get(publication["lead"].url).content.decode()
    assert '<body class="article-page">' in html
    # the site header and footer sit outside the article's reading column
    assert html.index('class="site-header"') < html.index('<article class="article"')
    assert html.index('class="site-footer"') > html.index("</article>")
    assert html.count('<article class="article"') == 1


def test_first_image_of_a_page_is_eager_and_the_others_lazy(
    client: Client, publication: dict[str, Any]
) -> None:
    image = f.make_image("Autre", color="#aa3300")
    for i in range(3):
        f.make_article(
            publication["eco"],
            f"Illustré {i}",
            lead_image=image,
            published_at=timezone.now(),
            tags="doha",
        )
    for url in ("/", publication["eco"].url, publication["lead"].url):
        html = client.get(url).content.decode()
        imgs = _imgs(html)
        assert len(imgs) >= 2, url
        assert 'loading="eager"' in imgs[0] and 'fetchpriority="high"' in imgs[0], (url, imgs[0])
        for img in imgs[1:]:
            assert 'loading="lazy"' in img and "fetchpriority" not in img, (url, img)


def test_french_typography_is_in_the_rendered_article(
    client: Client, publication: dict[str, Any]
) -> None:
    html = client.get(publication["lead"].url).content.decode()
    assert "Rien n’est acquis." in html
    now = timezone.now()
    article = f.make_article(
        publication["eco"],
        "Régionalisation : les conseils « réclament » 2,1 %",
        standfirst="Un budget de 60 DH ? Oui !",
        published_at=now,
        body=[
            (
                "paragraph",
                '<p>Voir <a href="https://exemple.ma/?a=1&amp;b=2">l\'étude</a> : '
                "10 000 lecteurs.</p>",
            )
        ],
    )
    html = client.get(article.url).content.decode()
    assert f"Régionalisation{NNBSP}: les conseils «{NNBSP}réclament{NNBSP}» 2,1{NNBSP}%" in html
    assert f"Un budget de 60{NNBSP}DH{NNBSP}? Oui{NNBSP}!" in html
    assert 'href="https://exemple.ma/?a=1&amp;b=2"' in html  # the address is untouched
    assert f"l’étude</a>{NNBSP}: 10{NNBSP}000 lecteurs." in html
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None and f"Régionalisation{NNBSP}:" in title.group(1)


def test_section_without_articles_says_so(client: Client) -> None:
    section = f.make_section("Idées neuves")
    response = client.get(section.url)
    assert response.status_code == 200
    assert "Aucun article dans cette rubrique" in response.content.decode()
