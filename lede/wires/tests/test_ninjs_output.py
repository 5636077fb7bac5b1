"""ninjs output: every sample item, once stored, is valid ninjs 3.x."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from lede.wires.models import WireItemRecord
from lede.wires.ninjs_output import SCHEMA_DIR, as_uri, ninjs_errors, to_ninjs, validate_ninjs
from lede.wires.parsers import parse_bytes
from lede.wires.services.ingest import wire_ingest_bytes, wire_ingest_path

from .builders import SAMPLE_DIRS, jpeg_bytes, ninjs_bytes, photo_association, write_ninjs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]

SHARED_SCHEMAS = Path(__file__).resolve().parents[4] / "shared" / "wire-samples" / "ninjs"
# RFC 3986 absolute URI, ASCII only (what format "uri" means when a checker is installed).
ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
URI_KEYS = {"uri", "href", "schema"}
DATE_KEYS = {"firstCreated", "versionCreated", "embargoedUntil", "contentCreated", "expires"}


def walk(value: object, key: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = [(key, value)]
    if isinstance(value, dict):
        for k, v in value.items():
            found.extend(walk(v, k))
    elif isinstance(value, list):
        for v in value:
            found.extend(walk(v, key))
    return found


def assert_strict_formats(data: dict[str, object]) -> None:
    """The formats jsonschema checks only when optional packages are installed."""
    for key, value in walk(data):
        if key in URI_KEYS and isinstance(value, str):
            assert ABSOLUTE_URI.match(value), (key, value)
        if key in DATE_KEYS and isinstance(value, str):
            assert datetime.fromisoformat(value).tzinfo is not None, (key, value)


def test_schemas_are_copies_of_the_shared_ones() -> None:
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip("shared wire samples not available")
    for name in ("ninjs-schema_3.0.json", "ninjs-schema_3.1.json"):
        assert (SCHEMA_DIR / name).read_bytes() == (SHARED_SCHEMAS / name).read_bytes()


def test_every_sample_item_gives_valid_ninjs() -> None:
    for folder in SAMPLE_DIRS:
        wire_ingest_path(path=folder)
    records = list(WireItemRecord.objects.all())
    assert len(records) >= 15
    for record in records:
        data = to_ninjs(record)
        for version in ("3.0", "3.1"):
            errors = list(ninjs_errors(data, version=version))
            assert errors == [], (record.guid, errors)
        assert_strict_formats(data)
        json.dumps(data)  # serialisable as is


def test_ninjs_round_trip_keeps_the_essentials(tmp_path: Path) -> None:
    (tmp_path / "p.jpg").write_bytes(jpeg_bytes())
    write_ninjs(
        tmp_path,
        "a.json",
        guid="tag:lede.example,2026:abc",
        version=4,
        urgency=2,
        embargo=timezone.now() + timedelta(hours=1),
        associations=[photo_association("p.jpg")],
    )
    wire_ingest_path(path=tmp_path / "a.json")
    record = WireItemRecord.objects.get()
    data = to_ninjs(record)
    validate_ninjs(data)
    assert data["uri"] == "tag:lede.example,2026:abc"
    assert data["version"] == "4" and data["urgency"] == 2
    assert data["headlines"][0]["value"] == record.headline
    assert data["bodies"][0]["value"] == record.body_html
    assert data["copyrightNotice"] == record.copyright
    assert data["associations"][0]["renditions"][0]["href"].startswith("http")
    # And the desk's own parser reads its output back.
    parsed = parse_bytes(json.dumps(data).encode()).items[0]
    assert (parsed.guid, parsed.version, parsed.headline, parsed.urgency) == (
        record.guid,
        4,
        record.headline,
        2,
    )
    assert parsed.embargo == record.embargo_until


def test_guids_that_are_not_uris_get_a_urn() -> None:
    wire_ingest_bytes(data=ninjs_bytes(guid="AFP 2026 n°42"), filename="a.json")
    data = to_ninjs(WireItemRecord.objects.get())
    validate_ninjs(data)
    assert data["uri"] == "urn:lede:wire:AFP%202026%20n%C2%B042"
    assert data["altIds"] == [{"role": "guid", "value": "AFP 2026 n°42"}]
    assert as_uri("http://exemple.ma/é") == "http://exemple.ma/%C3%A9"


def test_invalid_ninjs_is_reported() -> None:
    errors = list(ninjs_errors({"uri": "urn:x", "urgency": 12, "colour": "red"}))
    assert any("urgency" in e for e in errors)
    assert any("colour" in e for e in errors)
