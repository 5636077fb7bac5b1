"""The sending desk in Wagtail's admin (/admin/envois/): editions with their
progress, preview in the browser, "send me a test", schedule or send now,
and the one-click resend of messages whose fate is unknown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services, tasks
from .message import MessageFactory, configured_signer
from .models import Delivery, Edition, Newsletter
from .rendering import EditionRenderer, Variant, personalise
from .smtp import BackendSlot, Outcome, SmtpConfig, SmtpSlot

SEND_PERMISSION = "newsletters.change_edition"


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm(SEND_PERMISSION):
        raise PermissionDenied


def desk(request: HttpRequest) -> HttpResponse:
    _require(request)
    editions = list(Edition.objects.select_related("newsletter").order_by("-created_at")[:50])
    clicks = selectors.click_totals([edition.pk for edition in editions])
    rows = [
        (edition, selectors.progress(edition.pk), clicks.get(edition.pk)) for edition in editions
    ]
    return render(
        request,
        "newsletters/admin/desk.html",
        {"rows": rows, "newsletters": Newsletter.objects.filter(active=True)},
    )


def edition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    edition = get_object_or_404(Edition.objects.select_related("newsletter"), pk=pk)
    return render(
        request,
        "newsletters/admin/edition.html",
        {
            "edition": edition,
            "progress": selectors.progress(edition.pk),
            "articles": selectors.edition_articles(edition),
            "unknown": selectors.unknown_deliveries(edition.pk)[:200],
            "clicks": selectors.click_report(edition),
            "sending": edition.status == Edition.Status.SENDING,
        },
    )


def edition_progress(request: HttpRequest, pk: int) -> JsonResponse:
    _require(request)
    p = selectors.progress(pk)
    return JsonResponse({**p.__dict__, "percent": p.percent})


def _preview_variant(edition: Edition, *, with_access: bool) -> tuple[EditionRenderer, Variant]:
    renderer = EditionRenderer(edition)
    full = frozenset(i.article_id for i in renderer.items) if with_access else frozenset()
    if not edition.newsletter.full_text_for_entitled:
        full = frozenset()
    return renderer, renderer.variant(full)


def edition_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The e-mail as a reader without access (``?acces=1``: with access)."""
    _require(request)
    edition = get_object_or_404(Edition.objects.select_related("newsletter"), pk=pk)
    _renderer, variant = _preview_variant(edition, with_access=request.GET.get("acces") == "1")
    html = personalise(variant.html, unsubscribe_url="#", email="vous@exemple.ma", escape=True)
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def edition_test(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Send me a test": to the editor's address (or the one typed), through
    the same transport as the real send, no outbox row."""
    _require(request)
    edition = get_object_or_404(Edition.objects.select_related("newsletter"), pk=pk)
    user: Any = request.user
    address = (request.POST.get("email") or user.email or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        messages.error(request, _("Adresse de test invalide."))
        return redirect("newsletters_admin:edition", pk=pk)
    if not selectors.edition_articles(edition):
        messages.error(request, _("Cette édition ne contient aucun article."))
        return redirect("newsletters_admin:edition", pk=pk)
    _renderer, variant = _preview_variant(edition, with_access=request.POST.get("acces") == "1")
    variant = Variant(
        subject="[TEST] " + variant.subject,
        html=variant.html,
        text=variant.text,
        full_ids=variant.full_ids,
    )
    factory = MessageFactory(edition, configured_signer())
    _message_id, raw = factory.build(variant=variant, email=address, subscriber_id=0, delivery_id=0)
    config = SmtpConfig.from_settings()
    transport = SmtpSlot(config) if config is not None else BackendSlot()
    result = transport.send(factory.sender, address, raw)
    transport.close()
    if result.outcome is Outcome.SENT:
        messages.success(request, _("Test envoyé à %(email)s.") % {"email": address})
    else:
        messages.error(
            request, _("Le test n’est pas parti : %(detail)s") % {"detail": result.detail}
        )
    return redirect("newsletters_admin:edition", pk=pk)


@require_POST
def edition_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send now: the outbox is written here, the worker drains it."""
    _require(request)
    edition = get_object_or_404(Edition.objects.select_related("newsletter"), pk=pk)
    try:
        count = services.edition_enqueue(edition=edition)
    except services.NewsletterError as exc:
        messages.error(request, str(exc))
        return redirect("newsletters_admin:edition", pk=pk)
    tasks.edition_deliver.enqueue(edition.pk)
    messages.success(request, _("Envoi lancé : %(count)s destinataire(s).") % {"count": count})
    return redirect("newsletters_admin:edition", pk=pk)


@require_POST
def edition_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    edition = get_object_or_404(Edition, pk=pk)
    raw = request.POST.get("at", "")
    at: datetime | None = parse_datetime(raw) if raw else None
    if at is None:
        messages.error(request, _("Indiquez une date et une heure d’envoi."))
        return redirect("newsletters_admin:edition", pk=pk)
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    try:
        services.edition_schedule(edition=edition, at=at)
    except services.NewsletterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Envoi programmé."))
    return redirect("newsletters_admin:edition", pk=pk)


@require_POST
def delivery_resend(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """One click: an ``unknown`` message back in the queue, knowingly."""
    _require(request)
    delivery = get_object_or_404(Delivery, pk=delivery_id)
    if services.delivery_resend(delivery_id=delivery.pk):
        tasks.edition_deliver.enqueue(delivery.edition_id)
        messages.success(request, _("Renvoi demandé pour %(email)s.") % {"email": delivery.email})
    else:
        messages.error(request, _("Ce message n’est plus à l’état inconnu."))
    return redirect("newsletters_admin:edition", pk=delivery.edition_id)
