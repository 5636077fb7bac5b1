"""``manage.py load_demo``: load the demo publication (development only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Charge la publication de démonstration (rubriques, auteurs, images, articles, "
        "comptes de démo). Idempotent ; refuse de tourner si DEBUG n'est pas activé."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "load_demo refuse de tourner sans DEBUG=True : la démo crée des comptes "
                "au mot de passe connu. Utilisez DJANGO_SETTINGS_MODULE=config.settings.dev."
            )
        from lede.editorial.demo.loader import DemoError, load_demo

        try:
            load_demo(stdout=self.stdout)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
