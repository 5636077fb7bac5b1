from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

NEEDS_REDIS = pytest.mark.skip(
    reason="needs a Redis server: set REDIS_URL (redis://host:port/db; tests use their own db)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@pytest.mark.redis`` tests are skipped, with the reason, without REDIS_URL."""
    if os.environ.get("REDIS_URL"):
        return
    for item in items:
        if item.get_closest_marker("redis") is not None:
            item.add_marker(NEEDS_REDIS)


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _reset_process_state(settings: Any) -> None:
    """Every test starts from what a fresh process knows: empty caches and no
    module state left by an earlier test (rolled-back tests reuse primary keys,
    so a cached variant of one test's article could serve another's)."""
    from django.core.cache import caches

    from lede.core import process_state

    for alias in settings.CACHES:
        caches[alias].clear()
    process_state.reset_all()


@pytest.fixture(autouse=True)
def _default_language(settings: Any) -> Any:
    """Every test starts in French: a request to the Arabic edition (/ar/)
    leaves Arabic active in the thread (LocaleMiddleware activates and never
    deactivates), which would otherwise leak into the next test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    """A real SMTP server on loopback; Django's SMTP backend sends to it."""
    from lede.core.testing.smtp import smtp_server as running

    with running() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        yield server


@pytest.fixture
def publication(db: Any) -> dict[str, Any]:
    """A small publication: sections, two authors, a few articles."""
    from datetime import timedelta

    from django.utils import timezone

    from lede.core.testing import factories as f

    monde = f.make_section("Monde", description="L'actualité internationale")
    proche = f.make_section("Proche-Orient", parent=monde)
    eco = f.make_section("Économie", default_access_level="public")
    amina = f.make_author("Amina Berrada", role="Journaliste")
    karim = f.make_author("Karim Tazi", role="Chef de rubrique")
    image = f.make_image("Port", caption="Le port au lever du jour", credit="Sara Alaoui / AFP")
    now = timezone.now()
    lead = f.make_article(
        proche,
        "Les négociations reprennent à Doha",
        standfirst="Les délégations se retrouvent après trois semaines de pause.",
        lead_image=image,
        authors=[amina, karim],
        published_at=now - timedelta(hours=2),
        body=[
            ("paragraph", "<p>Les délégués ont préféré attendre la fin du sommet.</p>"),
            ("subheading", "Un calendrier serré"),
            ("quote", {"text": "Rien n'est acquis.", "attribution": "Un diplomate"}),
            ("paragraph", "<p>La suite est prévue pour la semaine prochaine.</p>"),
        ],
        tags="diplomatie, doha",
    )
    agency = f.make_article(
        eco,
        "Le dirham stable face à l'euro",
        standfirst="La banque centrale maintient sa politique.",
        agency_credit="AFP",
        published_at=now - timedelta(hours=5),
        body=[("paragraph", "<p>Les marchés restent calmes.</p>")],
    )
    old = f.make_article(
        eco,
        "Bilan annuel des exportations",
        standfirst="Un bilan contrasté.",
        authors=[karim],
        published_at=now - timedelta(days=10),
        body=[("paragraph", "<p>Les exportations progressent.</p>")],
    )
    return {
        "monde": monde,
        "proche": proche,
        "eco": eco,
        "lead": lead,
        "agency": agency,
        "old": old,
        "amina": amina,
        "karim": karim,
        "image": image,
    }
