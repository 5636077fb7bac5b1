"""The paywall on real requests: variants, meter, entitlements, headers, cache."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lede.accounts.models import User
from lede.paywall import meter
from lede.paywall.models import AccessGrant, MeterRead, Organisation

from .conftest import secret

pytestmark = pytest.mark.django_db


def _reader(email: str = "lecteur@example.com") -> User:
    return User.objects.create_user(email, "pw-lecteur-2026")


def _subscriber(email: str = "abonne@example.com") -> User:
    user = _reader(email)
    AccessGrant.objects.create(
        user=user,
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=30),
    )
    return user


def _get(client: Client, article: Any, **extra: Any) -> tuple[Any, str]:
    response = client.get(article.url, **extra)
    assert response.status_code == 200
    return response, response.content.decode()


def test_public_article_is_full_for_anyone(client: Client, paywalled: dict[str, Any]) -> None:
    response, html = _get(client, paywalled["articles"]["public"])
    assert secret("public", 1) in html
    assert response["X-Lede-Variant"] == "full"
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in response["Vary"]


def test_subscribers_article_is_locked_for_anonymous(
    client: Client, paywalled: dict[str, Any]
) -> None:
    article = paywalled["articles"]["subscribers"]
    response, html = _get(client, article)
    assert response["X-Lede-Variant"] == "locked"
    assert response["X-Lede-Access"] == "needs_subscription"
    assert secret("subscribers", 1) not in html
    assert "Premier paragraphe public subscribers." in html
    assert "Découvrez l’offre de lancement" in html
    assert "60 DH" in html and "1 mois" in html
    assert "Découvrir les offres" in html and "/offres/" in html
    assert "Se connecter" in html
    assert "Légende publique" in html and "PHOTOGRAPHE / AFP" in html


def test_registered_article(client: Client, paywalled: dict[str, Any]) -> None:
    article = paywalled["articles"]["registered"]
    response, html = _get(client, article)
    assert response["X-Lede-Access"] == "needs_account"
    assert secret("registered", 1) not in html
    client.force_login(_reader())
    response, html = _get(client, article)
    assert response["X-Lede-Access"] == "registered"
    assert secret("registered", 1) in html
    assert response["Cache-Control"] == "private, no-store"


def test_subscriber_reads_everything(client: Client, paywalled: dict[str, Any]) -> None:
    client.force_login(_subscriber())
    for article in paywalled["articles"].values():
        response, html = _get(client, article)
        assert response["X-Lede-Variant"] == "full"
    response, html = _get(client, paywalled["articles"]["subscribers"])
    assert response["X-Lede-Access"] == "subscriber"
    assert secret("subscribers", 2) in html
    assert response["Cache-Control"] == "private, no-store"
    assert "Mon compte" in html


def test_expired_grant_does_not_unlock(client: Client, paywalled: dict[str, Any]) -> None:
    user = _reader()
    AccessGrant.objects.create(
        user=user,
        starts_at=timezone.now() - timedelta(days=60),
        ends_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(user)
    response, _html = _get(client, paywalled["articles"]["subscribers"])
    assert response["X-Lede-Variant"] == "locked"


def test_staff_reads_everything(client: Client, paywalled: dict[str, Any]) -> None:
    client.force_login(User.objects.create_superuser("chef@example.com", "pw-chef-2026-x"))
    response, html = _get(client, paywalled["articles"]["subscribers"])
    assert response["X-Lede-Access"] == "staff"
    assert secret("subscribers", 1) in html


def test_anonymous_meter_counts_and_exhausts(client: Client, paywalled: dict[str, Any]) -> None:
    first, second, third = paywalled["more_metered"][:3]
    response, html = _get(client, first)
    assert response["X-Lede-Access"] == "metered"
    assert "Il vous reste 1 article gratuit ce mois-ci." in html
    assert response["Cache-Control"] == "private, no-store"
    response, html = _get(client, second)
    assert response["X-Lede-Access"] == "metered"
    assert "C’était votre dernier article gratuit ce mois-ci." in html
    response, html = _get(client, third)
    assert response["X-Lede-Access"] == "meter_exhausted"
    assert secret("subscribers", 1) not in html
    # Re-reading an article already counted costs nothing.
    response, html = _get(client, first)
    assert response["X-Lede-Access"] == "metered_reread"
    assert secret("subscribers", 1) in html


def test_server_side_counter_survives_a_replayed_cookie(
    client: Client, paywalled: dict[str, Any]
) -> None:
    first, second, third = paywalled["more_metered"][:3]
    _get(client, first)
    old_cookie = client.cookies[meter.COOKIE_NAME].value
    _get(client, second)
    client.cookies[meter.COOKIE_NAME] = old_cookie  # replay the cookie with one read
    response, _html = _get(client, third)
    assert response["X-Lede-Access"] == "meter_exhausted"


@pytest.mark.parametrize("cookie", ["garbage", "a:b:c", "", "x" * 5000, "eyJpZCI6IjEifQ:1:bad"])
def test_tampered_meter_cookie_is_a_fresh_reader(
    client: Client, paywalled: dict[str, Any], cookie: str
) -> None:
    client.cookies[meter.COOKIE_NAME] = cookie
    response, _html = _get(client, paywalled["more_metered"][0])
    assert response["X-Lede-Access"] == "metered"


def test_registered_meter_in_database(client: Client, paywalled: dict[str, Any]) -> None:
    user = _reader()
    client.force_login(user)
    for article in paywalled["more_metered"]:
        response, _html = _get(client, article)
        assert response["X-Lede-Access"] == "metered"
    _get(client, paywalled["more_metered"][0])
    assert MeterRead.objects.filter(user=user).count() == 5


def test_forged_session_cookie_is_anonymous(client: Client, paywalled: dict[str, Any]) -> None:
    client.cookies["sessionid"] = "forged-session-key-123"
    response, html = _get(client, paywalled["articles"]["subscribers"])
    assert response["X-Lede-Access"] == "needs_subscription"
    assert secret("subscribers", 1) not in html


def _org(**kwargs: Any) -> Organisation:
    org = Organisation(name="Ministère", starts_at=timezone.now() - timedelta(days=1), **kwargs)
    org.full_clean()
    org.save()
    return org


def test_group_licence_by_ip_range(client: Client, paywalled: dict[str, Any]) -> None:
    _org(ip_ranges="196.200.0.0/16\n2001:db8::/32")
    article = paywalled["articles"]["subscribers"]
    response, html = _get(client, article, REMOTE_ADDR="196.200.14.3")
    assert response["X-Lede-Access"] == "group"
    assert secret("subscribers", 1) in html
    assert response["Cache-Control"] == "private, no-store"
    response, _html = _get(client, article, REMOTE_ADDR="2001:db8::42")
    assert response["X-Lede-Access"] == "group"
    response, _html = _get(client, article, REMOTE_ADDR="10.0.0.1")
    assert response["X-Lede-Access"] == "needs_subscription"


def test_forwarded_for_is_ignored_from_untrusted_peer(
    client: Client, paywalled: dict[str, Any], settings: Any
) -> None:
    _org(ip_ranges="196.200.0.0/16")
    article = paywalled["articles"]["subscribers"]
    spoof = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "196.200.14.3"}
    response, _html = _get(client, article, **spoof)
    assert response["X-Lede-Access"] == "needs_subscription"
    settings.LEDE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    response, _html = _get(client, article, **spoof)
    assert response["X-Lede-Access"] == "group"
    # A forged leftmost entry does not help: the proxy's view is the rightmost.
    forged = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "196.200.14.3, 8.8.8.8"}
    response, _html = _get(client, article, **forged)
    assert response["X-Lede-Access"] == "needs_subscription"


def test_group_licence_by_verified_email_domain_with_seats(
    client: Client, paywalled: dict[str, Any]
) -> None:
    from allauth.account.models import EmailAddress

    _org(email_domains="org.example.ma", seats=1)
    article = paywalled["articles"]["subscribers"]
    users = []
    for email in ("a@org.example.ma", "b@org.example.ma"):
        user = _reader(email)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        users.append(user)
    unverified = _reader("c@org.example.ma")
    client.force_login(users[0])
    assert _get(client, article)[0]["X-Lede-Access"] == "group"
    client.force_login(users[1])  # no seat left
    assert _get(client, article)[0]["X-Lede-Access"] == "needs_subscription"
    client.force_login(unverified)
    assert _get(client, article)[0]["X-Lede-Access"] == "needs_subscription"


@pytest.mark.parametrize(
    ("field", "value"),
    [("ip_ranges", "196.300.0.0/16"), ("ip_ranges", "pas une ip"), ("email_domains", "sans-point")],
)
def test_organisation_rejects_bad_input_in_french(field: str, value: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        _org(**{field: value})
    assert "invalide" in str(excinfo.value)


def test_shared_cache_never_serves_full_variant_to_the_unentitled(
    paywalled: dict[str, Any],
) -> None:
    """Readers of every kind interleaved on the same articles and one cache."""
    subscriber = _subscriber()
    registered = _reader()
    clients: dict[str, Client] = {
        "anonymous": Client(),
        "registered": Client(),
        "subscriber": Client(),
        "anonymous2": Client(),
    }
    clients["registered"].force_login(registered)
    clients["subscriber"].force_login(subscriber)
    entitled = {"subscriber"}
    article = paywalled["articles"]["subscribers"]
    for _round in range(3):
        for name in ("subscriber", "anonymous", "registered", "subscriber", "anonymous2"):
            html = clients[name].get(article.url).content.decode()
            if name in entitled:
                assert secret("subscribers", 1) in html
            else:
                assert secret("subscribers", 1) not in html
            assert ("Mon compte" in html) == (name in {"registered", "subscriber"})


def test_variants_are_cached_per_revision_and_invalidated_on_publish(
    client: Client, paywalled: dict[str, Any]
) -> None:
    from lede.editorial.models import ArticlePage

    article = paywalled["articles"]["public"]
    _get(client, article)
    with CaptureQueriesContext(connection) as warm:
        _get(client, article)
    page = ArticlePage.objects.get(pk=article.pk)
    page.title = "Titre corrigé"
    page.access_level = "subscribers"
    page.save_revision().publish()
    response, html = _get(client, page)
    assert "Titre corrigé" in html
    assert response["X-Lede-Variant"] == "locked"
    assert secret("public", 1) not in html
    assert len(warm) <= 12, [q["sql"] for q in warm]


def test_query_count_is_the_same_for_every_reader_kind(
    client: Client, paywalled: dict[str, Any]
) -> None:
    article = paywalled["articles"]["subscribers"]
    counts = {}
    subscriber = _subscriber()
    for name, user in (("anonymous", None), ("subscriber", subscriber)):
        c = Client()
        if user is not None:
            c.force_login(user)
        c.get(article.url)  # warm the variant
        with CaptureQueriesContext(connection) as ctx:
            c.get(article.url)
        counts[name] = len(ctx)
    # Anonymous: site, home, article (fast route), Wagtail's alias and view
    # restriction checks. Subscriber: + session, user, permissions, grants.
    assert counts["anonymous"] <= 5, counts
    assert counts["subscriber"] <= counts["anonymous"] + 6, counts
    cache.clear()


def _log_in(client: Client, user: User) -> None:
    """Through the site's own log-in form, as a reader does."""
    response = client.post("/compte/login/", {"login": user.email, "password": "pw-lecteur-2026"})
    assert response.status_code == 302, response.content.decode()[:400]
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_registered_meter_survives_deleted_cookies_and_a_new_log_in(
    client: Client, paywalled: dict[str, Any]
) -> None:
    """Issue 12, item 8: deleting the anonymous meter's cookie resets it (a
    documented limit), but a signed-in reader's meter lives in the database
    by user id: clearing every cookie but the session, or logging out and in
    again, in another browser, after the cache was flushed, gives nothing back."""
    from django.conf import settings

    user = _reader()
    articles = paywalled["more_metered"]
    _log_in(client, user)
    for article in articles[:4]:
        response, _html = _get(client, article)
        assert response["X-Lede-Access"] == "metered"
    # Every cookie but the session goes.
    for name in list(client.cookies):
        if name != settings.SESSION_COOKIE_NAME:
            del client.cookies[name]
    response, _html = _get(client, articles[0])
    assert response["X-Lede-Access"] == "metered_reread"
    # Log out, clear everything, log in again from a fresh browser, cache flushed.
    client.post("/compte/logout/")
    client.cookies.clear()
    cache.clear()
    other = Client()
    _log_in(other, user)
    response, _html = _get(other, articles[4])
    assert response["X-Lede-Access"] == "metered"  # the fifth and last free read
    response, _html = _get(other, paywalled["articles"]["metered"])
    assert response["X-Lede-Access"] == "meter_exhausted"
    response, _html = _get(other, articles[1])
    assert response["X-Lede-Access"] == "metered_reread"
    assert MeterRead.objects.filter(user=user).count() == 5


def test_anonymous_meter_at_zero_and_the_registration_wall(
    client: Client, paywalled: dict[str, Any], settings: Any
) -> None:
    """What deploy/README.md offers publishers against the resettable cookie:
    no free anonymous article, and articles free with an account."""
    settings.LEDE_METER_ANONYMOUS = 0
    response, html = _get(client, paywalled["articles"]["metered"])
    assert response["X-Lede-Access"] == "meter_exhausted"
    assert secret("metered", 1) not in html
    assert meter.COOKIE_NAME not in response.cookies
    response, html = _get(client, paywalled["articles"]["registered"])
    assert response["X-Lede-Access"] == "needs_account"
    assert "Créer un compte" in html
