"""Build the demo publication: settings, sections, authors, images, articles,
home page and demo log-ins.

Idempotent: every object is looked up by a stable key first (section and
article slug under their parent, author slug, image title, user e-mail) and
left alone when it exists, so a second run creates nothing and publishes no
new revision.

Pages go through Wagtail's own API (``add_child``, ``save_revision().publish()``)
so they have revisions, log entries and search-index entries like pages an
editor published. Dates are relative to the time of loading.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page, ReferenceIndex, Site
from wagtail.signal_handlers import disable_reference_index_auto_update

from lede.accounts.models import User
from lede.core.models import LegalPage, PublicationSettings
from lede.core.site import site_host_port
from lede.editorial.models import (
    ArticlePage,
    Author,
    HomeFeatured,
    HomePage,
    SectionPage,
)
from lede.editorial.setup import ensure_newsroom_groups
from lede.images.models import LedeImage

from . import edition_ar, pictures
from .articles import ARTICLES, HOME_FEATURED, HOME_LEAD
from .images import FORMER_PHOTO_CREDITS, ILLUSTRATION_CREDIT, IMAGES
from .legal import BILLING, LEGAL_PAGES, PUBLISHER
from .pages import create_article as _create_article
from .pages import ensure_tags
from .people import AUTHORS, DEMO_PASSWORD, USERS
from .sections import PALETTES, SECTIONS

PUBLICATION = {
    "name": "Le Quotidien",
    "tagline": "L'actualité du Maroc et du monde, vérifiée et expliquée",
    # The publisher's legal name appears once on a page: in this line.
    "publisher": PUBLISHER,
    "copyright_notice": f"© Copyright {PUBLISHER}. Tous droits réservés.",
}
LOGO_TITLE = "Le Quotidien — logo"
SHARE_IMAGE_TITLE = "Le Quotidien — image de partage"


class DemoError(Exception):
    """The demo cannot be loaded into this database (e.g. no home page)."""


class _Out:
    def __init__(self, stdout: Any) -> None:
        self.stdout = stdout

    def __call__(self, line: str = "") -> None:
        if self.stdout is not None:
            self.stdout.write(line if line.endswith("\n") else line + "\n")


@contextmanager
def _quiet_wagtail_logs() -> Iterator[None]:
    """Wagtail logs every page created and published at INFO: hide that noise."""
    logger = logging.getLogger("wagtail")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def load_demo(
    stdout: Any = None, *, photo_size: tuple[int, int] = pictures.PHOTO_SIZE
) -> dict[str, Any]:
    """Load the demo publication and return a summary of what was created.

    ``stdout`` is anything with ``write()`` (a management command's stdout);
    nothing is printed when it is None. ``photo_size`` is the size of the
    generated photographs (smaller in tests: renditions are then cheap).
    """
    out = _Out(stdout)
    started = time.monotonic()
    now = timezone.now()
    created: Counter[str] = Counter()

    with _quiet_wagtail_logs(), transaction.atomic(), disable_reference_index_auto_update():
        home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
        if home is None:
            raise DemoError(
                "Aucune page d'accueil (HomePage) : lancez d'abord « manage.py migrate »."
            )
        site = _default_site(home)
        images = _ensure_images(created, photo_size)
        logo = _ensure_logo(created)
        share_image = _ensure_share_image(created)
        _ensure_publication(site, logo, share_image, created)
        sections = _ensure_sections(home, created)
        authors = _ensure_authors(created)
        tags = ensure_tags((t for spec in ARTICLES for t in spec.get("tags", [])), "mot-cle")
        articles, new_pages = _ensure_articles(sections, authors, images, tags, now, created)
        if _ensure_home(home, articles):
            created["home"] += 1
            new_pages.append(home)
        _ensure_users(created)
        _ensure_paywall_demo(created, now)
        from lede.subscriptions.demo import ensure_demo_billing, ensure_demo_offers

        ensure_demo_offers()
        if ensure_demo_billing(BILLING):
            created["billing_settings"] += 1
        new_pages += _ensure_legal_pages(home, created)
        # The Newsroom and the wire desk (higher layers, loaded the same way
        # as the offers above).
        from lede.livefeed.demo import ensure_demo_dispatches
        from lede.wires.demo import ensure_demo_wires

        made = ensure_demo_dispatches(sections=sections, images=images, now=now)
        if made:
            created["dispatches"] += made
        # The Arabic edition (docs/editions.md), its articles paired with the
        # French ones above.
        sections_ar, pages_ar = edition_ar.ensure_arabic_edition(
            french_sections=sections,
            french_articles=articles,
            authors=authors,
            images=images,
            now=now,
            created=created,
        )
        new_pages += pages_ar
        made = edition_ar.ensure_arabic_dispatches(sections=sections_ar, images=images, now=now)
        if made:
            created["dispatches_ar"] += made
        wires = [o for o in ensure_demo_wires() if o.guid and o.outcome == "imported"]
        if wires:
            created["wires"] += len(wires)
        from lede.newsletters.demo import ensure_demo_newsletters

        made = ensure_demo_newsletters()
        if made:
            created["newsletters"] += made
        # Reference index ("usage" in the admin) built once instead of one task per save.
        for page in new_pages:
            ReferenceIndex.create_or_update_for_object(page.specific)
        for author in Author.objects.filter(slug__in=[a["slug"] for a in AUTHORS]):
            ReferenceIndex.create_or_update_for_object(author)

    summary: dict[str, Any] = {
        "created": dict(created),
        "sections": SectionPage.objects.count(),
        "articles": ArticlePage.objects.count(),
        "live_articles": ArticlePage.objects.live().count(),
        "authors": Author.objects.count(),
        "images": LedeImage.objects.count(),
        "users": User.objects.count(),
        "seconds": round(time.monotonic() - started, 1),
    }
    _print_summary(out, summary)
    return summary


# --- settings ----------------------------------------------------------------
def _default_site(home: HomePage) -> Site:
    """The default Wagtail Site, on the site's one address (LEDE_BASE_URL,
    set from PORT by `make demo`) so that the admin's own links agree with
    the pages'."""
    hostname, port = site_host_port()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name=PUBLICATION["name"],
        )
    elif (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
    return site


def _ensure_publication(
    site: Site, logo: LedeImage, share_image: LedeImage, created: Counter[str]
) -> None:
    pub = PublicationSettings.for_site(site)
    changed = False
    for field, value in PUBLICATION.items():
        if getattr(pub, field) != value:
            setattr(pub, field, value)
            changed = True
    if pub.logo_id is None:
        pub.logo = logo
        changed = True
    if pub.share_image_id is None:
        pub.share_image = share_image
        changed = True
    if changed:
        pub.save()
        created["publication_settings"] += 1


# --- images ------------------------------------------------------------------
def _ensure_image(
    *,
    title: str,
    data: Any,
    filename: str,
    caption: str = "",
    credit: str = "",
    focal: tuple[float, float, float, float] | None = None,
    created: Counter[str],
) -> LedeImage:
    existing = LedeImage.objects.filter(title=title).order_by("pk").first()
    if existing is not None:
        if existing.credit in FORMER_PHOTO_CREDITS or (
            existing.credit == PUBLICATION["name"] and title.startswith("Portrait — ")
        ):
            # An earlier demo captioned its drawings as photographs.
            existing.caption, existing.credit = caption, credit
            existing.save(update_fields=["caption", "credit"])
        return existing
    content: bytes = data()
    image = LedeImage(title=title, caption=caption, credit=credit)
    image.file.save(filename, ImageFile(io.BytesIO(content), name=filename), save=False)
    image.file_size = len(content)
    image.file_hash = hashlib.sha1(content, usedforsecurity=False).hexdigest()
    if focal is not None and image.width and image.height:
        fx, fy, fw, fh = focal
        image.focal_point_x = round(fx * image.width)
        image.focal_point_y = round(fy * image.height)
        image.focal_point_width = round(fw * image.width)
        image.focal_point_height = round(fh * image.height)
    image.save()
    created["images"] += 1
    return image


def _ensure_images(created: Counter[str], size: tuple[int, int]) -> dict[str, LedeImage]:
    images: dict[str, LedeImage] = {}
    for spec in IMAGES:
        palette = PALETTES[spec["palette"]]
        images[spec["key"]] = _ensure_image(
            title=spec["title"],
            caption=spec["caption"],
            credit=spec["credit"],
            focal=spec.get("focal"),
            filename=f"demo-{spec['key']}.jpg",
            data=lambda spec=spec, palette=palette: pictures.photo_jpeg(
                spec["key"], palette, spec["motif"], size
            ),
            created=created,
        )
    return images


def _ensure_logo(created: Counter[str]) -> LedeImage:
    return _ensure_image(
        title=LOGO_TITLE,
        filename="demo-logo.png",
        data=lambda: pictures.logo_png(PUBLICATION["name"]),
        created=created,
    )


def _ensure_share_image(created: Counter[str]) -> LedeImage:
    """The default share image (og:image of articles without a lead image)."""
    return _ensure_image(
        title=SHARE_IMAGE_TITLE,
        filename="demo-partage.png",
        caption=f"Illustration : carte de partage du {PUBLICATION['name'].removeprefix('Le ')}",
        credit=PUBLICATION["name"],
        data=lambda: pictures.share_card_png(PUBLICATION["name"], PUBLICATION["tagline"]),
        created=created,
    )


# --- sections ----------------------------------------------------------------
def _ensure_sections(home: HomePage, created: Counter[str]) -> dict[str, SectionPage]:
    sections: dict[str, SectionPage] = {}
    for spec in SECTIONS:
        parent_key, _, slug = spec["key"].rpartition("/")
        parent: Page = sections[parent_key] if parent_key else home
        existing = SectionPage.objects.child_of(parent).filter(slug=slug).first()
        if existing is not None:
            sections[spec["key"]] = existing
            continue
        section = SectionPage(
            title=spec["title"],
            slug=slug,
            description=spec["description"],
            default_access_level=spec["access"],
        )
        parent.add_child(instance=section)
        section.save_revision().publish()
        sections[spec["key"]] = section
        created["sections"] += 1
    return sections


# --- authors -----------------------------------------------------------------
def _ensure_authors(created: Counter[str]) -> dict[str, Author]:
    authors: dict[str, Author] = {}
    for spec in AUTHORS:
        author = Author.objects.filter(slug=spec["slug"]).first()
        if author is None:
            photo = _ensure_image(
                title=f"Portrait — {spec['name']}",
                caption=f"Illustration : monogramme de {spec['name']}.",
                credit=ILLUSTRATION_CREDIT,
                filename=f"demo-portrait-{spec['slug']}.jpg",
                data=lambda spec=spec: pictures.portrait_jpeg(spec["name"], spec["color"]),
                created=created,
            )
            author = Author.objects.create(
                name=spec["name"],
                slug=spec["slug"],
                role=spec["role"],
                bio=spec["bio"],
                photo=photo,
            )
            created["authors"] += 1
        authors[spec["slug"]] = author
    return authors


# --- tags ----------------------------------------------------------------------
# --- articles ------------------------------------------------------------------
def _ensure_articles(
    sections: dict[str, SectionPage],
    authors: dict[str, Author],
    images: dict[str, LedeImage],
    tags: dict[str, Tag],
    now: datetime,
    created: Counter[str],
) -> tuple[dict[str, ArticlePage], list[Page]]:
    articles: dict[str, ArticlePage] = {}
    new_pages: list[Page] = []
    for spec in ARTICLES:
        section = sections[spec["section"]]
        existing = ArticlePage.objects.child_of(section).filter(slug=spec["slug"]).first()
        if existing is not None:
            articles[spec["slug"]] = existing
            continue
        article = _create_article(spec, section, authors, images, tags, articles, now)
        articles[spec["slug"]] = article
        new_pages.append(article)
        created["articles"] += 1
        if "go_live_in_hours" in spec:
            created["scheduled"] += 1
    return articles, new_pages


# --- home page -----------------------------------------------------------------
def _ensure_home(home: HomePage, articles: dict[str, ArticlePage]) -> bool:
    """Choose the lead story and two secondary stories, unless an editor (or a
    previous run) already did."""
    home = HomePage.objects.get(pk=home.pk)
    if home.lead_story_id is not None or home.featured.exists():
        return False
    lead = articles.get(HOME_LEAD)
    if lead is None or not lead.live:
        return False
    home.lead_story = lead
    featured = [articles[s] for s in HOME_FEATURED if s in articles and articles[s].live]
    home.featured = [  # type: ignore[assignment]
        HomeFeatured(article=article, sort_order=i) for i, article in enumerate(featured)
    ]
    home.save_revision().publish()
    return True


# --- information pages ------------------------------------------------------------
def _ensure_legal_pages(home: HomePage, created: Counter[str]) -> list[Page]:
    """Mentions légales, CGV, confidentialité, contact: children of the home
    page, linked from every page's footer."""
    made: list[Page] = []
    for spec in LEGAL_PAGES:
        if LegalPage.objects.child_of(home).filter(slug=spec["slug"]).exists():
            continue
        page = LegalPage(
            title=spec["title"],
            slug=spec["slug"],
            kind=spec["kind"],
            intro=spec["intro"],
            body=spec["body"],
            show_in_menus=False,
        )
        home.add_child(instance=page)
        page.save_revision().publish()
        made.append(page)
        created["legal_pages"] += 1
    return made


# --- users -----------------------------------------------------------------------
def _ensure_users(created: Counter[str]) -> None:
    groups = ensure_newsroom_groups()
    for spec in USERS:
        user = User.objects.filter(email=spec["email"]).first()
        if user is None:
            create = (
                User.objects.create_superuser if spec["superuser"] else User.objects.create_user
            )
            user = create(spec["email"], DEMO_PASSWORD, display_name=spec["display_name"])
            created["users"] += 1
        if spec["group"]:
            user.groups.add(groups[spec["group"]])


def _ensure_paywall_demo(created: Counter[str], now: Any) -> None:
    """A subscriber with a year of complimentary access, and an organisation
    whose verified addresses in org.demo.example read under a group licence."""
    from allauth.account.models import EmailAddress

    from lede.paywall.models import AccessGrant, Organisation

    subscriber = User.objects.get(email="subscriber@demo.example")
    if not AccessGrant.objects.filter(user=subscriber).exists():
        AccessGrant.objects.create(
            user=subscriber,
            kind=AccessGrant.Kind.COMPLIMENTARY,
            starts_at=now,
            ends_at=now + timedelta(days=365),
            note="Compte de démonstration",
            source="demo",
        )
        created["access_grants"] += 1
    if not Organisation.objects.filter(name="Organisation de démonstration").exists():
        Organisation.objects.create(
            name="Organisation de démonstration",
            email_domains="org.demo.example",
            seats=25,
            starts_at=now,
            ends_at=now + timedelta(days=365),
        )
        created["organisations"] += 1
    # Every demo login has a verified address: "Mon compte" would otherwise
    # greet the demo's readers with "non vérifiée".
    for user in User.objects.filter(email__endswith="demo.example"):
        address, _made = EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])


# --- output ------------------------------------------------------------------------
def _print_summary(out: _Out, summary: dict[str, Any]) -> None:
    made = summary["created"]
    if made:
        out("Démo chargée. Créé : " + ", ".join(f"{k} {v}" for k, v in sorted(made.items())) + ".")
    else:
        out("Démo déjà chargée : rien à créer.")
    out(
        f"En base : {summary['sections']} rubriques, {summary['articles']} articles "
        f"({summary['live_articles']} en ligne), {summary['authors']} auteurs, "
        f"{summary['images']} images, {summary['users']} utilisateurs "
        f"— {summary['seconds']} s."
    )
    out("")
    out(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for spec in USERS:
        out(f"  {spec['email']:<24} {spec['label']}")
