from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from lede.newsletters import selectors, services
from lede.newsletters.models import Edition, Newsletter, Subscription

pytestmark = pytest.mark.django_db(transaction=True)


def _confirm_url(message: Any) -> str:
    match = re.search(r"https?://\S+/lettres/confirmer/(\S+?)/", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_needs_confirmation_before_anything_is_sent(matinale: Newsletter) -> None:
    services.signup(
        email=" Lectrice@Example.ma ",
        newsletters=[matinale],
        source="/",
        consent_text="J'accepte",
    )
    sub = Subscription.objects.get()
    assert sub.status == Subscription.Status.PENDING
    assert sub.consent_source == "/"
    assert list(selectors.recipients(matinale, sub.consent_at)) == []
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lectrice@example.ma"]
    token = _confirm_url(mail.outbox[0])
    assert services.confirm(token=token) == [matinale]
    assert [s.email for s in selectors.recipients(matinale, sub.consent_at)] == [
        "lectrice@example.ma"
    ]
    with pytest.raises(services.NewsletterError, match="déjà été utilisé"):
        services.confirm(token=token)
    with pytest.raises(services.NewsletterError, match="invalide"):
        services.confirm(token=token[:-2] + "xx")


def test_an_edition_is_enqueued_once(matinale: Newsletter) -> None:
    edition = services.edition_build(newsletter=matinale)
    assert edition.items.count() >= 1
    services.edition_enqueue(edition=edition)
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENDING
    with pytest.raises(services.NewsletterError, match="déjà été envoyée"):
        services.edition_enqueue(edition=edition)


def test_an_empty_edition_is_filled_from_the_sections_or_refused(matinale: Newsletter) -> None:
    edition = Edition.objects.create(newsletter=matinale, intro="Bonjour")
    services.edition_enqueue(edition=edition)
    assert edition.items.count() == 2  # the fixture's articles of the last day
    assert edition.subject == "Les négociations reprennent à Doha"
    # Nothing published since that edition: the next empty one is refused.
    empty = Edition.objects.create(newsletter=matinale, subject="Vide")
    with pytest.raises(services.NewsletterError, match="aucun article"):
        services.edition_enqueue(edition=empty)
    assert Edition.objects.get(pk=empty.pk).status == Edition.Status.DRAFT


def test_daily_edition_is_due_once_after_its_time(matinale: Newsletter) -> None:
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from lede.core.dates import publication_zone
    from lede.newsletters import sending

    zone = publication_zone()
    today = timezone.localdate(timezone.now(), zone)
    before = datetime.combine(today, time(6, 30), tzinfo=zone)
    after = datetime.combine(today, time(7, 5), tzinfo=zone)
    if after > timezone.now():
        before -= timedelta(days=1)
        after -= timedelta(days=1)
    from lede.core.testing import factories as f
    from lede.editorial.models import SectionPage

    f.make_article(
        SectionPage.objects.first(), "La nuit en bref", published_at=before - timedelta(hours=1)
    )
    assert [e for e in sending.due_editions(before) if e.newsletter_id == matinale.pk] == []
    (edition,) = [e for e in sending.due_editions(after) if e.newsletter_id == matinale.pk]
    services.edition_enqueue(edition=edition, now=after)
    services.edition_finish_if_done(edition_id=edition.pk)
    assert [e for e in sending.due_editions(after) if e.newsletter_id == matinale.pk] == []


def test_a_confirmed_address_keeps_its_newsletters_when_it_signs_in(
    matinale: Newsletter, client: Any
) -> None:
    from allauth.account.models import EmailAddress

    from lede.accounts.models import User

    from .helpers import confirmed

    confirmed(matinale, "lectrice@example.ma")
    user = User.objects.create_user("lectrice@example.ma", "pw-2026-lectrice")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    assert selectors.subscriber_for_user(user).user == user  # type: ignore[union-attr]
    page = client.get("/lettres/").content.decode()
    assert f'value="{matinale.pk}" checked' in page
    # Unticking it in "Mes lettres" unsubscribes.
    client.post("/lettres/", {})
    assert Subscription.objects.get().status == Subscription.Status.UNSUBSCRIBED
    client.post("/lettres/", {"lettre": [str(matinale.pk)]})
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED


def test_an_unsubscribe_token_names_one_address(matinale: Newsletter, client: Any) -> None:
    from lede.newsletters import tokens

    from .helpers import confirmed

    _alice, bob = confirmed(matinale, "alice@example.ma", "bob@example.ma")
    forged = tokens.unsubscribe_token(
        subscriber_id=bob.pk, email="alice@example.ma", newsletter_id=matinale.pk
    )
    response = client.post(f"/lettres/desinscription/{forged}/")
    assert response.status_code == 400 and "invalide" in response.content.decode()
    assert Subscription.objects.filter(status=Subscription.Status.CONFIRMED).count() == 2
