"""The reader's face (issue 13, "Done when"): every reader-facing page type at
1366, 390 and 320 px, as an anonymous reader and as a registered reader, a
subscriber, a group-licence reader and a complimentary reader (each logged in
through the site's own log-in form), in Debian's Chromium.

On every page: the site header spans the viewport, nothing overflows
horizontally, axe-core finds no violation; readers with access are never told
to subscribe; every article has an ``og:image``. Screenshots go to
``var/e2e-screens/`` (not committed) for a human to look at.

axe-core comes from the npm registry (tests/e2e/package.json, installed by
``npm ci`` in .ci/run); without node_modules the test is skipped with the
command to run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from lede.core.testing import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = HERE.parent.parent / "var" / "e2e-screens"
WIDTHS = (1366, 390, 320)
PASSWORD = "Kasbah-Lune-2026!"
TOLD_TO_SUBSCRIBE = ("S'abonner", "S’abonner", "Découvrir les offres")

# axe rules whose violations sit in the visual design (colours, type) that the
# design-system work of issue 13 replaces: listed, with where they come from,
# so that they are removed here when that work lands. Nothing else is excused.
PENDING_AXE_RULES: dict[str, str] = {}


# Facts of the issue that other parts of issue 13 make true (listed in the
# merge report): each is checked as soon as its entry is removed here.
@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed: run `npm ci` in {HERE}")
    return AXE.read_text()


@pytest.fixture
def site(publication: dict[str, Any], settings: Any) -> dict[str, Any]:
    """The small test publication, plus what the walk needs: locked and
    registered-level articles, offers, an organisation and four readers."""
    from allauth.account.models import EmailAddress

    from lede.accounts.models import User
    from lede.paywall.models import AccessGrant, Organisation
    from lede.search.services import search_rebuild_index
    from lede.subscriptions.testing import apply_test_settings, catalogue, subscribe

    apply_test_settings(settings)
    offers = catalogue()
    now = timezone.now()
    body = [
        ("paragraph", "<p>Le premier paragraphe reste ouvert à tous les lecteurs.</p>"),
        ("paragraph", "<p>La suite détaille les chiffres du rapport annuel.</p>"),
    ]
    locked = f.make_article(
        publication["monde"],
        "Les coulisses d'un accord commercial",
        standfirst="Ce que les négociateurs ont obtenu, et ce qu'ils ont cédé.",
        access_level="subscribers",
        lead_image=publication["image"],
        authors=[publication["amina"]],
        published_at=now - timedelta(hours=1),
        body=body,
        tags="commerce",
    )
    registered = f.make_article(
        publication["eco"],
        "Le guide des nouvelles aides au logement",
        standfirst="Qui peut en bénéficier, et comment les demander.",
        access_level="registered",
        lead_image=publication["image"],
        published_at=now - timedelta(hours=3),
        body=body,
    )
    Organisation.objects.create(
        name="Université du Littoral", email_domains="univ.example", starts_at=now
    )

    def reader(email: str) -> Any:
        user = User.objects.create_user(email, PASSWORD)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    reader("inscrit@example.com")
    subscribe(reader("abonne@example.com"), offers["monthly_offer"])
    reader("etudiante@univ.example")
    AccessGrant.objects.create(
        user=reader("offert@example.com"), starts_at=now, ends_at=now + timedelta(days=365)
    )
    search_rebuild_index()
    return {**publication, "locked": locked, "registered": registered, "offers": offers}


@pytest.fixture
def browser_context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
    yield context
    context.close()


class Walk:
    """Visits pages at each width and collects every failed fact, so one run
    reports them all."""

    def __init__(self, page: Any, base: str, axe: str, persona: str) -> None:
        self.page, self.base, self.axe, self.persona = page, base, axe, persona
        self.failures: list[str] = []

    def visit(
        self,
        name: str,
        path: str,
        *,
        article: bool = False,
        status: int = 200,
        lead_image: bool = True,
    ) -> None:
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            response = self.page.goto(self.base + path, wait_until="load")
            where = f"{self.persona} {name} ({path}) at {width}px"
            if response is None or response.status != status:
                got = response.status if response else "no response"
                self.failures.append(f"{where}: status {got}, expected {status}")
                continue
            self.check(where, article=article, lead_image=lead_image)
            SCREENS.mkdir(parents=True, exist_ok=True)
            shot = SCREENS / f"{self.persona}-{name}-{width}.png"
            self.page.screenshot(path=str(shot), full_page=True)

    def check(self, where: str, *, article: bool, lead_image: bool = True) -> None:
        page = self.page
        facts = page.evaluate(
            """() => {
              const header = document.querySelector('header.site-header');
              const box = header ? header.getBoundingClientRect() : null;
              return {
                header: box ? [box.left, box.right] : null,
                viewport: document.documentElement.clientWidth,
                inner: window.innerWidth,
                scroll: document.scrollingElement.scrollWidth,
              };
            }"""
        )
        if facts["header"] is None:
            self.failures.append(f"{where}: no site header")
        else:
            left, right = facts["header"]
            if left > 0.5 or right < facts["viewport"] - 0.5:
                self.failures.append(
                    f"{where}: header spans {left:.0f}–{right:.0f}, not 0–{facts['viewport']}"
                )
        if facts["scroll"] > facts["inner"]:
            self.failures.append(
                f"{where}: horizontal overflow ({facts['scroll']} > {facts['inner']})"
            )
        if article and not page.locator('meta[property="og:image"]').count():
            self.failures.append(f"{where}: article without og:image")
        page.add_script_tag(content=self.axe)
        result = page.evaluate(
            """async () => {
              const r = await axe.run(document, {resultTypes: ['violations']});
              return {
                passes: r.passes.length,
                violations: r.violations.map(v => ({
                  id: v.id, impact: v.impact,
                  nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
                })),
              };
            }"""
        )
        if not result["passes"]:
            self.failures.append(f"{where}: axe-core checked nothing")
        for violation in result["violations"]:
            if violation["id"] in PENDING_AXE_RULES:
                continue
            self.failures.append(
                f"{where}: axe {violation['id']} ({violation['impact']}) on {violation['nodes']}"
            )

    def no_subscribe_prompt(self) -> None:
        text = self.page.locator("body").inner_text()
        for words in TOLD_TO_SUBSCRIBE:
            if words in text:
                self.failures.append(f"{self.persona} {self.page.url}: shows {words!r}")

    def log_in(self, email: str) -> None:
        page = self.page
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(self.base + "/compte/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
        assert "/compte/login/" not in page.url, f"{email} could not log in"

    def assert_clean(self) -> None:
        assert not self.failures, "\n".join(self.failures)


def test_anonymous_reader_pages(
    live_server: Any, browser_context: Any, axe_source: str, site: dict[str, Any]
) -> None:
    from django.urls import reverse

    walk = Walk(browser_context.new_page(), live_server.url, axe_source, "anonyme")
    lead, locked, registered = site["lead"], site["locked"], site["registered"]
    walk.visit("accueil", "/")
    walk.visit("rubrique", site["monde"].url)
    walk.visit("article-public", site["agency"].url, article=True, lead_image=False)
    walk.visit("article-abonnes", locked.url, article=True)
    walk.visit("article-inscrits", registered.url, article=True)
    walk.visit("article-image", lead.url, article=True)
    walk.visit("auteur", reverse("editorial:author", args=[site["amina"].slug]))
    walk.visit("mot-cle", reverse("editorial:tag", args=["commerce"]))
    walk.visit("recherche", reverse("search") + "?q=accord")
    walk.visit("newsroom", reverse("livefeed:newsroom"))
    walk.visit("offres", reverse("offers"))
    walk.visit("commande", reverse("subscriptions:checkout", args=["lancement"]))
    walk.visit("cadeau", reverse("subscriptions:gift_buy"))
    walk.visit("cadeau-code", reverse("subscriptions:gift_redeem"))
    walk.visit("licence-groupe", reverse("subscriptions:group"))
    walk.visit("connexion", reverse("account_login"))
    walk.visit("404", "/cette-page-n-existe-pas/", status=404)
    # The registered-level wall invites to create a free account.
    walk.page.goto(live_server.url + registered.url)
    box = walk.page.locator(".paywall")
    assert "réservée aux abonnés" not in box.inner_text()
    signup = box.get_by_role("link", name="Créer un compte gratuit").get_attribute("href")
    assert signup == reverse("account_signup") + "?next=" + registered.url
    # The 404 is the site's own French page, with its header.
    walk.page.goto(live_server.url + "/cette-page-n-existe-pas/")
    assert walk.page.locator("html").get_attribute("lang") == "fr"
    assert walk.page.locator("h1").inner_text() == "Page introuvable"
    assert walk.page.locator("header.site-header").count() == 1
    walk.assert_clean()


def test_registered_reader_checkout_steps(
    live_server: Any, browser_context: Any, axe_source: str, site: dict[str, Any]
) -> None:
    from django.urls import reverse

    walk = Walk(browser_context.new_page(), live_server.url, axe_source, "inscrit")
    walk.log_in("inscrit@example.com")
    for name, path, article in _reader_pages(site):
        walk.visit(name, path, article=article)
    walk.visit("commande", reverse("subscriptions:checkout", args=["lancement"]))
    # The next step: the test card page of the sandbox gateway.
    page = walk.page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + reverse("subscriptions:checkout", args=["lancement"]))
    page.get_by_label("Carte de test (mode test)").check()
    page.get_by_role("button", name=re.compile(r"^Payer")).click()
    page.wait_for_load_state()
    card_path = page.url.removeprefix(live_server.url)
    assert card_path.startswith("/paiement/test/"), card_path
    walk.visit("carte-de-test", card_path)
    walk.assert_clean()


def _reader_pages(site: dict[str, Any]) -> list[tuple[str, str, bool]]:
    from django.urls import reverse

    return [
        ("accueil", "/", False),
        ("article-abonnes", site["locked"].url, True),
        ("mon-compte", reverse("account_home"), False),
        ("mon-abonnement", reverse("subscriptions:account"), False),
    ]


@pytest.mark.parametrize(
    ("persona", "email", "status"),
    [
        ("abonne", "abonne@example.com", "Abonné"),
        ("licence-groupe", "etudiante@univ.example", "Accès Université du Littoral"),
        ("offert", "offert@example.com", "Abonné"),
    ],
)
def test_readers_with_access(
    live_server: Any,
    browser_context: Any,
    axe_source: str,
    site: dict[str, Any],
    persona: str,
    email: str,
    status: str,
) -> None:
    walk = Walk(browser_context.new_page(), live_server.url, axe_source, persona)
    walk.log_in(email)
    for name, path, article in _reader_pages(site):
        walk.visit(name, path, article=article)
        walk.no_subscribe_prompt()
        shown = walk.page.locator(".site-header .account-status").inner_text()
        if shown != status:
            walk.failures.append(f"{persona} {name}: header says {shown!r}, not {status!r}")
    text = walk.page.locator("main").inner_text()  # "Mon abonnement", the last page
    if "Vous n'avez pas d'abonnement" in text:
        walk.failures.append(f"{persona}: Mon abonnement says there is no subscription")
    walk.assert_clean()
