from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "lede.subscriptions"
    label = "subscriptions"
    verbose_name = "Abonnements"
