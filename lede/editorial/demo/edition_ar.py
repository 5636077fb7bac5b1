"""The demo's Arabic edition: its home, sections, articles (paired with
their French counterparts through Wagtail's translation_key) and the
Newsroom's Arabic dispatches, from the data modules sections_ar.py,
articles_ar.py and dispatches_ar.py. Idempotent like the French loader
(loader.py calls it)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from wagtail.models import Locale, Page

from lede.editorial.models import ArticlePage, Author, HomePage, SectionPage
from lede.editorial.services import article_pair, edition_home_ensure
from lede.images.models import LedeImage

from .articles_ar import ARTICLES_AR
from .dispatches_ar import DISPATCHES_AR
from .pages import create_article, ensure_tags
from .people_ar import NAMES_AR
from .sections_ar import SECTIONS_AR

LANGUAGE = "ar"
#: The caption and credit of a shared demo illustration in an Arabic article.
IMAGE_CAPTION_AR = "رسم توضيحي."
IMAGE_CREDIT_AR = "رسم توضيحي / Le Quotidien"

#: The Arabic edition's words of plain models (``_ar`` columns,
#: lede/core/translated.py), written for the demo. Filled only when empty.
PUBLICATION_AR = {
    "tagline_ar": "أخبار المغرب والعالم، موثّقة ومشروحة",
    "copyright_notice_ar": "© لو كوتيديان. جميع الحقوق محفوظة.",
    "reproduction_policy_ar": (
        "يُمنع نسخ هذا الموقع أو عرضه كليًا أو جزئيًا بأي وسيلة كانت دون إذن صريح: "
        "النسخ الورقي والشبكات الداخلية والمواقع والبريد الإلكتروني والنشرات وأدوات "
        "رصد الإعلام."
    ),
}
OFFERS_AR = {
    "lancement": ("عرض الإطلاق", "الشهر الأول بـ60 درهما، ثم الاشتراك الشهري. دون التزام."),
    "mensuel": ("شهري", "دون التزام: يمكن الإلغاء في أي وقت."),
    "annuel": ("سنوي", "أفضل سعر: 600 درهم للسنة."),
}


def ensure_arabic_edition(
    *,
    french_sections: dict[str, SectionPage],
    french_articles: dict[str, ArticlePage],
    authors: dict[str, Author],
    images: dict[str, LedeImage],
    now: datetime,
    created: Counter[str],
) -> tuple[dict[str, SectionPage], list[Page]]:
    """Create what is missing of the Arabic edition; return its sections
    and the pages created."""
    home = edition_home_ensure(language=LANGUAGE)
    _ensure_words()
    for slug, name in NAMES_AR.items():
        Author.objects.filter(slug=slug, name_ar="").update(name_ar=name)
    sections = _ensure_sections(home, french_sections, created)
    tags = ensure_tags((t for spec in ARTICLES_AR for t in spec.get("tags", [])), "wasm")
    new_pages: list[Page] = []
    known: dict[str, ArticlePage] = {}
    for spec in ARTICLES_AR:
        section = sections[spec["section"]]
        existing = ArticlePage.objects.child_of(section).filter(slug=spec["slug"]).first()
        if existing is not None:
            known[spec["slug"]] = existing
            continue
        if spec.get("image") and "image_caption" not in spec:
            # The shared demo images are captioned in French: an Arabic
            # article says what they are in its own words.
            spec = {**spec, "image_caption": IMAGE_CAPTION_AR, "image_credit": IMAGE_CREDIT_AR}
        article = create_article(spec, section, authors, images, tags, known, now)
        pair = french_articles.get(spec.get("pair") or "")
        if pair is not None:
            article_pair(article=pair, counterpart=article)
            created["pairs_ar"] += 1
        known[spec["slug"]] = article
        new_pages.append(article)
        created["articles_ar"] += 1
    return sections, new_pages


def _ensure_words() -> None:
    """The publication's and the offers' Arabic words, where still empty."""
    from lede.core.models import PublicationSettings
    from lede.subscriptions.models import Offer

    for pub in PublicationSettings.objects.all():
        empty = {k: v for k, v in PUBLICATION_AR.items() if not getattr(pub, k)}
        if empty:
            PublicationSettings.objects.filter(pk=pub.pk).update(**empty)
    for slug, (headline, description) in OFFERS_AR.items():
        Offer.objects.filter(slug=slug, headline_ar="").update(
            headline_ar=headline, description_ar=description
        )


def _ensure_sections(
    home: HomePage, french: dict[str, SectionPage], created: Counter[str]
) -> dict[str, SectionPage]:
    sections: dict[str, SectionPage] = {}
    for spec in SECTIONS_AR:
        parent_key, _, slug = spec["key"].rpartition("/")
        parent: Page = sections[parent_key] if parent_key else home
        existing = SectionPage.objects.child_of(parent).filter(slug=slug).first()
        if existing is not None:
            sections[spec["key"]] = existing
            continue
        counterpart = french.get(spec.get("pair") or "")
        section = SectionPage(
            title=spec["title"],
            slug=slug,
            description=spec.get("description", ""),
            default_access_level=spec.get("access", "public"),
            locale=Locale.objects.get(language_code=LANGUAGE),
        )
        if counterpart is not None:
            section.translation_key = counterpart.translation_key
        parent.add_child(instance=section)
        section.save_revision().publish()
        sections[spec["key"]] = section
        created["sections_ar"] += 1
    return sections


def ensure_arabic_dispatches(
    *, sections: dict[str, SectionPage], images: dict[str, Any], now: datetime
) -> int:
    """The Arabic Newsroom's dispatches (the Arabic edition's live stream)."""
    from lede.livefeed.models import Dispatch
    from lede.livefeed.services import dispatch_publish

    existing = set(
        Dispatch.objects.filter(source_guid__startswith="demo:newsroom-ar:").values_list(
            "source_guid", flat=True
        )
    )
    made = 0
    for spec in DISPATCHES_AR:
        guid = f"demo:newsroom-ar:{spec['key']}"
        if guid in existing:
            continue
        dispatch_publish(
            headline=spec["headline"],
            body=spec["body"],
            section=sections.get(spec.get("section", "")),
            credit=spec.get("credit", ""),
            photo=images.get(spec.get("photo", "")),
            source_guid=guid,
            published_at=now - timedelta(hours=spec["hours"]),
            language=LANGUAGE,
        )
        made += 1
    return made
