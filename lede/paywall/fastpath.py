"""The short road to an article page.

Most requests are for articles, and most of the work of answering one is
fixed per published revision: the paywall keeps both variants rendered in the
cache (serving.py). What is left per request is small — who is reading, what
the decision says, which personal bits go in the header — but Django's full
middleware chain, Wagtail's site and page routing and the ORM look-ups of the
reader cost several times that. This middleware answers an article request
from cached data only:

1. the URL is looked up in a snapshot written by the normal road
   (serving.serve_article) on an earlier request: article id, access level,
   metered flag, section ids, revision — dropped for every article whenever
   any page is published, unpublished, moved or deleted (a generation number);
2. the reader comes from the session (as SessionMiddleware would load it) and
   a cached paywall profile of the user (selectors.reader_profile), checked
   against the session's authentication hash exactly as django.contrib.auth
   does, so a password change or a deactivation logs the session out here too;
3. the same pure decision and the same per-request code (serving.respond)
   as the normal road produce the response;
4. the response then goes through the real ``process_response`` of every
   middleware below this one, in the order the normal road runs them
   (``ResponseHeaders``): the headers come from one source on both roads,
   and a middleware added below (a new security header) reaches fast-road
   pages too. A middleware below that only has ``__call__`` cannot be run
   for its response alone: unless it is known to add nothing to an article
   (``CALL_ONLY_NEUTRAL``), the fast path switches itself off (system check
   ``lede.paywall.E001`` says why) rather than answer without its headers.

Anything unusual goes the normal road untouched: staff, a query string, a
session holding anything but a plain log-in (a log-in in progress, messages
kept in the session), an unknown URL, a missing snapshot or variant, a host
Django refuses. The normal road then writes the snapshot for next time.

A flash message waiting in the ``messages`` cookie is not unusual: the
paywall's "Se connecter" link brings the reader back to the article with
"Connexion réussie" queued, and article pages do not show messages, so the
normal road leaves the cookie as it is too and the reader would otherwise
take the slow road on every article until they open an account page.
(tests/test_fastpath.py checks that article pages neither show nor consume
a message; one that starts showing them must give way here.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import DEFAULT_CACHE_ALIAS, cache
from django.core.exceptions import DisallowedHost, MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.deprecation import MiddlewareMixin
from django.utils.module_loading import import_string

from lede.core import process_state
from lede.core.caching import answers, keys, variants

from . import access, selectors, serving

# What a session holds after each real road in (allauth 65: password log-in,
# with or without "remember me", log-in by e-mailed code, sign-up, then a
# password change or an e-mail verification), as the tests in
# tests/test_fastpath.py enumerate them through the site's own forms. An
# allow-list, not a deny-list: a key nobody has looked at (the next allauth
# version's) sends the request the normal road, and that test fails naming
# it, so that someone decides whether it is harmless for an article.
PLAIN_SESSION_KEYS = frozenset(
    {
        # django.contrib.auth: who, through which backend, and the password
        # hash check (verified below against the cached profile).
        SESSION_KEY,
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        # "Remember me" (0: until the browser closes); the session store
        # applies it.
        "_session_expiry",
        # allauth's record of how and when the reader authenticated
        # (password, code, mfa) and whose record it is: read only by
        # reauthentication and MFA checks, never by an article page. Having
        # it does not mean signed in (allauth notes a log-in waiting for its
        # second factor may have it): SESSION_KEY says that, and such a
        # log-in holds "account_login" (below) anyway.
        "account_authentication_methods",
        "account_authentication_methods_user",
    }
)

# Keys harmless only when empty: allauth stashes an address verified during a
# sign-up here and sets it back to None once the sign-up used it, so every
# reader who signed up on the site keeps ``None`` under it.
EMPTIED_SESSION_KEYS = frozenset({"account_verified_email"})

# Not accepted, on purpose (the normal road handles them): "account_login" (a
# log-in half done: code or second factor pending), "account_reauthentication_state"
# (a request stashed until the reader proves their password again),
# "_password_reset_key" and the reset/verification-by-code states, "mfa.*"
# (an authenticator being set up), "_messages" (flash messages to show).


def plain_session(data: dict[str, Any]) -> bool:
    """True when ``data`` holds nothing but a finished log-in (or nothing)."""
    if PLAIN_SESSION_KEYS.issuperset(data):
        return True
    return all(
        key in PLAIN_SESSION_KEYS or (key in EMPTIED_SESSION_KEYS and data[key] is None)
        for key in data
    )


CACHED_SESSION_ENGINES = frozenset(
    {"django.contrib.sessions.backends.cache", "django.contrib.sessions.backends.cached_db"}
)


ANONYMOUS: tuple[bool, None] = (True, None)
UNKNOWN: tuple[bool, None] = (False, None)

# Session key -> user id, as this process last read it from a session: lets a
# signed-in reader's profile come in the same Redis round trip as the session
# (one round trip instead of two: ~0.2 ms of the ~0.65 ms a subscriber's page
# costs). Only a hint: the session read in that round trip says who the
# reader is, and a wrong or missing hint costs the second round trip. A
# session key belongs to one user for its life (Django makes a new one at
# log-in and log-out).
MAX_UID_HINTS = 20_000
uid_hints: dict[str, int] = {}
process_state.register("lede.paywall.fastpath.uid_hints", uid_hints.clear)


SELF = "lede.paywall.fastpath.ArticleFastPathMiddleware"

# Middleware written as a plain callable (no process_response) that add
# nothing to an article's 200 response, each checked by hand: allauth's only
# replaces some responses of its own pages with a redirect; StaffMFA only
# answers admin paths.
CALL_ONLY_NEUTRAL = frozenset(
    {
        "allauth.account.middleware.AccountMiddleware",
        "lede.accounts.middleware.StaffMFAMiddleware",
    }
)

ResponseStep = Callable[[HttpRequest, HttpResponse], HttpResponse]


def _no_response(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    raise AssertionError("the fast path only borrows process_response")


class ResponseHeaders:
    """The response half of the middleware below the fast path: each one's
    real ``process_response``, innermost first, as Django's handler runs
    them on the normal road."""

    def __init__(self, middleware: list[str]) -> None:
        self.steps: list[ResponseStep] = []
        #: Middleware below whose response part cannot be borrowed.
        self.unborrowable: list[str] = []
        for path in reversed(middleware):
            factory = import_string(path)
            if isinstance(factory, type) and issubclass(factory, MiddlewareMixin):
                if not hasattr(factory, "process_response"):
                    continue  # process_request (or view) only: no response part
                try:
                    instance = factory(_no_response)
                except MiddlewareNotUsed:
                    continue  # off on the normal road too
                self.steps.append(instance.process_response)  # type: ignore[attr-defined]
            elif path not in CALL_ONLY_NEUTRAL:
                self.unborrowable.append(path)

    @classmethod
    def below_fast_path(cls) -> ResponseHeaders:
        chain = list(settings.MIDDLEWARE)
        return cls(chain[chain.index(SELF) + 1 :] if SELF in chain else [])

    def apply(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        for step in self.steps:
            response = step(request, response)
        return response


@dataclass(slots=True, frozen=True)
class Plan:
    """What an answer needs from the cache (``ArticleFastPathMiddleware.plan``)."""

    host: str
    snap_key: str
    wanted: list[str]
    session_key: str | None
    session_cache_key: str | None
    hinted_uid: int | None


class ArticleFastPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.response_headers = ResponseHeaders.below_fast_path()
        if self.response_headers.unborrowable:
            # Answering without their headers would be wrong (check E001).
            raise MiddlewareNotUsed
        engine = import_string(settings.SESSION_ENGINE)
        self.session_store = engine.SessionStore
        # With sessions kept in the default cache (the production profile's
        # cached_db), a session is read with the other keys in one round trip;
        # a session missing from the cache goes through the store as usual.
        self.session_prefix: str | None = None
        if settings.SESSION_ENGINE in CACHED_SESSION_ENGINES and (
            settings.SESSION_CACHE_ALIAS == DEFAULT_CACHE_ALIAS
        ):
            self.session_prefix = str(self.session_store.cache_key_prefix)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = None
        if self._eligible(request):
            response = self.serve(request)
        if response is None:
            return self.get_response(request)
        return response

    @staticmethod
    def _eligible(request: HttpRequest) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
            and request.path_info.endswith("/")
            and variants.enabled()
        )

    def serve(self, request: HttpRequest) -> HttpResponse | None:
        plan = self.plan(request)
        if plan is None:
            return None
        return self.answer(request, plan, cache.get_many(plan.wanted))

    def plan(self, request: HttpRequest) -> Plan | None:
        """The cache keys an answer needs, read in one round trip (by
        ``serve`` here, by the event loop in front.py). ``None``: a host
        Django refuses (the normal road answers with its 400)."""
        try:
            host = request.get_host()
        except DisallowedHost:
            return None
        snap_key = keys.snapshot_key(host, request.path_info)
        wanted = [
            snap_key,
            keys.SNAPSHOT.key,
            keys.CHROME.key,
            keys.READER.key,
            keys.ORGANISATIONS_KEY,
        ]
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME) or None
        session_cache_key = None
        hinted_uid = None
        # Django ignores session keys shorter than 8 characters (anonymous).
        if session_key and len(session_key) >= 8 and self.session_prefix is not None:
            session_cache_key = self.session_prefix + session_key
            wanted.append(session_cache_key)
            hinted_uid = uid_hints.get(session_key)
            if hinted_uid is not None:
                wanted.append(keys.reader_profile_key(hinted_uid))
        return Plan(host, snap_key, wanted, session_key, session_cache_key, hinted_uid)

    def answer(
        self,
        request: HttpRequest,
        plan: Plan,
        found: dict[str, Any],
        *,
        on_loop: bool = False,
    ) -> HttpResponse | None:
        """The article for this reader from what ``plan`` fetched, or ``None``
        (the normal road answers). ``on_loop``: called on the event loop
        (front.py), where nothing may wait on the network: whatever would need
        another read (a session or profile not in ``found``, a variant not in
        this process's memory, the organisations' entry, a metered article,
        whose meter is read from the cache and counted there or in the
        database) gives way to the road through Django's handler, which reads
        it and keeps it for next time."""
        snap = found.get(plan.snap_key)
        if not isinstance(snap, serving.Snapshot):
            return None
        if snap.generation != int(found.get(keys.SNAPSHOT.key) or 0):
            return None
        chrome = found.get(keys.CHROME.key)
        if chrome is None:
            return None
        host = plan.host
        scheme = request.scheme or "http"

        session_data = found.get(plan.session_cache_key) if plan.session_cache_key else None
        known, profile = self._identify(
            plan.session_key,
            session_data if isinstance(session_data, dict) else None,
            int(found.get(keys.READER.key) or 0),
            plan.hinted_uid,
            found.get(keys.reader_profile_key(plan.hinted_uid)) if plan.hinted_uid else None,
            on_loop=on_loop,
        )
        if not known:
            return None
        if profile is not None and profile["is_staff"]:
            return None  # staff get a fresh render and the Wagtail user bar
        cached_orgs = found.get(keys.ORGANISATIONS_KEY)
        if on_loop and (cached_orgs is None or snap.article.metered):
            return None  # the organisations' or the meter's reads are still to do

        now = timezone.now()
        orgs = selectors.active_organisations(now, cached_orgs)
        reader = selectors.reader_from_profile(profile, selectors.ip_entitlements(request, orgs))

        def html_for(variant: str) -> str | None:
            key = serving.variant_cache_key(snap, host, scheme, variant, int(chrome))
            return variants.get_local(key) if on_loop else variants.get(key)

        request.metrics_view = "article"  # type: ignore[attr-defined]
        # The article's edition (a snapshot cached before editions: French).
        with translation.override(getattr(snap, "language", settings.LANGUAGE_CODE)):
            if on_loop and profile is not None:
                return self._answer_signed_in(
                    request, plan, snap, reader, profile, orgs, now, int(chrome), html_for
                )
            response = serving.respond(
                request,
                snap=snap,
                reader=reader,
                user_id=profile["user_id"] if profile is not None else None,
                now=now,
                html_for=html_for,
                account_nav=lambda: serving.account_nav_html(
                    selectors.account_state(reader, orgs, now)
                ),
                account_state=lambda: selectors.account_state(reader, orgs, now),
            )
            if response is None:
                return None
            # Content-Language, Vary: Accept-Language (the edge keys its copies
            # on the language: deploy/varnish/lede.vcl), Content-Length,
            # X-Frame-Options… from the middleware themselves.
            response = self.response_headers.apply(request, response)
        response["X-Lede-Road"] = "fast"
        return response

    def _answer_signed_in(
        self,
        request: HttpRequest,
        plan: Plan,
        snap: serving.Snapshot,
        reader: access.Reader,
        profile: dict[str, Any],
        orgs: Any,
        now: datetime,
        chrome: int,
        html_for: Callable[[str], str | None],
    ) -> HttpResponse | None:
        """``serving.respond`` for a signed-in reader on the front, with the
        answer recorded per kind of request (lede/core/caching/answers.py):
        the same decision, the same steps and headers, built once per kind
        and copied; only the reader's own edge token is added to each copy.
        A metered article never comes here (the front declines it)."""
        state = selectors.account_state(reader, orgs, now)
        reading = serving.decide(
            request, snap=snap, reader=reader, user_id=profile["user_id"], now=now
        )
        key = (
            plan.snap_key,
            snap,
            plan.host,
            request.scheme,  # is_secure() follows from it (the cookie's Secure flag)
            chrome,
            reading.decision,
            reading.variant,
            state,
        )
        response = answers.store.replay(key)
        if response is not None:
            # Told apart in the request log and the metrics.
            request.metrics_view = "article-recorded"  # type: ignore[attr-defined]
        else:
            response = serving.finish(
                request,
                reading,
                snap=snap,
                reader=reader,
                user_id=profile["user_id"],
                html_for=html_for,
                account_nav=lambda: serving.account_nav_html(state),
            )
            if response is None:
                return None
            response = self.response_headers.apply(request, response)
            response["X-Lede-Road"] = "fast"
            if not reading.decision.counts_against_meter:
                answers.store.record(key, response, builder=profile["user_id"])
        serving.give_edge_token(
            request,
            response,
            reading,
            article=snap.article,
            reader=reader,
            account_state=lambda: state,
        )
        return response

    def _identify(
        self,
        session_key: str | None,
        cached_session: dict[str, Any] | None,
        generation: int,
        hinted_uid: int | None = None,
        prefetched: Any = None,
        *,
        on_loop: bool = False,
    ) -> tuple[bool, dict[str, Any] | None]:
        """``(True, profile)`` for a signed-in reader whose cached profile is
        good, ``(True, None)`` for an anonymous reader, ``(False, None)`` when
        only the normal road can tell. ``cached_session`` is the session as
        already read from the cache, if it was there; ``prefetched``, the
        profile read with it for the user id hinted for that session
        (``hinted_uid``)."""
        if not session_key:
            return ANONYMOUS
        if cached_session is not None:
            data = cached_session
        elif on_loop:
            return UNKNOWN  # the session store would be a second read
        else:
            session = self.session_store(session_key)
            try:
                data = dict(session.items())
            except Exception:  # noqa: BLE001 - a session store error: let the normal road report it
                return UNKNOWN
        if not data:
            return ANONYMOUS  # unknown or expired session: anonymous, as Django would say
        if not plain_session(data):
            return UNKNOWN
        user_id = data.get(SESSION_KEY)
        if user_id is None:
            return ANONYMOUS
        if data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
            return UNKNOWN
        try:
            uid = int(user_id)
        except (TypeError, ValueError):
            return UNKNOWN
        if hinted_uid == uid:
            profile = prefetched  # read in the first round trip (None: not cached)
        elif on_loop:
            return UNKNOWN  # the normal road reads the profile and learns the hint
        else:
            profile = cache.get(keys.reader_profile_key(uid))
            if self.session_prefix is not None:  # hints only serve a cached session
                if len(uid_hints) >= MAX_UID_HINTS:
                    uid_hints.clear()
                uid_hints[session_key] = uid
        if not isinstance(profile, dict) or profile.get("generation") != generation:
            return UNKNOWN  # the normal road builds the profile
        if not profile["is_active"]:
            return UNKNOWN
        session_hash = data.get(HASH_SESSION_KEY)
        if not isinstance(session_hash, str) or not constant_time_compare(
            session_hash, profile["session_hash"]
        ):
            return UNKNOWN  # the normal road logs the session out (or accepts a fallback key)
        return True, profile
