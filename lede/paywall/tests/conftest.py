from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lede.core.testing import factories as f

SECRET = "Phrase-secrète-{level}-{n} que seuls les lecteurs autorisés peuvent lire."


def secret(level: str, n: int) -> str:
    return SECRET.format(level=level, n=n)


def _locked_article(section: Any, title: str, level: str, metered: bool, image: Any) -> Any:
    inline = f.make_image(f"Inline {title}", caption=f"Légende cachée {level}", credit="X / Y")
    return f.make_article(
        section,
        title,
        standfirst=f"Chapô public de l'article {level}.",
        access_level=level,
        metered=metered,
        lead_image=image,
        published_at=timezone.now() - timedelta(hours=1),
        body=[
            ("paragraph", f"<p>Premier paragraphe public {level}.</p>"),
            ("subheading", f"Intertitre {secret(level, 0)}"),
            ("paragraph", f"<p>{secret(level, 1)}</p>"),
            ("quote", {"text": secret(level, 2), "attribution": "Source"}),
            ("image", {"image": inline, "caption": "", "credit": ""}),
            ("factbox", {"title": "Repères", "body": f"<p>{secret(level, 3)}</p>"}),
        ],
    )


@pytest.fixture
def paywalled(db: Any) -> dict[str, Any]:
    section = f.make_section("Enquêtes")
    image = f.make_image("Une", caption="Légende publique", credit="Photographe / AFP")
    articles = {
        "public": _locked_article(section, "Article public", "public", False, image),
        "registered": _locked_article(section, "Article inscrits", "registered", False, image),
        "subscribers": _locked_article(section, "Article abonnés", "subscribers", False, image),
        "metered": _locked_article(section, "Article au compteur", "subscribers", True, image),
    }
    more_metered = [
        _locked_article(section, f"Compteur {i}", "subscribers", True, image) for i in range(5)
    ]
    return {"section": section, "articles": articles, "more_metered": more_metered}
