from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "lede.payments"
    label = "payments"
    verbose_name = "Paiements"
