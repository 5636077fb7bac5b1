from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "lede.syndication"
    label = "syndication"
    verbose_name = "Licences de reproduction"

    def ready(self) -> None:
        from lede.core.caching.invalidation import on_settings_changed
        from lede.editorial import json_ld_hooks

        from . import rights, signals

        signals.connect()
        on_settings_changed("lede.syndication.rights", rights.forget)
        json_ld_hooks.register("syndication.rights", rights.article_rights_json_ld)
