from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "lede.subscriptions"
    label = "subscriptions"
    verbose_name = "Abonnements"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the deployment check
            signals,
        )

        signals.connect()
