"""Writes of the editorial domain."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lede.core.site import site_host_port

from .models import ArticlePage, HomePage


@transaction.atomic
def article_mark_published(*, page: ArticlePage, now: datetime | None = None) -> ArticlePage:
    """Stamp the first publication time and, when the editor ticked
    "mise à jour importante", the update time. A plain republish (typo fix)
    changes neither date."""
    now = now or timezone.now()
    changes: dict[str, object] = {}
    if page.published_at is None:
        changes["published_at"] = page.first_published_at or now
    elif page.significant_update:
        changes["updated_at"] = now
    if page.significant_update:
        changes["significant_update"] = False
    if changes:
        # A queryset update: no new revision, no second page_published signal.
        ArticlePage.objects.filter(pk=page.pk).update(**changes)
        for key, value in changes.items():
            setattr(page, key, value)
    return page


@transaction.atomic
def site_ensure_home(*, site_name: str = "Le Quotidien") -> HomePage:
    """The home page and the default site, created when missing (a fresh or
    flushed database). Migration 0003 does the same on a new install."""
    from wagtail.models import Collection, Locale, Page, Site

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
    if home is not None:
        return home
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root")
    home = HomePage(title="À la une", slug="accueil")
    root.add_child(instance=home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        hostname, port = site_host_port()
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name=site_name,
        )
    else:
        site.root_page = home
        site.save()
    return home


#: The home page's title in each edition other than French (the French one is
#: made by site_ensure_home and migration 0003).
EDITION_HOME_TITLES = {"ar": "الرئيسية"}


@transaction.atomic
def edition_home_ensure(*, language: str) -> HomePage:
    """The home page of an edition, created when missing: a translation of
    the French home (same translation_key), beside it under the tree's root,
    so that Wagtail routes ``/<language>/`` to it (docs/editions.md)."""
    from wagtail.models import Locale

    french = site_ensure_home()
    if language == settings.LANGUAGE_CODE:
        return french
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"no edition in {language!r}")
    locale, _ = Locale.objects.get_or_create(language_code=language)
    home = HomePage.objects.filter(locale=locale).first()
    if home is not None:
        return home
    title = EDITION_HOME_TITLES.get(language, language)
    home = HomePage(
        title=title,
        draft_title=title,
        slug=f"accueil-{language}",
        locale=locale,
        translation_key=french.translation_key,
        secondary_count=french.secondary_count,
    )
    french.get_parent().add_child(instance=home)
    home.save_revision().publish()
    return home


@transaction.atomic
def article_pair(*, article: ArticlePage, counterpart: ArticlePage) -> None:
    """Link two articles of different editions as one story's two halves
    (Wagtail's translation link: they share a translation_key)."""
    if article.locale_id == counterpart.locale_id:
        raise ValueError("a pair joins two editions")
    taken = (
        ArticlePage.objects.filter(
            translation_key=article.translation_key, locale_id=counterpart.locale_id
        )
        .exclude(pk=counterpart.pk)
        .exists()
    )
    if taken:
        raise ValueError("the article already has a counterpart in that edition")
    ArticlePage.objects.filter(pk=counterpart.pk).update(translation_key=article.translation_key)
    counterpart.translation_key = article.translation_key


@transaction.atomic
def articles_refresh_sections(*, under_path: str) -> int:
    """Recompute section and top_section of the articles under a tree path
    (after a section or an article moved)."""
    from .models import SectionPage

    changed = 0
    sections = {s.path: s for s in SectionPage.objects.filter(path__startswith=under_path[:12])}
    for article in ArticlePage.objects.filter(path__startswith=under_path).only("pk", "path"):
        parent = sections.get(article.path[:-4])
        if parent is None:
            continue
        top = parent.top_level()
        changed += ArticlePage.objects.filter(pk=article.pk).update(section=parent, top_section=top)
    return changed
