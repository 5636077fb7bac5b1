"""How subscriptions plugs into the apps below it: it is payments' seller
(paid orders, declines, refunds and a provider's renewals are reported to
it), and it adds its sections to the reader's data export and its rules to
account deletion."""

from __future__ import annotations

from lede.accounts.services import (
    data_exporter_register,
    deletion_hook_register,
    retention_check_register,
)
from lede.payments import seller

from .export import export_payments, export_subscriptions, stop_renewals
from .selectors import user_has_invoices
from .seller import SubscriptionsSeller


def connect() -> None:
    seller.register(SubscriptionsSeller())
    data_exporter_register("subscriptions", export_subscriptions)
    data_exporter_register("payments", export_payments)
    retention_check_register(user_has_invoices)
    deletion_hook_register(stop_renewals)
