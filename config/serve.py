"""Start Lede's web server: ``python -m config.serve SERVER [options] [server flags]``.

Every server command the project ships or documents goes through here:
``bin/run-demo`` (uvicorn), ``bin/stack`` and ``deploy/systemd/lede-web@.service``
(granian), the gunicorn recipe of ``deploy/README.md`` — and so do the tests
that start them (``lede/core/tests/test_serve.py``), which therefore run the
very same flags.

The rule kept here: **the server hands Django the socket peer unchanged.**
Django believes ``X-Forwarded-For`` only from the proxies named in
``LEDE_TRUSTED_PROXIES`` (``lede/core/network.py``, the one rule, which the
paywall's group licences and allauth's rate limits both ask). A server that
rewrote the client address itself would apply a second rule before that one:
uvicorn (and gunicorn's uvicorn worker) do by default, trusting
``X-Forwarded-For`` from 127.0.0.1, so any local client — or Varnish passing
a reader's header along — could choose its own address. So:

* uvicorn: ``--no-proxy-headers`` (its ``FORWARDED_ALLOW_IPS`` is then unused);
* gunicorn + ``uvicorn.workers.UvicornWorker``: ``--forwarded-allow-ips=``
  (an empty list: the worker's proxy-header middleware trusts no peer);
* granian 2.8: its command line has no proxy-header handling at all (only
  ``granian.utils.proxies`` wrappers, which Lede does not use), so the peer is
  already passed unchanged.

Behind nginx and Varnish, set ``LEDE_TRUSTED_PROXIES`` to their addresses;
nothing else. This module reads it only to refuse a value that is not a list
of addresses or networks (Django would otherwise skip a bad entry silently).

Flags after the known options go to the server as they are (e.g. granian's
``--respawn-failed-workers``). The process becomes the server (``exec``), so
its PID, signals and exit status are the server's.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Mapping, Sequence

APP = "config.asgi:application"
SERVERS = ("uvicorn", "granian", "gunicorn")


def uvicorn_argv(*, host: str, port: int, extra: Sequence[str] = ()) -> list[str]:
    """The demo's server (bin/run-demo): one process."""
    return [
        sys.executable, "-m", "uvicorn",
        "--host", host, "--port", str(port),
        "--no-proxy-headers",  # the peer as it is: Django applies LEDE_TRUSTED_PROXIES
        "--no-access-log",
        *extra,
        APP,
    ]  # fmt: skip


def granian_argv(*, host: str, port: int, workers: int = 1, extra: Sequence[str] = ()) -> list[str]:
    """The production nodes (bin/stack, lede-web@.service). HTTP/1.1 only and
    no WebSockets: a node is only ever reached by Varnish and the nginx front
    (HTTP/1.1 both) and Lede has no WebSocket (the live feed is SSE); granian's
    protocol detection ("auto") is skipped. Measured side by side on two
    nodes of one stack (2026-12-08 00:41, load 2.4-3, one A/B round; later
    rounds under load 6-11 were noise): the subscriber's article 3,335 req/s
    at 0.50 ms of worker CPU a request without the flags, 3,826 req/s at
    0.44 ms with them; the trivial WSGI view did not move."""
    return [
        sys.executable, "-m", "granian",
        "--interface", "asginl",
        "--http", "1", "--no-ws",
        "--host", host, "--port", str(port),
        "--workers", str(workers),
        "--no-access-log", "--log-level", "warning",
        *extra,
        APP,
    ]  # fmt: skip


def gunicorn_argv(
    *, host: str, port: int, workers: int = 1, extra: Sequence[str] = ()
) -> list[str]:
    """gunicorn with uvicorn workers, the alternative deploy/README.md measures."""
    return [
        sys.executable, "-m", "gunicorn",
        "--worker-class", "uvicorn.workers.UvicornWorker",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        # Passed on to the uvicorn worker's proxy-header middleware: no peer
        # is trusted (the default is 127.0.0.1, or $FORWARDED_ALLOW_IPS).
        "--forwarded-allow-ips=",
        *extra,
        APP,
    ]  # fmt: skip


def server_argv(
    server: str, *, host: str, port: int, workers: int = 1, extra: Sequence[str] = ()
) -> list[str]:
    if server == "uvicorn":
        if workers != 1:
            raise ValueError("the demo's uvicorn runs one process (use granian for more)")
        return uvicorn_argv(host=host, port=port, extra=extra)
    if server == "granian":
        return granian_argv(host=host, port=port, workers=workers, extra=extra)
    if server == "gunicorn":
        return gunicorn_argv(host=host, port=port, workers=workers, extra=extra)
    raise ValueError(f"unknown server {server!r} (one of: {', '.join(SERVERS)})")


def trusted_proxies_error(environ: Mapping[str, str]) -> str | None:
    """What is wrong with ``LEDE_TRUSTED_PROXIES``, or None."""
    raw = environ.get("LEDE_TRUSTED_PROXIES", "")
    for entry in (item.strip() for item in raw.split(",")):
        if not entry:
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return (
                f"LEDE_TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                "(expected e.g. 10.0.0.10/32,127.0.0.1/32)."
            )
    return None


def main(args: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m config.serve",
        allow_abbrev=False,
        description="Start Lede's web server; other flags go to the server.",
    )
    parser.add_argument("server", choices=SERVERS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    known, extra = parser.parse_known_args(args)
    error = trusted_proxies_error(os.environ)
    if error:
        parser.exit(2, f"config.serve: {error}\n")
    try:
        argv = server_argv(
            known.server, host=known.host, port=known.port, workers=known.workers, extra=extra
        )
    except ValueError as exc:
        parser.exit(2, f"config.serve: {exc}\n")
    sys.stdout.flush()
    os.execv(argv[0], argv)  # noqa: S606 - our own interpreter, the server's module


if __name__ == "__main__":
    main()
