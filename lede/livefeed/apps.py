from django.apps import AppConfig


class LivefeedConfig(AppConfig):
    name = "lede.livefeed"
    label = "livefeed"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from . import signals

        signals.connect()
