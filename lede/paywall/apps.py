from django.apps import AppConfig


class PaywallConfig(AppConfig):
    name = "lede.paywall"
    label = "paywall"
    verbose_name = "Accès et paywall"

    def ready(self) -> None:
        from . import signals  # noqa: F401
