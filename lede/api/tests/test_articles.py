"""The article endpoints: filters, stable cursor pagination, ETag/304, bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date
from wagtail.models import PageLogEntry

from lede.api.calls import REMOVALS
from lede.core.testing import factories as f
from lede.editorial.models import ArticlePage

pytestmark = pytest.mark.django_db


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_list_is_newest_first_with_rights_and_no_text(publication: dict[str, Any]) -> None:
    response = Client().get("/api/v1/articles")
    # The agency article is left out: no licence allows it to this caller.
    assert ids(response) == [publication["lead"].pk, publication["old"].pk]
    first = response.json()["items"][0]
    assert first["rights"]["origin"] == "own"
    assert first["rights"]["copyright_notice"]
    assert [a["slug"] for a in first["authors"]] == ["amina-berrada", "karim-tazi"]
    assert "body_html" not in first
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"]


def test_filters(publication: dict[str, Any]) -> None:
    c = Client()
    lead, old = publication["lead"].pk, publication["old"].pk
    assert ids(c.get("/api/v1/articles?section=monde")) == [lead]  # sub-sections included
    assert ids(c.get("/api/v1/articles?section=economie")) == [old]
    assert ids(c.get("/api/v1/articles?tag=doha")) == [lead]
    assert ids(c.get("/api/v1/articles?author=karim-tazi")) == [lead, old]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(c.get("/api/v1/articles", {"published_since": since})) == [lead]
    assert ids(c.get("/api/v1/articles", {"updated_since": "2000-01-01"})) == [lead, old]
    assert ids(c.get("/api/v1/articles?section=inconnue")) == []


def test_cursor_pagination_is_stable_with_equal_dates(db: Any) -> None:
    section = f.make_section("Société")
    same = timezone.now() - timedelta(hours=1)
    made = [f.make_article(section, f"Article {i}", published_at=same, body=[]) for i in range(5)]
    expected = sorted((a.pk for a in made), reverse=True)
    c = Client()
    seen: list[int] = []
    url = "/api/v1/articles?limit=2"
    while url:
        data = c.get(url).json()
        seen += [item["id"] for item in data["items"]]
        url = (
            f"/api/v1/articles?limit=2&cursor={data['next_cursor']}" if data["next_cursor"] else ""
        )
    assert seen == expected


def test_etag_gives_304_and_changes_with_content(publication: dict[str, Any]) -> None:
    c = Client()
    url = f"/api/v1/articles/{publication['lead'].pk}"
    first = c.get(url)
    assert first.status_code == 200
    again = c.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    listing = c.get("/api/v1/articles")
    assert c.get("/api/v1/articles", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304
    publication["lead"].title = "Les négociations reprennent à Doha, enfin"
    publication["lead"].save_revision().publish()
    assert c.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert c.get("/api/v1/articles", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 200


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("published_since=demain", "invalid_parameter"),
        ("published_since=2026-01-01T00:00:00%2B99:00", "invalid_parameter"),
        ("published_since=2026-01-01T00:00:00-23:59", None),
        ("published_since=0001-01-01T00:00:00%2B01:00", "invalid_parameter"),
        ("updated_since=9999-12-31T23:59:59-12:00", "invalid_parameter"),
        ("updated_since=2026-02-30", "invalid_parameter"),
        ("section=%00", "invalid_parameter"),
        ("tag=a%00b", "invalid_parameter"),
        ("author=" + "x" * 300, "invalid_parameter"),
        ("cursor=pas-un-curseur", "invalid_cursor"),
        ("cursor=fDk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "invalid_cursor"),
        ("limit=0", "invalid_parameter"),
        ("limit=abc", "invalid_parameter"),
        ("limit=100000000000000000000000", None),
    ],
)
def test_bad_input_is_a_french_400(
    publication: dict[str, Any], query: str, code: str | None
) -> None:
    response = Client().get(f"/api/v1/articles?{query}")
    if code is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.parametrize("url", ["/api/v1/articles/0", "/api/v1/articles/99999999999999999999999"])
def test_unknown_ids_are_404_or_400(db: Any, url: str) -> None:
    response = Client().get(url)
    assert response.status_code in {400, 404}
    assert response.json()["error"]["code"] in {"not_found", "invalid_parameter"}


def test_unknown_format_is_400(publication: dict[str, Any]) -> None:
    response = Client().get(f"/api/v1/articles/{publication['lead'].pk}?format=xml")
    assert response.status_code == 400
    assert "format" in response.json()["error"]["message"]


def test_openapi_and_french_docs(db: Any) -> None:
    c = Client()
    schema = c.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    for route in ["/api/v1/articles", "/api/v1/articles/{article_id}", "/api/v1/usage"]:
        assert route in schema["paths"]
    responses = schema["paths"]["/api/v1/articles/{article_id}"]["get"]["responses"]
    assert {"200", "304", "400", "401", "403", "404", "429"} <= set(responses)
    docs = c.get("/api/v1/docs/").content.decode()
    assert "Points d’accès" in docs and "Liste des articles" in docs


def _http(when: Any) -> str:
    return http_date(when.timestamp())


def _backdate(days: int) -> Any:
    """Every article last published ``days`` ago, and no removal logged."""
    then = timezone.now() - timedelta(days=days)
    ArticlePage.objects.update(last_published_at=then)
    PageLogEntry.objects.filter(action__in=REMOVALS).delete()
    return then


def test_if_modified_since_gives_304_on_the_detail(publication: dict[str, Any]) -> None:
    then = _backdate(2)
    c = Client()
    url = f"/api/v1/articles/{publication['lead'].pk}"
    first = c.get(url)
    assert first.status_code == 200
    assert first["Last-Modified"] == _http(then)
    again = c.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    earlier = _http(then - timedelta(hours=1))
    assert c.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    # An unreadable date is ignored; If-None-Match, when present, decides.
    assert c.get(url, HTTP_IF_MODIFIED_SINCE="hier soir").status_code == 200
    both = c.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"], HTTP_IF_NONE_MATCH='"x"')
    assert both.status_code == 200
    publication["lead"].title = "Les négociations reprennent à Doha, enfin"
    publication["lead"].save_revision().publish()
    changed = c.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert changed.status_code == 200
    assert changed.json()["title"] == "Les négociations reprennent à Doha, enfin"


def test_if_modified_since_on_the_list_sees_a_removal(publication: dict[str, Any]) -> None:
    then = _backdate(2)
    c = Client()
    since = _http(then + timedelta(hours=1))
    assert c.get("/api/v1/articles", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    # Taking an older article offline changes no remaining item's date.
    publication["old"].unpublish()
    response = c.get("/api/v1/articles", HTTP_IF_MODIFIED_SINCE=since)
    assert response.status_code == 200
    assert ids(response) == [publication["lead"].pk]
