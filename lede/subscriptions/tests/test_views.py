"""Reader-facing pages: offers, checkout, "Mon abonnement", receipts, gifts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lede.payments.models import Order
from lede.subscriptions.models import Offer, Plan
from lede.subscriptions.selectors import current_launch_offer, forget_launch_offer, price_text
from lede.subscriptions.testing import make_coupon, make_reader, subscribe


def test_offers_list_launch_first_with_constant_queries(
    client: Client, catalogue: dict[str, Any]
) -> None:
    response = client.get("/abonnement/offres/?next=/enquetes/article/")
    assert response.status_code == 200
    html = price_text(response.content.decode())
    assert html.index('data-offer="lancement"') < html.index('data-offer="mensuel"')
    assert "60 DH" in html and "1 mois" in html and "600 DH" in html
    assert "next=%2Fenquetes%2Farticle%2F" in html
    with CaptureQueriesContext(connection) as few:
        client.get("/abonnement/offres/")
    for i in range(5):
        plan = Plan.objects.create(name=f"P{i}", slug=f"p{i}", price_minor=1000 * (i + 1))
        Offer.objects.create(plan=plan, slug=f"o{i}", headline=f"Offre {i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/abonnement/offres/")
    assert response.content.decode().count("data-offer=") == 8
    assert len(many) == len(few)


def test_unsafe_next_is_dropped(client: Client, catalogue: dict[str, Any]) -> None:
    for bad in ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]:
        html = client.get("/abonnement/offres/", {"next": bad}).content.decode()
        assert "evil.example" not in html and "javascript:" not in html
        assert 'href="/abonnement/commande/lancement/"' in html


def test_unknown_or_expired_offer_is_a_french_404(
    client: Client, catalogue: dict[str, Any]
) -> None:
    response = client.get("/abonnement/commande/nope/")
    assert response.status_code == 404
    assert "n’est plus disponible" in response.content.decode().replace("&#x27;", "'")
    Offer.objects.filter(slug="lancement").update(ends_at=timezone.now())
    assert client.get("/abonnement/commande/lancement/").status_code == 404


def test_anonymous_checkout_offers_the_code_road_and_login_inline(
    client: Client, catalogue: dict[str, Any]
) -> None:
    response = client.get("/abonnement/commande/lancement/?next=/a/")
    html = response.content.decode()
    assert 'action="/compte/signup/"' in html and 'name="email"' in html
    assert 'name="password1"' not in html and 'name="login"' in html
    assert 'value="/abonnement/commande/lancement/?next=%2Fa%2F"' in html
    post = client.post("/abonnement/commande/lancement/", {"provider": "sandbox"})
    assert post.status_code == 302 and post["Location"].startswith("/compte/login/")


def test_checkout_links_the_terms_of_sale_page(
    reader_client: Client, catalogue: dict[str, Any]
) -> None:
    from lede.core.models import LegalPage
    from lede.core.testing import factories as f

    url = "/abonnement/commande/lancement/"
    assert "conditions-generales" not in reader_client.get(url).content.decode()
    terms = LegalPage(
        title="Conditions générales de vente",
        slug="cgv-du-quotidien",
        kind=LegalPage.Kind.TERMS_OF_SALE,
        body="<p>Article 1 : objet du contrat.</p>",
    )
    f.home_page().add_child(instance=terms)
    terms.save_revision().publish()  # as an editor does: the footer links follow
    html = reader_client.get(url).content.decode()
    assert f'<a href="{terms.url}">conditions générales de vente</a>' in html


def test_checkout_form_errors(reader_client: Client, catalogue: dict[str, Any]) -> None:
    url = "/abonnement/commande/lancement/"
    bad_provider = reader_client.post(url, {"provider": "paypal", "action": "pay"})
    assert bad_provider.status_code == 400
    assert "moyen de paiement" in bad_provider.content.decode()
    make_coupon("VIEUX", percent_off=10, expires_at=timezone.now())
    expired = reader_client.post(url, {"provider": "sandbox", "coupon": "vieux", "action": "pay"})
    assert expired.status_code == 400
    assert "a expiré" in expired.content.decode()
    make_coupon("DIX", percent_off=10)
    applied = reader_client.post(url, {"provider": "sandbox", "coupon": "dix", "action": "apply"})
    assert applied.status_code == 200
    assert "54\u00a0DH" in applied.content.decode()
    assert not Order.objects.exists()


def test_free_order_skips_the_gateway(
    reader_client: Client, reader: Any, catalogue: dict[str, Any]
) -> None:
    make_coupon("OFFERT", percent_off=100)
    response = reader_client.post(
        "/abonnement/commande/lancement/?next=/a/",
        {"provider": "sandbox", "coupon": "offert", "action": "pay"},
    )
    assert response.status_code == 303
    assert reader_client.get(response["Location"])["Location"] == "/a/"
    assert reader.subscriptions.get().status == "active"


def test_subscribed_reader_is_sent_to_the_account_page(
    reader_client: Client, reader: Any, catalogue: dict[str, Any]
) -> None:
    subscribe(reader, catalogue["launch"])
    response = reader_client.get("/abonnement/commande/annuel/")
    assert response.status_code == 302 and response["Location"] == "/abonnement/"


def test_account_page_cancel_resume_change(
    reader_client: Client, reader: Any, catalogue: dict[str, Any]
) -> None:
    subscription = subscribe(reader, catalogue["launch"])
    html = price_text(reader_client.get("/abonnement/").content.decode())
    assert "Prochain renouvellement le" in html and "70 DH" in html
    assert "L’offre de lancement" in html  # the offer's name, typeset
    confirm = reader_client.get("/abonnement/resilier/")
    assert "Confirmer la résiliation" in confirm.content.decode()
    reader_client.post("/abonnement/resilier/")
    html = reader_client.get("/abonnement/").content.decode()
    assert "prendra fin le" in html and "Reprendre mon abonnement" in html
    reader_client.post("/abonnement/reprendre/")
    subscription.refresh_from_db()
    assert not subscription.cancel_at_period_end
    reader_client.post("/abonnement/changer/", {"plan": catalogue["yearly"].pk})
    subscription.refresh_from_db()
    assert subscription.next_plan == catalogue["yearly"]
    html = price_text(reader_client.get("/abonnement/").content.decode())
    assert "600 DH" in html and "Changement de formule prévu" in html
    for plan in ["999999", "abc", ""]:
        bad = reader_client.post("/abonnement/changer/", {"plan": plan})
        assert bad.status_code == 400
        assert "n’existe pas" in bad.content.decode()
    assert reader_client.get("/abonnement/reprendre/").status_code == 405


def test_account_page_without_subscription(
    reader_client: Client, catalogue: dict[str, Any]
) -> None:
    html = reader_client.get("/abonnement/").content.decode()
    assert "pas d’abonnement" in html
    assert reader_client.get("/abonnement/resilier/").status_code == 404
    assert reader_client.post("/abonnement/reprendre/").status_code == 404


def test_account_needs_login(client: Client, db: Any) -> None:
    response = client.get("/abonnement/")
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


def test_receipts_are_private(
    client: Client, reader_client: Client, reader: Any, catalogue: dict[str, Any]
) -> None:
    subscribe(reader, catalogue["launch"])
    number = reader.invoices.get().number
    response = reader_client.get(f"/abonnement/recus/{number}.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="recu-{number}.pdf"'
    client.force_login(make_reader("autre@example.com"))
    assert client.get(f"/abonnement/recus/{number}.pdf").status_code == 404
    assert client.get("/abonnement/recus/LQ-0000-000000.pdf").status_code == 404


def test_gift_pages(reader_client: Client, reader: Any, catalogue: dict[str, Any]) -> None:
    page = reader_client.get("/abonnement/cadeau/")
    assert "210" in price_text(page.content.decode())  # 3 months × 70 DH
    token = "t" * 24
    data = {
        "months": "3",
        "recipient_email": "ami@example.com",
        "provider": "sandbox",
        "token": token,
    }
    first = reader_client.post("/abonnement/cadeau/", data)
    second = reader_client.post("/abonnement/cadeau/", data)
    assert first.status_code == second.status_code == 303
    assert Order.objects.filter(kind="gift").count() == 1
    bad = reader_client.post("/abonnement/cadeau/", {**data, "months": "7"})
    assert bad.status_code == 400
    redeem = reader_client.post("/abonnement/cadeau/utiliser/", {"code": "XXXX-YYYY-ZZZZ"})
    assert redeem.status_code == 400
    assert "n’existe pas" in redeem.content.decode()


def test_group_page_refuses_free_mail(reader_client: Client, catalogue: dict[str, Any]) -> None:
    response = reader_client.post(
        "/abonnement/licence-groupe/",
        {
            "organisation_name": "Moi",
            "email_domains": "gmail.com",
            "seats": "3",
            "plan": catalogue["yearly"].pk,
            "provider": "sandbox",
        },
    )
    assert response.status_code == 400
    assert "Domaine refusé" in response.content.decode()


def test_launch_offer_for_the_paywall(catalogue: dict[str, Any], settings: Any) -> None:
    forget_launch_offer()
    offer = current_launch_offer()
    assert price_text(offer["price"]) == "60 DH"
    assert price_text(offer["period"]) == "1 mois"
    assert offer["headline"] == "L'offre de lancement"
    Offer.objects.filter(featured=True).update(active=False)
    forget_launch_offer()
    settings.LEDE_LAUNCH_OFFER_PRICE = "50 DH"
    assert current_launch_offer()["price"] == "50 DH"


@pytest.mark.parametrize("path", ["/abonnement/offres/", "/abonnement/commande/lancement/"])
def test_pages_never_500_on_odd_input(client: Client, catalogue: dict[str, Any], path: str) -> None:
    for query in ["?next=" + "a" * 2000, "?next=%00", "?next=javascript:alert(1)"]:
        assert client.get(path + query).status_code == 200


def test_offers_page_is_a_pricing_page(client: Client, catalogue: dict[str, Any]) -> None:
    html = client.get("/offres/").content.decode()
    text = price_text(html)
    yearly = text[text.index('data-offer="annuel"') :]
    yearly = yearly[: yearly.index("</li>\n")]
    # price first, the period after it and smaller
    assert (
        '<span class="pricing__amount">600 DH</span> <span class="pricing__period">/ an</span>'
        in (yearly)
    )
    # the saving comes from the integer prices: 12 x 70 DH - 600 DH = 240 DH, 28 %
    assert "240 DH d" in yearly and "(28 %)" in yearly
    assert "soit 50 DH par mois" in yearly
    assert "À la une" not in html
    assert 'class="included"' in html


def test_offers_page_does_not_ask_readers_with_access_to_subscribe(
    client: Client, reader_client: Client, reader: Any, catalogue: dict[str, Any], settings: Any
) -> None:
    from datetime import timedelta

    from lede.paywall.models import AccessGrant

    settings.LEDE_BASE_URL = "http://quotidien.example:8123"
    anonymous = client.get("/abonnement/offres/?next=/a/").content.decode()
    assert "<h1>Abonnez-vous</h1>" in anonymous and "déjà accès" not in anonymous
    # The canonical address is the site's, without the query string.
    assert '<link rel="canonical" href="http://quotidien.example:8123/abonnement/offres/">' in (
        anonymous
    )
    # A complimentary access (no subscription of their own) is access too.
    AccessGrant.objects.create(user=reader, starts_at=timezone.now() - timedelta(days=1))
    html = reader_client.get("/abonnement/offres/").content.decode()
    assert "<h1>Nos offres</h1>" in html and "Abonnez-vous</h1>" not in html
    assert "Vous avez déjà accès au journal." in html
