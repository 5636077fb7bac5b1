from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lede.core"
    label = "core"
    verbose_name = "Lede"
