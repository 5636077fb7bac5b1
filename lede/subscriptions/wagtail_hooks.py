"""Staff manage the catalogue in the Wagtail admin (Abonnements › …); orders,
subscriptions, receipts and the ledger are in the Django admin, where a
bank transfer or cash payment is recorded."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lede.core.caching.invalidation import Event, invalidate

from .checks import billing_identity_missing
from .models import Coupon, Offer, Plan


class PlanViewSet(SnippetViewSet):  # type: ignore[type-arg]
    model = Plan
    icon = "tag"
    menu_label = "Formules"
    list_display = ["name", "price_display", "period", "active"]


class OfferViewSet(SnippetViewSet):  # type: ignore[type-arg]
    model = Offer
    icon = "pick"
    menu_label = "Offres"
    list_display = ["headline", "plan", "featured", "active", "starts_at", "ends_at"]


class CouponViewSet(SnippetViewSet):  # type: ignore[type-arg]
    model = Coupon
    icon = "ticket"
    menu_label = "Codes de réduction"
    list_display = ["code", "percent_off", "amount_off_minor", "uses", "max_uses", "expires_at"]
    search_fields = ["code", "description"]


class SubscriptionsGroup(SnippetViewSetGroup):
    menu_label = "Abonnements"
    menu_icon = "tag"
    items = (PlanViewSet, OfferViewSet, CouponViewSet)


register_snippet(SubscriptionsGroup)


def _catalogue_changed(request: Any, instances: Any) -> None:
    """The paywall box shows the launch offer: refresh it."""
    items = instances if isinstance(instances, list | tuple) else [instances]
    if not any(isinstance(i, Plan | Offer) for i in items):
        return
    invalidate(Event.OFFERS_CHANGED)


@hooks.register("after_create_snippet")
def _after_create(request: Any, instance: Any) -> None:
    _catalogue_changed(request, instance)


@hooks.register("after_edit_snippet")
def _after_edit(request: Any, instance: Any) -> None:
    _catalogue_changed(request, instance)


@hooks.register("after_delete_snippet")
def _after_delete(request: Any, instances: Any) -> None:
    _catalogue_changed(request, instances)


class BillingIdentityPanel(Component):
    """Dashboard warning while the seller's identity on receipts is incomplete."""

    name = "billing_identity"
    order = 50
    template_name = "subscriptions/admin/billing_identity_panel.html"

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        return {"missing": self.missing, "settings_url": self.settings_url()}

    @staticmethod
    def settings_url() -> str:
        try:
            return reverse("wagtailsettings:edit", args=["subscriptions", "billingsettings"])
        except NoReverseMatch:
            return ""


@hooks.register("construct_homepage_panels")
def add_billing_identity_panel(request: HttpRequest, panels: list[Any]) -> None:
    if not request.user.has_perm("subscriptions.change_billingsettings"):
        return
    missing = billing_identity_missing()
    if missing:
        panels.append(BillingIdentityPanel(missing))
