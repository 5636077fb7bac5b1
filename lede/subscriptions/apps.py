from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "lede.subscriptions"
    label = "subscriptions"
    verbose_name = "Abonnements"

    def ready(self) -> None:
        from lede.accounts.services import (
            register_data_exporter,
            register_deletion_hook,
            register_retention_check,
        )

        from . import checks  # noqa: F401 - registers the deployment check
        from .export import export_payments, export_subscriptions, stop_renewals
        from .selectors import user_has_invoices

        register_data_exporter("subscriptions", export_subscriptions)
        register_data_exporter("payments", export_payments)
        register_retention_check(user_has_invoices)
        register_deletion_hook(stop_renewals)
