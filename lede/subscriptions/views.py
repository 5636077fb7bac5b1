"""The reader's journey: offers → checkout (account created or signed in on
the spot) → provider → back on the article; then "Mon abonnement"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account.forms import LoginForm
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lede.accounts.forms import AddressForm
from lede.core import money
from lede.core.money import format_amount, months_label
from lede.payments.models import Order
from lede.payments.redirects import safe_next_url
from lede.payments.views import start_payment
from lede.paywall import selectors as paywall_selectors

from . import selectors
from .forms import (
    ChangePlanForm,
    CheckoutForm,
    GiftForm,
    GroupForm,
    RedeemForm,
    RenewForm,
)
from .invoices import receipt_pdf
from .models import Invoice, Plan, Subscription
from .pending import pending_pop, pending_save
from .services import gifts
from .services.cancelling import subscription_cancel, subscription_resume
from .services.checkout import subscription_checkout, trial_start
from .services.errors import SubscriptionError
from .services.gifts import GIFT_MONTHS, gift_checkout, gift_price_minor
from .services.groups import group_checkout
from .services.quoting import coupon_validate, offer_quote
from .services.renewals import renewal_checkout, subscription_change_plan


def _next(request: HttpRequest) -> str:
    return safe_next_url(request.POST.get("next") or request.GET.get("next"), request)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "subscriptions/not_found.html", {"message": message}, status=404)


# --- Offers and checkout -----------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def offers(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    items = selectors.current_offers()
    subscription = None
    if request.user.is_authenticated:
        subscription = selectors.live_subscription(request.user)
    # A reader who can already read (complimentary, gift, group licence by
    # address or by network) is not asked to subscribe.
    has_access = any(item.active for item in _accesses(request))
    cards = [
        {
            "offer": offer,
            "url": _with_next(reverse("subscriptions:checkout", args=[offer.slug]), next_url),
            "then": offer.plan.price_display if offer.has_intro else "",
            **_yearly_figures(offer, items),
        }
        for offer in items
    ]
    response = render(
        request,
        "subscriptions/offers.html",
        {
            "cards": cards,
            "next_url": next_url,
            "subscription": subscription,
            "has_access": has_access,
        },
    )
    response["Cache-Control"] = "private, no-cache"
    return response


def _yearly_figures(offer: Any, offers: Any) -> dict[str, str]:
    """For a yearly offer: its price per month and what it saves against the
    cheapest monthly plan on sale in the same currency, computed from the
    integer prices (money.annual_saving), never in the template."""
    plan = offer.plan
    if plan.period != "year":
        return {}
    monthly = [
        o.plan.price_minor
        for o in offers
        if o.plan.period == "month" and o.plan.currency == plan.currency
    ]
    year_minor = offer.price_for_period(0)
    # Rounded up: the page never shows a monthly cost lower than the real one.
    figures = {"per_month": money.format_amount(-(-year_minor // 12), plan.currency)}
    saving = (
        money.annual_saving(month_minor=min(monthly), year_minor=year_minor) if monthly else None
    )
    if saving is not None:
        figures["saving"] = money.format_amount(saving[0], plan.currency)
        figures["saving_percent"] = str(saving[1])
    return figures


def _auth_forms(request: HttpRequest) -> dict[str, Any]:
    # New and known readers take the same road (address → e-mailed code →
    # back here), so the checkout never tells whether an address has an
    # account; readers with a password may also log in with it.
    return {"address_form": AddressForm(), "login_form": LoginForm(request=request)}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request: HttpRequest, slug: str) -> HttpResponse:
    offer = selectors.offer_by_slug(slug)
    if offer is None:
        return _not_found(request, gettext("Cette offre n’existe pas ou n’est plus disponible."))
    next_url = _next(request)
    here = _with_next(reverse("subscriptions:checkout", args=[offer.slug]), next_url)
    context: dict[str, Any] = {"offer": offer, "next_url": next_url, "here": here}
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect(_with_next(reverse("account_login"), here))
        context.update(_auth_forms(request))
        context["quote"] = offer_quote(offer=offer)
        return render(request, "subscriptions/checkout.html", context)
    if selectors.live_subscription(request.user) is not None:
        messages.info(request, gettext("Vous êtes déjà abonné."))
        return redirect("subscriptions:account")
    trial = (
        bool(offer.trial_days)
        and not Subscription.objects.filter(user=request.user, offer=offer)
        .exclude(status=Subscription.Status.PENDING)
        .exists()
    )
    context["trial"] = trial
    form = CheckoutForm(request.POST or None)
    coupon = None
    status = 200
    action = request.POST.get("action", "pay")
    if request.method == "POST" and action == "trial" and trial:
        try:
            trial_start(user=request.user, offer=offer)
        except SubscriptionError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(next_url or reverse("subscriptions:account") + "?merci=1")
    elif request.method == "POST":
        valid = form.is_valid()
        code = form.cleaned_data.get("coupon", "") if valid else ""
        if valid and code.strip():
            try:
                coupon = coupon_validate(code=code, plan=offer.plan)
            except SubscriptionError as exc:
                form.add_error("coupon", exc.message)
                valid = False
        if valid and action == "pay":
            try:
                order = subscription_checkout(
                    user=request.user, offer=offer, coupon_code=code, next_url=next_url
                )
            except SubscriptionError as exc:
                form.add_error(None, exc.message)
            else:
                return start_payment(request, order, form.cleaned_data["provider"])
    if form.errors:
        status = 400
    context["form"] = form
    context["quote"] = offer_quote(offer=offer, coupon=coupon)
    return render(request, "subscriptions/checkout.html", context, status=status)


# --- Mon abonnement -----------------------------------------------------------------


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    subscription = selectors.reader_subscription(request.user)
    renewal = None
    if subscription is not None and subscription.is_live:
        plan = subscription.renewal_plan
        renewal = {
            "plan": plan,
            "amount": format_amount(subscription.renewal_amount_minor(), plan.currency),
            "date": subscription.current_period_end,
        }
    plans = list(selectors.active_plans())
    accesses = _accesses(request)
    context = {
        "accesses": accesses,
        "has_access": any(a.active for a in accesses),
        "subscription": subscription,
        "renewal": renewal,
        "gift_subscriptions": selectors.reader_gift_subscriptions(request.user),
        "plans": [p for p in plans if subscription is None or p.pk != subscription.plan_id],
        "orders": list(selectors.reader_orders(request.user)[:50]),
        "gifts_bought": list(selectors.gifts_bought(request.user)),
        "gifts_redeemed": list(selectors.gifts_redeemed(request.user)),
        "thanks": request.GET.get("merci") == "1",
        "can_pay_now": bool(
            subscription
            and subscription.renews
            and not subscription.provider_subscription_id
            and not (subscription.provider_token and subscription.status == "active")
        ),
    }
    return render(request, "subscriptions/account.html", context)


def _accesses(request: HttpRequest) -> list[selectors.ReaderAccess]:
    now = timezone.now()
    reader = paywall_selectors.reader_for_request(request, now)
    return selectors.reader_accesses(user=request.user, reader=reader, now=now)


def _reader_live_subscription(request: HttpRequest) -> Subscription:
    subscription = selectors.reader_subscription(request.user)
    if subscription is None or not subscription.is_live:
        raise Http404(gettext("Aucun abonnement en cours."))
    return subscription


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest) -> HttpResponse:
    subscription = _reader_live_subscription(request)
    if request.method == "POST":
        try:
            subscription_cancel(subscription=subscription)
        except SubscriptionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext(
                    "Votre abonnement prendra fin à l’échéance. Vous pouvez le reprendre "
                    "d’un clic d’ici là."
                ),
            )
        return redirect("subscriptions:account")
    return render(request, "subscriptions/cancel_confirm.html", {"subscription": subscription})


@login_required
@require_POST
def resume(request: HttpRequest) -> HttpResponse:
    subscription = _reader_live_subscription(request)
    try:
        subscription_resume(subscription=subscription)
    except SubscriptionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Votre abonnement continue : merci !"))
    return redirect("subscriptions:account")


@login_required
@require_POST
def change_plan(request: HttpRequest) -> HttpResponse:
    subscription = _reader_live_subscription(request)
    form = ChangePlanForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "subscriptions/error.html",
            {"message": gettext("Cette formule n’existe pas ou n’est plus disponible.")},
            status=400,
        )
    plan: Plan = form.cleaned_data["plan"]
    try:
        subscription_change_plan(subscription=subscription, plan=plan)
    except SubscriptionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("Changement enregistré : il prendra effet au prochain renouvellement."),
        )
    return redirect("subscriptions:account")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def renew(request: HttpRequest) -> HttpResponse:
    """Pay the next period now (renewal link of the reminder e-mails)."""
    subscription = selectors.reader_subscription(request.user)
    if subscription is None or not subscription.renews:
        messages.info(request, gettext("Aucun renouvellement à payer."))
        return redirect("subscriptions:account")
    form = RenewForm(request.POST or None)
    plan = subscription.renewal_plan
    amount = format_amount(subscription.renewal_amount_minor(), plan.currency)
    if request.method == "POST" and form.is_valid():
        try:
            order = renewal_checkout(subscription=subscription)
        except SubscriptionError as exc:
            form.add_error(None, exc.message)
        else:
            return start_payment(request, order, form.cleaned_data["provider"])
    return render(
        request,
        "subscriptions/renew.html",
        {"subscription": subscription, "form": form, "plan": plan, "amount": amount},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    if request.user.is_staff:
        invoice = Invoice.objects.filter(number=number).first()
    else:
        invoice = selectors.reader_invoice(request.user, number)
    if invoice is None:
        return _not_found(request, gettext("Ce reçu n’existe pas."))
    response = HttpResponse(receipt_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="recu-{invoice.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Gifts and group licences ----------------------------------------------------------


def _gift_prices() -> dict[int, str]:
    prices = {}
    for months in GIFT_MONTHS:
        try:
            plan, amount = gift_price_minor(months=months)
        except SubscriptionError:
            return {}
        prices[months] = f"{months_label(months)} — {format_amount(amount, plan.currency)}"
    return prices


def _account_first(request: HttpRequest, name: str, form_class: type[Form]) -> HttpResponse | None:
    """Gift and group pages show what they offer to everyone; the account is
    asked for at the action: a POST from a reader who is not signed in goes
    to the log-in page (which offers to create an account), back here after,
    where what they typed is offered back (lede/subscriptions/pending.py)."""
    if request.method == "POST" and not request.user.is_authenticated:
        pending_save(request, name, form_class)
        return redirect(_with_next(reverse("account_login"), request.get_full_path()))
    return None


def _restored(request: HttpRequest, name: str, form_class: type[Form]) -> dict[str, Any]:
    """What the reader typed before logging in, if anything, as initial data."""
    if request.method == "POST":
        return {}
    initial = pending_pop(request, name, form_class)
    if initial:
        messages.info(
            request,
            gettext(
                "Nous avons gardé ce que vous aviez saisi avant de vous connecter : "
                "vérifiez-le, puis validez."
            ),
        )
    return initial


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def gift_buy(request: HttpRequest) -> HttpResponse:
    prices = _gift_prices()
    if not prices:
        return _not_found(request, gettext("Les abonnements cadeaux ne sont pas disponibles."))
    if (login := _account_first(request, "gift", GiftForm)) is not None:
        return login
    initial = _restored(request, "gift", GiftForm)
    form = GiftForm(request.POST or None, prices=prices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = gift_checkout(
                user=request.user,
                months=data["months"],
                recipient_email=data["recipient_email"],
                recipient_name=data["recipient_name"],
                message=data["message"],
                idempotency_key=data.get("token") or "",
            )
        except SubscriptionError as exc:
            form.add_error(None, exc.message)
        else:
            return start_payment(request, order, data["provider"])
    return render(
        request, "subscriptions/gift_buy.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@never_cache
def gift_done(request: HttpRequest, uuid: str) -> HttpResponse:
    order = get_object_or_404(Order, uuid=uuid, user=request.user, kind=Order.Kind.GIFT)
    gift = getattr(order, "gift_code", None) if order.is_paid else None
    if gift is None:
        return redirect("payments:order_status", uuid=order.uuid)
    return render(request, "subscriptions/gift_done.html", {"gift": gift, "order": order})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def gift_redeem(request: HttpRequest) -> HttpResponse:
    if (login := _account_first(request, "gift_redeem", RedeemForm)) is not None:
        return login
    initial = {"code": request.GET.get("code", "")[:40]}
    initial.update(_restored(request, "gift_redeem", RedeemForm))
    form = RedeemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = gifts.gift_redeem(user=request.user, code=form.cleaned_data["code"])
        except SubscriptionError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(
                request,
                gettext("Cadeau activé : accès ouvert jusqu’au %(date)s.")
                % {"date": _date(subscription.current_period_end)},
            )
            return redirect("subscriptions:account")
    return render(
        request,
        "subscriptions/gift_redeem.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _date(value: Any) -> str:
    return date_format(timezone.localtime(value), "j F Y") if value else ""


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def group(request: HttpRequest) -> HttpResponse:
    if (login := _account_first(request, "group", GroupForm)) is not None:
        return login
    form = GroupForm(request.POST or None, initial=_restored(request, "group", GroupForm))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = group_checkout(
                user=request.user,
                plan=data["plan"],
                seats=data["seats"],
                organisation_name=data["organisation_name"],
                email_domains=data["email_domains"],
                idempotency_key=data.get("token") or "",
            )
        except SubscriptionError as exc:
            form.add_error(None, exc.message)
        else:
            return start_payment(request, order, data["provider"])
    return render(
        request, "subscriptions/group.html", {"form": form}, status=400 if form.errors else 200
    )
