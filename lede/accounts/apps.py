from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lede.accounts"
    label = "accounts"
    verbose_name = "Comptes"
