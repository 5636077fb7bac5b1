"""The demo loader (``manage.py load_demo``).

The demo is loaded once for the module, inside a transaction rolled back at
the end, so other test modules never see it. Each test runs in its own
savepoint on top of it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.html import escape
from taggit.models import Tag
from wagtail.models import PageLogEntry, Revision, Site

from lede.accounts.models import User
from lede.core.models import PublicationSettings
from lede.core.typography import french_html
from lede.editorial.demo import load_demo
from lede.editorial.demo.people import DEMO_PASSWORD
from lede.editorial.models import ArticlePage, Author, HomePage, SectionPage
from lede.images.models import LedeImage

pytestmark = pytest.mark.django_db
TEST_PHOTO_SIZE = (480, 270)


@pytest.fixture(scope="module")
def demo(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    # Same MEDIA_ROOT as the autouse fixture in conftest.py, so the original
    # image files are found when pages render their renditions.
    media = tmp_path_factory.getbasetemp() / "media"
    media.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            out = io.StringIO()
            with override_settings(MEDIA_ROOT=str(media)):
                # Smaller photographs than the command's 1600x900: rendering every
                # article then costs seconds, not a minute of image resizing.
                load_demo(stdout=out, photo_size=TEST_PHOTO_SIZE)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            cache.clear()


def _counts() -> dict[str, int]:
    return {
        "articles": ArticlePage.objects.count(),
        "sections": SectionPage.objects.count(),
        "authors": Author.objects.count(),
        "images": LedeImage.objects.count(),
        "users": User.objects.count(),
        "revisions": Revision.objects.count(),
        "log_entries": PageLogEntry.objects.count(),
        "tags": Tag.objects.count(),
    }


def test_refuses_without_debug() -> None:
    before = _counts()
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=io.StringIO())
    assert _counts() == before


def test_loads_a_publication(demo: str) -> None:
    live = ArticlePage.objects.live()
    assert live.count() >= 40
    sections_used = set(live.values_list("section_id", flat=True))
    assert len(sections_used) >= 6
    assert SectionPage.objects.filter(depth=3).count() >= 6
    assert SectionPage.objects.filter(depth=4).count() >= 4
    assert Author.objects.count() == 4
    assert all(a.photo_id for a in Author.objects.all())
    agency_only = live.exclude(agency_credit="").filter(article_authors__isnull=True)
    assert agency_only.count() >= 8
    assert live.exclude(copyright_line="").exists()
    now = timezone.now()
    assert live.filter(published_at__gte=now - timedelta(hours=48)).count() >= 3
    assert live.filter(published_at__lt=now - timedelta(days=60)).count() >= 4
    assert live.filter(published_at__gt=now).count() == 0
    updated = live.filter(updated_at__isnull=False)
    assert updated.count() >= 2
    for article in updated:
        assert article.updated_at > article.published_at
        assert article.revisions.count() == 2
    assert live.filter(metered=True).exists()
    assert live.exclude(access_level="").exists()
    levels = set(SectionPage.objects.values_list("default_access_level", flat=True))
    assert {"public", "registered", "subscribers"} <= levels
    assert "demo-pass-2026" in demo and "editor@demo.example" in demo


def test_every_article_has_body_tags_and_dates(demo: str) -> None:
    for article in ArticlePage.objects.live():
        assert article.standfirst
        assert 3 <= len(article.body) <= 7, article.slug  # +1: a significant update's note
        assert article.tags.exists(), article.slug
        assert article.published_at is not None
        assert article.first_published_at == article.published_at
        assert article.revisions.exists()


def test_scheduled_article_is_not_live_yet(demo: str) -> None:
    scheduled = ArticlePage.objects.filter(live=False)
    assert scheduled.count() == 1
    article = scheduled.get()
    assert article.go_live_at is not None and article.go_live_at > timezone.now()
    assert article.published_at is None
    assert article.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_publication_settings_and_images(demo: str) -> None:
    pub = PublicationSettings.for_site(Site.objects.get(is_default_site=True))
    assert pub.name == "Le Quotidien"
    assert pub.publisher == "Éditions Lede"
    assert pub.copyright_notice == "© Copyright Éditions Lede. Tous droits réservés."
    assert pub.tagline
    assert pub.logo is not None
    photos = LedeImage.objects.exclude(pk=pub.logo.pk).exclude(title__startswith="Portrait")
    assert photos.count() >= 20
    for image in photos:
        assert (image.width, image.height) == TEST_PHOTO_SIZE
        assert image.caption and " / " in image.credit
    assert photos.filter(focal_point_x__isnull=False).exists()


def test_home_page_lead_and_featured(demo: str, client: Client) -> None:
    home = HomePage.objects.get()
    assert home.lead_story is not None and home.lead_story.live
    assert home.featured.count() == 2
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    # headlines are typeset at render (French typography, lede.core.typography)
    assert french_html(escape(home.lead_story.title)) in html
    for featured in home.featured.all():
        assert french_html(escape(featured.article.title)) in html


def test_every_live_article_and_section_renders(demo: str, client: Client) -> None:
    for section in SectionPage.objects.live():
        assert client.get(section.url).status_code == 200, section.url
    for article in ArticlePage.objects.live():
        response = client.get(article.url)
        assert response.status_code == 200, article.url
    scheduled = ArticlePage.objects.get(live=False)
    assert client.get(scheduled.url or f"/{scheduled.slug}/").status_code == 404


def test_agency_article_has_no_par_and_tags_use_ascii_slugs(demo: str, client: Client) -> None:
    article = ArticlePage.objects.live().filter(agency_credit="AFP", article_authors__isnull=True)[
        0
    ]
    html = client.get(article.url).content.decode()
    assert "Par " not in html
    assert 'class="agency">AFP<' in html
    tag = Tag.objects.get(name="élections")
    assert tag.slug == "elections"
    assert client.get(f"/mots-cles/{tag.slug}/").status_code == 200


def test_demo_users_can_log_in(demo: str, client: Client) -> None:
    for email in ("admin@demo.example", "editor@demo.example", "reader@demo.example"):
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert client.login(email=email, password=DEMO_PASSWORD)
        client.logout()
    admin = User.objects.get(email="admin@demo.example")
    assert admin.is_superuser
    assert admin.groups.filter(name="Administrateur").exists()
    editor = User.objects.get(email="editor@demo.example")
    assert editor.groups.filter(name="Éditeur").exists()
    assert not editor.is_superuser
    reader = User.objects.get(email="reader@demo.example")
    assert not reader.groups.exists() and not reader.is_staff
    assert Group.objects.filter(name="Éditeur").exists()
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


def test_second_run_changes_nothing(demo: str) -> None:
    before = _counts()
    home_before = HomePage.objects.values("lead_story_id", "latest_revision_id").get()
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=out)
    assert _counts() == before
    assert HomePage.objects.values("lead_story_id", "latest_revision_id").get() == home_before
    assert "rien à créer" in out.getvalue()


def test_paywall_demo_material(demo: str, client: Client) -> None:
    from lede.paywall.models import AccessGrant, Organisation

    live = list(ArticlePage.objects.live().select_related("section"))
    subscribers = [a for a in live if a.effective_access_level == "subscribers"]
    assert len(subscribers) >= 10
    assert len([a for a in live if a.metered]) >= 5
    assert [a for a in live if a.effective_access_level == "public"]
    grant = AccessGrant.objects.get(user__email="subscriber@demo.example")
    assert grant.ends_at is not None and (grant.ends_at - grant.starts_at).days >= 365
    org = Organisation.objects.get()
    assert org.domains() == ["org.demo.example"]
    locked = next(a for a in subscribers if not a.metered)
    assert client.get(locked.url)["X-Lede-Variant"] == "locked"
    assert client.login(email="subscriber@demo.example", password="demo-pass-2026")
    assert client.get(locked.url)["X-Lede-Access"] == "subscriber"
    client.logout()
    assert client.login(email="lecteur@org.demo.example", password="demo-pass-2026")
    assert client.get(locked.url)["X-Lede-Access"] == "group"
