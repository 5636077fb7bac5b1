"""Every cache key Lede uses, every generation, and the register of caches.

A *generation* is a counter kept in the cache and named in other keys:
bumping it makes all those entries stale at once, without finding them.
``REGISTRY`` lists each cache (what it holds, for whom, what clears it);
docs/caching.md has one row per entry and tests/test_caching_docs.py keeps
the two in step. The key strings are those the project always used, so a
deploy does not start from a cold cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

# --- Generations ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Generation:
    """A counter in the cache. ``start`` is its value before any bump."""

    key: str
    start: int

    def current(self) -> int:
        value = cache.get(self.key)
        if value is None:
            cache.add(self.key, self.start, timeout=None)
            value = cache.get(self.key, self.start)
        return int(value)

    def bump(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # not there (evicted, or never read): past the start
            cache.set(self.key, self.start + 1, timeout=None)


#: What surrounds every article and listing (sections menu, footer links,
#: settings, the paywall box's offer).
CHROME = Generation("paywall:chrome-generation", 1)
#: URL -> article snapshots of the fast path: any page published,
#: unpublished, moved or deleted.
SNAPSHOT = Generation("paywall:snapshot-generation", 0)
#: Listing pages and their page counts: an article published, unpublished,
#: moved or deleted.
LISTING = Generation("editorial:listing-generation", 1)
#: Every reader's cached paywall profile (an organisation or a permission
#: group changed).
READER = Generation("paywall:reader-generation", 0)

# --- Article serving (lede.paywall.serving, lede.paywall.fastpath) ------------------

#: Bumped when the variants' HTML layout changes (old entries are never read).
VARIANT_VERSION = "2"
SNAPSHOT_SECONDS = 3600


def snapshot_key(host: str, path: str) -> str:
    raw = f"{host}\x00{path}".encode()
    return "paywall:snapshot:" + hashlib.sha1(raw, usedforsecurity=False).hexdigest()


def variant_key(
    *,
    article_id: int,
    revision: str,
    level: str,
    metered: bool,
    variant: str,
    host: str,
    scheme: str,
    chrome: int,
    language: str = "",
) -> str:
    """Names everything a variant's HTML depends on, so that what is stored
    under a key never changes (the edition's language too: docs/editions.md)."""
    raw = "|".join(
        [
            VARIANT_VERSION,
            str(article_id),
            revision,
            level,
            str(metered),
            variant,
            host,
            scheme,
            str(chrome),
            language,
        ]
    )
    return "paywall:variant:" + hashlib.sha256(raw.encode()).hexdigest()


#: The cookie holding an article's edge token (lede.core.caching.edge_tokens),
#: one per article (its ``Path``); deploy/varnish/lede.vcl reads it by this name.
EDGE_TOKEN_COOKIE = "lede_edge"  # noqa: S105 - a cookie name


def edge_token_message(
    *,
    version: str,
    expires: int,
    variant: str,
    kind: str,
    host: str,
    path: str,
    session_sha256: str,
) -> str:
    """What an edge token signs, field by field as deploy/varnish/lede.vcl
    builds it again: the article (host without port, and the full path, the
    edition's prefix such as ``/ar/`` included), the variant and kind of reader its shared copy
    is keyed on at the edge, the expiry, and the session it belongs to."""
    return "|".join([version, str(expires), variant, kind, host, path, session_sha256])


def edge_variant_scope(variant: str, kind: str) -> str:
    """What the edge adds to an article URL's hash for the copy a token
    unlocks (``vcl_hash``): one copy per variant and kind of reader, the
    language coming from ``Vary: Accept-Language`` as for anonymous copies."""
    return f"{variant}:{kind}"


def route_key(url_path: str) -> str:
    """editorial.routing's hint: a URL path -> the live article's id (0: none)."""
    return "editorial:route:" + hashlib.sha1(url_path.encode(), usedforsecurity=False).hexdigest()


ROUTE_SECONDS = 300

# --- The reader (lede.paywall.selectors) --------------------------------------------

#: v2: entries carry the organisation's name (the header shows it).
ORGANISATIONS_KEY = "paywall:organisations:v2"
ORGANISATIONS_SECONDS = 300
READER_PROFILE_SECONDS = 300


def reader_profile_key(user_id: int) -> str:
    # v2: group entitlements carry their organisation's id.
    return f"paywall:reader:v2:{user_id}"


def meter_reads_key(user_id: int, month: str) -> str:
    return f"paywall:meter-reads:{user_id}:{month}"


METER_READS_SECONDS = 3600


def anonymous_meter_key(meter_id: str, month: str) -> str:
    return f"paywall:meter:{meter_id}:{month}"


def section_ids_key(paths: tuple[str, ...]) -> str:
    return "paywall:section-ids:" + ",".join(paths)


SECTION_IDS_SECONDS = 600

# --- Listings (lede.core.caching.listings) ------------------------------------------


def listing_digest(*, host: str, scheme: str, path: str, page: int, language: str) -> str:
    raw = "|".join([host, scheme, path, str(page), language])
    return hashlib.sha256(raw.encode()).hexdigest()


def listing_key(listing: int, chrome: int, digest: str) -> str:
    return f"editorial:listing-html:{listing}:{chrome}:{digest}"


def listing_latest_key(chrome: int, digest: str) -> str:
    """The last copy of a listing whatever the listing generation: served
    while another request renders the new one."""
    return f"editorial:listing-latest:{chrome}:{digest}"


def listing_lock_key(listing_key_: str) -> str:
    return listing_key_ + ":rendering"


def count_key(listing: int, name: str) -> str:
    return f"editorial:count:{listing}:{name}"


COUNT_SECONDS = 600

# --- Site parts -------------------------------------------------------------------

#: The footer's information links (lede.core.selectors.legal_links).
LEGAL_LINKS_KEY = "core:legal-links"
#: The paywall box's offer (lede.subscriptions.selectors.current_launch_offer).
LAUNCH_OFFER_KEY = "subscriptions:launch-offer:v1"
LAUNCH_OFFER_SECONDS = 60


def legal_links_key(language: str) -> str:
    """The footer's links of one edition (its legal pages, docs/editions.md)."""
    return f"{LEGAL_LINKS_KEY}:{language}"


def launch_offer_key(language: str) -> str:
    """The paywall box's offer in one edition's words (price, period, headline)."""
    return f"{LAUNCH_OFFER_KEY}:{language}"


def in_every_language(key_for: Callable[[str], str]) -> list[str]:
    """One key per edition: what a change clears."""
    return [key_for(code) for code, _name in settings.LANGUAGES]


#: The publisher's machine-readable rights (lede.syndication.rights): in the
#: shared cache, and for a few seconds in each process.
RIGHTS_KEY = "syndication:rights:v1"
RIGHTS_SECONDS = 300
RIGHTS_LOCAL_SECONDS = 10.0

# --- Infrastructure -----------------------------------------------------------------

#: The task worker's last heartbeat (lede.core.queue; /readyz reads it).
WORKER_HEARTBEAT_KEY = "lede:queue:worker-heartbeat"
#: /readyz writes and reads it back to prove the cache answers.
READYZ_PROBE_KEY = "readyz"
READYZ_PROBE_SECONDS = 10
TASK_REQUEST_ID_SECONDS = 2 * 24 * 3600


def task_request_id_key(task_id: str) -> str:
    """The request id a task was enqueued under (lede.core.observability.task_context)."""
    return f"lede:task-request-id:{task_id}"


# --- Counters of the newsletters and the content API ----------------------------------


def mailgun_token_key(token: str) -> str:
    """A Mailgun webhook token already seen (lede.newsletters.bounces: replays refused)."""
    return f"newsletters:mailgun-token:{token}"


def newsletter_signup_ip_key(ip: object) -> str:
    """Sign-ups from one network address this hour (lede.newsletters.views)."""
    return f"newsletters:signup:ip:{ip}"


def newsletter_signup_address_key(address_hash: str) -> str:
    """Sign-ups for one e-mail address (hashed) this hour (lede.newsletters.views)."""
    return f"newsletters:signup:addr:{address_hash}"


def api_rate_key(identity: str, minute: int) -> str:
    """A content API key's calls in one minute (lede.syndication.selectors)."""
    return f"syndication:rate:{identity}:{minute}"


#: The content API's rendered text of one article or brève (lede.api.content):
#: the same for every caller given that part (the full text or the free
#: part). The item's version key is bumped when the agency kills the item.
API_BODY_SECONDS = 3600


def api_item_version_key(kind: str, item_id: int) -> str:
    """How many times an item was purged from the API's caches (a kill)."""
    return f"api:item-version:{kind}:{item_id}"


def api_body_key(kind: str, item_id: int, revision: object, part: str, version: int) -> str:
    return f"api:body:{kind}:{item_id}:{revision}:{part}:{version}"


# --- The register -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One cache of the project, as docs/caching.md's table describes it."""

    name: str
    key: str
    holds: str
    cleared_by: str


REGISTRY: tuple[CacheEntry, ...] = (
    CacheEntry(
        "variant",
        "paywall:variant:<sha256>",
        "an article's full or locked HTML",
        "revision or chrome generation in the key; expiry",
    ),
    CacheEntry(
        "local-variant",
        "(process memory)",
        "copies of variants",
        "expiry; LRU; process_state reset",
    ),
    CacheEntry(
        "snapshot",
        "paywall:snapshot:<sha1 host+path>",
        "URL -> article access facts",
        "snapshot generation",
    ),
    CacheEntry(
        "route",
        "editorial:route:<sha1 path>",
        "URL path -> live article id",
        "publish, unpublish, move; expiry",
    ),
    CacheEntry(
        "listing",
        "editorial:listing-html:<gen>:<chrome>:<sha256>",
        "a listing page as any anonymous reader gets it",
        "listing or chrome generation; expiry",
    ),
    CacheEntry(
        "listing-latest",
        "editorial:listing-latest:<chrome>:<sha256>",
        "the previous copy of a listing",
        "expiry; chrome generation",
    ),
    CacheEntry(
        "count",
        "editorial:count:<gen>:<name>",
        "a listing's article count",
        "listing generation; expiry",
    ),
    CacheEntry("chrome-generation", CHROME.key, "generation", "invalidate()"),
    CacheEntry("snapshot-generation", SNAPSHOT.key, "generation", "invalidate()"),
    CacheEntry("listing-generation", LISTING.key, "generation", "invalidate()"),
    CacheEntry(
        "reader-generation", READER.key, "generation", "organisations or permissions changed"
    ),
    CacheEntry(
        "reader-profile",
        "paywall:reader:v2:<user id>",
        "one reader's entitlements",
        "that reader's changes; reader generation; expiry",
    ),
    CacheEntry(
        "organisations",
        ORGANISATIONS_KEY,
        "active group licences",
        "an organisation changed; expiry",
    ),
    CacheEntry(
        "meter-reads",
        "paywall:meter-reads:<user id>:<month>",
        "articles a reader opened this month",
        "a read counted; expiry",
    ),
    CacheEntry(
        "anonymous-meter",
        "paywall:meter:<meter id>:<month>",
        "articles an anonymous meter counted",
        "expiry",
    ),
    CacheEntry("section-ids", "paywall:section-ids:<paths>", "section ids of tree paths", "expiry"),
    CacheEntry(
        "legal-links",
        LEGAL_LINKS_KEY + ":<language>",
        "the footer's information links",
        "invalidate() for a legal page",
    ),
    CacheEntry(
        "launch-offer",
        LAUNCH_OFFER_KEY + ":<language>",
        "the paywall box's offer",
        "offer or plan changed; expiry",
    ),
    CacheEntry(
        "recorded-answer",
        "(process memory)",
        "a signed-in reader's article answer per kind of request",
        "expiry (5 s); LRU; two differing builds; process_state reset",
    ),
    CacheEntry(
        "account-nav",
        "(process memory)",
        "the header's links per kind of reader",
        "process_state reset",
    ),
    CacheEntry(
        "worker-heartbeat", WORKER_HEARTBEAT_KEY, "the task worker's last beat", "the next beat"
    ),
    CacheEntry("readyz-probe", READYZ_PROBE_KEY, "a probe value", "expiry"),
    CacheEntry(
        "task-request-id", "lede:task-request-id:<task id>", "a task's request id", "expiry"
    ),
    CacheEntry("mailgun-token", "newsletters:mailgun-token:<token>", "a seen token", "expiry"),
    CacheEntry(
        "newsletter-signup-throttle",
        "newsletters:signup:ip:<ip> / newsletters:signup:addr:<sha256>",
        "sign-ups per address and hour",
        "expiry",
    ),
    CacheEntry("api-rate", "syndication:rate:<key>:<minute>", "API calls per minute", "expiry"),
    CacheEntry(
        "edge-variant",
        "(Varnish) <host, URL> + " + edge_variant_scope("full", "<kind>"),
        "an article's full variant for one kind of reader, at the edge",
        "PURGE/BAN of the URL (a publish); expiry (60 s)",
    ),
    CacheEntry(
        "api-body",
        "api:body:<kind>:<id>:<revision>:<part>:<item version>",
        "an article's or brève's text as the API gives it (full or free part)",
        "ITEM_KILLED (item version); a new revision; expiry",
    ),
    CacheEntry(
        "api-item-version",
        "api:item-version:<kind>:<id>",
        "how many times an item was purged from the API's caches",
        "ITEM_KILLED bumps it",
    ),
    CacheEntry("rights", RIGHTS_KEY, "TDMRep and AI-crawler settings", "SETTINGS_CHANGED"),
    CacheEntry("local-rights", RIGHTS_KEY, "as rights, in one process", "SETTINGS_CHANGED; 10 s"),
)
