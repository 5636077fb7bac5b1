from typing import Any

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lede.core"
    label = "core"
    verbose_name = "Lede"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401 - registers the deploy checks

        connection_created.connect(_install_pool_check, dispatch_uid="lede-pool-check")

        from . import signals

        signals.connect()


def _install_pool_check(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The web nodes' pool checks every idle connection when one is broken
    (lede/core/db_pool.py)."""
    if connection.vendor == "postgresql":
        from .db_pool import install

        install(connection)
