from django.apps import AppConfig


class WiresConfig(AppConfig):
    name = "lede.wires"
    label = "wires"
    verbose_name = "Fils d'agences"

    def ready(self) -> None:
        from . import rights

        rights.connect()
