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


def test_an_empty_edition_is_refused(matinale: Newsletter) -> None:
    edition = Edition.objects.create(newsletter=matinale, subject="Vide")
    with pytest.raises(services.NewsletterError, match="aucun article"):
        services.edition_enqueue(edition=edition)
