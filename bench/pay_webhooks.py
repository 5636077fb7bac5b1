"""Webhook benchmark: 10,000 signed Stripe webhook deliveries against a running
server, 20 % of them duplicates, with renewals delivered before the checkout
they depend on (out of order: answered 409, delivered again later, as Stripe
does). Reports throughput and latency, then checks in the database that the
ledger ends with exactly the expected entitlements — and says so, or exits 1.

1. Serve Lede with a Stripe configuration (any secret key; no call is made to
   Stripe) and the database the benchmark will use, e.g.::

       export DATABASE_URL=postgres://postgres@127.0.0.1:5432/lede_bench
       export STRIPE_SECRET_KEY=sk_bench STRIPE_WEBHOOK_SECRET=whsec_bench
       export DJANGO_SETTINGS_MODULE=config.settings.dev DEBUG=0
       .venv/bin/python manage.py migrate
       .venv/bin/granian --interface asginl --workers 2 config.asgi:application --port 8000

   (settings must read ``STRIPE_SECRET_KEY`` / ``STRIPE_WEBHOOK_SECRET`` from
   the environment).

2. In another shell with the same environment::

       .venv/bin/python bench/pay_webhooks.py --url http://127.0.0.1:8000

Options: ``--deliveries`` (10,000), ``--concurrency`` (16), ``--keep`` (leave
the generated readers and orders in the database), ``--in-process`` (no
server: Django's test client in threads — for a quick check only).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import platform
import random
import secrets
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WEBHOOK_PATH = "/paiement/notification/stripe/"


def log(message: str) -> None:
    print(message, flush=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


def sign(body: str, secret: str) -> str:
    ts = int(time.time())
    mac = hmac.new(secret.encode(), f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def prepare(subscriptions: int, tag: str) -> list[dict[str, Any]]:
    """Readers with a pending yearly order and a Stripe attempt each."""
    from lede.accounts.models import User
    from lede.payments import services as payments
    from lede.subscriptions.demo import ensure_demo_offers
    from lede.subscriptions.models import Offer
    from lede.subscriptions.services.checkout import subscription_checkout

    ensure_demo_offers()
    offer = Offer.objects.select_related("plan").get(slug="annuel")
    out = []
    for i in range(subscriptions):
        user = User.objects.create_user(email=f"bench-{tag}-{i}@bench.invalid", password=None)
        order = subscription_checkout(user=user, offer=offer)
        attempt = payments.attempt_start(order=order, provider="stripe")
        out.append(
            {
                "user_id": user.pk,
                "oid": attempt.oid,
                "uuid": str(order.uuid),
                "amount": order.amount_minor,
                "renewal": offer.plan.price_minor,
            }
        )
        if (i + 1) % 1000 == 0:
            log(f"  prepared {i + 1:,} readers")
    return out


def events(rows: list[dict[str, Any]], renewals: int, tag: str) -> list[dict[str, Any]]:
    made = []
    for i, row in enumerate(rows):
        made.append(
            {
                "id": f"evt_cs_{tag}_{i}",
                "object": "event",
                "type": "checkout.session.completed",
                "data": {
                    "object": {
                        "id": f"cs_{tag}_{i}",
                        "object": "checkout.session",
                        "client_reference_id": row["oid"],
                        "metadata": {"oid": row["oid"], "order": row["uuid"]},
                        "amount_total": row["amount"],
                        "currency": "mad",
                        "payment_status": "paid",
                        "customer": f"cus_{tag}_{i}",
                        "subscription": f"sub_{tag}_{i}",
                        "payment_intent": None,
                    }
                },
            }
        )
    for i in range(renewals):
        made.append(
            {
                "id": f"evt_in_{tag}_{i}",
                "object": "event",
                "type": "invoice.paid",
                "data": {
                    "object": {
                        "id": f"in_{tag}_{i}",
                        "object": "invoice",
                        "billing_reason": "subscription_cycle",
                        "amount_paid": rows[i]["renewal"],
                        "currency": "mad",
                        "parent": {"subscription_details": {"subscription": f"sub_{tag}_{i}"}},
                    }
                },
            }
        )
    return made


class Sender:
    def __init__(self, url: str | None, secret: str) -> None:
        self.secret = secret
        self.local = threading.local()
        self.url = urlsplit(url) if url else None

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            assert self.url is not None
            cls = (
                http.client.HTTPSConnection
                if self.url.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = cls(self.url.hostname or "127.0.0.1", self.url.port, timeout=30)
            self.local.conn = conn
        return conn

    def send(self, payload: dict[str, Any]) -> tuple[int, float]:
        body = json.dumps(payload)
        headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body, self.secret)}
        started = time.perf_counter()
        if self.url is None:
            from django.db import connections
            from django.test import Client

            client = getattr(self.local, "client", None) or Client()
            self.local.client = client
            response = client.post(
                WEBHOOK_PATH,
                body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
            )
            connections.close_all()
            return response.status_code, time.perf_counter() - started
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request("POST", WEBHOOK_PATH, body=body.encode(), headers=headers)
                response = conn.getresponse()
                response.read()
                return response.status, time.perf_counter() - started
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def verify(rows: list[dict[str, Any]], renewals: int, tag: str, unique_events: int) -> list[str]:
    from lede.payments.models import ProviderEvent
    from lede.paywall.models import AccessGrant
    from lede.subscriptions.models import Invoice, LedgerEntry, Subscription

    problems = []
    user_ids = [r["user_id"] for r in rows]
    subs = {s.user_id: s for s in Subscription.objects.filter(user_id__in=user_ids)}
    grants = Counter(
        AccessGrant.objects.filter(user_id__in=user_ids, kind="subscription").values_list(
            "user_id", flat=True
        )
    )
    ends = dict(AccessGrant.objects.filter(user_id__in=user_ids).values_list("source", "ends_at"))
    for i, row in enumerate(rows):
        sub = subs.get(row["user_id"])
        expected_periods = 2 if i < renewals else 1
        if sub is None or sub.status != "active":
            problems.append(f"reader {i}: subscription {sub and sub.status}")
            continue
        if sub.periods_paid != expected_periods:
            problems.append(f"reader {i}: {sub.periods_paid} periods, expected {expected_periods}")
        if grants[row["user_id"]] != 1:
            problems.append(f"reader {i}: {grants[row['user_id']]} access grants")
        if ends.get(sub.grant_source) != sub.current_period_end:
            problems.append(f"reader {i}: access does not end with the paid period")
    invoices = Invoice.objects.filter(user_id__in=user_ids).count()
    if invoices != len(rows) + renewals:
        problems.append(f"{invoices} receipts, expected {len(rows) + renewals}")
    ledger = Counter(
        LedgerEntry.objects.filter(user_id__in=user_ids).values_list("kind", flat=True)
    )
    if ledger["payment"] != len(rows) or ledger["renewal"] != renewals:
        problems.append(
            f"ledger {dict(ledger)}, expected {len(rows)} payments, {renewals} renewals"
        )
    stored = ProviderEvent.objects.filter(provider="stripe", event_id__contains=f"_{tag}_").count()
    if stored != unique_events:
        problems.append(f"{stored} provider events stored, expected {unique_events}")
    return problems


def cleanup(rows: list[dict[str, Any]]) -> None:
    from django.db import transaction

    from lede.accounts.models import User
    from lede.payments.models import Order, ProviderEvent
    from lede.paywall.models import AccessGrant
    from lede.subscriptions.models import Invoice, LedgerEntry, Subscription

    ids = [r["user_id"] for r in rows]
    with transaction.atomic():
        ProviderEvent.objects.filter(attempt__order__user_id__in=ids).delete()
        LedgerEntry.objects.filter(user_id__in=ids).delete()
        Invoice.objects.filter(user_id__in=ids).delete()
        AccessGrant.objects.filter(user_id__in=ids).delete()
        Order.objects.filter(user_id__in=ids).delete()
        Subscription.objects.filter(user_id__in=ids).delete()
        User.objects.filter(pk__in=ids).delete()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--url", help="the running server, e.g. http://127.0.0.1:8000")
    p.add_argument("--in-process", action="store_true", help="no server: test client in threads")
    p.add_argument("--deliveries", type=int, default=10_000)
    p.add_argument("--duplicates", type=float, default=0.20)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--keep", action="store_true", help="keep the generated data")
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args(argv)
    if not args.url and not args.in_process:
        p.error("give --url of the running server (or --in-process)")
    secret = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        p.error("set STRIPE_WEBHOOK_SECRET (the server's) in the environment")
    setup_django()
    from django.conf import settings
    from django.db import connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if args.in_process:
        settings.STRIPE_WEBHOOK_SECRET = secret
        settings.STRIPE_SECRET_KEY = getattr(settings, "STRIPE_SECRET_KEY", "") or "sk_bench"
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    rng = random.Random(args.seed)
    tag = secrets.token_hex(3)
    unique = round(args.deliveries / (1 + args.duplicates))
    subscriptions = round(unique * 2 / 3)
    renewals = unique - subscriptions
    log(f"preparing {subscriptions:,} readers with a pending order (tag {tag}) …")
    started = time.perf_counter()
    rows = prepare(subscriptions, tag)
    log(f"  done in {time.perf_counter() - started:.1f} s")

    unique_events = events(rows, renewals, tag)
    deliveries = list(unique_events)
    deliveries += [rng.choice(unique_events) for _ in range(args.deliveries - len(deliveries))]
    rng.shuffle(deliveries)  # renewals often arrive before their checkout: out of order
    sender = Sender(None if args.in_process else args.url, secret)

    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    retry: list[dict[str, Any]] = []

    def deliver(payload: dict[str, Any]) -> None:
        status, elapsed = sender.send(payload)
        with lock:
            statuses[status] += 1
            latencies.append(elapsed)
            if status >= 400:  # Stripe delivers again later
                retry.append(payload)

    log(f"delivering {len(deliveries):,} webhooks, concurrency {args.concurrency} …")
    started = time.perf_counter()
    rounds = 0
    batch = deliveries
    while batch and rounds < 6:
        retry = []
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(deliver, batch))
        batch, rounds = retry, rounds + 1
    wall = time.perf_counter() - started
    total = sum(statuses.values())
    problems = verify(rows, renewals, tag, len(unique_events))
    if batch:
        problems.append(f"{len(batch)} deliveries still failing after {rounds} rounds")
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0
    log("")
    log(f"## Webhook deliveries — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    log("")
    log(
        f"- **Machine**: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.platform()}; database {connection.vendor}"
    )
    log(f"- **Target**: {'in-process test client' if args.in_process else args.url}")
    log(
        f"- **Deliveries**: {total:,} in {wall:.1f} s = **{total / wall:,.0f} deliveries/s** "
        f"(concurrency {args.concurrency}; {len(unique_events):,} distinct events: "
        f"{subscriptions:,} checkouts, {renewals:,} renewals; "
        f"{args.deliveries - len(unique_events):,} duplicates; {rounds} delivery rounds)"
    )
    log(
        f"- **Latency**: median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms"
    )
    log("- **Answers**: " + ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items())))
    if problems:
        log("- **Ledger check: FAILED**")
        for problem in problems[:20]:
            log(f"  - {problem}")
    else:
        log(
            f"- **Ledger check: OK** — {subscriptions:,} active subscriptions, "
            f"{renewals:,} renewed once, one access grant each ending with the paid period, "
            f"{subscriptions + renewals:,} receipts and ledger entries, no event applied twice."
        )
    if not args.keep:
        cleanup(rows)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
