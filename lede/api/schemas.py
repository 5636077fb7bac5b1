"""What the API answers, as documented in its OpenAPI schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field


class SectionRef(Schema):
    id: int
    slug: str
    title: str


class AuthorRef(Schema):
    id: int
    slug: str
    name: str


class ImageOut(Schema):
    url: str
    width: int
    height: int
    caption: str
    credit: str


class Rights(Schema):
    copyright_holder: str
    copyright_notice: str
    usage_terms: str
    origin: Literal["own", "agency"] = Field(
        description="« own » : rédaction du journal ; « agency » : copie d'agence."
    )
    agency: str = Field(description="L'agence pour une copie d'agence, sinon vide.")
    expires_at: datetime | None = Field(
        description=(
            "Copie d'agence limitée dans le temps : à retirer à cette date (conditions de "
            "l'agence). Vide : sans limite."
        )
    )


class ArticleSummary(Schema):
    id: int
    provenance: Literal["own", "agency"] = Field(
        description="« own » : rédaction du journal ; « agency » : copie d'agence."
    )
    url: str
    title: str
    standfirst: str
    section: SectionRef | None
    authors: list[AuthorRef]
    tags: list[str]
    published_at: datetime
    updated_at: datetime | None
    access_level: Literal["public", "registered", "subscribers"]
    rights: Rights


class ArticleDetail(ArticleSummary):
    representation: Literal["full", "partial"] = Field(
        description="« partial » : titre, chapô et partie gratuite seulement."
    )
    body_html: str
    lead_image: ImageOut | None


class ArticlePage(Schema):
    items: list[ArticleSummary]
    next_cursor: str | None


class SectionOut(Schema):
    id: int
    slug: str
    title: str
    url: str
    description: str
    parent_id: int | None


class SectionList(Schema):
    items: list[SectionOut]


class AuthorOut(Schema):
    id: int
    slug: str
    name: str
    role: str
    url: str


class AuthorList(Schema):
    items: list[AuthorOut]
    next_cursor: str | None


class TagOut(Schema):
    id: int
    slug: str
    name: str


class TagList(Schema):
    items: list[TagOut]
    next_cursor: str | None


class DispatchOut(Schema):
    id: int
    provenance: Literal["own", "agency"] = Field(
        description="« own » : rédaction du journal ; « agency » : copie d'agence."
    )
    headline: str
    body_html: str
    representation: Literal["full", "partial"]
    published_at: datetime
    updated_at: datetime | None
    section: SectionRef | None
    access_level: Literal["public", "registered", "subscribers"]
    url: str
    rights: Rights


class DispatchList(Schema):
    items: list[DispatchOut]
    next_cursor: str | None


class LiveBlogSummary(Schema):
    id: int
    title: str
    url: str
    status: Literal["live", "ended"]
    coverage_start: datetime | None
    coverage_end: datetime | None
    updated_at: datetime | None
    section: SectionRef | None


class LiveBlogEntryOut(Schema):
    id: int
    time: datetime
    title: str
    pinned: bool
    body_html: str


class LiveBlogDetail(LiveBlogSummary):
    summary_html: str
    entries: list[LiveBlogEntryOut]


class LiveBlogList(Schema):
    items: list[LiveBlogSummary]
    next_cursor: str | None


class UsageKey(Schema):
    name: str
    prefix: str
    calls: int
    items: int
    full_items: int


class UsageOut(Schema):
    licence: str
    organisation: str
    month: str
    monthly_volume: int | None
    distinct_full_articles: int
    calls: int
    items: int
    keys: list[UsageKey]


#: A ninjs 3.1 object (https://iptc.org/std/ninjs/), when ``format=ninjs``.
NinjsObject = dict[str, Any]
