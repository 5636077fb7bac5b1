"""bench/generate.py at toy scale: what it creates, and subscriptions that the
paywall honours through its own selector and decision."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.test import RequestFactory, override_settings
from django.utils import timezone

from bench import generate
from lede.accounts.models import User
from lede.editorial.models import AccessLevel, ArticlePage, Author, SectionPage
from lede.payments.models import Order
from lede.paywall import access, selectors, serving
from lede.paywall.models import AccessGrant
from lede.search.models import SearchDocument
from lede.subscriptions.models import Invoice, InvoiceCounter, LedgerEntry, Subscription

# Slow: the module builds a small publication with bench/generate.py (minutes
# on a busy two-core machine); `make test` runs it, a bare `pytest` does not.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]
SCALE = generate.Scale(
    articles=60, sections=5, authors=3, years=2, readers=20, subscriptions=5, seed=11
)


@pytest.fixture(scope="module")
def generated(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[generate.Generated]:
    media = tmp_path_factory.getbasetemp() / "media"
    media.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            with override_settings(MEDIA_ROOT=str(media)):
                yield generate.generate(
                    SCALE, password_hash=make_password(generate.PASSWORD), log=lambda _: None
                )
        finally:
            transaction.set_rollback(True)
            cache.clear()


def _decide(user: Any, article: ArticlePage) -> access.Access:
    request = RequestFactory().get(article.url_path)
    request.user = user
    now = timezone.now()
    reader = selectors.reader_for_request(request, now)
    meter = access.MeterState.for_reader(reader)
    return access.decide(reader, serving.article_access(article), meter, now)


def test_counts(generated: generate.Generated) -> None:
    assert ArticlePage.objects.live().count() == SCALE.articles
    assert SectionPage.objects.count() == SCALE.sections
    assert SectionPage.objects.filter(depth=5).exists()  # nested two levels down
    assert Author.objects.count() == SCALE.authors
    assert SearchDocument.objects.count() == SCALE.articles
    readers = User.objects.filter(email__endswith=f"@{generate.EMAIL_DOMAIN}")
    assert readers.count() == SCALE.readers
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == SCALE.readers
    assert all(u.check_password(generate.PASSWORD) for u in readers[:3])
    subs = Subscription.objects.filter(status=Subscription.Status.ACTIVE)
    assert subs.count() == SCALE.subscriptions
    assert sorted(subs.values_list("user_id", flat=True)) == sorted(generated.subscriber_ids)
    assert generated.counts["subscriptions"] == SCALE.subscriptions
    assert generated.counts["articles"] == SCALE.articles


def test_subscriptions_are_consistent(generated: generate.Generated) -> None:
    from lede.subscriptions.periods import add_months

    now = timezone.now()
    periods = Subscription.objects.aggregate(n=Sum("periods_paid"))["n"]
    assert Order.objects.filter(status=Order.Status.PAID).count() == periods
    assert LedgerEntry.objects.count() == periods
    assert Invoice.objects.count() == periods
    for sub in Subscription.objects.select_related("plan"):
        assert sub.anchor is not None and sub.current_period_end is not None
        assert sub.current_period_end == add_months(sub.anchor, sub.months_paid)
        assert sub.current_period_start is not None and sub.current_period_start <= now
        # Nothing for the renewal scheduler to do in the coming days.
        assert sub.current_period_end > now + timedelta(days=10)
        grant = AccessGrant.objects.get(source=sub.grant_source)
        assert grant.user_id == sub.user_id
        assert grant.kind == AccessGrant.Kind.SUBSCRIPTION
        assert grant.ends_at == sub.current_period_end
        assert sub.orders.count() == sub.periods_paid
    for counter in InvoiceCounter.objects.all():
        numbers = Invoice.objects.filter(series=counter.series).order_by("sequence")
        assert list(numbers.values_list("sequence", flat=True)) == list(range(1, counter.last + 1))


def test_the_paywall_honours_the_subscriptions(generated: generate.Generated) -> None:
    locked = ArticlePage.objects.live().filter(access_level=AccessLevel.SUBSCRIBERS, metered=False)
    article = locked.select_related("section").first()
    assert article is not None
    subscriber = User.objects.get(email=generated.subscriber_email)
    reader = User.objects.get(email=generated.reader_email)
    assert subscriber.pk in generated.subscriber_ids
    assert reader.pk not in generated.subscriber_ids

    allowed = _decide(subscriber, article)
    assert allowed.allowed and allowed.reason is access.Reason.SUBSCRIBER
    denied = _decide(reader, article)
    assert not denied.allowed and denied.reason is access.Reason.NEEDS_SUBSCRIPTION


def test_targets(generated: generate.Generated) -> None:
    data = generate.targets(generated, seed=SCALE.seed)
    urls = data["urls"]
    assert set(urls) >= {
        "home",
        "article_public",
        "article_subscribers",
        "section_deep",
        "search",
        "news_sitemap",
    }
    public = ArticlePage.objects.get(url_path__endswith=urls["article_public"])
    assert public.effective_access_level == AccessLevel.PUBLIC
    locked = ArticlePage.objects.get(url_path__endswith=urls["article_subscribers"])
    assert locked.effective_access_level == AccessLevel.SUBSCRIBERS and not locked.metered
    # Sixty articles: the deep page is the last page of the biggest section.
    deep = data["deep_section"]
    assert urls["section_deep"].endswith(f"?page={deep['page']}")
    assert (
        (deep["page"] - 1) * deep["page_size"]
        < deep["articles"]
        <= deep["page"] * deep["page_size"]
    )
    assert data["accounts"] == {
        "subscriber": generated.subscriber_email,
        "reader": generated.reader_email,
        "password": generate.PASSWORD,
    }


def test_refuses_other_databases() -> None:
    for name in ("lede_ci", "lede_bench_scale", "lede", "production"):
        with pytest.raises(SystemExit):
            generate.check_name(name)
    generate.check_name("lede_scale")
    generate.check_name("lede_stack")
