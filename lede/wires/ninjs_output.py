"""Wire items as IPTC ninjs 3.1 JSON (valid against the schema in ``schemas/``).

The schemas are copies of the IPTC's (© IPTC, CC BY 4.0, see ``schemas/NOTICE.md``):
validation never needs the network, and remote ``$ref`` are refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.core.files.storage import default_storage

from lede.core import process_state
from lede.core.site import site_url

from .models import WireItemRecord

NINJS_VERSION = "3.1"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_FILES = {"3.0": "ninjs-schema_3.0.json", "3.1": "ninjs-schema_3.1.json"}
SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"
URN_PREFIX = "urn:lede:wire:"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Characters kept as they are in a URI (RFC 3986 reserved and unreserved, and "%").
_URI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"
_TYPES = {
    "text": "text",
    "picture": "picture",
    "graphic": "graphic",
    "video": "video",
    "audio": "audio",
    "composite": "composite",
    "package": "composite",
    "component": "component",
}
_PICTURE_TYPES = frozenset({"picture", "graphic"})
_IPTC_QCODES = {
    "medtop": "http://cv.iptc.org/newscodes/mediatopic/",
    "subj": "http://cv.iptc.org/newscodes/subjectcode/",
    "genre": "http://cv.iptc.org/newscodes/genre/",
}
_PEOPLE = frozenset({"person", "cpnat:person"})
_PLACES = frozenset({"geoArea", "poi", "place", "cpnat:geoArea", "cpnat:poi"})


def as_uri(value: str, *, fallback_prefix: str = URN_PREFIX) -> str:
    """An absolute URI for ``value``: itself when it has a scheme (non-ASCII and
    spaces percent-encoded), otherwise a ``urn:lede:wire:`` URN."""
    value = value.strip()
    if _SCHEME.match(value):
        return quote(value, safe=_URI_SAFE)
    return fallback_prefix + quote(value, safe="")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _photo_href(photo: dict[str, Any]) -> str:
    href = str(photo.get("href") or "")
    if href.lower().startswith(("http://", "https://")):
        return as_uri(href)
    stored = str(photo.get("stored") or "")
    if stored:
        url = site_url(default_storage.url(stored))
        if _SCHEME.match(url):
            return as_uri(url)
    return ""


def _rendition(photo: dict[str, Any], index: int) -> dict[str, Any]:
    rendition: dict[str, Any] = {"name": str(photo.get("rendition") or f"rendition-{index}")}
    href = _photo_href(photo)
    if href:
        rendition["href"] = href
    if photo.get("mimetype"):
        rendition["contentType"] = str(photo["mimetype"])
    for key in ("width", "height"):
        if isinstance(photo.get(key), int) and not isinstance(photo.get(key), bool):
            rendition[key] = photo[key]
    return rendition


def _photos(record: WireItemRecord) -> list[dict[str, Any]]:
    return [p for p in (record.photos or []) if isinstance(p, dict)]


def _associations(record: WireItemRecord, uri: str) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for photo in _photos(record):
        groups.setdefault(str(photo.get("guid") or ""), []).append(photo)
    associations: list[dict[str, Any]] = []
    for index, (guid, photos) in enumerate(groups.items(), start=1):
        first = photos[0]
        association: dict[str, Any] = {
            "name": f"photo{index}",
            "uri": as_uri(guid) if guid and guid != record.guid else f"{uri}#photo{index}",
            "type": "picture",
            "renditions": [_rendition(photo, i) for i, photo in enumerate(photos, start=1)],
        }
        if first.get("caption"):
            association["descriptions"] = [{"role": "caption", "value": str(first["caption"])}]
        if first.get("credit"):
            association["by"] = str(first["credit"])
        associations.append(association)
    known = {a["uri"] for a in associations}
    for index, ref in enumerate(record.associations or [], start=len(associations) + 1):
        ref_uri = as_uri(str(ref))
        if isinstance(ref, str) and ref.strip() and ref_uri not in known:
            associations.append({"name": f"item{index}", "uri": ref_uri})
            known.add(ref_uri)
    return associations


def _concepts(record: WireItemRecord) -> dict[str, list[dict[str, Any]]]:
    buckets: dict[str, list[dict[str, Any]]] = {"subjects": [], "people": [], "places": []}
    for subject in record.subjects or []:
        if not isinstance(subject, dict):
            continue
        code = str(subject.get("code") or "")
        name = str(subject.get("name") or "")
        kind = str(subject.get("kind") or "")
        concept: dict[str, Any] = {}
        if name:
            concept["name"] = name
        scheme, _, local = code.partition(":")
        if code.lower().startswith(("http://", "https://")):
            concept["uri"] = as_uri(code)
        elif scheme in _IPTC_QCODES and local:
            concept["uri"] = as_uri(_IPTC_QCODES[scheme] + local)
            concept["literal"] = code
        elif code:
            concept["literal"] = code
        if not concept:
            continue
        bucket = "people" if kind in _PEOPLE else "places" if kind in _PLACES else "subjects"
        buckets[bucket].append(concept)
    for keyword in record.keywords or []:
        if isinstance(keyword, str) and keyword.strip():
            buckets["subjects"].append({"name": keyword.strip(), "rel": "keyword"})
    return {key: value for key, value in buckets.items() if value}


def to_ninjs(record: WireItemRecord) -> dict[str, Any]:
    """The record as a ninjs 3.1 object."""
    uri = as_uri(record.guid)
    item_type = _TYPES.get(record.item_class, "text")
    data: dict[str, Any] = {
        "uri": uri,
        "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": SCHEMA_URI},
        "type": item_type,
        "representationType": "full",
        "version": str(record.version),
        "pubStatus": record.pub_status,
    }
    if uri != record.guid:
        data["altIds"] = [{"role": "guid", "value": record.guid}]
    optional: dict[str, Any] = {
        "firstCreated": _iso(record.first_created),
        "versionCreated": _iso(record.version_created),
        "embargoedUntil": _iso(record.embargo_until),
        "language": record.language_tag or record.language,
        "copyrightNotice": record.copyright,
        "edNote": record.ednote,
        "by": record.byline,
        "slugline": record.slugline,
        "located": record.located or record.dateline,
    }
    data.update({key: value for key, value in optional.items() if value})
    if record.urgency is not None and 1 <= record.urgency <= 9:
        data["urgency"] = record.urgency
    headlines = []
    if record.headline:
        headlines.append({"role": "main", "value": record.headline})
    if record.standfirst:
        headlines.append({"role": "sub", "value": record.standfirst})
    if headlines:
        data["headlines"] = headlines
    if record.body_html:
        data["bodies"] = [{"role": "main", "contentType": "text/html", "value": record.body_html}]
    sources = []
    if record.provider:
        sources.append({"name": record.provider, "role": "provider"})
    if record.credit and record.credit != record.provider:
        sources.append({"name": record.credit, "role": "credit"})
    if sources:
        data["infoSources"] = sources
    data.update(_concepts(record))
    if item_type in _PICTURE_TYPES:
        renditions = [_rendition(photo, i) for i, photo in enumerate(_photos(record), start=1)]
        if renditions:
            data["renditions"] = renditions
        associations = [a for a in _associations(record, uri) if a.get("type") != "picture"]
    else:
        associations = _associations(record, uri)
    if associations:
        data["associations"] = associations
    return data


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #


@cache
def load_schema(version: str = NINJS_VERSION) -> dict[str, Any]:
    with (SCHEMA_DIR / SCHEMA_FILES[version]).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@cache
def _validator(version: str) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry
    from referencing.exceptions import NoSuchResource

    def refuse(uri: str) -> Any:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # no network access

    schema = load_schema(version)
    return Draft202012Validator(
        schema,
        registry=Registry(retrieve=refuse),  # type: ignore[call-arg]
        format_checker=FormatChecker(),
    )


def _forget_schemas() -> None:
    load_schema.cache_clear()
    _validator.cache_clear()


process_state.register("lede.wires.ninjs_output.schemas", _forget_schemas)


def ninjs_errors(data: dict[str, Any], *, version: str = NINJS_VERSION) -> Iterator[str]:
    """Validation errors of ``data`` against the ninjs schema, as readable lines."""
    for error in _validator(version).iter_errors(data):
        path = "/".join(str(part) for part in error.absolute_path) or "(racine)"
        yield f"{path}: {error.message}"


def validate_ninjs(data: dict[str, Any], *, version: str = NINJS_VERSION) -> None:
    """Raise ``jsonschema.ValidationError`` when ``data`` is not valid ninjs."""
    _validator(version).validate(data)
