from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "lede.newsletters"
    label = "newsletters"
    verbose_name = "Lettres d'information"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals

        signals.connect()
