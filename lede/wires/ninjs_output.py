"""Wire items as IPTC ninjs 3.1 JSON, through the project's one serialiser
(:mod:`lede.core.ninjs`): this module only says what a wire record holds.

The schemas and validation live in ``lede/core/ninjs/``; the names are
re-exported here for the desk's callers.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage

from lede.core.ninjs import (
    NINJS_VERSION,
    SCHEMA_DIR,
    Concept,
    NinjsItem,
    Picture,
    Rendition,
    as_uri,
    load_schema,
    ninjs_errors,
    validate_ninjs,
)
from lede.core.ninjs import to_ninjs as _write
from lede.core.ninjs.build import has_scheme
from lede.core.site import site_url

from .models import WireItemRecord

__all__ = [
    "NINJS_VERSION",
    "SCHEMA_DIR",
    "as_uri",
    "load_schema",
    "ninjs_errors",
    "record_item",
    "to_ninjs",
    "validate_ninjs",
]

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


def _photo_href(photo: dict[str, Any]) -> str:
    href = str(photo.get("href") or "")
    if href.lower().startswith(("http://", "https://")):
        return as_uri(href)
    stored = str(photo.get("stored") or "")
    if stored:
        url = site_url(default_storage.url(stored))
        if has_scheme(url):
            return as_uri(url)
    return ""


def _rendition(photo: dict[str, Any], index: int) -> Rendition:
    def size(key: str) -> int | None:
        value = photo.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return Rendition(
        name=str(photo.get("rendition") or f"rendition-{index}"),
        href=_photo_href(photo),
        content_type=str(photo.get("mimetype") or ""),
        width=size("width"),
        height=size("height"),
    )


def _photos(record: WireItemRecord) -> list[dict[str, Any]]:
    return [p for p in (record.photos or []) if isinstance(p, dict)]


def _pictures(record: WireItemRecord, uri: str) -> list[Picture]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for photo in _photos(record):
        groups.setdefault(str(photo.get("guid") or ""), []).append(photo)
    pictures = []
    for index, (guid, photos) in enumerate(groups.items(), start=1):
        first = photos[0]
        pictures.append(
            Picture(
                name=f"photo{index}",
                uri=as_uri(guid) if guid and guid != record.guid else f"{uri}#photo{index}",
                renditions=tuple(_rendition(photo, i) for i, photo in enumerate(photos, start=1)),
                caption=str(first.get("caption") or ""),
                credit=str(first.get("credit") or ""),
            )
        )
    return pictures


def _references(record: WireItemRecord, known: set[str], start: int) -> list[tuple[str, str]]:
    references = []
    for index, ref in enumerate(record.associations or [], start=start):
        ref_uri = as_uri(str(ref))
        if isinstance(ref, str) and ref.strip() and ref_uri not in known:
            references.append((f"item{index}", ref_uri))
            known.add(ref_uri)
    return references


def _concepts(record: WireItemRecord) -> dict[str, list[Concept]]:
    buckets: dict[str, list[Concept]] = {"subjects": [], "people": [], "places": []}
    for subject in record.subjects or []:
        if not isinstance(subject, dict):
            continue
        code = str(subject.get("code") or "")
        name = str(subject.get("name") or "")
        kind = str(subject.get("kind") or "")
        uri = literal = ""
        scheme, _, local = code.partition(":")
        if code.lower().startswith(("http://", "https://")):
            uri = as_uri(code)
        elif scheme in _IPTC_QCODES and local:
            uri = as_uri(_IPTC_QCODES[scheme] + local)
            literal = code
        elif code:
            literal = code
        if not (name or uri or literal):
            continue
        bucket = "people" if kind in _PEOPLE else "places" if kind in _PLACES else "subjects"
        buckets[bucket].append(Concept(name=name, uri=uri, literal=literal))
    for keyword in record.keywords or []:
        if isinstance(keyword, str) and keyword.strip():
            buckets["subjects"].append(Concept(name=keyword.strip(), rel="keyword"))
    return buckets


def record_item(record: WireItemRecord) -> NinjsItem:
    """What a wire record says, for the serialiser."""
    uri = as_uri(record.guid)
    item_type = _TYPES.get(record.item_class, "text")
    sources = []
    if record.provider:
        sources.append((record.provider, "provider"))
    if record.credit and record.credit != record.provider:
        sources.append((record.credit, "credit"))
    concepts = _concepts(record)
    pictures = _pictures(record, uri)
    renditions: list[Rendition] = []
    if item_type in _PICTURE_TYPES:
        renditions = [_rendition(photo, i) for i, photo in enumerate(_photos(record), start=1)]
        known = {p.uri for p in pictures}
        start = len(pictures) + 1
        pictures = []
    else:
        known = {p.uri for p in pictures}
        start = len(pictures) + 1
    return NinjsItem(
        uri=uri,
        type=item_type,
        version=str(record.version),
        pub_status=record.pub_status,
        alt_ids=[("guid", record.guid)] if uri != record.guid else [],
        first_created=record.first_created,
        version_created=record.version_created,
        embargoed_until=record.embargo_until,
        language=record.language_tag or record.language,
        copyright_notice=record.copyright,
        ed_note=record.ednote,
        by=record.byline,
        slugline=record.slugline,
        located=record.located or record.dateline,
        urgency=record.urgency,
        headline=record.headline,
        subheadline=record.standfirst,
        body_html=record.body_html,
        info_sources=sources,
        subjects=concepts["subjects"],
        people=concepts["people"],
        places=concepts["places"],
        renditions=renditions,
        pictures=pictures,
        references=_references(record, known, start),
    )


def to_ninjs(record: WireItemRecord) -> dict[str, Any]:
    """The record as a ninjs 3.1 object."""
    return _write(record_item(record))
