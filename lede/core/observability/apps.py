from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "lede.core.observability"
    label = "observability"
    verbose_name = "Observabilité"

    def ready(self) -> None:
        # Every process that runs Django (web, worker, scheduler) carries the
        # request id of the request that enqueued a task into the task.
        from . import signals

        signals.connect()
