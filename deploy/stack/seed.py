"""Content for the local production stack (`make stack`).

Production settings refuse the demo loader, so bin/stack pipes this file into
``manage.py shell``. It is idempotent: run twice, it creates nothing twice. It
writes what the stack tests need (session cookies, URLs, a sentence from the
locked part of a subscribers-only article) to ``$LEDE_STACK_DIR/seed.json``.

Loopback use only: the accounts have a fixed password (STACK_PASSWORD).
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from lede.core.testing import factories as f
from lede.editorial.models import ArticlePage, SectionPage
from lede.paywall.models import AccessGrant

STACK_DIR = Path(os.environ["LEDE_STACK_DIR"])
SITE_HOST = os.environ.get("LEDE_STACK_SITE_HOST", "127.0.0.1")
SITE_PORT = int(os.environ.get("LEDE_STACK_SITE_PORT", "8080"))
PASSWORD = os.environ.get("STACK_PASSWORD", "stack-pass-2026")
LOCKED_SENTENCE = "Les relevés des puits montrent une baisse de onze mètres en dix ans."

PARAGRAPHS = [
    "Le conseil municipal a adopté mardi soir le budget de l'année, après quatre heures de débat.",
    "Les travaux de la ligne de tramway reprendront au printemps, selon la société exploitante.",
    "Les agriculteurs de la plaine attendent les premières pluies de la saison avec inquiétude.",
    "Le festival accueillera cette année trente compagnies venues de douze pays.",
    "La fréquentation des bibliothèques publiques a progressé de huit pour cent sur un an.",
    "Le port a traité un volume record de conteneurs au cours du dernier trimestre.",
    "Les enseignants réclament une révision du calendrier des examens de fin d'année.",
    "La nouvelle gare routière ouvrira ses portes à la fin du mois prochain.",
]


def _section(title: str, **kwargs: object) -> SectionPage:
    existing = SectionPage.objects.filter(title=title).first()
    return existing or f.make_section(title, **kwargs)


def _article(section: SectionPage, title: str, **kwargs: object) -> ArticlePage:
    existing = ArticlePage.objects.filter(title=title).first()
    return existing or f.make_article(section, title, **kwargs)  # type: ignore[arg-type]


def _user(email: str, **flags: bool) -> Any:
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, PASSWORD, **flags)
    return user


def _session(user: object) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return str(client.cookies["sessionid"].value)


with transaction.atomic():
    home = f.home_page()
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = SITE_HOST, SITE_PORT
    site.save()

    maroc = _section("Maroc", description="L'actualité nationale")
    economie = _section("Économie", description="Entreprises et marchés")
    enquetes = _section("Enquêtes", default_access_level="subscribers")
    author = f.make_author("Rédaction de la pile", role="Journaliste")
    now = timezone.now()
    articles = []
    for i, text in enumerate(PARAGRAPHS):
        section = maroc if i % 2 == 0 else economie
        articles.append(
            _article(
                section,
                f"Chronique locale numéro {i + 1}",
                standfirst="Un article de démonstration de la pile de production.",
                authors=[author],
                published_at=now - timedelta(hours=i + 1),
                body=[("paragraph", f"<p>{text}</p>"), ("paragraph", f"<p>{text}</p>")],
            )
        )
    locked = _article(
        enquetes,
        "Enquête sur les nappes des oasis",
        standfirst="Dans le Sud, les puits s'assèchent plus vite que prévu.",
        authors=[author],
        access_level="subscribers",
        published_at=now - timedelta(minutes=30),
        body=[
            ("paragraph", "<p>À Skoura, les familles creusent désormais plus profond.</p>"),
            ("subheading", "Des chiffres inquiétants"),
            ("paragraph", f"<p>{LOCKED_SENTENCE}</p>"),
            ("paragraph", "<p>Les hydrologues demandent un plan de recharge des nappes.</p>"),
        ],
    )

    editor = _user("editor@stack.example", is_staff=True, is_superuser=True)
    subscriber = _user("subscriber@stack.example")
    # A second subscriber: the benchmarks' load comes from more than one
    # reader of a kind, as a node's does (lede/core/caching/answers.py).
    subscriber2 = _user("subscriber2@stack.example")
    reader = _user("reader@stack.example")
    for user in (subscriber, subscriber2):
        if not AccessGrant.objects.filter(user=user).exists():
            AccessGrant.objects.create(
                user=user, starts_at=now - timedelta(days=1), note="Pile de production"
            )

seed = {
    "site": f"http://{SITE_HOST}:{SITE_PORT}",
    "password": PASSWORD,
    "sessions": {
        "editor": _session(editor),
        "subscriber": _session(subscriber),
        "reader": _session(reader),
    },
    "home": home.url,
    "sections": {"maroc": maroc.pk, "economie": economie.pk, "enquetes": enquetes.pk},
    "articles": [a.url for a in articles],
    "locked": {"url": locked.url, "id": locked.pk, "sentence": LOCKED_SENTENCE},
}
(STACK_DIR / "seed.json").write_text(json.dumps(seed, indent=2, ensure_ascii=False))
print(f"seed: {len(articles) + 1} articles, 4 accounts")
