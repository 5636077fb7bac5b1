"""Writes of the editorial domain."""

from __future__ import annotations

from datetime import datetime

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
    home = HomePage.objects.first()
    if home is not None:
        return home
    Locale.objects.get_or_create(language_code="fr")
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
