from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lede.api"
    label = "api"
    verbose_name = "API de contenus"
