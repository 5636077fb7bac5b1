"""What a licensee gets: its sections, full text or abstracts, its volume, agency
copy only when allowed; keys refused at once when revoked; every call logged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lede.core.testing import factories as f
from lede.paywall.access import month_key
from lede.syndication.models import ApiCall, Licence
from lede.syndication.selectors import licence_usage
from lede.syndication.services import apikey_revoke
from lede.syndication.tests.builders import make_key, make_licence

pytestmark = pytest.mark.django_db

SECRET = "Texte réservé aux abonnés numéro"


@pytest.fixture
def paper(db: Any) -> dict[str, Any]:
    politique = f.make_section("Politique")
    economie = f.make_section("Économie")
    sport = f.make_section("Sport")
    made = {}
    for section in (politique, economie, sport):
        for n in range(3):
            made[(section.slug, n)] = f.make_article(
                section,
                f"{section.title} {n}",
                standfirst=f"Chapô {section.title} {n}.",
                access_level="subscribers",
                published_at=timezone.now() - timedelta(hours=n + 1),
                body=[
                    ("paragraph", f"<p>Paragraphe libre {section.title} {n}.</p>"),
                    ("paragraph", f"<p>{SECRET} {section.slug}-{n}.</p>"),
                ],
            )
    agency = f.make_article(
        economie,
        "Dépêche reprise",
        agency_credit="AFP",
        access_level="public",
        published_at=timezone.now() - timedelta(minutes=5),
        body=[("paragraph", "<p>Texte de l'agence.</p>")],
    )
    return {"sections": (politique, economie, sport), "articles": made, "agency": agency}


def keyed(plaintext: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_two_sections_abstracts_only(paper: dict[str, Any]) -> None:
    politique, economie, _sport = paper["sections"]
    licence = make_licence(sections=[politique, economie], full_text=False)
    _key, plaintext = make_key(licence)
    listed = keyed(plaintext).get("/api/v1/articles?limit=100").json()["items"]
    assert {item["section"]["slug"] for item in listed} == {"politique", "economie"}
    assert len(listed) == 6  # no agency copy: the licence does not allow it
    article = paper["articles"][("politique", 0)]
    detail = keyed(plaintext).get(f"/api/v1/articles/{article.pk}").json()
    assert detail["representation"] == "partial"
    assert "Paragraphe libre" in detail["body_html"]
    assert SECRET not in detail["body_html"]
    assert "Veille Presse SARL" in detail["rights"]["usage_terms"]
    sport = paper["articles"][("sport", 0)]
    assert keyed(plaintext).get(f"/api/v1/articles/{sport.pk}").status_code == 404
    ninjs = keyed(plaintext).get(f"/api/v1/articles/{article.pk}?format=ninjs").json()
    assert ninjs["representationType"] == "partial"
    assert SECRET not in str(ninjs)


def test_full_text_licence_is_capped_at_its_volume(paper: dict[str, Any]) -> None:
    politique, _economie, _sport = paper["sections"]
    licence = make_licence(sections=[politique], full_text=True, monthly_volume=2)
    _key, plaintext = make_key(licence)
    first, second, third = (paper["articles"][("politique", n)] for n in range(3))
    one = keyed(plaintext).get(f"/api/v1/articles/{first.pk}")
    assert one.json()["representation"] == "full"
    assert f"{SECRET} politique-0" in one.json()["body_html"]
    # A 304 and a repeat do not count.
    assert (
        keyed(plaintext)
        .get(f"/api/v1/articles/{first.pk}", headers={"If-None-Match": one["ETag"]})
        .status_code
        == 304
    )
    assert keyed(plaintext).get(f"/api/v1/articles/{first.pk}").json()["representation"] == "full"
    assert keyed(plaintext).get(f"/api/v1/articles/{second.pk}").json()["representation"] == "full"
    over = keyed(plaintext).get(f"/api/v1/articles/{third.pk}")
    assert over.status_code == 429
    assert over.json()["error"]["code"] == "quota_exceeded"
    assert int(over["Retry-After"]) > 0
    # Already delivered this month: still served in full.
    assert keyed(plaintext).get(f"/api/v1/articles/{second.pk}").status_code == 200

    Licence.objects.filter(pk=licence.pk).update(over_quota=Licence.OverQuota.ABSTRACTS)
    fallback = keyed(plaintext).get(f"/api/v1/articles/{third.pk}").json()
    assert fallback["representation"] == "partial"
    assert SECRET not in fallback["body_html"]

    usage = licence_usage(licence, month_key(timezone.now()))
    assert usage.distinct_full == 2
    assert usage.calls == ApiCall.objects.filter(licence=licence).count() >= 6
    own = keyed(plaintext).get("/api/v1/usage").json()
    assert own["distinct_full_articles"] == 2 and own["monthly_volume"] == 2


def test_agency_copy_only_when_the_licence_allows_it(paper: dict[str, Any]) -> None:
    agency = paper["agency"]
    c = Client()
    assert c.get(f"/api/v1/articles/{agency.pk}").status_code == 404
    _k, refused = make_key(make_licence(organisation_name="Banque A"))
    assert keyed(refused).get(f"/api/v1/articles/{agency.pk}").status_code == 404
    _k2, allowed = make_key(make_licence(organisation_name="Banque B", agency_copy=True))
    data = c.get(f"/api/v1/articles/{agency.pk}", HTTP_X_API_KEY=allowed).json()
    assert data["rights"]["origin"] == "agency"
    assert data["rights"]["agency"] == "AFP"
    assert data["rights"]["copyright_holder"] == "AFP"


def test_keys_refused_with_stable_codes(paper: dict[str, Any]) -> None:
    c = Client()
    key, plaintext = make_key(make_licence())
    assert keyed(plaintext).get("/api/v1/articles").status_code == 200
    apikey_revoke(key=key)
    revoked = keyed(plaintext).get("/api/v1/articles")
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "key_revoked"
    bad = c.get("/api/v1/articles", HTTP_AUTHORIZATION="Basic abc")
    assert bad.json()["error"]["code"] == "key_malformed"
    unknown = c.get("/api/v1/articles", HTTP_X_API_KEY="lede_0123456789ab_" + "A" * 43)
    assert unknown.status_code == 401 and unknown.json()["error"]["code"] == "key_unknown"
    _k, expired = make_key(
        make_licence(organisation_name="Autre"), expires_at=timezone.now() - timedelta(days=1)
    )
    assert keyed(expired).get("/api/v1/articles").json()["error"]["code"] == "key_expired"
    _k3, narrow = make_key(make_licence(organisation_name="Troisième"), scopes=["articles"])
    scope = keyed(narrow).get("/api/v1/dispatches")
    assert scope.status_code == 403 and scope.json()["error"]["code"] == "scope_missing"


def test_rate_limit_is_a_french_429(paper: dict[str, Any]) -> None:
    _key, plaintext = make_key(make_licence(), rate_limit=2)
    statuses = [keyed(plaintext).get("/api/v1/sections").status_code for _ in range(3)]
    assert statuses[:2] == [200, 200]
    if statuses[2] == 200:  # the minute turned between calls
        statuses.append(keyed(plaintext).get("/api/v1/sections").status_code)
        statuses.append(keyed(plaintext).get("/api/v1/sections").status_code)
    limited = keyed(plaintext).get("/api/v1/sections")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1


def test_key_sections_narrow_the_licence_and_languages_filter(paper: dict[str, Any]) -> None:
    politique, economie, _sport = paper["sections"]
    licence = make_licence(sections=[politique, economie], full_text=True)
    _key, narrow = make_key(licence, section_ids=[economie.pk])
    listed = keyed(narrow).get("/api/v1/articles?limit=100").json()["items"]
    assert {item["section"]["slug"] for item in listed} == {"economie"}
    _key2, arabic = make_key(licence, languages="ar")
    assert keyed(arabic).get("/api/v1/articles").json()["items"] == []
    _key3, french = make_key(licence, languages="fr")
    assert len(keyed(french).get("/api/v1/articles?limit=100").json()["items"]) == 6
