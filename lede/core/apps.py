from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lede.core"
    label = "core"
    verbose_name = "Lede"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the deploy checks
            signals,
        )

        signals.connect()
