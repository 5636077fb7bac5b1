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
    assert "Rien n&#x27;est acquis." in html
    assert "Mis à jour" not in html
    assert html.count(lead.standfirst) == 1 or html.count("Les délégations se retrouvent") >= 1


def test_agency_article_has_no_dangling_par(client: Client, publication: dict[str, Any]) -> None:
    html = client.get(publication["agency"].url).content.decode()
    assert "Par " not in html
    assert 'class="agency">AFP<' in html


def test_unknown_path_is_french_404(client: Client, publication: dict[str, Any]) -> None:
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "999", "1.5", "%00"])
def test_bad_page_numbers_are_404(client: Client, publication: dict[str, Any], raw: str) -> None:
    response = client.get(publication["eco"].url, {"page": raw})
    assert response.status_code == 404
