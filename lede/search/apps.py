from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "lede.search"
    label = "lede_search"
    verbose_name = "Recherche"
