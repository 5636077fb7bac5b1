"""The newsletters' public pages (/lettres/) in the reader-face walk: sign-up
page, archive, an edition in the browser, the confirmation and unsubscribe
pages and their French 400, and "Mes lettres" signed in — at 1366, 390 and
320 px in Chromium, with the walk's checks (site header across the viewport,
no horizontal overflow, axe-core without violations). The edition's browser
view is the e-mail itself (no site header): it gets the overflow and
axe-core checks. Screenshots go to ``var/e2e-screens/lettres-*``.
"""

from __future__ import annotations

from typing import Any

import pytest

from lede.newsletters import services, tokens
from lede.newsletters.delivery import deliver_edition
from lede.newsletters.demo import ensure_demo_newsletters
from lede.newsletters.models import Newsletter, Subscriber, Subscription

# The walk's fixtures, registered in this module (read through
# request.getfixturevalue, so that no parameter shadows these names).
from .test_reader_face import (  # noqa: F401
    SCREENS,
    WIDTHS,
    Walk,
    axe_source,
    browser_context,
    settle_images,
    site,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class LettresWalk(Walk):
    def visit_email(self, name: str, path: str) -> None:
        """The edition's browser view: the e-mail's own layout."""
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            response = self.page.goto(self.base + path, wait_until="load")
            where = f"{self.persona} {name} ({path}) at {width}px"
            if response is None or response.status != 200:
                self.failures.append(f"{where}: status {response.status if response else '—'}")
                continue
            before = len(self.failures)
            self.check(where, article=False)
            self.failures[before:] = [
                f for f in self.failures[before:] if "no site header" not in f
            ]
            self.screenshot(name, width)

    def screenshot(self, name: str, width: int) -> None:
        SCREENS.mkdir(parents=True, exist_ok=True)
        settle_images(self.page)
        self.page.screenshot(
            path=str(SCREENS / f"{self.persona}-{name}-{width}.png"), full_page=True
        )

    def after_post(self, name: str, width: int, *, status: int = 200) -> None:
        where = f"{self.persona} {name} ({self.page.url}) at {width}px"
        self.check(where, article=False)
        self.screenshot(name, width)


@pytest.fixture
def lettres(request: pytest.FixtureRequest, live_server: Any, settings: Any) -> dict[str, Any]:
    publication = request.getfixturevalue("site")
    # The site's address is the test server's: the sign-up form's origin
    # check, and the images and links of the edition, use it.
    settings.LEDE_BASE_URL = live_server.url
    ensure_demo_newsletters()
    matinale = Newsletter.objects.get(slug="la-matinale")
    edition = services.edition_build(newsletter=matinale)
    services.edition_enqueue(edition=edition)
    deliver_edition(edition)  # to the test settings' in-memory backend
    reader = Subscriber.objects.get(email="reader@demo.example")
    return {**publication, "matinale": matinale, "edition": edition, "reader": reader}


def _walk(request: pytest.FixtureRequest, base: str, persona: str) -> LettresWalk:
    context = request.getfixturevalue("browser_context")
    return LettresWalk(context.new_page(), base, request.getfixturevalue("axe_source"), persona)


def test_lettres_pages_for_an_anonymous_reader(
    live_server: Any, lettres: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    walk = _walk(request, live_server.url, "lettres")
    matinale, edition, reader = lettres["matinale"], lettres["edition"], lettres["reader"]
    walk.visit("inscription", "/lettres/")
    walk.visit("archive", f"/lettres/{matinale.slug}/")
    walk.visit_email("edition", f"/lettres/{matinale.slug}/{edition.pk}/")
    walk.visit("lien-invalide", "/lettres/confirmer/forged/", status=400)
    walk.visit("desinscription-invalide", "/lettres/desinscription/forged/", status=400)
    page = walk.page
    # Sign up from /lettres/ (one address per width: the per-address limit).
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/lettres/")
        page.get_by_label("Adresse e-mail").fill(f"nouvelle-{width}@example.ma")
        page.get_by_role("checkbox").check()
        page.get_by_role("button", name="Je m’inscris").click()
        page.wait_for_load_state()
        assert "Vérifiez votre boîte de réception" in page.locator("h1").inner_text()
        walk.after_post("inscrite", width)
    # The confirmation link: a page with a button, then the confirmed page.
    pending = Subscriber.objects.get(email="nouvelle-1366@example.ma")
    token = tokens.confirm_token(subscriber_id=pending.pk, email=pending.email)
    walk.visit("confirmer", f"/lettres/confirmer/{token}/")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + f"/lettres/confirmer/{token}/")
        page.get_by_role("button", name="Confirmer mon inscription").click()
        page.wait_for_load_state()
        walk.after_post("confirmee", width)
    assert Subscription.objects.filter(subscriber=pending, status="confirmed").exists()
    # Unsubscribe: the link's page, then the answer.
    unsubscribe = tokens.unsubscribe_token(
        subscriber_id=reader.pk, email=reader.email, newsletter_id=matinale.pk
    )
    walk.visit("desinscription", f"/lettres/desinscription/{unsubscribe}/")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + f"/lettres/desinscription/{unsubscribe}/")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    walk.after_post("desinscrite", 390)
    assert (
        Subscription.objects.get(subscriber=reader, newsletter=matinale).status
        == Subscription.Status.UNSUBSCRIBED
    )
    walk.assert_clean()


def test_mes_lettres_signed_in(
    live_server: Any, lettres: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    walk = _walk(request, live_server.url, "lettres-inscrit")
    walk.log_in("inscrit@example.com")
    walk.visit("mes-lettres", "/lettres/")
    page = walk.page
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + "/lettres/")
    page.get_by_role("checkbox", name="La Matinale").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().startswith("Choix enregistré")
    walk.after_post("mes-lettres-enregistre", 390)
    walk.assert_clean()
