from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lede.payments.providers import available_providers

from .models import Plan
from .services.gifts import GIFT_MONTHS
from .services.groups import GROUP_MAX_SEATS


def provider_choices() -> list[tuple[str, str]]:
    return [(p.name, str(p.label)) for p in available_providers()]


class ProviderChoiceMixin(forms.Form):
    provider = forms.ChoiceField(
        label=_("Moyen de paiement"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez un moyen de paiement."),
            "invalid_choice": _("Choisissez un moyen de paiement proposé."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Labels above their field need no colon (the design system's forms;
        # Django's default suffix put one on the fieldset's legend only).
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choices = provider_choices()
        field = self.fields["provider"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        if choices and not self.is_bound:
            self.initial.setdefault("provider", choices[0][0])


class CheckoutForm(ProviderChoiceMixin):
    coupon = forms.CharField(
        label=_("Code de réduction"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class RenewForm(ProviderChoiceMixin):
    pass


class TokenMixin(forms.Form):
    """A per-form idempotency token: the same form submitted twice (double
    click) makes one order."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", secrets.token_hex(12))


class GiftForm(TokenMixin, ProviderChoiceMixin):
    months = forms.TypedChoiceField(
        label=_("Durée"),
        coerce=int,
        choices=[(m, m) for m in GIFT_MONTHS],
        widget=forms.RadioSelect,
        initial=3,
        error_messages={"invalid_choice": _("Durée de cadeau invalide.")},
    )
    recipient_email = forms.EmailField(label=_("E-mail du bénéficiaire"), max_length=254)
    recipient_name = forms.CharField(label=_("Son nom"), max_length=120, required=False)
    message = forms.CharField(
        label=_("Votre message"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # What is offered first, how to pay last.
    field_order = ["months", "recipient_email", "recipient_name", "message", "provider"]

    def __init__(self, *args: Any, prices: dict[int, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if prices:
            field = self.fields["months"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(m, label) for m, label in prices.items()]


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=_("Code cadeau"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class GroupForm(TokenMixin, ProviderChoiceMixin):
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200)
    email_domains = forms.CharField(
        label=_("Domaine(s) e-mail"),
        max_length=500,
        help_text=_("Par exemple : exemple.ma. Les lecteurs de ce domaine, adresse vérifiée."),
    )
    seats = forms.IntegerField(
        label=_("Nombre de postes"), min_value=2, max_value=GROUP_MAX_SEATS, initial=5
    )
    plan = forms.ModelChoiceField(
        label=_("Durée"),
        queryset=Plan.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Cette formule n’est plus disponible.")},
    )

    field_order = ["plan", "seats", "organisation_name", "email_domains", "provider"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Plan.objects.filter(active=True)


class ChangePlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        error_messages={"invalid_choice": _("Cette formule n’est plus disponible.")},
    )

    field_order = ["plan", "seats", "organisation_name", "email_domains", "provider"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Plan.objects.filter(active=True)
