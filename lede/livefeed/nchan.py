"""Publishing the live feed to nchan, nginx's pub/sub module, in front of Lede.

With ``LEDE_LIVEFEED_BACKEND = "nchan"`` (production, docs/livefeed.md) the
readers' streams are held by nginx (deploy/nginx/lede.conf), not by the
application: one channel per edition (``lede-fr``, ``lede-ar``), the same bytes
for every reader. So what Lede publishes there is what *any* reader may see:
the locked variant of a reserved dispatch (headline, time, section, the
"réservé" badge), never its body; a signed-in reader's page fetches the full
text through the paywall (``livefeed:dispatch``).

* :func:`publish_events` runs on commit in whichever process made the change
  (an editor's request, the wire worker): it renders each event's public frame
  once, appends it to a short log in Redis (the last ``LEDE_NCHAN_REPLAY`` per
  edition) and POSTs it to every front (``LEDE_NCHAN_PUBLISH_URLS``). nchan
  numbers the messages and replays them itself to a browser reconnecting with
  ``Last-Event-ID``: no request reaches the application.
* :func:`refill` republishes that log to a front that lost its messages (nginx
  restarted: nchan's store is in shared memory): ``manage.py
  livefeed_nchan_refill``, run after nginx starts. Readers reconnecting with an
  older id then get the log again and skip the events they have (each frame
  carries its feed event id), so nothing published before or during the
  restart is missed, and no reader costs a database query.

Nothing here raises into the caller: a front that is down is logged, and the
refill after its restart brings it up to date.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings

from lede.core import process_state

from . import events
from .events import Payload
from .models import Edition, FeedEvent

logger = logging.getLogger(__name__)

TIMEOUT = 2.0
HELLO = {"id": 0, "event": "hello", "data": '{"event":0}'}
_local_lock = threading.RLock()
_http: Any = None
_redis: Any = None


def enabled() -> bool:
    return settings.LEDE_LIVEFEED_BACKEND == "nchan" and bool(publish_urls())


def publish_urls() -> list[str]:
    raw = str(settings.LEDE_NCHAN_PUBLISH_URLS or "")
    return [url.strip().rstrip("/") + "/" for url in raw.split(",") if url.strip()]


def channel_id(language: str) -> str:
    """nchan's channel of an edition (deploy/nginx/lede.conf maps the URLs)."""
    return f"lede-{language}"


def log_key(language: str) -> str:
    return f"{settings.LEDE_SSE_CHANNEL}:nchan:{language}"


def complete_key(language: str) -> str:
    """Set (no expiry) while the edition's log in Redis holds its last frames.

    Its absence means Redis lost the log (restarted without persistence,
    flushed) or never had it: the log is rebuilt from the database at the next
    publication or refill, and a refill meanwhile takes the database's frames
    (fast_refill.py gives way to the management command). An edition with no
    dispatch yet has the marker and no log."""
    return f"{log_key(language)}:complete"


def replay_size() -> int:
    return max(1, int(settings.LEDE_NCHAN_REPLAY))


# --- clients -----------------------------------------------------------------------


def _pool() -> Any:
    global _http
    if _http is None:
        import urllib3

        _http = urllib3.PoolManager(
            num_pools=4,
            maxsize=4,
            retries=False,
            timeout=urllib3.Timeout(connect=TIMEOUT, read=TIMEOUT),
        )
    return _http


def _redis_client() -> Any:
    global _redis
    url = str(settings.REDIS_URL or "")
    if not url:
        return None
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _redis


def forget_clients() -> None:
    """Drop the pooled connections (a forked process makes its own)."""
    global _http, _redis
    if _http is not None:
        with contextlib.suppress(Exception):
            _http.clear()
    if _redis is not None:
        with contextlib.suppress(Exception):
            _redis.close()
    _http = _redis = None


process_state.register("lede.livefeed.nchan.clients", forget_clients)


@contextlib.contextmanager
def _ordered(language: str) -> Iterator[None]:
    """One publisher at a time per edition (across processes when Redis is
    there): a refill and a new event never interleave on a front."""
    client = _redis_client()
    if client is None:
        with _local_lock:
            yield
        return
    lock = client.lock(f"{log_key(language)}:lock", timeout=30, blocking_timeout=10)
    acquired = False
    try:
        acquired = bool(lock.acquire())
    except Exception:  # Redis down: publish anyway, unordered
        logger.warning("livefeed: nchan publish lock unavailable", exc_info=True)
    try:
        yield
    finally:
        if acquired:
            with contextlib.suppress(Exception):
                lock.release()


# --- publishing --------------------------------------------------------------------


def _post(base: str, language: str, event: str, data: bytes, *, refill: bool = False) -> bool:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-EventSource-Event": event,
        "Accept": "application/json",
    }
    if refill:
        headers["X-Lede-Refill"] = "1"  # let in by a front that is not ready yet
    try:
        response = _pool().request("POST", base + channel_id(language), body=data, headers=headers)
    except Exception:  # a front down: logged, refilled at its start
        logger.warning("livefeed: nchan front %s unreachable", base, exc_info=True)
        return False
    if response.status not in (200, 201, 202):
        logger.warning("livefeed: nchan front %s answered %s", base, response.status)
        return False
    return True


def _record(language: str, entry: dict[str, Any]) -> None:
    """Append a published frame to the edition's log (the edition's lock is
    held). A log Redis lost is rebuilt from the database first, whose last
    frames include this one (published on commit)."""
    client = _redis_client()
    if client is None:
        return
    key = log_key(language)
    try:
        if not client.exists(complete_key(language)):
            _store_log(client, language, _database_entries(language))
            return
        pipe = client.pipeline()
        pipe.rpush(key, json.dumps(entry, ensure_ascii=False))
        pipe.ltrim(key, -replay_size(), -1)
        pipe.execute()
    except Exception:  # the refill falls back on the database
        logger.warning("livefeed: could not keep the nchan replay log", exc_info=True)


def _store_log(client: Any, language: str, entries: list[dict[str, Any]]) -> None:
    """Replace the edition's log with ``entries`` and mark it complete."""
    key = log_key(language)
    pipe = client.pipeline(transaction=True)
    pipe.delete(key)
    if entries:
        pipe.rpush(key, *[json.dumps(entry, ensure_ascii=False) for entry in entries])
        pipe.ltrim(key, -replay_size(), -1)
    pipe.set(complete_key(language), "1")
    pipe.execute()


def _entry(payload: Payload) -> dict[str, Any]:
    return {"id": payload.id, "event": payload.event, "data": payload.public_data.decode()}


def publish_payloads(payloads: Iterable[Payload]) -> int:
    """Record and send the public frame of each payload; returns the frames
    every front accepted."""
    sent = 0
    bases = publish_urls()
    for payload in payloads:
        if payload.blog_id is not None or not payload.event:
            continue  # live blogs stay on the application's stream
        entry = _entry(payload)
        with _ordered(payload.language):
            _record(payload.language, entry)
            data = payload.public_data
            ok = [_post(base, payload.language, payload.event, data) for base in bases]
        sent += all(ok)
    return sent


def publish_events(event_ids: Iterable[int]) -> int:
    """On commit: the dispatch events ``event_ids`` to the fronts. Never raises."""
    ids = [int(i) for i in event_ids]
    if not ids or not enabled():
        return 0
    try:
        rows = list(FeedEvent.objects.filter(pk__in=ids, dispatch__isnull=False).order_by("id"))
        return publish_payloads(events.build_payloads(rows))
    except Exception:  # the event is committed; the refill resends it
        logger.warning("livefeed: could not publish to nchan", exc_info=True)
        return 0


# --- refilling a restarted front ---------------------------------------------------------


def _channel_messages(base: str, language: str) -> int | None:
    """Messages the front holds for the edition (0 when it has none), None if
    it cannot be asked."""
    try:
        response = _pool().request(
            "GET",
            base + channel_id(language),
            headers={"Accept": "application/json", "X-Lede-Refill": "1"},
        )
    except Exception:  # noqa: BLE001 - a front not up yet: not refilled now
        return None
    if response.status == 404:
        return 0
    if response.status != 200:
        return None
    try:
        return int(json.loads(response.data)["messages"])
    except (ValueError, KeyError, TypeError):
        return None


def _database_entries(language: str) -> list[dict[str, Any]]:
    """The edition's last public frames from the database, oldest first."""
    rows = list(
        FeedEvent.objects.filter(dispatch__language=language, dispatch__isnull=False).order_by(
            "-id"
        )[: replay_size()]
    )
    payloads = events.build_payloads(sorted(rows, key=lambda e: e.pk))
    return [_entry(p) for p in payloads if p.event]


def recent_entries(language: str) -> list[dict[str, Any]]:
    """The edition's last public frames, oldest first: from Redis while its log
    there is complete, else from the database, once (and the log in Redis is
    rebuilt from them; the caller holds the edition's lock)."""
    client = _redis_client()
    if client is not None:
        try:
            complete, raw = (
                client.pipeline(transaction=False)
                .exists(complete_key(language))
                .lrange(log_key(language), -replay_size(), -1)
                .execute()
            )
            if complete:
                return [json.loads(item) for item in raw]
        except Exception:
            logger.warning("livefeed: nchan replay log unreadable", exc_info=True)
            client = None
    try:
        entries = _database_entries(language)
    finally:
        events.release_connection()
    if client is not None:
        try:
            _store_log(client, language, entries)
        except Exception:
            logger.warning("livefeed: could not rebuild the nchan replay log", exc_info=True)
    return entries


def refill(
    *,
    force: bool = False,
    fronts: list[str] | None = None,
    ready: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Republish the recent frames of each edition to the fronts (``fronts``,
    default all) that hold none of them, or to all with ``force``. Returns
    frames sent per edition.

    After a front's start (``ready`` given): the front answers publishers 503
    until it is ready, except this refill (``X-Lede-Refill``). Every edition's
    lock is held from reading the log to calling ``ready`` (which opens the
    front), so an event committed meanwhile is either in the log read here or
    published after, in order."""
    sent: dict[str, int] = {}
    with contextlib.ExitStack() as locks:
        for language in Edition.values:
            locks.enter_context(_ordered(language))
        for language in Edition.values:
            entries: list[dict[str, Any]] | None = None
            for base in fronts or publish_urls():
                held = _channel_messages(base, language)
                if held is None or (held and not force):
                    continue
                if entries is None:
                    # Never leave a channel empty: nchan handles a reader
                    # asking an empty channel for its last messages badly
                    # (its issue #534). A "hello" event no page listens to.
                    entries = recent_entries(language) or [HELLO]
                for entry in entries:
                    data = entry["data"].encode()
                    if _post(base, language, entry["event"], data, refill=True):
                        sent[language] = sent.get(language, 0) + 1
        if ready is not None:
            ready()
    return sent
