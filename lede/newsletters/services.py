"""Writes of the newsletters app: sign-up and confirmation, unsubscribing,
editions (built, scheduled, put in the outbox), bounces and complaints.

E-mails leave in ``transaction.on_commit``; the edition's outbox is written
in the same transaction as the decision to send it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lede.core.site import site_url

from . import emails, selectors, tokens
from .models import (
    Delivery,
    DeliveryState,
    Edition,
    EditionArticle,
    Newsletter,
    Subscriber,
    Subscription,
)

logger = logging.getLogger(__name__)

ENQUEUE_CHUNK = 2000


class NewsletterError(Exception):
    """A refused operation; the message is French and shown as it is."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- Sign-up, confirmation, unsubscribe ------------------------------------------


def signup(
    *,
    email: str,
    newsletters: list[Newsletter],
    source: str,
    consent_text: str,
    now: datetime | None = None,
) -> Subscriber | None:
    """Record the consent and mail a confirmation link (double opt-in).

    Nothing is sent to the address but the confirmation until its link is
    clicked. Already confirmed subscriptions stay as they are; the caller
    answers the same whatever happened (no address is revealed)."""
    now = now or timezone.now()
    email = normalise_email(email)
    if not newsletters:
        return None
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.get_or_create(email=email)
        if subscriber.status == Subscriber.Status.SUSPENDED:
            # The address bounced for good: a confirmation would bounce too.
            return subscriber
        pending = False
        for newsletter in newsletters:
            sub, created = Subscription.objects.get_or_create(
                subscriber=subscriber,
                newsletter=newsletter,
                defaults={
                    "consent_at": now,
                    "consent_source": source[:500],
                    "consent_text": consent_text[:500],
                },
            )
            if sub.status == Subscription.Status.CONFIRMED:
                continue
            if not created:
                sub.status = Subscription.Status.PENDING
                sub.consent_at = now
                sub.consent_source = source[:500]
                sub.consent_text = consent_text[:500]
                sub.save(update_fields=["status", "consent_at", "consent_source", "consent_text"])
            pending = True
        if pending:
            token = tokens.confirm_token(subscriber_id=subscriber.pk, email=email)
            url = site_url(f"/lettres/confirmer/{token}/")
            transaction.on_commit(lambda: emails.confirmation_send(email=email, url=url))
    return subscriber


def confirm(*, token: str, now: datetime | None = None) -> list[Newsletter]:
    """Confirm the pending subscriptions of the link's address."""
    now = now or timezone.now()
    try:
        subscriber_id, email = tokens.confirm_read(token)
    except tokens.BadToken as exc:
        raise NewsletterError(_("Ce lien de confirmation est invalide ou a expiré.")) from exc
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(pk=subscriber_id, email=email).first()
        )
        if subscriber is None:
            raise NewsletterError(_("Ce lien de confirmation est invalide ou a expiré."))
        pending = list(
            subscriber.subscriptions.select_related("newsletter").filter(
                status=Subscription.Status.PENDING
            )
        )
        if not pending:
            raise NewsletterError(_("Ce lien de confirmation a déjà été utilisé."))
        for sub in pending:
            sub.status = Subscription.Status.CONFIRMED
            sub.confirmed_at = now
            sub.save(update_fields=["status", "confirmed_at"])
        if subscriber.status == Subscriber.Status.COMPLAINED:
            subscriber.status = Subscriber.Status.ACTIVE
            subscriber.status_changed_at = now
            subscriber.save(update_fields=["status", "status_changed_at"])
    return [sub.newsletter for sub in pending]


def unsubscribe(
    *,
    subscriber: Subscriber,
    newsletter: Newsletter | None,
    source: str,
    now: datetime | None = None,
) -> int:
    """Unsubscribe from one newsletter, or from all (``newsletter=None``).
    Takes effect for the next message of a send in progress."""
    now = now or timezone.now()
    qs = Subscription.objects.filter(subscriber=subscriber).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    )
    if newsletter is not None:
        qs = qs.filter(newsletter=newsletter)
    return qs.update(
        status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=now, unsubscribe_source=source
    )


def unsubscribe_by_token(*, token: str, source: str) -> tuple[Subscriber, Newsletter | None]:
    """Unsubscribe from the link's newsletter (RFC 8058 one-click POST)."""
    subscriber, newsletter = token_subject(token=token)
    unsubscribe(subscriber=subscriber, newsletter=newsletter, source=source)
    return subscriber, newsletter


def token_subject(*, token: str) -> tuple[Subscriber, Newsletter | None]:
    """The address and newsletter an unsubscribe link names, or a French error."""
    try:
        data = tokens.unsubscribe_read(token)
    except tokens.BadToken as exc:
        raise NewsletterError(_("Ce lien de désinscription est invalide ou a expiré.")) from exc
    subscriber = Subscriber.objects.filter(pk=data.subscriber_id, email=data.email).first()
    if subscriber is None:
        raise NewsletterError(_("Ce lien de désinscription est invalide ou a expiré."))
    newsletter = None
    if data.newsletter_id is not None:
        newsletter = Newsletter.objects.filter(pk=data.newsletter_id).first()
    return subscriber, newsletter


def reader_newsletters_set(
    *, user: Any, newsletters: list[Newsletter], source: str, now: datetime | None = None
) -> list[Newsletter]:
    """ "Mon compte": the signed-in reader's choice. A verified account address
    is confirmed at once; an unverified one gets the confirmation link.
    Returns the newsletters now waiting for confirmation."""
    now = now or timezone.now()
    email = normalise_email(user.email)
    verified = EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    chosen = {n.pk for n in newsletters}
    with transaction.atomic():
        subscriber = selectors.subscriber_for_user(user)
        if subscriber is None:
            subscriber = Subscriber.objects.create(email=email, user=user)
        elif subscriber.user_id is None:
            subscriber.user = user
            subscriber.save(update_fields=["user"])
        existing = {s.newsletter_id: s for s in subscriber.subscriptions.all()}
        waiting: list[Newsletter] = []
        for newsletter in newsletters:
            sub = existing.get(newsletter.pk)
            if sub is not None and sub.status == Subscription.Status.CONFIRMED:
                continue
            status = Subscription.Status.CONFIRMED if verified else Subscription.Status.PENDING
            fields = {
                "status": status,
                "consent_at": now,
                "consent_source": source[:500],
                "consent_text": _("Choix dans « Mon compte »"),
                "confirmed_at": now if verified else None,
            }
            if sub is None:
                Subscription.objects.create(subscriber=subscriber, newsletter=newsletter, **fields)
            else:
                Subscription.objects.filter(pk=sub.pk).update(**fields)
            if not verified:
                waiting.append(newsletter)
        for newsletter_id, sub in existing.items():
            if newsletter_id not in chosen and sub.status != Subscription.Status.UNSUBSCRIBED:
                Subscription.objects.filter(pk=sub.pk).update(
                    status=Subscription.Status.UNSUBSCRIBED,
                    unsubscribed_at=now,
                    unsubscribe_source="account",
                )
        if waiting:
            token = tokens.confirm_token(subscriber_id=subscriber.pk, email=subscriber.email)
            url = site_url(f"/lettres/confirmer/{token}/")
            address = subscriber.email
            transaction.on_commit(lambda: emails.confirmation_send(email=address, url=url))
    return waiting


def subscriber_link_user(*, user: Any) -> Subscriber | None:
    """Attach the subscriber of the user's verified address to the account
    (its subscriptions are kept)."""
    email = normalise_email(user.email or "")
    if not email:
        return None
    if not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
        return None
    return _link(user=user, email=email)


def _link(*, user: Any, email: str) -> Subscriber | None:
    updated = Subscriber.objects.filter(email=email, user__isnull=True).update(user=user)
    if not updated:
        return None
    return Subscriber.objects.filter(email=email).first()


def subscriber_forget_user(user: Any) -> None:
    """Account deletion: the address and its subscriptions go with it."""
    Subscriber.objects.filter(user=user).delete()


def subscriber_export(user: Any) -> dict[str, Any]:
    subscriber = selectors.subscriber_for_user(user)
    if subscriber is None:
        return {"subscriptions": []}
    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "subscriptions": [
            {
                "newsletter": s.newsletter.slug,
                "status": s.status,
                "consent_at": s.consent_at.isoformat(),
                "consent_source": s.consent_source,
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
            }
            for s in subscriber.subscriptions.select_related("newsletter")
        ],
    }


# --- Bounces and complaints ---------------------------------------------------------


def bounce_record(*, email: str, hard: bool, reason: str, now: datetime | None = None) -> bool:
    """A hard bounce suspends the address (nothing more is sent to it); a soft
    one is counted. Returns whether an address was found."""
    now = now or timezone.now()
    email = normalise_email(email)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            return False
        subscriber.bounce_count += 1
        fields = ["bounce_count"]
        if hard:
            subscriber.status = Subscriber.Status.SUSPENDED
            subscriber.status_reason = reason[:255]
            subscriber.status_changed_at = now
            fields += ["status", "status_reason", "status_changed_at"]
        subscriber.save(update_fields=fields)
        if hard:
            Delivery.objects.filter(email=email, state=DeliveryState.SENT).filter(
                edition__status=Edition.Status.SENDING
            ).update(state=DeliveryState.BOUNCED, last_error=reason[:500])
    return True


def complaint_record(*, email: str, reason: str, now: datetime | None = None) -> bool:
    """A complaint ("this is spam") unsubscribes the address from everything."""
    now = now or timezone.now()
    email = normalise_email(email)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            return False
        subscriber.status = Subscriber.Status.COMPLAINED
        subscriber.status_reason = reason[:255]
        subscriber.status_changed_at = now
        subscriber.save(update_fields=["status", "status_reason", "status_changed_at"])
        unsubscribe(subscriber=subscriber, newsletter=None, source="complaint", now=now)
    return True


# --- Editions ---------------------------------------------------------------------


def edition_build(*, newsletter: Newsletter, now: datetime | None = None) -> Edition:
    """An automatic edition from the newsletter's sections since the last one."""
    now = now or timezone.now()
    articles = selectors.automatic_articles(newsletter, now)
    if not articles:
        raise NewsletterError(
            _("Aucun article publié depuis la dernière édition de « %(name)s ».")
            % {"name": newsletter.name}
        )
    with transaction.atomic():
        edition = Edition.objects.create(
            newsletter=newsletter,
            subject=articles[0].title,
            automatic=True,
        )
        EditionArticle.objects.bulk_create(
            EditionArticle(edition=edition, article=article, sort_order=i)
            for i, article in enumerate(articles)
        )
    return edition


def edition_fill_if_empty(*, edition: Edition, now: datetime | None = None) -> Edition:
    """An edition the editors left without articles (an intro only, or
    nothing) gets the latest articles of the newsletter's sections since the
    last edition; still empty when there are none (and then refused)."""
    if edition.status not in (Edition.Status.DRAFT, Edition.Status.SCHEDULED):
        return edition
    if edition.items.exists():
        return edition
    articles = selectors.automatic_articles(edition.newsletter, now or timezone.now())
    if not articles:
        return edition
    with transaction.atomic():
        EditionArticle.objects.bulk_create(
            EditionArticle(edition=edition, article=article, sort_order=i)
            for i, article in enumerate(articles)
        )
        if not edition.subject:
            edition.subject = articles[0].title
            edition.save(update_fields=["subject"])
    return edition


def edition_schedule(*, edition: Edition, at: datetime) -> Edition:
    if edition.status not in (Edition.Status.DRAFT, Edition.Status.SCHEDULED):
        raise NewsletterError(_("Cette édition a déjà été envoyée."))
    if not selectors.edition_articles(edition):
        raise NewsletterError(_("Cette édition ne contient aucun article : ajoutez-en avant."))
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SCHEDULED, scheduled_at=at)
    edition.refresh_from_db()
    return edition


def edition_enqueue(*, edition: Edition, now: datetime | None = None) -> int:
    """Write the outbox (one row per recipient) and mark the edition as being
    sent, in one transaction. A second call for the same edition is refused:
    the status only moves forward (a conditional update), and the outbox
    would refuse a second row for an address anyway."""
    now = now or timezone.now()
    edition_fill_if_empty(edition=edition, now=now)
    if not selectors.edition_articles(edition):
        raise NewsletterError(_("Cette édition ne contient aucun article : envoi refusé."))
    with transaction.atomic():
        moved = Edition.objects.filter(
            pk=edition.pk, status__in=[Edition.Status.DRAFT, Edition.Status.SCHEDULED]
        ).update(status=Edition.Status.SENDING, enqueued_at=now)
        if not moved:
            raise NewsletterError(_("Cette édition a déjà été envoyée : envoi refusé."))
        total = 0
        batch: list[Delivery] = []
        rows = selectors.recipients(edition.newsletter, now).values_list("pk", "email")
        for subscriber_id, email in rows.iterator(chunk_size=ENQUEUE_CHUNK):
            batch.append(Delivery(edition=edition, subscriber_id=subscriber_id, email=email))
            if len(batch) >= ENQUEUE_CHUNK:
                Delivery.objects.bulk_create(batch)
                total += len(batch)
                batch = []
        if batch:
            Delivery.objects.bulk_create(batch)
            total += len(batch)
    edition.refresh_from_db()
    return total


def edition_finish_if_done(*, edition_id: int, now: datetime | None = None) -> bool:
    """Mark the edition sent when no row is left queued or in flight."""
    now = now or timezone.now()
    busy = Delivery.objects.filter(
        edition_id=edition_id, state__in=[DeliveryState.QUEUED, DeliveryState.SENDING]
    ).exists()
    if busy:
        return False
    Edition.objects.filter(pk=edition_id, status=Edition.Status.SENDING).update(
        status=Edition.Status.SENT, finished_at=now
    )
    return True


def delivery_resend(*, delivery_id: int, now: datetime | None = None) -> bool:
    """The operator's one-click resend of an ``unknown`` row: back in the
    queue (the edition goes back to sending until the worker has passed)."""
    now = now or timezone.now()
    with transaction.atomic():
        moved = Delivery.objects.filter(pk=delivery_id, state=DeliveryState.UNKNOWN).update(
            state=DeliveryState.QUEUED, next_attempt_at=None, updated_at=now
        )
        if moved:
            edition_id = Delivery.objects.values_list("edition_id", flat=True).get(pk=delivery_id)
            Edition.objects.filter(pk=edition_id).update(status=Edition.Status.SENDING)
    return bool(moved)
