from __future__ import annotations

import json
from typing import Any

from allauth.account.views import PasswordResetFromKeyView
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import DeleteAccountForm
from .services import user_delete_account, user_export_data


@never_cache
@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

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
                        "effacées ; seules les pièces que la loi nous oblige à conserver "
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
