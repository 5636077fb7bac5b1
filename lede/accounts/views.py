from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from allauth.account.utils import get_next_redirect_url
from allauth.account.views import PasswordResetFromKeyView
from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .address_code import AddressCodeProcess
from .forms import AddressCodeForm, AddressForm, DeleteAccountForm
from .services import user_delete_account, user_export_data, user_set_language


@never_cache
@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    address = (
        EmailAddress.objects.filter(user_id=user.pk, email__iexact=user.email).first()
        or EmailAddress.objects.filter(user_id=user.pk, primary=True).first()
    )
    pending = (
        EmailAddress.objects.filter(user_id=user.pk, verified=False)
        .exclude(email__iexact=user.email)
        .order_by("-pk")
        .first()
    )
    has_totp = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    return render(
        request,
        "accounts/home.html",
        {
            "email": user.email,
            "email_verified": bool(address and address.verified),
            "pending_email": pending.email if pending else "",
            "has_totp": has_totp,
            "has_usable_password": user.has_usable_password(),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def data_export(request: HttpRequest) -> HttpResponse:
    """GET explains what the export contains; POST downloads it as JSON."""
    if request.method == "GET":
        return render(request, "accounts/data_export.html")
    user: Any = request.user
    data = user_export_data(user=user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    filename = f"mes-donnees-{timezone.localdate().isoformat()}.json"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.has_usable_password():
        # Without a password there is nothing to confirm with: set one first.
        return render(request, "accounts/delete.html", {"needs_password": True})
    if request.method == "POST":
        form = DeleteAccountForm(request.POST, request=request)
        if form.is_valid():
            outcome = user_delete_account(user=user)
            logout(request)
            if outcome == "anonymised":
                messages.success(
                    request,
                    _(
                        "Votre compte a été supprimé. Vos données personnelles ont été "
                        "effacées ; seules les pièces que la loi nous oblige à conserver "
                        "(factures) le sont encore, sous forme anonyme."
                    ),
                )
            else:
                messages.success(request, _("Votre compte et vos données ont été supprimés."))
            return redirect("account_deleted")
        status = 400
    else:
        form = DeleteAccountForm(request=request)
        status = 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)


def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deleted.html")


class LedePasswordResetFromKeyView(PasswordResetFromKeyView):
    """allauth's reset-from-key view, answering 400 (not 200) when the link
    was already used, has expired or was altered. The page itself explains
    it in French and links to a new request."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if context.get("token_fail") and response.status_code == 200:
            response.status_code = 400
        return response


password_reset_from_key = LedePasswordResetFromKeyView.as_view()


# --- One road in: address → e-mailed code → signed in (or account created) ----------
#
# ``account_signup`` (shadowing allauth's sign-up, so every link to it keeps
# working) and ``account_code_confirm``. See ``address_code.py`` for why this
# is not allauth's own sign-up. Every answer below depends only on what the
# requester typed and on this session, never on whether the address has an
# account.


def _next_url(request: HttpRequest) -> str:
    # allauth's own check (adapter.is_safe_url: this host, no other scheme).
    return get_next_redirect_url(request) or ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _address_page(
    request: HttpRequest,
    form: AddressForm,
    next_url: str,
    *,
    status: int = 200,
    restart_error: str = "",
) -> HttpResponse:
    return render(
        request,
        "account/signup.html",
        {
            "form": form,
            "next_url": next_url,
            "login_url": _with_next(reverse("account_login"), next_url),
            "restart_error": restart_error,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def address_request(request: HttpRequest) -> HttpResponse:
    """The reader gives an address; a code is e-mailed to it, whoever owns it."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    if request.method != "POST":
        return _address_page(request, AddressForm(), next_url)
    form = AddressForm(request.POST)
    if not form.is_valid():
        return _address_page(request, form, next_url, status=429 if form.rate_limited else 400)
    AddressCodeProcess.initiate(
        request=request, email=form.cleaned_data["email"].strip().lower(), user=form.user
    )
    return redirect(_with_next(reverse("account_code_confirm"), next_url))


def _restart(request: HttpRequest, next_url: str, message: str, *, status: int) -> HttpResponse:
    return _address_page(request, AddressForm(), next_url, status=status, restart_error=message)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def address_confirm(request: HttpRequest) -> HttpResponse:
    """The reader types the code: known address → signed in; new → account
    created and signed in. Then back to ``next`` (the checkout, the article)."""
    next_url = _next_url(request)
    post = request.method == "POST"
    process = AddressCodeProcess.resume(request)
    if process is None:
        if not post:
            return redirect(_with_next(reverse("account_signup"), next_url))
        return _restart(
            request,
            next_url,
            _("Ce code n’est plus valable : il a déjà servi ou a expiré. Demandez-en un nouveau."),
            status=400,
        )
    if not process.is_valid():
        process.abort()
        return _restart(
            request,
            next_url,
            _("Ce code a expiré. Demandez-en un nouveau."),
            status=400 if post else 200,
        )
    here = _with_next(reverse("account_code_confirm"), next_url)
    if post and request.POST.get("action") == "resend":
        if process.can_resend and ratelimit.consume(
            request, action="request_login_code", key=process.email
        ):
            process.resend()
            messages.success(request, _("Un nouveau code vient de vous être envoyé."))
        else:
            messages.error(
                request,
                _("Impossible d’envoyer un autre code pour le moment. Patientez, puis réessayez."),
            )
        return redirect(here)
    form = AddressCodeForm(request.POST if post else None, code=process.code)
    status = 200
    if post:
        if form.is_valid():
            response = process.finish(next_url or None)
            user: Any = request.user
            if user.is_authenticated and not user.has_usable_password():
                messages.info(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _("Vous êtes connecté. Pour vous connecter plus tard sans code :"),
                        _with_next(reverse("account_set_password"), next_url),
                        _("choisir un mot de passe (facultatif)"),
                    ),
                )
            return response
        if not process.record_invalid_attempt():
            return _restart(
                request,
                next_url,
                _("Trop de codes erronés. Demandez un nouveau code."),
                status=400,
            )
        status = 400
    return render(
        request,
        "account/confirm_address_code.html",
        {
            "form": form,
            "email": process.email,
            "can_resend": process.can_resend,
            "next_url": next_url,
            "here": here,
            "restart_url": _with_next(reverse("account_signup"), next_url),
        },
        status=status,
    )


@never_cache
@require_GET
def language_switch(request: HttpRequest, code: str) -> HttpResponse:
    """The language switch every page carries: remember the edition the
    reader chose (a cookie, and their profile when signed in, for their
    e-mails) and take them to ``suivant``, the page's counterpart in that
    edition (computed by the page: lede.core.templatetags.editions)."""
    if code not in dict(settings.LANGUAGES):
        return render(request, "404.html", status=404)
    target = request.GET.get("suivant", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/" if code == settings.LANGUAGE_CODE else f"/{code}/"
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    if request.user.is_authenticated and getattr(request.user, "language", code) != code:
        user_set_language(user=request.user, language=code)
    return response
