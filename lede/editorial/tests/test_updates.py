"""'Mis à jour le' only after a republish ticked as a significant update."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lede.editorial.models import ArticlePage, ArticlePageForm

pytestmark = pytest.mark.django_db


def _republish(article: ArticlePage, *, significant: bool) -> ArticlePage:
    article = ArticlePage.objects.get(pk=article.pk)
    article.standfirst += " Correction."
    article.significant_update = significant
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def test_typo_fix_does_not_show_update(client: Client, publication: dict[str, Any]) -> None:
    article = _republish(publication["lead"], significant=False)
    assert article.updated_at is None
    assert "Mis à jour" not in client.get(article.url).content.decode()


def test_significant_update_shows_update_time(client: Client, publication: dict[str, Any]) -> None:
    first_published = publication["lead"].published_at
    article = _republish(publication["lead"], significant=True)
    assert article.updated_at is not None
    assert article.published_at == first_published
    assert article.significant_update is False
    html = client.get(article.url).content.decode()
    assert " • Mis à jour le " in html
    # A later plain republish keeps the earlier update time, and does not move it.
    again = _republish(article, significant=False)
    assert again.updated_at == article.updated_at


def test_first_publication_is_not_an_update(publication: dict[str, Any]) -> None:
    from lede.core.testing import factories as f

    article = f.make_article(publication["eco"], "Nouveau", significant_update=True)
    assert article.published_at is not None
    assert article.updated_at is None


def test_admin_form_starts_unticked(publication: dict[str, Any]) -> None:
    article = ArticlePage.objects.get(pk=publication["lead"].pk)
    article.significant_update = True
    form_class = article.get_edit_handler().get_form_class()
    form = form_class(instance=article, for_user=None)
    assert isinstance(form, ArticlePageForm)
    assert form.initial["significant_update"] is False
