from __future__ import annotations

from typing import Any

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
        from allauth.core import ratelimit

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
                _("Ce mot de passe n'est pas le bon."), code="wrong_password"
            )
        return password


class AdminLoginForm(WagtailLoginForm):
    """Wagtail's log-in form with a French label on the password field (its
    own has none, so Django shows the field's English name, "Password")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Mot de passe")
