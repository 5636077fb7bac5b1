from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "lede.syndication"
    label = "syndication"
    verbose_name = "Licences de reproduction"
