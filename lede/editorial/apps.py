from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "lede.editorial"
    label = "editorial"
    verbose_name = "Rédaction"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401
        from .setup import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self)
