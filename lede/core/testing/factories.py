"""Small builders for tests and benchmarks (no factory library needed)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.models import Page

from lede.editorial.models import ArticleAuthor, ArticlePage, Author, HomePage, SectionPage
from lede.images.models import LedeImage


def make_image(
    title: str = "Image",
    caption: str = "",
    credit: str = "",
    color: str = "#336699",
    size: tuple[int, int] = (640, 360),
) -> LedeImage:
    buf = io.BytesIO()
    PILImage.new("RGB", size, color).save(buf, format="JPEG", quality=80)
    buf.seek(0)
    image = LedeImage(title=title, caption=caption, credit=credit)
    image.file.save(f"{title[:40] or 'image'}.jpg", ImageFile(buf, name="image.jpg"), save=False)
    image.save()
    return image


def home_page() -> HomePage:
    from lede.editorial.services import site_ensure_home

    return site_ensure_home()


def make_section(title: str, parent: Page | None = None, **kwargs: Any) -> SectionPage:
    parent = parent or home_page()
    section = SectionPage(title=title, **kwargs)
    parent.add_child(instance=section)
    section.save_revision().publish()
    return section


def make_author(name: str, **kwargs: Any) -> Author:
    author, _ = Author.objects.get_or_create(name=name, defaults=kwargs)
    return author


def make_article(
    section: SectionPage,
    title: str,
    *,
    body: list[tuple[str, Any]] | None = None,
    authors: list[Author] | None = None,
    published_at: datetime | None = None,
    publish: bool = True,
    **kwargs: Any,
) -> ArticlePage:
    tags = kwargs.pop("tags", "")
    article = ArticlePage(title=title, published_at=published_at, live=publish, **kwargs)
    if tags:
        names = tags.split(",") if isinstance(tags, str) else list(tags)
        article.tags.add(*[n.strip() for n in names if n.strip()])
    if body is not None:
        article.body = body  # type: ignore[assignment]
    for i, author in enumerate(authors or []):
        article.article_authors.add(ArticleAuthor(author=author, sort_order=i))
    section.add_child(instance=article)
    revision = article.save_revision()
    if publish:
        revision.publish()
        article.refresh_from_db()
    return article


def now() -> datetime:
    return timezone.now()
