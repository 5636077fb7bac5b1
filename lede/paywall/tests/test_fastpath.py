"""The short road to an article (lede/paywall/fastpath.py): it must answer
exactly as the normal road would, with almost no database work, and give way
whenever its cached facts may be stale."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
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


def _grant(user: User, days: int = 30) -> AccessGrant:
    return AccessGrant.objects.create(
        user=user,
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=days),
    )


def _signed_in(
    client: Client, paywalled: dict[str, Any], *, days: int | None = 30
) -> tuple[User, str]:
    """A signed-in reader (a subscriber for ``days`` days unless None) whose
    first visit of the subscribers-only article taught the fast road."""
    user = _reader()
    if days is not None:
        _grant(user, days=days)
    client.force_login(user)
    url = paywalled["articles"]["subscribers"].url
    _warm(client, url)
    return user, url


def _get(client: Client, url: str, **extra: Any) -> tuple[Any, str]:
    response = client.get(url, **extra)
    assert response.status_code == 200, response.status_code
    return response, response.content.decode()


def _road(response: Any) -> str:
    return str(response.get("X-Lede-Road", "normal"))


def _warm(client: Client, url: str, **extra: Any) -> None:
    """The first request takes the normal road and teaches the fast one."""
    response, _html = _get(client, url, **extra)
    assert _road(response) == "normal"


def test_anonymous_second_request_takes_the_fast_road_without_sql(
    client: Client, paywalled: dict[str, Any]
) -> None:
    url = paywalled["articles"]["subscribers"].url
    first = client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        second, html = _get(client, url)
    assert _road(first) == "normal" and _road(second) == "fast"
    assert len(ctx) == 0, [q["sql"] for q in ctx]
    assert second["X-Lede-Access"] == "needs_subscription"
    assert secret("subscribers", 1) not in html
    assert html == first.content.decode()
    for header in ("Cache-Control", "X-Lede-Variant", "X-Frame-Options", "Content-Language"):
        assert second[header] == first[header], header
    assert "Cookie" in second["Vary"]


CACHED_DB = "django.contrib.sessions.backends.cached_db"


@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db", CACHED_DB])
def test_subscriber_fast_road_reads_only_the_session(
    client: Client, paywalled: dict[str, Any], settings: Any, engine: str
) -> None:
    settings.SESSION_ENGINE = engine
    _user, url = _signed_in(client, paywalled)
    with CaptureQueriesContext(connection) as ctx:
        response, html = _get(client, url)
    assert _road(response) == "fast"
    assert response["X-Lede-Access"] == "subscriber"
    assert secret("subscribers", 1) in html and "Mon compte" in html
    assert response["Cache-Control"] == "private, no-store"
    # The database session backend of the test settings costs one query;
    # the cached_db backend of production none (read with the other keys).
    assert len(ctx) == (0 if engine == CACHED_DB else 1), [q["sql"] for q in ctx]


def test_cached_session_missing_from_the_cache_is_read_from_the_database(
    client: Client, paywalled: dict[str, Any], settings: Any
) -> None:
    from django.core.cache import cache

    settings.SESSION_ENGINE = CACHED_DB
    _user, url = _signed_in(client, paywalled)
    cache.delete("django.contrib.sessions.cached_db" + client.cookies["sessionid"].value)
    response, html = _get(client, url)
    assert _road(response) == "fast"
    assert response["X-Lede-Access"] == "subscriber"
    assert secret("subscribers", 1) in html


@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db", CACHED_DB])
def test_logged_out_session_is_anonymous_on_the_fast_road(
    client: Client, paywalled: dict[str, Any], settings: Any, engine: str
) -> None:
    settings.SESSION_ENGINE = engine
    _user, url = _signed_in(client, paywalled)
    stolen = client.cookies["sessionid"].value
    client.logout()
    client.cookies["sessionid"] = stolen  # replayed after log-out
    response, html = _get(client, url)
    assert response["X-Lede-Access"] == "needs_subscription"
    assert secret("subscribers", 1) not in html and "Mon compte" not in html


@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db", CACHED_DB])
def test_log_out_from_an_article_on_the_fast_road(
    paywalled: dict[str, Any], settings: Any, engine: str
) -> None:
    """The header links to the log-out confirmation page (its form carries
    the CSRF token), so the article itself holds nothing personal."""
    import re

    settings.SESSION_ENGINE = engine
    client = Client(enforce_csrf_checks=True)
    _user, url = _signed_in(client, paywalled, days=None)
    response, html = _get(client, url)
    assert _road(response) == "fast"
    assert "csrfmiddlewaretoken" not in html and "Set-Cookie" not in str(response.serialize())
    assert '<a href="/compte/logout/">Se déconnecter</a>' in html
    confirm = client.get("/compte/logout/")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm.content.decode())
    assert match, "no CSRF token on the confirmation page"
    assert client.post("/compte/logout/").status_code == 403  # no token, no log-out
    logout = client.post("/compte/logout/", {"csrfmiddlewaretoken": match.group(1)})
    assert logout.status_code in (302, 303)
    response, html = _get(client, url)
    assert "Mon compte" not in html and "Se connecter" in html


@pytest.mark.parametrize("how", ["delete", "expire", "end_subscription"])
def test_losing_the_grant_locks_at_once(
    client: Client, paywalled: dict[str, Any], how: str
) -> None:
    user, url = _signed_in(client, paywalled)
    grant = AccessGrant.objects.get(user=user)
    assert _get(client, url)[0]["X-Lede-Variant"] == "full"
    if how == "delete":
        grant.delete()
    elif how == "expire":
        grant.ends_at = timezone.now() - timedelta(seconds=1)
        grant.save()
    else:  # the subscriptions app ends grants with a queryset update (no signal)
        from lede.subscriptions.services import _end_grant

        grant.source = "subscription:test"
        grant.save()

        class _Sub:
            grant_source = "subscription:test"
            user_id = user.pk

        _end_grant(_Sub(), timezone.now())  # type: ignore[arg-type]
    response, html = _get(client, url)
    assert response["X-Lede-Variant"] == "locked", how
    assert secret("subscribers", 1) not in html


def test_grant_ending_while_cached_locks_without_any_signal(
    client: Client, paywalled: dict[str, Any]
) -> None:
    """The cached profile keeps the grant's dates; the decision checks them."""
    from unittest import mock

    _user, url = _signed_in(client, paywalled, days=1)
    Client().get(url)  # the locked variant too: the fast road only serves cached ones
    later = timezone.now() + timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response, html = _get(client, url)
    assert _road(response) == "fast"
    assert response["X-Lede-Variant"] == "locked"
    assert secret("subscribers", 1) not in html


def test_password_change_ends_the_session_on_the_fast_road(
    client: Client, paywalled: dict[str, Any]
) -> None:
    user, url = _signed_in(client, paywalled)
    user.set_password("un-tout-autre-mot-2026")
    user.save()
    response, html = _get(client, url)
    assert response["X-Lede-Access"] == "needs_subscription"
    assert secret("subscribers", 1) not in html


def test_deactivated_reader_is_not_served_from_cache(
    client: Client, paywalled: dict[str, Any]
) -> None:
    user, url = _signed_in(client, paywalled)
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal on purpose
    from django.core.cache import cache

    from lede.paywall.selectors import reader_profile_key

    profile = cache.get(reader_profile_key(user.pk))
    profile["is_active"] = False  # as the post_save receiver's rebuild would say
    cache.set(reader_profile_key(user.pk), profile)
    response, html = _get(client, url)
    assert _road(response) == "normal"
    assert secret("subscribers", 1) not in html


def test_staff_never_take_the_fast_road(client: Client, paywalled: dict[str, Any]) -> None:
    client.force_login(User.objects.create_superuser("chef@example.com", "pw-chef-2026-x"))
    url = paywalled["articles"]["subscribers"].url
    for _ in range(3):
        response, _html = _get(client, url)
        assert _road(response) == "normal"
        assert response["X-Lede-Access"] == "staff"


def test_becoming_staff_through_a_group_is_seen(client: Client, paywalled: dict[str, Any]) -> None:
    from django.contrib.auth.models import Group, Permission

    user, url = _signed_in(client, paywalled, days=None)
    assert _get(client, url)[0]["X-Lede-Access"] == "needs_subscription"
    group = Group.objects.create(name="Rédaction test")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    response, _html = _get(client, url)
    assert response["X-Lede-Access"] == "staff"


def test_publishing_a_new_revision_or_level_is_seen_at_once(
    client: Client, paywalled: dict[str, Any]
) -> None:
    from lede.editorial.models import ArticlePage

    article = paywalled["articles"]["public"]
    _warm(client, article.url)
    assert _road(_get(client, article.url)[0]) == "fast"
    page = ArticlePage.objects.get(pk=article.pk)
    page.title = "Titre corrigé"
    page.access_level = "subscribers"
    page.save_revision().publish()
    response, html = _get(client, page.url)
    assert "Titre corrigé" in html
    assert response["X-Lede-Variant"] == "locked"
    assert secret("public", 1) not in html


def test_section_default_level_change_is_seen(client: Client, paywalled: dict[str, Any]) -> None:
    from lede.core.testing import factories as f
    from lede.editorial.models import SectionPage

    section = f.make_section("Opinions")
    article = f.make_article(
        section,
        "Sans niveau propre",
        body=[("paragraph", "<p>Début.</p>"), ("paragraph", f"<p>{secret('section', 1)}</p>")],
    )
    _warm(client, article.url)
    assert secret("section", 1) in _get(client, article.url)[1]
    page = SectionPage.objects.get(pk=section.pk)
    page.default_access_level = "subscribers"
    page.save_revision().publish()
    response, html = _get(client, article.url)
    assert response["X-Lede-Variant"] == "locked"
    assert secret("section", 1) not in html


def test_unpublished_article_is_gone_from_the_fast_road(
    client: Client, paywalled: dict[str, Any]
) -> None:
    from lede.editorial.models import ArticlePage

    article = paywalled["articles"]["public"]
    _warm(client, article.url)
    ArticlePage.objects.get(pk=article.pk).unpublish()
    assert client.get(article.url).status_code == 404


def test_anonymous_meter_on_the_fast_road(client: Client, paywalled: dict[str, Any]) -> None:
    first, second, third = paywalled["more_metered"][:3]
    # Teach the fast road all three URLs with another reader.
    for article in (first, second, third):
        Client().get(article.url)
    response, html = _get(client, first.url)
    assert _road(response) == "fast" and response["X-Lede-Access"] == "metered"
    assert meter.COOKIE_NAME in response.cookies
    assert response["Cache-Control"] == "private, no-store"
    response, _html = _get(client, second.url)
    assert response["X-Lede-Access"] == "metered"
    response, html = _get(client, third.url)
    assert response["X-Lede-Access"] == "meter_exhausted"
    assert secret("subscribers", 1) not in html
    response, html = _get(client, first.url)
    assert response["X-Lede-Access"] == "metered_reread"
    assert secret("subscribers", 1) in html


def test_registered_meter_on_the_fast_road_counts_once(
    client: Client, paywalled: dict[str, Any]
) -> None:
    user = _reader()
    client.force_login(user)
    article = paywalled["articles"]["metered"]
    Client().get(article.url)  # snapshot and variants
    response, _html = _get(client, article.url)
    assert response["X-Lede-Access"] == "metered"
    _get(client, article.url)  # the profile is now cached: fast road
    with CaptureQueriesContext(connection) as ctx:
        response, html = _get(client, article.url)
    assert _road(response) == "fast"
    assert response["X-Lede-Access"] == "metered_reread"
    assert secret("subscribers", 1) in html
    assert len(ctx) <= 1, [q["sql"] for q in ctx]
    assert MeterRead.objects.filter(user=user).count() == 1


def test_group_licence_by_ip_on_the_fast_road(client: Client, paywalled: dict[str, Any]) -> None:
    org = Organisation(name="Ministère", starts_at=timezone.now() - timedelta(days=1))
    org.ip_ranges = "196.200.0.0/16"
    org.full_clean()
    org.save()
    url = paywalled["articles"]["subscribers"].url
    _warm(client, url)
    Client().get(url, REMOTE_ADDR="196.200.14.3")  # the full variant too
    response, html = _get(client, url, REMOTE_ADDR="196.200.14.3")
    assert _road(response) == "fast" and response["X-Lede-Access"] == "group"
    assert response["Cache-Control"] == "private, no-store"
    response, html = _get(client, url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="196.200.1.1")
    assert response["X-Lede-Access"] == "needs_subscription"
    assert secret("subscribers", 1) not in html


@pytest.mark.parametrize(
    "extra",
    [
        {"QUERY_STRING": "utm_source=x"},
        {"HTTP_COOKIE": "messages=abc"},
        {"HTTP_HOST": "pirate.example"},
    ],
)
def test_unusual_requests_take_the_normal_road(
    client: Client, paywalled: dict[str, Any], extra: dict[str, Any]
) -> None:
    url = paywalled["articles"]["subscribers"].url
    _warm(client, url)
    response = client.get(url, **extra)
    assert _road(response) == "normal"
    assert secret("subscribers", 1) not in response.content.decode()


def test_session_with_more_than_a_log_in_takes_the_normal_road(
    client: Client, paywalled: dict[str, Any]
) -> None:
    _user, url = _signed_in(client, paywalled, days=None)
    session = client.session
    session["account_login_state"] = {"pending": True}
    session.save()
    assert _road(_get(client, url)[0]) == "normal"


@pytest.mark.parametrize("cookie", ["forged-session-key-123", "", "x" * 300, "../../etc"])
def test_forged_session_cookie_is_anonymous_on_the_fast_road(
    client: Client, paywalled: dict[str, Any], cookie: str
) -> None:
    url = paywalled["articles"]["subscribers"].url
    _warm(client, url)
    client.cookies["sessionid"] = cookie
    response, html = _get(client, url)
    assert response["X-Lede-Access"] == "needs_subscription"
    assert secret("subscribers", 1) not in html


def test_variant_cache_off_means_no_fast_road(
    client: Client, paywalled: dict[str, Any], settings: Any
) -> None:
    settings.LEDE_VARIANT_CACHE_ENABLED = False
    url = paywalled["articles"]["subscribers"].url
    for _ in range(2):
        assert _road(_get(client, url)[0]) == "normal"


def test_missing_variant_gives_way_without_counting(
    client: Client, paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A variant evicted from the cache: the fast road steps aside before
    counting anything, and the normal road counts the read once."""
    from lede.paywall import serving

    article = paywalled["more_metered"][0]
    Client().get(article.url)
    monkeypatch.setattr(serving, "cached_variant", lambda key: None)
    response, html = _get(client, article.url)
    assert _road(response) == "normal"
    assert response["X-Lede-Access"] == "metered"
    assert "Il vous reste 1 article gratuit ce mois-ci." in html


def _count_cache_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from lede.paywall import fastpath

    calls: list[str] = []
    real = fastpath.cache

    class Counting:
        def __getattr__(self, name: str) -> Any:
            if name in ("get", "get_many"):
                calls.append(name)
            return getattr(real, name)

    monkeypatch.setattr(fastpath, "cache", Counting())
    return calls


def test_subscriber_profile_comes_with_the_session_in_one_round_trip(
    client: Client, paywalled: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SESSION_ENGINE = CACHED_DB
    _user, url = _signed_in(client, paywalled)
    _get(client, url)  # the fast road learns whose session it is
    calls = _count_cache_calls(monkeypatch)
    response, html = _get(client, url)
    assert _road(response) == "fast" and response["X-Lede-Access"] == "subscriber"
    assert secret("subscribers", 1) in html
    assert calls == ["get_many"]  # session, profile and page: one round trip


def test_a_wrong_session_hint_never_lends_another_readers_profile(
    client: Client, paywalled: dict[str, Any], settings: Any
) -> None:
    """The hint only chooses which profile to fetch early: the session says
    who is reading, and a hint naming someone else costs a second read."""
    from lede.paywall import fastpath

    settings.SESSION_ENGINE = CACHED_DB
    subscriber = _reader("abonne@example.com")
    _grant(subscriber)
    other = Client()
    other.force_login(subscriber)
    url = paywalled["articles"]["subscribers"].url
    _warm(other, url)  # the subscriber's profile is in the cache
    reader, _url = _signed_in(client, paywalled, days=None)  # not a subscriber
    fastpath.uid_hints[client.cookies["sessionid"].value] = subscriber.pk
    response, html = _get(client, url)
    assert response["X-Lede-Access"] != "subscriber"
    assert secret("subscribers", 1) not in html
    assert fastpath.uid_hints[client.cookies["sessionid"].value] == reader.pk
