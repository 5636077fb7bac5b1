from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lede.api"
    label = "api"
    verbose_name = "API de contenus"

    def ready(self) -> None:
        from lede.syndication import webhooks

        from . import content

        webhooks.register_article_check("wire-rights", content.webhook_allows)
