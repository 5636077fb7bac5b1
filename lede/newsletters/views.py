"""Readers' pages of the newsletters: sign-up, confirmation, unsubscribe,
"Mes lettres", the browser view and archive; the bounce webhook."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import F
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lede.core.caching import keys
from lede.core.network import client_ip
from lede.core.site import base_url
from lede.paywall.selectors import reader_for_request

from . import bounces, selectors, services, tokens
from .models import Edition, LinkClick, Newsletter
from .rendering import edition_for_web

logger = logging.getLogger(__name__)

CONSENT_TEXT = (
    "J'accepte de recevoir cette lettre d'information et je peux me désinscrire à tout moment."
)
THROTTLE_SECONDS = 3600


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return _private(render(request, template, context, status=status))


def _message(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return _page(request, "newsletters/message.html", {"title": title, "message": message}, status)


def _site_origin() -> str:
    parts = urlsplit(base_url())
    return f"{parts.scheme}://{parts.netloc}"


def _same_origin(request: HttpRequest) -> bool:
    """The sign-up form is on cached pages (no CSRF token in them): the
    browser's Origin (or, without it, the Referer) must be the site's own
    address."""
    origin = request.META.get("HTTP_ORIGIN", "")
    if not origin:
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        if not (referer.scheme and referer.netloc):
            return False
        origin = f"{referer.scheme}://{referer.netloc}"
    return origin.rstrip("/") == _site_origin()


def _throttled(key: str, limit: int) -> bool:
    cache.add(key, 0, timeout=THROTTLE_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=THROTTLE_SECONDS)
        count = 1
    return count > limit


def _source_path(request: HttpRequest) -> str:
    raw = request.POST.get("source", "") or urlsplit(request.META.get("HTTP_REFERER", "")).path
    path = urlsplit(raw).path
    return path if path.startswith("/") else "/"


@csrf_exempt  # the form sits on pages cached for everyone; see _same_origin
@require_POST
def signup(request: HttpRequest) -> HttpResponse:
    title = _("Inscription aux lettres d’information")
    if not _same_origin(request):
        return _message(request, title, _("Ce formulaire doit être envoyé depuis notre site."), 403)
    address = services.normalise_email(request.POST.get("email", ""))
    try:
        validate_email(address)
    except ValidationError:
        return _message(request, title, _("Saisissez une adresse e-mail valide."), 400)
    if not request.POST.get("consent"):
        return _message(
            request,
            title,
            _("Cochez la case de consentement pour recevoir nos lettres d’information."),
            400,
        )
    ip = client_ip(request)
    address_key = hashlib.sha256(address.encode()).hexdigest()[:32]
    if _throttled(
        keys.newsletter_signup_ip_key(ip), settings.LEDE_NEWSLETTER_SIGNUPS_PER_IP
    ) or _throttled(
        keys.newsletter_signup_address_key(address_key),
        settings.LEDE_NEWSLETTER_SIGNUPS_PER_ADDRESS,
    ):
        return _message(
            request, title, _("Trop de demandes d’inscription. Réessayez dans une heure."), 429
        )
    slugs = request.POST.getlist("lettre")
    chosen = selectors.newsletters_offered()
    if slugs:
        chosen = Newsletter.objects.filter(active=True, slug__in=slugs).exclude(audience="entitled")
    services.signup(
        email=address,
        newsletters=list(chosen),
        source=_source_path(request),
        consent_text=CONSENT_TEXT,
    )
    # The same answer whether the address was known, confirmed or new.
    return _page(request, "newsletters/signup_done.html", {"email": address})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open links
    must not confirm on the reader's behalf."""
    title = _("Confirmation de l’inscription")
    if request.method == "GET":
        try:
            tokens.confirm_read(token)
        except tokens.BadToken:
            return _message(
                request, title, _("Ce lien de confirmation est invalide ou a expiré."), 400
            )
        return _page(request, "newsletters/confirm.html", {"token": token})
    try:
        newsletters = services.confirm(token=token)
    except services.NewsletterError as exc:
        return _message(request, title, str(exc), 400)
    return _page(request, "newsletters/confirmed.html", {"newsletters": newsletters})


@csrf_exempt  # RFC 8058: mail clients POST the signed link without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    title = _("Désinscription")
    try:
        subscriber, newsletter = services.token_subject(token=token)
    except services.NewsletterError as exc:
        return _message(request, title, str(exc), 400)
    if request.method == "GET":
        return _page(
            request,
            "newsletters/unsubscribe.html",
            {"token": token, "newsletter": newsletter, "email": subscriber.email},
        )
    every = request.POST.get("toutes") == "1"
    services.unsubscribe(
        subscriber=subscriber,
        newsletter=None if every else newsletter,
        source="one-click" if "List-Unsubscribe" in request.POST else "page",
    )
    return _page(
        request,
        "newsletters/unsubscribed.html",
        {"newsletter": None if every else newsletter, "email": subscriber.email},
    )


def manage(request: HttpRequest) -> HttpResponse:
    """ "Mes lettres": a signed-in reader picks their newsletters."""
    if not request.user.is_authenticated:
        return _page(
            request, "newsletters/manage.html", {"offered": selectors.newsletters_offered()}
        )
    return _manage_signed_in(request)


def _manage_signed_in(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    waiting: list[Newsletter] = []
    saved = False
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("lettre") if v.isdigit()]
        chosen = list(selectors.newsletters_for_reader(user).filter(pk__in=ids))
        waiting = services.reader_newsletters_set(user=user, newsletters=chosen, source="/lettres/")
        saved = True
    subscriber = selectors.subscriber_for_user(user)
    current = (
        set(
            subscriber.subscriptions.filter(status="confirmed").values_list(
                "newsletter_id", flat=True
            )
        )
        if subscriber
        else set()
    )
    context = {
        "newsletters": selectors.newsletters_for_reader(user),
        "current": current,
        "waiting": waiting,
        "saved": saved,
    }
    return _page(request, "newsletters/manage.html", context)


def archive(request: HttpRequest, slug: str) -> HttpResponse:
    newsletter = get_object_or_404(Newsletter, slug=slug, active=True)
    editions = newsletter.editions.filter(
        status__in=[Edition.Status.SENDING, Edition.Status.SENT]
    ).order_by("-enqueued_at")[:100]
    return _page(
        request, "newsletters/archive.html", {"newsletter": newsletter, "editions": editions}
    )


def edition_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """ "Voir dans le navigateur": the edition for this visitor, the paywall
    applied to them (full text only where they have access)."""
    edition = get_object_or_404(
        Edition.objects.select_related("newsletter"),
        pk=pk,
        newsletter__slug=slug,
        status__in=[Edition.Status.SENDING, Edition.Status.SENT],
    )
    now = timezone.now()
    variant = edition_for_web(edition, reader_for_request(request, now), now)
    return _private(HttpResponse(_as_page(variant.html)))


def _as_page(html: str) -> str:
    """The e-mail's layout as a web page: its content in a ``main``
    landmark (an e-mail has none; screen readers navigate by them)."""
    start = html.find("<body")
    end = html.find(">", start) + 1 if start >= 0 else 0
    if not end or "</body>" not in html:
        return html
    return html[:end] + "<main>" + html[end:].replace("</body>", "</main></body>", 1)


def click(request: HttpRequest, token: str) -> HttpResponse:
    """A counted link (newsletters that count clicks): per edition and link,
    nobody's identity."""
    try:
        edition_id, url = tokens.click_read(token)
    except tokens.BadToken as exc:
        raise Http404 from exc
    if not url.startswith(base_url() + "/"):
        raise Http404
    # Links of editions sent while counting was on keep leading to the
    # article; they count only while the newsletter still counts clicks.
    if Edition.objects.filter(pk=edition_id, newsletter__count_clicks=True).exists():
        counted = LinkClick.objects.filter(edition_id=edition_id, url=url).update(
            count=F("count") + 1
        )
        if not counted:
            LinkClick.objects.get_or_create(edition_id=edition_id, url=url, defaults={"count": 1})
    return HttpResponseRedirect(url)


@csrf_exempt  # authenticated by Mailgun's signature
@require_POST
def mailgun_webhook(request: HttpRequest) -> HttpResponse:
    try:
        payload = json.loads(request.body)
        signature = payload["signature"]
        bounces.mailgun_verify(
            timestamp=str(signature["timestamp"]),
            token=str(signature["token"]),
            signature=str(signature["signature"]),
        )
        event = payload["event-data"]
        kind = event.get("event")
        recipient = str(event.get("recipient", ""))
    except bounces.BadSignature:
        return JsonResponse({"erreur": _("Signature invalide.")}, status=403)
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse({"erreur": _("Notification illisible.")}, status=400)
    reason = str(event.get("reason") or event.get("severity") or kind)
    if kind == "failed":
        services.bounce_record(
            email=recipient, hard=event.get("severity") == "permanent", reason=f"mailgun: {reason}"
        )
    elif kind == "complained":
        services.complaint_record(email=recipient, reason="mailgun: complaint")
    return JsonResponse({"ok": True})
