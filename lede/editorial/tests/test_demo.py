"""The demo loader (``manage.py load_demo``).

The demo is loaded once for the module, inside a transaction rolled back at
the end, so other test modules never see it. Each test runs in its own
savepoint on top of it.
"""

from __future__ import annotations

import io
import re
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
from lede.core.typography import french_html, typeset
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


def test_refuses_outside_the_demo_profile() -> None:
    before = _counts()
    with (
        override_settings(LEDE_DEMO=False, DEBUG=True),
        pytest.raises(CommandError, match="LEDE_DEMO"),
    ):
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
    assert pub.publisher == "Médias du Bouregreg"
    assert pub.copyright_notice == "© Copyright Médias du Bouregreg. Tous droits réservés."
    assert pub.tagline
    assert pub.logo is not None
    assert pub.share_image is not None
    assert (pub.share_image.width, pub.share_image.height) == (1200, 630)
    photos = LedeImage.objects.exclude(pk__in=[pub.logo.pk, pub.share_image.pk]).exclude(
        title__startswith="Portrait"
    )
    assert photos.count() >= 20
    for image in photos:
        assert (image.width, image.height) == TEST_PHOTO_SIZE
    assert photos.filter(focal_point_x__isnull=False).exists()


def test_pictures_are_captioned_as_illustrations(demo: str, client: Client) -> None:
    """The demo's pictures are drawings: no caption may describe a photograph,
    no credit may name a photographer."""
    for image in LedeImage.objects.exclude(title__endswith="— logo"):
        assert image.caption.startswith("Illustration : "), image.title
        assert image.credit.startswith("Illustration") or image.credit == "Le Quotidien", (
            image.title
        )
    article = ArticlePage.objects.live().filter(lead_image__isnull=False).first()
    assert article is not None
    html = client.get(article.url).content.decode()
    assert "Illustration : " in html and "ILLUSTRATION / LE QUOTIDIEN" in html


def test_publisher_name_appears_once_on_an_article(demo: str, client: Client) -> None:
    article = ArticlePage.objects.live().filter(copyright_line="").first()
    assert article is not None
    html = client.get(article.url).content.decode()
    # Visible text: the JSON-LD names the publisher as copyright holder (issue 16).
    visible = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    assert visible.count("Médias du Bouregreg") == 1
    assert "Éditions Lede" not in html


def test_newsroom_has_two_days_of_dispatches(demo: str, client: Client) -> None:
    from lede.livefeed.models import Dispatch

    dispatches = Dispatch.objects.filter(status=Dispatch.Status.PUBLISHED)
    assert dispatches.count() >= 15
    now = timezone.now()
    times = sorted(d.published_at for d in dispatches)
    assert times[0] >= now - timedelta(hours=48) and times[-1] <= now
    assert times[-1] - times[0] >= timedelta(hours=36)
    assert dispatches.exclude(credit="").exists() and dispatches.filter(credit="").exists()
    latest = dispatches.order_by("-published_at").first()
    assert latest is not None
    shown = typeset(str(escape(latest.headline)))  # as the |typo filter prints it
    assert shown in client.get("/").content.decode()
    assert shown in client.get("/newsroom/").content.decode()


def test_legal_pages_and_billing_identity(demo: str, client: Client) -> None:
    from django.core.checks import run_checks

    from lede.core.models import LegalPage

    pages = {p.kind: p for p in LegalPage.objects.live()}
    assert set(pages) == {"legal_notice", "terms_of_sale", "privacy", "contact"}
    assert "09-08" in pages["privacy"].body and "CNDP" in pages["privacy"].body
    home = client.get("/").content.decode()
    for page in pages.values():
        assert client.get(page.url).status_code == 200
        assert f'href="{page.url}"' in home, page.title
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "lede.W101"]


def test_wire_desk_has_french_samples(demo: str) -> None:
    from lede.wires.models import WireItemRecord

    records = WireItemRecord.objects.all()
    assert records.filter(format="ninjs").count() >= 3
    assert records.filter(format="newsml-g2").count() >= 3
    assert set(records.values_list("language", flat=True)) == {"fr"}


def test_home_page_lead_and_featured(demo: str, client: Client) -> None:
    home = HomePage.objects.get(locale__language_code="fr")
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
    assert 'class="agency"><bdi>AFP</bdi><' in html
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
    home_before = (
        HomePage.objects.filter(locale__language_code="fr")
        .values("lead_story_id", "latest_revision_id")
        .get()
    )
    out = io.StringIO()
    with override_settings(DEBUG=False, LEDE_DEMO=True):
        call_command("load_demo", stdout=out)
    assert _counts() == before
    assert (
        HomePage.objects.filter(locale__language_code="fr")
        .values("lead_story_id", "latest_revision_id")
        .get()
        == home_before
    )
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


def test_the_arabic_edition_is_loaded_with_its_pairs(demo: str) -> None:
    from lede.editorial import editions
    from lede.editorial.demo.articles_ar import ARTICLES_AR

    arabic = list(ArticlePage.objects.live().filter(locale__language_code="ar"))
    assert len(arabic) == len([a for a in ARTICLES_AR if "go_live_in_hours" not in a])
    pairs = [a for a in arabic if editions.live_pair(a) is not None]
    assert len(pairs) == len([a for a in ARTICLES_AR if a.get("pair")])
    html = Client().get("/ar/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert arabic[0].title.split()[0] in html
