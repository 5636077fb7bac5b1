"""Refill a restarted nchan front from Redis without starting Django.

    python -m lede.livefeed.fast_refill --front URL --ready-file PATH

The same refill as ``manage.py livefeed_nchan_refill --ready-file`` (see
:func:`lede.livefeed.nchan.refill`), for the common case: the replay log is in
Redis. It needs only ``redis`` and ``urllib3`` and the environment
(``REDIS_URL``, ``LEDE_SSE_CHANNEL``, ``LEDE_NCHAN_REPLAY``), so a front that
restarts under load opens again in a second rather than after Django's
start-up (measured: up to three minutes on a loaded 2-core machine, readers
told to come back all along). Exit status 3 when it cannot do it (no Redis,
an edition whose log Redis lost, see :func:`lede.livefeed.nchan.complete_key`):
run the management command, which falls back on the database and rebuilds the
log. Keys, lock and headers are those of :mod:`lede.livefeed.nchan`
(kept in step by lede/livefeed/tests/test_nchan.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

EDITIONS = ("fr", "ar")
NEEDS_DJANGO = 3
#: What an edition without a log gets, so that its channel is not empty.
HELLO = {"id": 0, "event": "hello", "data": '{"event":0}'}


def refill(redis_url: str, channel: str, replay: int, front: str) -> dict[str, int] | None:
    import redis
    import urllib3

    client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=2, read=2))
    logs: dict[str, list[Any]] = {}
    locks = [client.lock(f"{channel}:nchan:{lang}:lock", timeout=30, blocking_timeout=10)
             for lang in EDITIONS]  # fmt: skip
    held = [lock for lock in locks if lock.acquire()]
    try:
        for lang in EDITIONS:
            key = f"{channel}:nchan:{lang}"
            if not client.exists(f"{key}:complete"):
                # Redis lost the log (restarted empty, flushed) or never had
                # it: the database knows more (nchan.complete_key).
                return None
            raw = client.lrange(key, -replay, -1)
            logs[lang] = [json.loads(item) for item in raw] or [HELLO]
        sent: dict[str, int] = {}
        for lang, entries in logs.items():
            for entry in entries:
                response = http.request(
                    "POST",
                    front + f"lede-{lang}",
                    body=entry["data"].encode(),
                    headers={
                        "Content-Type": "application/json; charset=utf-8",
                        "X-EventSource-Event": entry["event"],
                        "Accept": "application/json",
                        "X-Lede-Refill": "1",
                    },
                )
                if response.status in (200, 201, 202):
                    sent[lang] = sent.get(lang, 0) + 1
        return sent
    finally:
        for lock in held:
            with contextlib.suppress(Exception):  # expired: nothing to release
                lock.release()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--front", required=True, help="the front's publisher URL")
    parser.add_argument("--ready-file", required=True)
    args = parser.parse_args(argv)
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        return NEEDS_DJANGO
    try:
        sent = refill(
            redis_url,
            os.environ.get("LEDE_SSE_CHANNEL", "lede:livefeed"),
            max(1, int(os.environ.get("LEDE_NCHAN_REPLAY", "50"))),
            args.front.rstrip("/") + "/",
        )
    except Exception as exc:  # noqa: BLE001 - the management command takes over
        print(f"fast refill failed: {exc!r}", file=sys.stderr)
        return NEEDS_DJANGO
    if sent is None:
        return NEEDS_DJANGO
    Path(args.ready_file).touch()
    print(f"{sum(sent.values())} message(s) republié(s) {dict(sorted(sent.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
