"""``manage.py load_demo``: load the demo publication (demo profile only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Charge la publication de démonstration (rubriques, auteurs, images, articles, "
        "comptes de démo). Idempotent ; refuse de tourner hors du profil de démonstration "
        "(LEDE_DEMO)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo creates accounts with a known password: only where the
        # settings say this is a demo (config/settings/dev.py), never because
        # DEBUG happens to be on, and never in production.
        if not settings.LEDE_DEMO:
            raise CommandError(
                "load_demo refuse de tourner hors du profil de démonstration (LEDE_DEMO) : "
                "la démo crée des comptes au mot de passe connu. "
                "Utilisez DJANGO_SETTINGS_MODULE=config.settings.dev."
            )
        from lede.editorial.demo.loader import DemoError, load_demo

        try:
            load_demo(stdout=self.stdout)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
