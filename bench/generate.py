"""Scale data for the production-stack benchmark: a newspaper of many years, with
its readers and subscribers, in a PostgreSQL database that ``bin/stack`` then
serves (``STACK_DB=<name> bin/stack``).

    .venv/bin/python bench/generate.py \\
        --database-url postgres://postgres@127.0.0.1:5432/lede_scale \\
        --articles 200000 --sections 50 --authors 500 --years 15 \\
        --readers 200000 --subscriptions 20000 --fresh

Phases: (re)create the database and migrate; sections, authors, images and tags
through the ordinary APIs, then the articles in bulk (``bench/load.py``); the
readers (one shared password hash, verified e-mail addresses); the
subscriptions with what the subscriptions app writes for them (the paid orders,
the ledger, the receipts and the paywall's ``AccessGrant``); the search index;
``VACUUM ANALYZE``. It ends with a summary and a JSON file of the URLs and
accounts a load test needs (``--out``, by default
``bench/var/generate-<database>.json``).

It runs with ``bench/settings.py`` (no Redis, no frontend-cache purges, no
e-mail): what it writes does not depend on the settings, except the password
hash, which is made with the production hasher (the first of the base
settings' ``PASSWORD_HASHERS``) so that the stack accepts it, and the media
files (four lead images), written where the stack reads them (``--media-root``,
``var/stack/media`` by default).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lede_scale"
DEFAULT_MEDIA_ROOT = ROOT / "var" / "stack" / "media"
PASSWORD = "scale-pass-2026"  # loopback benchmark accounts only
EMAIL_DOMAIN = "scale.example"
# The deep section page: page 500 of 20 articles, as in bench/run.py.
DEEP_ARTICLES_BACK = 10_000
ROWS_PER_TRANSACTION = 2000
SUBSCRIPTIONS_PER_TRANSACTION = 500  # each brings a few orders, receipts, entries
ROWS_PER_INSERT = 500
PUBLIC_SAMPLE = 20

if TYPE_CHECKING:
    from bench.load import AccessMix, Loader, SectionSpec
    from lede.subscriptions.models import Offer

Log = Callable[[str], None]


def log(message: str) -> None:
    print(message, flush=True)


# --- what the newspaper looks like ---------------------------------------------------
# (title, parent title, share of the articles, default access level). Parents come
# before their children, so that the first N entries always form a valid tree.
SECTION_CATALOGUE: list[tuple[str, str | None, float, str]] = [
    ("Maroc", None, 0.040, "public"),
    ("Politique", "Maroc", 0.050, "public"),
    ("Société", "Maroc", 0.045, "public"),
    ("Régions", "Maroc", 0.015, "public"),
    ("Casablanca-Settat", "Régions", 0.020, "public"),
    ("Souss-Massa", "Régions", 0.012, "public"),
    ("Oriental", "Régions", 0.010, "public"),
    ("Justice", "Maroc", 0.020, "public"),
    ("Éducation", "Maroc", 0.018, "public"),
    ("Santé", "Maroc", 0.018, "public"),
    ("Économie", None, 0.030, "public"),
    ("Entreprises", "Économie", 0.030, "public"),
    ("Finance", "Économie", 0.020, "public"),
    ("Agriculture", "Économie", 0.015, "public"),
    ("Énergie", "Économie", 0.012, "public"),
    ("Immobilier", "Économie", 0.010, "public"),
    ("Emploi", "Économie", 0.010, "public"),
    ("Tourisme", "Économie", 0.010, "public"),
    ("Monde", None, 0.030, "public"),
    ("Afrique", "Monde", 0.020, "public"),
    ("Maghreb", "Monde", 0.018, "public"),
    ("Europe", "Monde", 0.018, "public"),
    ("Moyen-Orient", "Monde", 0.015, "public"),
    ("Amériques", "Monde", 0.012, "public"),
    ("Asie", "Monde", 0.010, "public"),
    ("Sport", None, 0.025, "public"),
    ("Football", "Sport", 0.030, "public"),
    ("Botola", "Football", 0.015, "public"),
    ("Athlétisme", "Sport", 0.008, "public"),
    ("Tennis", "Sport", 0.006, "public"),
    ("Basket-ball", "Sport", 0.006, "public"),
    ("Culture", None, 0.015, "public"),
    ("Cinéma", "Culture", 0.012, "public"),
    ("Musique", "Culture", 0.012, "public"),
    ("Livres", "Culture", 0.010, "public"),
    ("Arts plastiques", "Culture", 0.006, "public"),
    ("Patrimoine", "Culture", 0.006, "public"),
    ("Opinions", None, 0.008, "subscribers"),
    ("Éditoriaux", "Opinions", 0.010, "subscribers"),
    ("Tribunes", "Opinions", 0.010, "subscribers"),
    ("Chroniques", "Opinions", 0.010, "subscribers"),
    ("Sciences", None, 0.008, "public"),
    ("Environnement", "Sciences", 0.010, "public"),
    ("Numérique", "Sciences", 0.010, "public"),
    ("Espace", "Sciences", 0.004, "public"),
    ("Vie quotidienne", None, 0.008, "public"),
    ("Consommation", "Vie quotidienne", 0.008, "public"),
    ("Cuisine", "Vie quotidienne", 0.006, "public"),
    ("Voyages", "Vie quotidienne", 0.006, "public"),
    ("Enquêtes", None, 0.012, "subscribers"),
    ("Sports mécaniques", "Sport", 0.004, "public"),
    ("Théâtre", "Culture", 0.004, "public"),
    ("Mode", "Vie quotidienne", 0.004, "public"),
    ("Automobile", "Économie", 0.006, "public"),
    ("Diplomatie", "Monde", 0.008, "public"),
]
FIRST_NAMES = [
    "Amina", "Youssef", "Salma", "Mehdi", "Khadija", "Omar", "Imane", "Hamza", "Sara",
    "Anas", "Nour", "Ayoub", "Meryem", "Rachid", "Hind", "Karim", "Laila", "Adil", "Zineb",
    "Tarik", "Ghita", "Saïd", "Houda", "Nabil", "Asmae", "Reda", "Loubna", "Hicham",
    "Fatima", "Ilyas", "Samira", "Driss", "Yasmine", "Badr", "Kenza", "Othmane", "Rim",
    "Jamal", "Siham", "Walid",
]  # fmt: skip
LAST_NAMES = [
    "Alami", "Bennani", "Berrada", "Chraïbi", "El Fassi", "Tazi", "Idrissi", "Amrani",
    "Benjelloun", "Lahlou", "Sefrioui", "Ouazzani", "Kettani", "Cherkaoui", "Bouzidi",
    "El Mansouri", "Naciri", "Filali", "Skalli", "Guessous", "Hajji", "Jaïdi", "Lamrani",
    "Mernissi", "Saadi", "Tahiri", "Zniber", "Belkadi", "Rami", "Ziani", "Benkirane",
    "Daoudi", "El Ouali", "Fikri", "Haddaoui", "Kabbaj", "Marzouki", "Ouali", "Sbaï",
    "Yacoubi",
]  # fmt: skip
ROLES = [
    "Journaliste",
    "Grand reporter",
    "Correspondant régional",
    "Chef de rubrique",
    "Journaliste économie",
    "Journaliste sport",
    "Journaliste culture",
    "Éditorialiste",
    "Photographe",
    "Correspondante à l'étranger",
]
# Offers (slugs of lede.subscriptions.demo) and the share of subscribers on each;
# the most periods a subscriber has paid so far.
OFFER_MIX = {"lancement": 0.45, "mensuel": 0.30, "annuel": 0.25}
MAX_PERIODS = {"month": 12, "year": 3}
PROVIDER = "cmi"


def section_specs(count: int) -> list[SectionSpec]:
    """``count`` sections: the catalogue's first ones (nested two and three
    levels deep), then numbered "Dossiers" under the top-level sections."""
    from bench.load import SectionSpec

    specs = [
        SectionSpec(title, parent, weight, access)
        for title, parent, weight, access in SECTION_CATALOGUE[:count]
    ]
    tops = [s.title for s in specs if s.parent is None]
    for n in range(len(specs), count):
        specs.append(SectionSpec(f"Dossier {n + 1}", tops[n % len(tops)], 0.004))
    return specs


def author_specs(count: int, seed: int) -> list[tuple[str, str, float]]:
    """``count`` invented bylines; a few prolific ones, a long tail."""
    rng = random.Random(seed)
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    if count > len(names):
        names += [f"Signature {n + 1}" for n in range(count - len(names))]
    chosen = rng.sample(names, count)
    return [(name, rng.choice(ROLES), 1 / (rank + 1) ** 0.8) for rank, name in enumerate(chosen)]


def scale_access() -> AccessMix:
    """Most articles public; some for subscribers (their own level or their
    section's); a third of the locked ones metered (free within the monthly quota)."""
    from bench.load import AccessMix

    return AccessMix(subscribers=0.12, registered=0.03, metered=0.35, metered_locked_only=True)


@dataclass(frozen=True)
class Scale:
    articles: int
    sections: int
    authors: int
    years: float
    readers: int
    subscriptions: int
    seed: int = 2026


@dataclass
class Generated:
    """What a run created: for the summary, the JSON file and the test."""

    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    subscriber_ids: list[int] = field(default_factory=list)
    subscriber_email: str = ""
    reader_email: str = ""
    drift: list[str] = field(default_factory=list)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def reader_email(index: int) -> str:
    return f"lecteur{index + 1:06d}@{EMAIL_DOMAIN}"


# --- phases ------------------------------------------------------------------------
def articles_load(scale: Scale, *, log: Log = log) -> Loader:
    """Sections, authors, images and tags, then the articles in bulk."""
    from bench.load import Loader

    loader = Loader(
        total=scale.articles,
        seed=scale.seed,
        log=log,
        sections=section_specs(scale.sections),
        authors=author_specs(scale.authors, scale.seed),
        years=scale.years,
        access=scale_access(),
    )
    loader.setup()
    loader.load(range(scale.articles))
    return loader


def password_hash(password: str = PASSWORD) -> str:
    """The hash every generated reader shares, made once with the hasher the
    production settings use first (whatever settings this process runs with)."""
    from django.utils.module_loading import import_string

    from config.settings import base

    hasher = import_string(base.PASSWORD_HASHERS[0])()
    return str(hasher.encode(password, hasher.salt()))


def readers_create(
    *,
    count: int,
    subscribed: int,
    password_hash: str,
    seed: int,
    now: datetime,
    result: Generated,
    log: Log = log,
) -> None:
    """``count`` readers with verified addresses; ``subscribed`` of them (picked
    at random) are listed in ``result.subscriber_ids`` for the next phase."""
    from allauth.account.models import EmailAddress
    from django.db import transaction

    from lede.accounts.models import User

    rng = random.Random(seed + 1)
    chosen = set(rng.sample(range(count), subscribed))
    non_subscribers = (i for i in range(count) if i not in chosen)
    result.subscriber_email = reader_email(min(chosen)) if chosen else ""
    result.reader_email = reader_email(next(non_subscribers, -1)) if count > subscribed else ""
    joined_span = 6 * 365 * 86400
    started = time.perf_counter()
    for offset in range(0, count, ROWS_PER_TRANSACTION):
        indices = range(offset, min(count, offset + ROWS_PER_TRANSACTION))
        users = []
        for i in indices:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            users.append(
                User(
                    email=reader_email(i),
                    password=password_hash,
                    first_name=first,
                    last_name=last,
                    display_name=f"{first} {last}" if rng.random() < 0.3 else "",
                    date_joined=now - timedelta(seconds=rng.uniform(3600, joined_span)),
                    is_active=True,
                )
            )
        with transaction.atomic():
            User.objects.bulk_create(users, batch_size=ROWS_PER_INSERT)
            EmailAddress.objects.bulk_create(
                [
                    EmailAddress(user_id=u.pk, email=u.email, verified=True, primary=True)
                    for u in users
                ],
                batch_size=ROWS_PER_INSERT,
            )
        result.subscriber_ids += [u.pk for i, u in zip(indices, users, strict=True) if i in chosen]
        done = indices.stop
        if done % 50_000 < ROWS_PER_TRANSACTION or done == count:
            rate = done / (time.perf_counter() - started)
            log(f"  {done:>7,} / {count:,} readers ({rate:,.0f}/s)")


@dataclass
class _Period:
    start: datetime
    end: datetime
    paid_at: datetime
    amount_minor: int
    series: str = ""
    sequence: int = 0


@dataclass
class _SubscriptionPlan:
    user_id: int
    offer: Offer
    anchor: datetime
    periods: list[_Period]


def _plan_subscriptions(
    user_ids: Sequence[int], offers: dict[str, Offer], rng: random.Random, now: datetime
) -> list[_SubscriptionPlan]:
    """Every subscription active, its current period paid and ending between two
    weeks and a year from now, so that the renewal scheduler of a running stack
    has nothing to remind or charge for the next ten days."""
    from lede.subscriptions.periods import add_months

    slugs = list(OFFER_MIX)
    weights = [OFFER_MIX[s] for s in slugs]
    plans = []
    for user_id in user_ids:
        offer = offers[rng.choices(slugs, weights=weights)[0]]
        months = offer.plan.months
        paid = rng.randint(1, MAX_PERIODS.get(offer.plan.period, 12))
        # The end of the current period: 14 days from now at the earliest (the
        # renewal reminders start 7 days before), within one period from now.
        days_left = rng.uniform(14, 26 if months == 1 else 350)
        anchor = add_months(now + timedelta(days=days_left), -paid * months)
        starts = [add_months(anchor, k * months) for k in range(paid + 1)]
        periods = [
            _Period(
                start=starts[k],
                end=starts[k + 1],
                # The first period is paid at checkout; renewals the day before.
                paid_at=anchor if k == 0 else starts[k] - timedelta(hours=rng.uniform(1, 20)),
                amount_minor=offer.price_for_period(k),
            )
            for k in range(paid)
        ]
        plans.append(
            _SubscriptionPlan(user_id=user_id, offer=offer, anchor=anchor, periods=periods)
        )
    return plans


def _number_receipts(plans: list[_SubscriptionPlan], prefix: str) -> dict[str, int]:
    """Receipt numbers as the payments would have taken them: one series per
    year (in the newsroom's time zone), in order of payment, without gaps.
    Returns the last number of each series."""
    from lede.subscriptions.periods import local_year

    periods = sorted((p for plan in plans for p in plan.periods), key=lambda p: p.paid_at)
    last: dict[str, int] = {}
    for period in periods:
        period.series = f"{prefix}-{local_year(period.paid_at)}"
        last[period.series] = period.sequence = last.get(period.series, 0) + 1
    return last


def subscriptions_create(
    *, user_ids: Sequence[int], seed: int, now: datetime, result: Generated, log: Log = log
) -> None:
    """One live subscription per reader in ``user_ids``, with the rows the
    subscriptions app writes when a subscription is bought and renewed: a paid
    order, a ledger entry and a receipt per period, and the paywall's
    ``AccessGrant(kind="subscription", source="subscription:<id>")`` covering
    the paid periods. Payment attempts and provider events are not generated."""
    from django.db import transaction
    from django.db.models import F, OuterRef, Subquery
    from django.db.models.functions import Least
    from django.utils.translation import gettext

    from lede.accounts.models import User
    from lede.core.money import format_rate, months_label, split_tax
    from lede.payments.models import Order
    from lede.paywall.models import AccessGrant
    from lede.subscriptions.demo import ensure_demo_offers
    from lede.subscriptions.invoices import (
        PROVIDER_LABELS,
        billing_settings,
        seller_snapshot,
        vat_rate,
    )
    from lede.subscriptions.models import (
        Invoice,
        InvoiceCounter,
        LedgerEntry,
        Offer,
        Subscription,
    )
    from lede.subscriptions.services.orders import purpose_key
    from lede.subscriptions.services.quoting import offer_description

    rng = random.Random(seed + 2)
    ensure_demo_offers()
    offers = {
        o.slug: o for o in Offer.objects.select_related("plan").filter(slug__in=list(OFFER_MIX))
    }
    billing = billing_settings()
    seller = seller_snapshot(billing)
    prefix = (billing.invoice_prefix or "LQ").strip().upper()
    rate = vat_rate()
    tax_label = gettext("TVA %(rate)s") % {"rate": format_rate(rate)}
    method = str(PROVIDER_LABELS.get(PROVIDER, PROVIDER))
    plans = _plan_subscriptions(user_ids, offers, rng, now)
    last_numbers = _number_receipts(plans, prefix)
    counts = {"subscriptions": 0, "orders": 0, "ledger entries": 0, "receipts": 0}
    started = time.perf_counter()
    for batch in _chunks(plans, SUBSCRIPTIONS_PER_TRANSACTION):
        with transaction.atomic():
            buyers = {
                pk: {"name": display or f"{first} {last}".strip() or email, "email": email}
                for pk, display, first, last, email in User.objects.filter(
                    pk__in=[p.user_id for p in batch]
                ).values_list("pk", "display_name", "first_name", "last_name", "email")
            }
            subs = [
                Subscription(
                    user_id=p.user_id,
                    plan=p.offer.plan,
                    offer=p.offer,
                    status=Subscription.Status.ACTIVE,
                    anchor=p.anchor,
                    months_paid=len(p.periods) * p.offer.plan.months,
                    periods_paid=len(p.periods),
                    current_period_start=p.periods[-1].start,
                    current_period_end=p.periods[-1].end,
                    provider=PROVIDER,
                )
                for p in batch
            ]
            Subscription.objects.bulk_create(subs, batch_size=ROWS_PER_INSERT)
            AccessGrant.objects.bulk_create(
                [
                    AccessGrant(
                        user_id=sub.user_id,
                        kind=AccessGrant.Kind.SUBSCRIPTION,
                        starts_at=p.anchor,
                        ends_at=p.periods[-1].end,
                        source=sub.grant_source,
                        note=p.offer.plan.name[:255],
                    )
                    for sub, p in zip(subs, batch, strict=True)
                ],
                batch_size=ROWS_PER_INSERT,
            )
            orders: list[Order] = []
            entries: list[tuple[_Period, int]] = []  # period, buyer
            for sub, p in zip(subs, batch, strict=True):
                plan = p.offer.plan
                for k, period in enumerate(p.periods):
                    # The purpose keys and descriptions the checkout and renewal
                    # services give their orders.
                    purpose: tuple[object, ...]
                    if k == 0:
                        kind, purpose = Order.Kind.SUBSCRIPTION, ("subscription", p.offer.pk, "")
                        description = offer_description(p.offer)
                    else:
                        kind = Order.Kind.RENEWAL
                        purpose = ("renewal", sub.pk, k, plan.pk, period.amount_minor)
                        description = gettext("Renouvellement — %(plan)s (%(period)s)") % {
                            "plan": plan.name,
                            "period": months_label(plan.months),
                        }
                    orders.append(
                        Order(
                            user_id=p.user_id,
                            kind=kind,
                            status=Order.Status.PAID,
                            description=description[:255],
                            amount_minor=period.amount_minor,
                            currency=plan.currency,
                            provider=PROVIDER,
                            plan=plan,
                            offer=p.offer,
                            subscription=sub,
                            months=plan.months,
                            purpose_key=purpose_key(*purpose),
                            paid_at=period.paid_at,
                        )
                    )
                    entries.append((period, p.user_id))
            Order.objects.bulk_create(orders, batch_size=ROWS_PER_INSERT)
            ledger, receipts = [], []
            for order, (period, user_id) in zip(orders, entries, strict=True):
                ledger.append(
                    LedgerEntry(
                        kind=LedgerEntry.Kind.PAYMENT
                        if order.kind == Order.Kind.SUBSCRIPTION
                        else LedgerEntry.Kind.RENEWAL,
                        event_key=f"{PROVIDER}:scale-{order.uuid.hex}",
                        user_id=user_id,
                        subscription_id=order.subscription_id,
                        order=order,
                        amount_minor=order.amount_minor,
                        currency=order.currency,
                        provider=PROVIDER,
                        period_start=period.start,
                        period_end=period.end,
                        note=order.description,
                        created_at=period.paid_at,
                    )
                )
                base_minor, tax_minor = split_tax(order.amount_minor, rate)
                receipts.append(
                    Invoice(
                        number=f"{period.series}-{period.sequence:06d}",
                        series=period.series,
                        sequence=period.sequence,
                        issued_at=period.paid_at,
                        user_id=user_id,
                        order=order,
                        seller=seller,
                        buyer=buyers[user_id],
                        lines=[
                            {
                                "description": order.description,
                                "quantity": 1,
                                "amount_minor": order.amount_minor,
                            }
                        ],
                        tax_lines=[
                            {
                                "label": tax_label,
                                "rate": str(rate),
                                "base_minor": base_minor,
                                "amount_minor": tax_minor,
                            }
                        ],
                        vat_rate=rate,
                        currency=order.currency,
                        total_minor=order.amount_minor,
                        total_excl_tax_minor=base_minor,
                        tax_minor=tax_minor,
                        payment_method=method,
                    )
                )
            LedgerEntry.objects.bulk_create(ledger, batch_size=ROWS_PER_INSERT)
            Invoice.objects.bulk_create(receipts, batch_size=ROWS_PER_INSERT)
            # auto_now_add columns take the time of the insert: give them the
            # time of the purchase, and make nobody join after subscribing.
            sub_ids = [s.pk for s in subs]
            user_ids_batch = [p.user_id for p in batch]
            Subscription.objects.filter(pk__in=sub_ids).update(created_at=F("anchor"))
            AccessGrant.objects.filter(
                user_id__in=user_ids_batch, kind=AccessGrant.Kind.SUBSCRIPTION
            ).update(created_at=F("starts_at"))
            Order.objects.filter(subscription_id__in=sub_ids).update(
                created_at=F("paid_at"), updated_at=F("paid_at")
            )
            first_anchor = Subscription.objects.filter(user_id=OuterRef("pk")).values("anchor")[:1]
            User.objects.filter(pk__in=user_ids_batch).update(
                date_joined=Least(F("date_joined"), Subquery(first_anchor))
            )
        counts["subscriptions"] += len(subs)
        counts["orders"] += len(orders)
        counts["ledger entries"] += len(ledger)
        counts["receipts"] += len(receipts)
        done = counts["subscriptions"]
        if done % 5000 < SUBSCRIPTIONS_PER_TRANSACTION or done == len(plans):
            rate_s = done / (time.perf_counter() - started)
            log(f"  {done:>7,} / {len(plans):,} subscriptions ({rate_s:,.0f}/s)")
    with transaction.atomic():
        for series, last in last_numbers.items():
            counter, _ = InvoiceCounter.objects.select_for_update().get_or_create(series=series)
            if counter.last < last:
                counter.last = last
                counter.save(update_fields=["last"])
    result.counts.update(counts)


def generate(
    scale: Scale,
    *,
    password_hash: str,
    search: bool = True,
    log: Log = log,
    now: datetime | None = None,
) -> Generated:
    """Phases 2 to 5 in the current database (migrated, without content)."""
    from django.utils import timezone

    from lede.accounts.models import User
    from lede.editorial.models import ArticlePage, Author, SectionPage

    now = now or timezone.now()
    result = Generated()

    def phase(name: str, action: Callable[[], object]) -> None:
        log(f"{name}…")
        t0 = time.perf_counter()
        action()
        result.timings[name] = time.perf_counter() - t0
        log(f"  {name}: {result.timings[name]:.1f} s")

    loaders: list[Loader] = []
    phase("articles", lambda: loaders.append(articles_load(scale, log=log)))
    result.drift = loaders[0].drift()
    if result.drift:
        log("WARNING: bench/load.py leaves empty what saving fills: " + ", ".join(result.drift))
    phase(
        "readers",
        lambda: readers_create(
            count=scale.readers,
            subscribed=scale.subscriptions,
            password_hash=password_hash,
            seed=scale.seed,
            now=now,
            result=result,
            log=log,
        ),
    )
    phase(
        "subscriptions",
        lambda: subscriptions_create(
            user_ids=result.subscriber_ids, seed=scale.seed, now=now, result=result, log=log
        ),
    )
    if search:
        from bench.run import rebuild_search_index

        phase("search index", rebuild_search_index)
    result.counts = {
        "articles": ArticlePage.objects.count(),
        "sections": SectionPage.objects.count(),
        "authors": Author.objects.count(),
        "readers": User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count(),
        **result.counts,
    }
    return result


def analyze(*, log: Log = log) -> float:
    """What autovacuum would do by itself after such a load (outside any transaction)."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - t0


# --- what the load test hits -----------------------------------------------------------
def _path(page: Any) -> str:
    """The page's path on its site (the stack serves one site)."""
    parts = page.get_url_parts()
    return str(parts[2]) if parts else str(page.url_path)


def targets(result: Generated, *, seed: int) -> dict[str, Any]:
    """URLs (paths from the site root) and accounts for the load test."""
    from django.conf import settings
    from django.db.models import Count

    from bench.textgen import COMMON_WORD, RARE_WORD
    from lede.editorial.models import AccessLevel, ArticlePage, SectionPage
    from lede.editorial.selectors import section_articles

    live = ArticlePage.objects.live().select_related("section")
    public = (
        live.filter(
            access_level__in=["", AccessLevel.PUBLIC],
            section__default_access_level=AccessLevel.PUBLIC,
        )
        .exclude(metered=True)
        .order_by("-published_at")
    )
    locked = live.filter(access_level=AccessLevel.SUBSCRIBERS, metered=False).order_by(
        "-published_at"
    )
    # The deep page is read from the biggest top-level section, as bench/run.py
    # reads it from "Maroc", its biggest.
    biggest = (
        live.exclude(top_section=None)
        .values("top_section")
        .annotate(n=Count("pk"))
        .order_by("-n", "top_section")
        .first()
    )
    top = SectionPage.objects.filter(pk=biggest["top_section"]).first() if biggest else None
    urls: dict[str, str] = {"home": "/"}
    metered = live.filter(access_level=AccessLevel.SUBSCRIBERS, metered=True).order_by(
        "-published_at"
    )
    for key, queryset in (
        ("article_public", public),
        ("article_subscribers", locked),
        ("article_metered", metered),
    ):
        article = queryset.first()
        if article is not None:
            urls[key] = _path(article)
    deep: dict[str, Any] = {}
    if top is not None:
        page_size = int(getattr(settings, "LEDE_PAGE_SIZE", 20))
        count = section_articles(top).count()
        pages = max(1, -(-count // page_size))
        page = max(1, min(pages, DEEP_ARTICLES_BACK // page_size))
        urls["section_deep"] = f"{_path(top)}?page={page}"
        deep = {
            "section": top.title,
            "articles": count,
            "page": page,
            "page_size": page_size,
            "articles_before": (page - 1) * page_size,
        }
    urls["search"] = f"/recherche/?q={COMMON_WORD}"
    urls["search_rare"] = f"/recherche/?q={RARE_WORD}"
    urls["news_sitemap"] = "/news-sitemap.xml"
    # A spread of public articles, for runs that should miss the page caches.
    ids = list(public.values_list("pk", flat=True))
    sample_ids = random.Random(seed).sample(ids, min(PUBLIC_SAMPLE, len(ids)))
    sample = [_path(a) for a in ArticlePage.objects.filter(pk__in=sample_ids).order_by("pk")]
    return {
        "urls": urls,
        "deep_section": deep,
        "public_articles_sample": sample,
        "accounts": {
            "subscriber": result.subscriber_email,
            "reader": result.reader_email,
            "password": PASSWORD,
        },
    }


# --- database ------------------------------------------------------------------------
def database_name(url: str) -> str:
    import dj_database_url

    return str(dj_database_url.parse(url)["NAME"])


def check_name(name: str) -> None:
    """Only scale or stack databases, never CI's or the benchmarks'."""
    if name.startswith(("lede_ci", "lede_bench")):
        raise SystemExit(f"refusing database {name!r}: reserved for CI and benchmarks")
    if "scale" not in name and "stack" not in name:
        raise SystemExit(f"refusing database {name!r}: its name must contain 'scale' or 'stack'")


def prepare_database(url: str, *, fresh: bool, log: Log = log) -> None:
    """With ``fresh``, drop the database first; create it when missing."""
    import dj_database_url

    cfg = dj_database_url.parse(url)
    if cfg["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("the generator writes PostgreSQL databases (the stack's engine) only")
    name = str(cfg["NAME"])
    check_name(name)
    from bench.pgadmin import prepare_postgres

    prepare_postgres(cfg, drop=fresh, log=log)


def refuse_existing_content() -> None:
    from lede.accounts.models import User
    from lede.editorial.models import ArticlePage

    if (
        ArticlePage.objects.exists()
        or User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists()
    ):
        raise SystemExit("the database already has articles or generated readers: use --fresh")


# --- command line ----------------------------------------------------------------------
def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL database; its name must contain 'scale' or 'stack' "
        f"(default {DEFAULT_DATABASE_URL})",
    )
    p.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    p.add_argument("--articles", type=int, default=200_000)
    p.add_argument("--sections", type=int, default=50)
    p.add_argument("--authors", type=int, default=500)
    p.add_argument("--years", type=float, default=15)
    p.add_argument("--readers", type=int, default=200_000)
    p.add_argument("--subscriptions", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument(
        "--media-root",
        type=Path,
        default=DEFAULT_MEDIA_ROOT,
        help="where the lead images go: the stack's media directory (default var/stack/media)",
    )
    p.add_argument("--no-search", action="store_true", help="skip the search index")
    p.add_argument("--out", type=Path, help="JSON file (default bench/var/generate-<db>.json)")
    args = p.parse_args(argv)
    if args.articles < 1 or args.sections < 1 or args.authors < 1 or args.years <= 0:
        p.error("articles, sections, authors and years must be positive")
    if args.readers < 0 or not 0 <= args.subscriptions <= args.readers:
        p.error("subscriptions must be between 0 and the number of readers")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    name = database_name(args.database_url)
    check_name(name)
    sys.path.insert(0, str(ROOT))  # bench.* and lede.*, when run as a script
    t0 = time.perf_counter()
    prepare_database(args.database_url, fresh=args.fresh)
    timings = {"database": time.perf_counter() - t0}

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    args.media_root.mkdir(parents=True, exist_ok=True)
    override_settings(MEDIA_ROOT=str(args.media_root.resolve())).enable()

    log("Migrating…")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate"] = time.perf_counter() - t0
    refuse_existing_content()
    scale = Scale(
        articles=args.articles,
        sections=args.sections,
        authors=args.authors,
        years=args.years,
        readers=args.readers,
        subscriptions=args.subscriptions,
        seed=args.seed,
    )
    t0 = time.perf_counter()
    hashed = password_hash()
    timings["password hash"] = time.perf_counter() - t0
    result = generate(scale, password_hash=hashed, search=not args.no_search)
    timings.update(result.timings)
    log("VACUUM ANALYZE…")
    timings["VACUUM ANALYZE"] = analyze()
    t0 = time.perf_counter()
    data = targets(result, seed=args.seed)
    timings["targets"] = time.perf_counter() - t0
    total = time.perf_counter() - started

    out = args.out or BENCH_DIR / "var" / f"generate-{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "database": name,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": "bench.settings (password hashed with the production hasher)",
        "scale": asdict(scale),
        "counts": result.counts,
        **data,
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "total_s": round(total, 1),
    }
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    log("")
    log(f"Database {name}")
    for label, value in result.counts.items():
        log(f"  {label:<16} {value:>10,}")
    for label, seconds in timings.items():
        log(f"  {label:<16} {seconds:>9.1f} s")
    log(f"  {'total':<16} {total:>9.1f} s")
    if result.drift:
        log("WARNING: loader drift: " + ", ".join(result.drift))
    log(f"Wrote {out}")
    log(f"Serve it: STACK_DB={name} bin/stack   (never with STACK_FRESH=1: that drops it)")
    log("If a stack ran on another database before, empty its Redis cache first (db 5).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
