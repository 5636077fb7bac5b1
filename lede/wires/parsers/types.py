"""The normalised shape every wire parser produces, whatever the agency format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

WireFormat = Literal["newsml-g2", "newsml-1", "ninjs", "rss"]
PubStatus = Literal["usable", "withheld", "canceled"]

PUB_STATUSES: frozenset[str] = frozenset({"usable", "withheld", "canceled"})


class ParseError(Exception):
    """The input cannot be read as a wire file; the message is in French, for the desk."""


@dataclass(frozen=True)
class Subject:
    """A classification of the item: topic, person, place, organisation…

    ``code`` is a qcode where the agency gives one (``medtop:20000523``; IPTC
    URIs are shortened to qcodes), otherwise a URI or the agency's literal code;
    it may be empty when only a name is given. ``kind`` is the concept type
    without its scheme (``abstract``, ``geoArea``, ``person``, ``organisation``,
    ``event``) or empty when unknown.
    """

    code: str
    name: str
    kind: str = ""

    def as_tuple(self) -> tuple[str, str]:
        return (self.code, self.name)


@dataclass
class Photo:
    """One rendition of a picture: the same picture often comes in several sizes.

    ``href`` is copied from the file as is: it may be relative, or even a
    ``file:`` URL; check the scheme before fetching it.
    """

    href: str
    caption: str = ""
    credit: str = ""
    width: int | None = None
    height: int | None = None
    mimetype: str = ""
    rendition: str = ""
    guid: str = ""

    @property
    def is_remote(self) -> bool:
        return self.href.lower().startswith(("http://", "https://"))

    @property
    def area(self) -> int:
        return (self.width or 0) * (self.height or 0)


@dataclass
class WireItem:
    """One news item (text, picture, package…) from an agency, version included."""

    guid: str
    format: WireFormat
    version: int = 1
    item_class: str = "text"
    headline: str = ""
    subheadline: str = ""
    body_html: str = ""
    byline: str = ""
    dateline: str = ""
    located: str = ""
    slugline: str = ""
    language: str = ""
    language_tag: str = ""
    subjects: list[Subject] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    urgency: int | None = None
    copyright: str = ""
    #: Rights as the item states them (NewsML-G2 ``rightsInfo``, ninjs
    #: ``copyrightHolder``/``usageTerms``/``rightsInfo.linkedRights``);
    #: lede/wires/rights.py reads the restrictions out of them.
    copyright_holder: str = ""
    usage_terms: str = ""
    rights_link: str = ""
    credit: str = ""
    provider: str = ""
    pub_status: PubStatus = "usable"
    embargo: datetime | None = None
    first_created: datetime | None = None
    version_created: datetime | None = None
    ednote: str = ""
    photos: list[Photo] = field(default_factory=list)
    associations: list[str] = field(default_factory=list)

    @property
    def standfirst(self) -> str:
        return self.subheadline

    @property
    def is_package(self) -> bool:
        return self.item_class in {"composite", "package"}

    def best_photo(self) -> Photo | None:
        """The largest rendition, or the first one when no size is known."""
        if not self.photos:
            return None
        return max(self.photos, key=lambda photo: photo.area)


@dataclass
class ParseResult:
    """What one file yields: the news items, what was left aside, and why."""

    format: WireFormat | Literal[""] = ""
    items: list[WireItem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def skip(self, identifier: str, reason: str) -> None:
        self.skipped.append((identifier, reason))

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
