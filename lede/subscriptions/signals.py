"""How subscriptions plugs into the apps below it: it is payments' seller
(paid orders, declines, refunds and a provider's renewals are reported to
it), and it adds its sections to the reader's data export and its rules to
account deletion."""

from __future__ import annotations

from lede.accounts.services import (
    register_data_exporter,
    register_deletion_hook,
    register_retention_check,
)
from lede.payments import seller

from .export import export_payments, export_subscriptions, stop_renewals
from .selectors import user_has_invoices
from .seller import SubscriptionsSeller


def connect() -> None:
    seller.register(SubscriptionsSeller())
    register_data_exporter("subscriptions", export_subscriptions)
    register_data_exporter("payments", export_payments)
    register_retention_check(user_has_invoices)
    register_deletion_hook(stop_renewals)
