from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_lists_lead_and_sections(client: Client, publication: dict[str, Any]) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Les négociations reprennent à Doha" in html
    assert "Le dirham stable face" in html
    assert html.count("<h1") == 1


def test_article_anatomy(client: Client, publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    response = client.get(lead.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and lead.title in html
    assert "Par <a" in html and "Amina Berrada" in html and "Karim Tazi" in html
    assert "SARA ALAOUI / AFP" in html
    assert "Le port au lever du jour" in html
    assert '<h2 class="subheading">Un calendrier serré</h2>' in html
    assert "Rien n’est acquis." in html  # typographic apostrophe (issue 13)
    assert "Mis à jour" not in html
    assert html.count(lead.standfirst) == 1 or html.count("Les délégations se retrouvent") >= 1


def test_agency_article_has_no_dangling_par(client: Client, publication: dict[str, Any]) -> None:
    html = client.get(publication["agency"].url).content.decode()
    assert "Par " not in html
    assert 'class="agency"><bdi>AFP</bdi><' in html


def test_unknown_path_is_french_404(client: Client, publication: dict[str, Any]) -> None:
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "999", "1.5", "%00"])
def test_bad_page_numbers_are_404(client: Client, publication: dict[str, Any], raw: str) -> None:
    response = client.get(publication["eco"].url, {"page": raw})
    assert response.status_code == 404


def test_back_office_edit_preview_and_revisions_in_french(
    client: Client, publication: dict[str, Any]
) -> None:
    from lede.accounts.models import User

    client.force_login(User.objects.create_superuser("chef@example.com", "pw-chef-2026-x"))
    lead = publication["lead"]
    edit = client.get(f"/admin/pages/{lead.pk}/edit/")
    assert edit.status_code == 200
    html = edit.content.decode()
    assert 'lang="fr"' in html
    assert "Mise à jour importante" in html or "mise à jour importante" in html
    preview = client.get(f"/admin/pages/{lead.pk}/view_draft/")
    assert preview.status_code == 200
    assert "La suite est prévue pour la semaine prochaine." in preview.content.decode()
    history = client.get(f"/admin/pages/{lead.pk}/history/")
    assert history.status_code == 200
    assert client.get("/admin/snippets/editorial/author/").status_code == 200
    assert client.get("/admin/images/").status_code == 200
    assert client.get("/admin/settings/core/publicationsettings/").status_code in {200, 302}


def test_author_and_tag_pages(client: Client, publication: dict[str, Any]) -> None:
    html = client.get("/auteurs/amina-berrada/").content.decode()
    assert "Amina Berrada" in html and publication["lead"].title in html
    html = client.get("/mots-cles/diplomatie/").content.decode()
    assert publication["lead"].title in html
    assert client.get("/auteurs/personne/").status_code == 404
    assert client.get("/mots-cles/inconnu/").status_code == 404


def test_fast_route_follows_publish_unpublish_and_move(
    client: Client, publication: dict[str, Any]
) -> None:
    from wagtail.models import Page

    from lede.core.testing import factories as f
    from lede.editorial.models import ArticlePage

    article = publication["agency"]
    url = article.url
    assert client.get(url).status_code == 200
    page = ArticlePage.objects.get(pk=article.pk)
    page.unpublish()
    assert client.get(url).status_code == 404
    page.save_revision().publish()
    assert client.get(url).status_code == 200
    # A path asked for before an article exists there, then published.
    assert client.get(publication["eco"].url + "plus-tard/").status_code == 404
    later = f.make_article(publication["eco"], "Plus tard")
    assert later.url == publication["eco"].url + "plus-tard/"
    assert client.get(later.url).status_code == 200
    # Moving the article to another section: old path gone, new one served.
    page.move(Page.objects.get(pk=publication["monde"].pk), pos="last-child")
    moved = ArticlePage.objects.get(pk=page.pk)
    old = client.get(url)  # Wagtail leaves a permanent redirect behind
    assert old.status_code == 301 and old["Location"] == moved.url
    assert client.get(moved.url).status_code == 200
    # Section pages and their routes still go through Wagtail's routing.
    assert client.get(publication["eco"].url + "rss/").status_code == 200


def test_moving_a_section_moves_its_articles_listings(
    client: Client, publication: dict[str, Any]
) -> None:
    from wagtail.models import Page

    from lede.editorial import selectors
    from lede.editorial.models import ArticlePage, SectionPage

    proche = SectionPage.objects.get(pk=publication["proche"].pk)
    assert publication["lead"] in list(selectors.section_articles(publication["monde"]))
    proche.move(Page.objects.get(pk=publication["eco"].pk), pos="last-child")
    lead = ArticlePage.objects.get(pk=publication["lead"].pk)
    assert lead.top_section_id == publication["eco"].pk
    assert lead.section_id == proche.pk
    assert lead in list(selectors.section_articles(publication["eco"]))
    assert lead not in list(selectors.section_articles(publication["monde"]))


def test_listing_counts_are_cached_and_follow_publishing(
    client: Client, publication: dict[str, Any], settings: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lede.core.testing import factories as f

    settings.LEDE_PAGE_SIZE = 1
    eco = publication["eco"]
    assert "Page 1 sur 2" in client.get(eco.url).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        client.get(eco.url)
    assert not any("COUNT(" in q["sql"] for q in ctx)
    f.make_article(eco, "Encore un article")
    assert "Page 1 sur 3" in client.get(eco.url).content.decode()
    assert client.get(eco.url, {"page": "3"}).status_code == 200
    assert client.get(eco.url, {"page": "4"}).status_code == 404
