"""Write a :class:`NinjsItem` as a ninjs 3.1 object (valid against the IPTC schema)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

NINJS_VERSION = "3.1"
SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"
URN_PREFIX = "urn:lede:wire:"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Characters kept as they are in a URI (RFC 3986 reserved and unreserved, and "%").
_URI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


def as_uri(value: str, *, fallback_prefix: str = URN_PREFIX) -> str:
    """An absolute URI for ``value``: itself when it has a scheme (non-ASCII and
    spaces percent-encoded), otherwise a URN under ``fallback_prefix``."""
    value = value.strip()
    if _SCHEME.match(value):
        return quote(value, safe=_URI_SAFE)
    return fallback_prefix + quote(value, safe="")


def has_scheme(value: str) -> bool:
    return bool(_SCHEME.match(value))


@dataclass(frozen=True, slots=True)
class Rendition:
    name: str
    href: str = ""
    content_type: str = ""
    width: int | None = None
    height: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name}
        if self.href:
            data["href"] = self.href
        if self.content_type:
            data["contentType"] = self.content_type
        for key, value in (("width", self.width), ("height", self.height)):
            if isinstance(value, int) and not isinstance(value, bool):
                data[key] = value
        return data


@dataclass(frozen=True, slots=True)
class Picture:
    """An associated picture: its renditions, caption and credit."""

    name: str
    uri: str
    renditions: tuple[Rendition, ...] = ()
    caption: str = ""
    credit: str = ""
    copyright_notice: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "uri": self.uri,
            "type": "picture",
            "renditions": [r.as_dict() for r in self.renditions],
        }
        if self.caption:
            data["descriptions"] = [{"role": "caption", "value": self.caption}]
        if self.credit:
            data["by"] = self.credit
        if self.copyright_notice:
            data["copyrightNotice"] = self.copyright_notice
        return data


@dataclass(frozen=True, slots=True)
class Concept:
    """A subject, person or place; at least one of name, uri or literal."""

    name: str = ""
    uri: str = ""
    literal: str = ""
    rel: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, value in (
            ("name", self.name),
            ("uri", self.uri),
            ("literal", self.literal),
            ("rel", self.rel),
        ):
            if value:
                data[key] = value
        return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(slots=True)
class NinjsItem:
    """Everything the project says in ninjs, as plain values."""

    uri: str
    type: str = "text"
    representation: str = "full"  # "full" or "partial" (abstracts, locked text)
    version: str = "1"
    pub_status: str = "usable"
    alt_ids: list[tuple[str, str]] = field(default_factory=list)  # (role, value)
    first_created: datetime | None = None
    version_created: datetime | None = None
    embargoed_until: datetime | None = None
    #: When the item may no longer be used (an agency's archive limit).
    expires: datetime | None = None
    language: str = ""
    copyright_holder: str = ""
    copyright_notice: str = ""
    usage_terms: str = ""
    ed_note: str = ""
    by: str = ""
    slugline: str = ""
    located: str = ""
    urgency: int | None = None
    headline: str = ""
    subheadline: str = ""
    body_html: str = ""
    info_sources: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    subjects: list[Concept] = field(default_factory=list)
    people: list[Concept] = field(default_factory=list)
    places: list[Concept] = field(default_factory=list)
    renditions: list[Rendition] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)  # (name, uri)


def to_ninjs(item: NinjsItem) -> dict[str, Any]:
    """The item as a ninjs 3.1 object (optional members left out when empty)."""
    data: dict[str, Any] = {
        "uri": item.uri,
        "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": SCHEMA_URI},
        "type": item.type,
        "representationType": item.representation,
        "version": item.version,
        "pubStatus": item.pub_status,
    }
    if item.alt_ids:
        data["altIds"] = [{"role": role, "value": value} for role, value in item.alt_ids]
    optional: dict[str, Any] = {
        "firstCreated": _iso(item.first_created),
        "versionCreated": _iso(item.version_created),
        "embargoedUntil": _iso(item.embargoed_until),
        "expires": _iso(item.expires),
        "language": item.language,
        "copyrightHolder": item.copyright_holder,
        "copyrightNotice": item.copyright_notice,
        "usageTerms": item.usage_terms,
        "edNote": item.ed_note,
        "by": item.by,
        "slugline": item.slugline,
        "located": item.located,
    }
    data.update({key: value for key, value in optional.items() if value})
    if item.urgency is not None and 1 <= item.urgency <= 9:
        data["urgency"] = item.urgency
    headlines = []
    if item.headline:
        headlines.append({"role": "main", "value": item.headline})
    if item.subheadline:
        headlines.append({"role": "sub", "value": item.subheadline})
    if headlines:
        data["headlines"] = headlines
    if item.body_html:
        data["bodies"] = [{"role": "main", "contentType": "text/html", "value": item.body_html}]
    if item.info_sources:
        data["infoSources"] = [{"name": name, "role": role} for name, role in item.info_sources]
    for key, concepts in (
        ("subjects", item.subjects),
        ("people", item.people),
        ("places", item.places),
    ):
        values = [c.as_dict() for c in concepts if c.as_dict()]
        if values:
            data[key] = values
    if item.renditions:
        data["renditions"] = [r.as_dict() for r in item.renditions]
    associations = [p.as_dict() for p in item.pictures]
    associations += [{"name": name, "uri": uri} for name, uri in item.references]
    if associations:
        data["associations"] = associations
    return data
