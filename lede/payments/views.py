"""Payment views: provider notifications and returns, the order status page
("paiement en cours de confirmation"), the sandbox card page, bank-transfer
instructions and the Stripe customer portal."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lede.core.observability.metrics import record_checkout
from lede.core.site import site_url

from . import seller, services
from .models import Order, PaymentAttempt
from .providers import (
    UnknownProvider,
    available_provider,
    available_providers,
    get_provider,
    sandbox,
)
from .providers.base import CheckoutAction, PaymentProvider, ProviderError
from .providers.stripe_provider import StripeProvider
from .redirects import safe_next_url, see_other

logger = logging.getLogger(__name__)

PENDING_PATIENCE = timedelta(minutes=15)


def error_page(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "payments/error.html", {"message": message}, status=status)


def _provider_or_404(name: str) -> PaymentProvider:
    try:
        provider = get_provider(name)
    except UnknownProvider as exc:
        raise Http404(gettext("Prestataire de paiement inconnu.")) from exc
    if not provider.is_configured():
        raise Http404(gettext("Prestataire de paiement inconnu."))
    return provider


def action_response(request: HttpRequest, action: CheckoutAction) -> HttpResponse:
    if action.is_form:
        response = render(request, "payments/redirect_form.html", {"action": action})
        response["Cache-Control"] = "no-store"
        return response
    return see_other(action.url)


def start_payment(request: HttpRequest, order: Order, provider_name: str) -> HttpResponse:
    """Send the reader to ``provider_name`` to pay ``order`` (a fresh attempt)."""
    if order.amount_minor == 0 and order.status == Order.Status.PENDING:
        services.order_complete_free(order=order)
        return see_other(services.order_status_url(order))
    provider = available_provider(provider_name)
    if provider is None:
        return error_page(request, gettext("Choisissez un moyen de paiement proposé."))
    try:
        action = provider.create_checkout(order, request)
    except (ProviderError, services.PaymentError) as exc:
        return error_page(request, exc.message, status=409)
    record_checkout(provider=provider.name)
    return action_response(request, action)


@csrf_exempt
@require_POST
def notification(request: HttpRequest, provider: str) -> HttpResponse:
    """Server-to-server notifications. CSRF-exempt: trusted only after the
    provider's hash or signature is verified."""
    handler = _provider_or_404(provider)
    result = services.notification_receive(
        provider=handler.name, handle=partial(handler.handle_notification, request)
    )
    return HttpResponse(result.body, status=result.status, content_type=result.content_type)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def payment_return(request: HttpRequest, provider: str) -> HttpResponse:
    """The browser is back from the gateway (okUrl / failUrl / success_url).
    Cross-site POSTs carry no session cookie: redirect (303) to the order's
    page, which the reader's own session may see. Nothing is granted here."""
    handler = _provider_or_404(provider)
    try:
        result = handler.handle_return(request)
    except DatabaseError:
        logger.exception("database unavailable on a %s return", provider)
        return error_page(request, gettext("Service momentanément indisponible."), status=503)
    if result.order is None:
        return error_page(request, result.error or gettext("Retour de paiement non reconnu."))
    return see_other(services.order_status_url(result.order))


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def order_status(request: HttpRequest, uuid: str) -> HttpResponse:
    order = get_object_or_404(Order.objects.select_related("invoice"), uuid=uuid, user=request.user)
    if order.is_paid:
        if order.kind == Order.Kind.GIFT:
            return see_other(reverse("subscriptions:gift_done", args=[order.uuid]))
        target = safe_next_url(order.next_url) or reverse("subscriptions:account") + "?merci=1"
        return see_other(target)
    last = order.attempts.first()
    if order.status == Order.Status.CANCELED:
        state = "canceled"
    elif last is not None and last.status in (
        PaymentAttempt.Status.DECLINED,
        PaymentAttempt.Status.ERROR,
    ):
        state = "declined"
    elif last is not None and last.provider == "manual":
        return see_other(reverse("payments:manual", args=[order.uuid]))
    else:
        state = "pending"
    waited_long = last is not None and timezone.now() - last.created_at > PENDING_PATIENCE
    context: dict[str, Any] = {
        "order": order,
        "attempt": last,
        "state": state,
        "waited_long": waited_long,
        "providers": available_providers(),
    }
    return render(request, "payments/order_status.html", context)


@login_required
@require_POST
def order_pay(request: HttpRequest, uuid: str) -> HttpResponse:
    """Try again (after a decline), possibly with another provider."""
    order = get_object_or_404(Order, uuid=uuid, user=request.user)
    if order.status != Order.Status.PENDING:
        return see_other(services.order_status_url(order))
    return start_payment(request, order, request.POST.get("provider", ""))


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sandbox_card(request: HttpRequest, oid: str) -> HttpResponse:
    if not sandbox.enabled():
        raise Http404
    attempt = get_object_or_404(
        PaymentAttempt.objects.select_related("order"),
        oid=oid,
        provider="sandbox",
        order__user=request.user,
    )
    if attempt.order.status != Order.Status.PENDING or attempt.status != "created":
        return see_other(services.order_status_url(attempt.order))
    errors: dict[str, str] = {}
    values = {"number": "", "expiry": "", "cvc": "", "name": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "")[:40] for k in values}
        try:
            card = sandbox.validate_card(
                values["number"], values["expiry"], values["cvc"], timezone.localdate()
            )
        except sandbox.CardError as exc:
            errors[exc.field] = exc.message
        else:
            sandbox.send_notification(attempt, card)
            return see_other(reverse("payments:return", args=["sandbox"]) + f"?oid={attempt.oid}")
    context = {
        "attempt": attempt,
        "order": attempt.order,
        "amount": sandbox.checkout_total_display(attempt),
        "errors": errors,
        "values": values,
        "cards": sandbox.TEST_CARDS.values(),
        "cancel_url": services.order_shop_url(attempt.order),
    }
    return render(request, "payments/sandbox_card.html", context, status=400 if errors else 200)


@login_required
@never_cache
def manual_instructions(request: HttpRequest, uuid: str) -> HttpResponse:
    order = get_object_or_404(Order, uuid=uuid, user=request.user)
    if order.is_paid:
        return see_other(services.order_status_url(order))
    attempt = order.attempts.filter(provider="manual").first()
    if attempt is None:
        raise Http404
    return render(
        request,
        "payments/manual.html",
        {"order": order, "attempt": attempt, "billing": seller.current().payee()},
    )


@login_required
@require_POST
def stripe_portal(request: HttpRequest) -> HttpResponse:
    customer_id = seller.current().customer_id(user=cast(Any, request.user), provider="stripe")
    provider = available_provider("stripe")
    if not customer_id or not isinstance(provider, StripeProvider):
        return error_page(request, gettext("Aucun moyen de paiement Stripe enregistré."), 404)
    try:
        url = provider.portal_url(customer_id, site_url(reverse("subscriptions:account")))
    except ProviderError as exc:
        return error_page(request, exc.message, status=503)
    return see_other(url)
