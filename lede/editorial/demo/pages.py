"""Demo articles as an editor would have published them: Wagtail's own API,
revisions and history backdated to the article's dates (shared by the
French and the Arabic editions' loaders)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Page, PageLogEntry, Revision

from lede.editorial.models import ArticleAuthor, ArticlePage, Author, SectionPage
from lede.images.models import LedeImage


def _find_article(slug: str, known: dict[str, ArticlePage]) -> ArticlePage | None:
    if slug in known:
        return known[slug]
    return ArticlePage.objects.filter(slug=slug).order_by("pk").first()


def _body(
    blocks: list[tuple[str, Any]],
    images: dict[str, LedeImage],
    articles: dict[str, ArticlePage],
) -> list[tuple[str, Any]]:
    """Resolve the data modules' references (image keys, article slugs)."""
    body: list[tuple[str, Any]] = []
    for block_type, value in blocks:
        if block_type == "image":
            image = images.get(value["image"])
            if image is None:
                continue
            value = {**value, "image": image}
        elif block_type == "related":
            target = _find_article(value["page"], articles)
            if target is None:
                continue
            value = {**value, "page": target}
        body.append((block_type, value))
    return body


def create_article(
    spec: dict[str, Any],
    section: SectionPage,
    authors: dict[str, Author],
    images: dict[str, LedeImage],
    tags: dict[str, Tag],
    known: dict[str, ArticlePage],
    now: datetime,
) -> ArticlePage:
    scheduled = "go_live_in_hours" in spec
    published_at = None if scheduled else now - timedelta(hours=spec["hours_ago"])
    article = ArticlePage(
        title=spec["title"],
        slug=spec["slug"],
        standfirst=spec["standfirst"],
        lead_image=images.get(spec.get("image", "")),
        # The image's own caption and credit unless the spec words them (the
        # Arabic edition's: the images' are French).
        lead_image_caption=spec.get("image_caption", ""),
        lead_image_credit=spec.get("image_credit", ""),
        agency_credit=spec.get("agency", ""),
        copyright_line=spec.get("copyright", ""),
        access_level=spec.get("access", ""),
        metered=spec.get("metered", False),
        published_at=published_at,
    )
    article.body = _body(spec["body"], images, known)  # type: ignore[assignment]
    for i, slug in enumerate(spec.get("authors", [])):
        article.article_authors.add(ArticleAuthor(author=authors[slug], sort_order=i))
    article.tags.add(*[tags[name] for name in spec.get("tags", [])])
    if scheduled:
        # Approved for publication at go_live_at; the scheduler publishes it.
        article.live = False
        article.go_live_at = now + timedelta(hours=spec["go_live_in_hours"])
        section.add_child(instance=article)
        article.save_revision().publish()
        # Wagtail sends page_published for a scheduled publication too, and the
        # editorial signal then stamps published_at with the scheduling time.
        # The publication date is the go-live time: leave it empty until then.
        ArticlePage.objects.filter(pk=article.pk).update(published_at=None)
        article.published_at = None
        return article

    section.add_child(instance=article)
    first = article.save_revision()
    first.publish()
    revisions: list[tuple[Revision, datetime]] = [(first, published_at)]  # type: ignore[list-item]

    if "update_after_hours" in spec and published_at is not None:
        # A significant update: a second revision with a note at the top of the body.
        updated_at = published_at + timedelta(hours=spec["update_after_hours"])
        article = ArticlePage.objects.get(pk=article.pk)
        note = ("paragraph", f"<p><em>{spec['update_note']}</em></p>")
        article.body = [note, *_body(spec["body"], images, known)]  # type: ignore[assignment]
        article.updated_at = updated_at
        second = article.save_revision()
        second.publish()
        revisions.append((second, updated_at))

    _backdate(article, revisions, created_at=published_at or now)
    article.refresh_from_db()
    return article


def _backdate(
    article: ArticlePage, revisions: list[tuple[Revision, datetime]], *, created_at: datetime
) -> None:
    """Make Wagtail's own dates (first/last published, revisions, history)
    agree with the article's ``published_at``/``updated_at``."""
    log_entries = PageLogEntry.objects.filter(page_id=article.pk)
    log_entries.filter(revision__isnull=True).update(timestamp=created_at - timedelta(minutes=20))
    for revision, when in revisions:
        Revision.objects.filter(pk=revision.pk).update(created_at=when)
        log_entries.filter(revision=revision).update(timestamp=when)
    if revisions:
        first_when, last_when = revisions[0][1], revisions[-1][1]
        Page.objects.filter(pk=article.pk).update(
            first_published_at=first_when,
            last_published_at=last_when,
            latest_revision_created_at=last_when,
        )


def ensure_tags(names: Iterable[str], fallback: str) -> dict[str, Tag]:
    """The demo's tags by name, created when missing, each with a slug the tag
    URL pattern (``<slug:slug>``) accepts: ``fallback`` when slugify leaves
    nothing (Arabic names), numbered when taken."""
    tags: dict[str, Tag] = {}
    for name in sorted(set(names)):
        tag = Tag.objects.filter(name=name).first()
        if tag is None:
            base = slugify(name) or fallback
            slug, n = base, 1
            while Tag.objects.filter(slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            tag = Tag.objects.create(name=name, slug=slug)
        tags[name] = tag
    return tags
