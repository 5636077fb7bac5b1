from __future__ import annotations

from typing import Any

from allauth.account.forms import ConfirmLoginCodeForm, RequestLoginCodeForm
from allauth.core import ratelimit
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class DeleteAccountForm(forms.Form):
    """Asks for the current password and an explicit acknowledgement."""

    password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Je comprends que la suppression de mon compte est définitive."),
        error_messages={"required": _("Cochez la case pour confirmer la suppression.")},
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        user: Any = self.request.user
        # Same budget as allauth's re-authentication: guessing is throttled.
        if not ratelimit.consume(self.request, action="reauthenticate", user=user):
            raise forms.ValidationError(
                _("Trop de tentatives. Réessayez dans quelques minutes."),
                code="too_many_attempts",
            )
        if not user.check_password(password):
            raise forms.ValidationError(
                _("Ce mot de passe n’est pas le bon."), code="wrong_password"
            )
        return password


class AddressForm(RequestLoginCodeForm):
    """The one address field of sign-up, checkout and the registered wall.

    allauth's log-in-by-code request form: same account lookup, same
    ``request_login_code`` rate limit (per IP and per address), and never an
    answer that depends on whether the address has an account.
    """

    rate_limited = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = _("Adresse e-mail")
        field.widget.attrs.update(
            {"autocomplete": "email", "placeholder": "", "autocapitalize": "none"}
        )
        field.error_messages.update(
            {
                "required": _("Indiquez votre adresse e-mail."),
                "invalid": _("Cette adresse e-mail n’est pas valide (exemple : nom@exemple.ma)."),
            }
        )

    def clean_email(self) -> str:
        try:
            return str(super().clean_email())
        except forms.ValidationError as exc:
            if getattr(exc, "code", None) != "too_many_login_attempts":
                raise
            self.rate_limited = True
            raise forms.ValidationError(
                _(
                    "Trop de demandes de code pour le moment. Patientez quelques minutes, "
                    "puis réessayez."
                ),
                code="rate_limited",
            ) from exc

    @property
    def user(self) -> Any:
        """The account of the address, if any (never shown to the requester)."""
        return getattr(self, "_user", None)


class AddressCodeForm(ConfirmLoginCodeForm):
    """The code typed back; compared in constant time by allauth."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = _("Code reçu par e-mail")
        field.widget.attrs.update(
            {
                "placeholder": "",
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        )
        field.error_messages["required"] = _("Saisissez le code reçu par e-mail.")

    def clean_code(self) -> str:
        try:
            return str(super().clean_code())
        except forms.ValidationError as exc:
            raise forms.ValidationError(
                _("Ce code n’est pas le bon. Vérifiez-le dans l’e-mail reçu."),
                code="incorrect_code",
            ) from exc


class AdminLoginForm(WagtailLoginForm):
    """Wagtail's log-in form with a French label on the password field (its
    own has none, so Django shows the field's English name, "Password")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Mot de passe")
