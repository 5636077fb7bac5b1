"""Shared reads of the newsletters app: who receives an edition, what an
automatic edition would hold, a send's progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from lede.core.site import page_url
from lede.editorial import selectors as editorial
from lede.editorial.models import ArticlePage, SectionPage
from lede.paywall import selectors as paywall_selectors
from lede.paywall.models import AccessGrant

from .models import (
    Audience,
    Delivery,
    DeliveryState,
    Edition,
    Frequency,
    LinkClick,
    Newsletter,
    Subscriber,
    Subscription,
)


def newsletters_offered() -> QuerySet[Newsletter]:
    """The newsletters the site's short sign-up form subscribes to."""
    return Newsletter.objects.filter(active=True, offered_on_site=True, audience=Audience.ANYONE)


def newsletters_for_reader(user: Any) -> QuerySet[Newsletter]:
    """The newsletters a signed-in reader may choose in "Mon compte"."""
    return Newsletter.objects.filter(active=True).order_by("name")


def subscriber_for_user(user: Any) -> Subscriber | None:
    if user is None or not user.is_authenticated:
        return None
    return Subscriber.objects.filter(Q(user=user) | Q(email__iexact=user.email)).first()


def recipients(newsletter: Newsletter, now: datetime) -> QuerySet[Subscriber]:
    """Confirmed, active addresses of the newsletter, within its audience.

    A group licence recognised only by the network address has no address
    and receives nothing: only people with an address (and, for the
    subscribers' letter, an account holding an entitlement) are here."""
    confirmed = Subscription.objects.filter(
        subscriber=OuterRef("pk"),
        newsletter=newsletter,
        status=Subscription.Status.CONFIRMED,
    )
    qs = Subscriber.objects.filter(Exists(confirmed), status=Subscriber.Status.ACTIVE)
    if newsletter.audience == Audience.REGISTERED:
        qs = qs.filter(user__isnull=False, user__is_active=True)
    elif newsletter.audience == Audience.ENTITLED:
        grants = AccessGrant.objects.filter(user=OuterRef("user"), starts_at__lte=now).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )
        accounts = qs.filter(user__isnull=False, user__is_active=True)
        direct = accounts.filter(Exists(grants) | Q(user__is_staff=True))
        by_domain = _entitled_by_domain(accounts.exclude(pk__in=direct.values("pk")), now)
        qs = accounts.filter(Q(pk__in=direct.values("pk")) | Q(pk__in=by_domain))
    return qs.order_by("pk")


def _entitled_by_domain(candidates: QuerySet[Subscriber], now: datetime) -> list[int]:
    """Of these subscribers (accounts without a grant of their own), those a
    group licence covers by their verified e-mail domain (with a seat), as
    the paywall itself decides it: its reader profile, not a second copy of
    the rule. Only when some active licence has domains at all."""
    orgs = paywall_selectors.active_organisations(now)
    if not any(org["domains"] for org in orgs):
        return []
    found = []
    for subscriber in candidates.select_related("user"):
        profile = paywall_selectors.reader_profile(subscriber.user, now, orgs)
        if any(e.is_active(now) for e in profile["entitlements"]):
            found.append(subscriber.pk)
    return found


def still_subscribed(subscriber_id: int | None, newsletter_id: int) -> bool:
    """Checked before every message: an address unsubscribed, suspended or
    deleted during a send gets nothing after that moment."""
    if subscriber_id is None:
        return False
    return Subscription.objects.filter(
        subscriber_id=subscriber_id,
        newsletter_id=newsletter_id,
        status=Subscription.Status.CONFIRMED,
        subscriber__status=Subscriber.Status.ACTIVE,
    ).exists()


def last_edition(newsletter: Newsletter) -> Edition | None:
    return (
        Edition.objects.filter(
            newsletter=newsletter, status__in=[Edition.Status.SENDING, Edition.Status.SENT]
        )
        .order_by("-enqueued_at")
        .first()
    )


def automatic_articles(newsletter: Newsletter, now: datetime) -> list[ArticlePage]:
    """The latest published articles of the newsletter's sections since the
    last edition went out (or over the newsletter's period)."""
    previous = last_edition(newsletter)
    period = timedelta(days=7 if newsletter.frequency == Frequency.WEEKLY else 1)
    since = previous.enqueued_at if previous and previous.enqueued_at else now - period
    qs = editorial.live_articles().filter(published_at__gt=since, published_at__lte=now)
    sections = list(newsletter.sections.all())
    if sections:
        ids: set[int] = set()
        for section in sections:
            ids.update(
                SectionPage.objects.descendant_of(section, inclusive=True).values_list(
                    "pk", flat=True
                )
            )
        qs = qs.filter(section_id__in=ids)
    return list(editorial.for_listing(qs)[: newsletter.max_articles])


def edition_articles(edition: Edition) -> list[ArticlePage]:
    """The edition's articles in the editors' order, live ones only."""
    items = edition.items.select_related("article").order_by("sort_order")
    return [item.article for item in items if item.article.live]


def pending_edition(newsletter: Newsletter) -> Edition | None:
    """A composed edition not yet sent (draft or scheduled), oldest first."""
    return (
        Edition.objects.filter(
            newsletter=newsletter, status__in=[Edition.Status.DRAFT, Edition.Status.SCHEDULED]
        )
        .order_by("created_at")
        .first()
    )


def sending_edition(newsletter: Newsletter) -> Edition | None:
    return Edition.objects.filter(newsletter=newsletter, status=Edition.Status.SENDING).first()


@dataclass(frozen=True)
class Progress:
    total: int
    queued: int
    sending: int
    sent: int
    failed: int
    bounced: int
    unknown: int
    skipped: int

    @property
    def done(self) -> int:
        return self.total - self.queued - self.sending

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)


def progress(edition_id: int) -> Progress:
    counts = {
        row["state"]: row["n"]
        for row in Delivery.objects.filter(edition_id=edition_id)
        .values("state")
        .annotate(n=Count("id"))
    }
    return Progress(
        total=sum(counts.values()),
        **{state.value: counts.get(state.value, 0) for state in DeliveryState},
    )


def unknown_deliveries(edition_id: int) -> QuerySet[Delivery]:
    return Delivery.objects.filter(edition_id=edition_id, state=DeliveryState.UNKNOWN).order_by(
        "pk"
    )


@dataclass(frozen=True)
class ClickRow:
    url: str
    title: str  # the edition's article the link leads to, when it is one
    count: int


def click_report(edition: Edition) -> list[ClickRow]:
    """Counted clicks of an edition, per link, most clicked first (counts
    only: nobody's identity is kept)."""
    titles = {page_url(page): page.title for page in edition_articles(edition)}
    return [
        ClickRow(url=url, title=titles.get(url, ""), count=count)
        for url, count in LinkClick.objects.filter(edition_id=edition.pk)
        .order_by("-count", "url")
        .values_list("url", "count")
    ]


def click_totals(edition_ids: list[int]) -> dict[int, int]:
    return {
        row["edition_id"]: row["total"]
        for row in LinkClick.objects.filter(edition_id__in=edition_ids)
        .values("edition_id")
        .annotate(total=Sum("count"))
    }
