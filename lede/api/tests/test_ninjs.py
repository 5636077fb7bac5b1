"""ninjs 3.1 from the API: valid against the IPTC schema, with rights, bylines,
subjects and image renditions with their credits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from lede.core.ninjs import SCHEMA_DIR, ninjs_errors
from lede.livefeed.models import Dispatch

pytestmark = pytest.mark.django_db


def shared_schema_dir() -> Path | None:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "wire-samples" / "ninjs"
        if candidate.is_dir():
            return candidate
    return None


def test_the_project_schema_is_the_iptc_one() -> None:
    shared = shared_schema_dir()
    if shared is None:
        pytest.skip("shared wire samples not available")
    for name in ("ninjs-schema_3.0.json", "ninjs-schema_3.1.json"):
        assert json.loads((SCHEMA_DIR / name).read_text()) == json.loads(
            (shared / name).read_text()
        )


def test_article_ninjs_is_valid_and_complete(publication: dict[str, Any]) -> None:
    lead = publication["lead"]
    data = Client().get(f"/api/v1/articles/{lead.pk}?format=ninjs").json()
    assert list(ninjs_errors(data)) == []
    assert data["copyrightHolder"]
    assert data["copyrightNotice"]
    assert data["usageTerms"]
    assert data["by"] == "Amina Berrada, Karim Tazi"
    assert {p["name"] for p in data["people"] if p.get("rel") == "author"} == {
        "Amina Berrada",
        "Karim Tazi",
    }
    assert {"diplomatie", "doha"} <= {s["name"] for s in data["subjects"]}
    picture = data["associations"][0]
    assert picture["type"] == "picture"
    assert picture["by"] == "SARA ALAOUI / AFP"
    assert picture["descriptions"][0]["value"] == "Le port au lever du jour"
    assert {r["name"] for r in picture["renditions"]} == {"medium", "large"}
    assert all(r["href"].startswith("http") for r in picture["renditions"])
    assert data["representationType"] == "full"
    assert "La suite est prévue" in data["bodies"][0]["value"]


def test_dispatch_ninjs_is_valid(publication: dict[str, Any]) -> None:
    dispatch = Dispatch.objects.create(
        headline="Séisme ressenti à Agadir", body="<p>Aucun dégât signalé.</p>"
    )
    c = Client()
    data = c.get(f"/api/v1/dispatches/{dispatch.pk}?format=ninjs").json()
    assert list(ninjs_errors(data)) == []
    assert data["headlines"][0]["value"] == "Séisme ressenti à Agadir"
    listed = c.get("/api/v1/dispatches").json()["items"]
    assert [d["id"] for d in listed] == [dispatch.pk]
    assert listed[0]["rights"]["origin"] == "own"
