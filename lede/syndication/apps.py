from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "lede.syndication"
    label = "syndication"
    verbose_name = "Licences de reproduction"

    def ready(self) -> None:
        from lede.editorial import json_ld_hooks

        from . import rights, signals

        signals.connect()
        json_ld_hooks.register("syndication.rights", rights.article_rights_json_ld)
