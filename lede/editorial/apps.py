from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "lede.editorial"
    label = "editorial"
    verbose_name = "Rédaction"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import page_context, signals
        from .setup import on_post_migrate

        signals.connect()
        page_context.register()
        post_migrate.connect(on_post_migrate, sender=self)
