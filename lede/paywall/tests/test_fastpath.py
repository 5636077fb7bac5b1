"""The short road to an article (lede/paywall/fastpath.py): it must answer
exactly as the normal road would, with almost no database work, and give way
whenever its cached facts may be stale."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lede.accounts.models import User
from lede.core.testing.accounts import (
    change_password_through_site,
    login_through_site,
    session_keys,
    signup_through_site,
    submit_form,
    verify_email_through_site,
)
from lede.paywall import fastpath, meter
from lede.paywall.models import AccessGrant, MeterRead, Organisation

from .conftest import secret

pytestmark = pytest.mark.django_db


PASSWORD = "pw-lecteur-2026"
NEW_PASSWORD = "Nouveau-Souk-2027!"


def _reader(email: str = "lecteur@example.com", **extra: Any) -> User:
    user = User.objects.create_user(email, PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def _grant(user: User, days: int = 30) -> AccessGrant:
    return AccessGrant.objects.create(
        user=user,
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=days),
    )


# The roads a reader signs in by, through the site's own forms: those that
# log in an existing reader, and those that also create or verify something.
ROADS = ("password", "password_remembered", "code", "password_changed")
OTHER_ROADS = ("email_verified", "email_changed", "signed_up", "signed_up_verified")


def _sign_in_by(
    client: Client,
    road: str,
    email: str = "lecteur@example.com",
    *,
    days: int | None = None,
    next_url: str | None = None,
) -> User:
    """Sign a reader in by ``road`` through the site's forms, coming from
    ``next_url`` as from the paywall's "Se connecter" link (the reader is
    created first unless the road is a sign-up, and is a subscriber for
    ``days`` days unless None); return the reader."""
    if road.startswith("signed_up"):
        signup_through_site(client, email, NEW_PASSWORD, next_url=next_url)
        user = User.objects.get(email=email)
        if days is not None:
            _grant(user, days=days)
        verified = EmailAddress.objects.filter(email=email, verified=True).exists()
        if road == "signed_up_verified" and not verified:  # a code already proved it
            verify_email_through_site(client, email)
        return user
    user = _reader(email)
    if days is not None:
        _grant(user, days=days)
    if road == "email_verified":
        EmailAddress.objects.filter(user=user).update(verified=False)
    if road == "code":
        login_through_site(client, email, code=True, next_url=next_url)
    else:
        remember = road == "password_remembered"
        login_through_site(client, email, PASSWORD, remember=remember, next_url=next_url)
    if road == "password_changed":
        change_password_through_site(client, PASSWORD, NEW_PASSWORD)
    elif road == "email_verified":
        verify_email_through_site(client, email)
    elif road == "email_changed":
        assert client.post("/compte/email/", {"email": "neuve@example.com", "action_add": ""})
        verify_email_through_site(client, "neuve@example.com")
    return user


def _signed_in(
    client: Client,
    paywalled: dict[str, Any],
    *,
    days: int | None = 30,
    road: str = "password",
    email: str = "lecteur@example.com",
) -> tuple[User, str]:
    """The one helper for a signed-in reader who taught the fast road: a
    reader (a subscriber for ``days`` days unless None) signed in through
    the site's own forms by ``road`` from the subscribers-only article's
    "Se connecter" link, then back on the article (the normal road, which
    teaches the fast one, answers the first visits)."""
    url = paywalled["articles"]["subscribers"].url
    Client().get(url)  # the snapshot and the locked variant
    user = _sign_in_by(client, road, email, days=days, next_url=url)
    _get(client, url)
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
    assert second["Vary"] == first["Vary"] and "Cookie" in second["Vary"]


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
        from lede.subscriptions.services.ledger import grant_end

        grant.source = "subscription:test"
        grant.save()

        class _Sub:
            grant_source = "subscription:test"
            user_id = user.pk

        grant_end(_Sub(), timezone.now())  # type: ignore[arg-type]
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

    from lede.core.caching.keys import reader_profile_key

    profile = cache.get(reader_profile_key(user.pk))
    profile["is_active"] = False  # as the post_save receiver's rebuild would say
    cache.set(reader_profile_key(user.pk), profile)
    response, html = _get(client, url)
    assert _road(response) == "normal"
    assert secret("subscribers", 1) not in html


def test_staff_never_take_the_fast_road(client: Client, paywalled: dict[str, Any]) -> None:
    User.objects.create_superuser("chef@example.com", PASSWORD)
    login_through_site(client, "chef@example.com", PASSWORD)
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
    user = _sign_in_by(client, "password")
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


def _step_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the fast road lets every request through: what the
    normal road answers to the same request."""
    monkeypatch.setattr(
        fastpath.ArticleFastPathMiddleware, "_eligible", staticmethod(lambda request: False)
    )


def test_a_waiting_flash_message_neither_shows_on_nor_slows_an_article(
    client: Client, paywalled: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back on the article from the paywall's "Se connecter", the reader's
    browser holds "Connexion réussie" in the messages cookie. Article pages
    do not show messages, so the normal road leaves the cookie alone, and the
    fast road may ignore it. If article pages ever show messages, this
    fails: the fast road must then give way to a messages cookie."""
    _user, url = _signed_in(client, paywalled)
    assert client.cookies["messages"].value  # still waiting after two visits
    fast, html = _get(client, url)
    assert _road(fast) == "fast" and fast["X-Lede-Access"] == "subscriber"
    _step_aside(monkeypatch)
    normal, normal_html = _get(client, url)
    assert _road(normal) == "normal"
    assert "messages" not in normal.cookies  # neither shown nor consumed
    assert normal_html == html
    account = client.get("/compte/").content.decode()
    assert account.count('<p class="account-message') == 1  # shown there, once


# --- What a real log-in leaves in the session -------------------------------
#
# The fast road accepts only the session keys it knows to be harmless for an
# article (fastpath.PLAIN_SESSION_KEYS). These tests sign readers in through
# the site's own forms, as browsers do, so that a library upgrade adding a
# key to the session fails here, naming the key, instead of silently sending
# every signed-in reader the slow road.

HEADERS_COMPARED = (
    "Content-Type",
    "Content-Language",
    "Cache-Control",
    "Vary",
    "X-Frame-Options",
    "X-Lede-Access",
    "X-Lede-Variant",
)


def _unknown_keys(client: Client) -> set[str]:
    return session_keys(client) - fastpath.PLAIN_SESSION_KEYS - fastpath.EMPTIED_SESSION_KEYS


NEW_KEY_HINT = (
    "a log-in through the site left session keys the fast road does not know: decide "
    "whether an article page may ignore each (then list it in fastpath.PLAIN_SESSION_KEYS "
    "with the reason) or must take the normal road (then leave it out)"
)


@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db", CACHED_DB])
@pytest.mark.parametrize("road", ROADS + OTHER_ROADS)
def test_every_sign_in_road_takes_the_fast_road_and_answers_as_the_normal_one(
    client: Client,
    paywalled: dict[str, Any],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    road: str,
    engine: str,
) -> None:
    settings.SESSION_ENGINE = engine
    _user, url = _signed_in(client, paywalled, road=road)
    assert not _unknown_keys(client), (NEW_KEY_HINT, road, sorted(_unknown_keys(client)))
    fast, html = _get(client, url)
    assert _road(fast) == "fast", (road, sorted(session_keys(client)))
    assert fast["X-Lede-Access"] == "subscriber"
    assert secret("subscribers", 1) in html and "Mon compte" in html
    _step_aside(monkeypatch)  # the same request on the normal road
    normal, normal_html = _get(client, url)
    assert _road(normal) == "normal"
    assert html == normal_html
    for header in HEADERS_COMPARED:
        assert fast.get(header) == normal.get(header), header
    assert sorted(fast.cookies) == sorted(normal.cookies)


def test_the_fast_road_knows_exactly_the_keys_real_sign_ins_leave(db: Any) -> None:
    """Every key a road leaves is one the fast road accepts, and every key it
    accepts whatever its value is one some road really leaves (no stale
    entry). EMPTIED_SESSION_KEYS are exempt from the second check: allauth's
    own sign-up form leaves account_verified_email=None, and the site's
    sign-up by code (which shadows that form) does not."""
    seen: dict[str, set[str]] = {}
    for n, road in enumerate(ROADS + OTHER_ROADS):
        client = Client()
        _sign_in_by(client, road, f"lecteur{n}@example.com")
        seen[road] = session_keys(client)
    unknown = {
        road: sorted(keys - fastpath.PLAIN_SESSION_KEYS - fastpath.EMPTIED_SESSION_KEYS)
        for road, keys in seen.items()
    }
    assert not any(unknown.values()), (NEW_KEY_HINT, unknown)
    every = set().union(*seen.values())
    assert every - fastpath.EMPTIED_SESSION_KEYS == fastpath.PLAIN_SESSION_KEYS, seen


def test_a_log_in_waiting_for_its_code_takes_the_normal_road(
    client: Client, paywalled: dict[str, Any]
) -> None:
    url = paywalled["articles"]["subscribers"].url
    _warm(Client(), url)
    _grant(_reader())
    response = submit_form(client, "/compte/login/code/", {"email": "lecteur@example.com"})
    assert response.status_code == 302
    assert "account_login" in session_keys(client)  # the code is awaited
    response, html = _get(client, url)
    assert _road(response) == "normal"
    assert response["X-Lede-Access"] == "needs_subscription"
    assert secret("subscribers", 1) not in html


def test_a_log_in_waiting_for_its_second_factor_takes_the_normal_road(
    client: Client, paywalled: dict[str, Any]
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    url = paywalled["articles"]["subscribers"].url
    _warm(Client(), url)
    user = _reader()
    _grant(user)
    TOTP.activate(user, generate_totp_secret())
    response = submit_form(client, "/compte/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"].startswith("/compte/2fa/authenticate/")
    keys = session_keys(client)
    assert "account_login" in keys and "_auth_user_id" not in keys
    response, html = _get(client, url)
    assert _road(response) == "normal"
    assert response["X-Lede-Access"] == "needs_subscription"
    assert secret("subscribers", 1) not in html


def test_a_request_waiting_for_reauthentication_takes_the_normal_road(
    client: Client, paywalled: dict[str, Any], settings: Any
) -> None:
    _user, url = _signed_in(client, paywalled)
    assert _road(_get(client, url)[0]) == "fast"
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0  # the log-in is too old for 2FA set-up
    # The form posted: allauth keeps the request until the password is given.
    response = client.post("/compte/2fa/totp/activate/", {"code": "123456"})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert "account_reauthentication_state" in session_keys(client)
    response, _html = _get(client, url)
    assert _road(response) == "normal"
    assert response["X-Lede-Access"] == "subscriber"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("account_login", {"user_pk": "1", "state": {}}),  # a log-in half done
        ("account_reauthentication_state", {"request": {}}),  # a request stashed
        ("_password_reset_key", "x-y"),
        ("mfa.totp.secret", "JBSWY3DPEHPK3PXP"),  # an authenticator being set up
        ("_messages", "[]"),  # flash messages waiting to be shown
        ("account_verified_email", "lecteur@example.com"),  # a sign-up under way
        ("some_future_key", 1),  # what nobody has looked at yet
    ],
)
def test_session_with_more_than_a_log_in_takes_the_normal_road(
    client: Client, paywalled: dict[str, Any], key: str, value: Any
) -> None:
    _user, url = _signed_in(client, paywalled)
    session = client.session
    session[key] = value
    session.save()
    response, html = _get(client, url)
    assert _road(response) == "normal"
    assert secret("subscribers", 1) in html  # and the normal road still knows the reader


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
    from lede.core.caching import variants

    article = paywalled["more_metered"][0]
    Client().get(article.url)
    monkeypatch.setattr(variants, "get", lambda key: None)
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
    other = Client()
    subscriber = _sign_in_by(other, "password", "abonne@example.com", days=30)
    url = paywalled["articles"]["subscribers"].url
    _warm(other, url)  # the subscriber's profile is in the cache
    reader, _url = _signed_in(client, paywalled, days=None)  # not a subscriber
    fastpath.uid_hints[client.cookies["sessionid"].value] = subscriber.pk
    response, html = _get(client, url)
    assert response["X-Lede-Access"] != "subscriber"
    assert secret("subscribers", 1) not in html
    assert fastpath.uid_hints[client.cookies["sessionid"].value] == reader.pk
