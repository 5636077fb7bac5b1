"""Refill the nchan fronts that lost the live feed's recent messages.

    manage.py livefeed_nchan_refill [--force] [--ready-file PATH]

Run after nginx starts (bin/stack, the systemd unit's ExecStartPost): nchan
keeps its messages in shared memory, so a restarted front has none; the last
``LEDE_NCHAN_REPLAY`` public frames of each edition are sent again (from Redis,
or the database when Redis has none), and readers reconnecting with
``Last-Event-ID`` get what they missed. A front that still holds messages is
left alone unless ``--force``. Then ``--ready-file`` is created: the fronts
answer readers "come back in 2 s" until it exists (deploy/nginx/lede-livefeed.conf).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lede.livefeed import nchan


class Command(BaseCommand):
    help = "Republie les dernières dépêches du fil vers les frontaux nchan redémarrés."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Republier même vers un frontal qui a des messages.",
        )

        parser.add_argument(
            "--ready-file",
            default="",
            help="Fichier créé une fois les frontaux remplis (ils servent alors les lecteurs).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not nchan.enabled():
            raise CommandError(
                "Le fil n’est pas servi par nchan (LEDE_LIVEFEED_BACKEND, LEDE_NCHAN_PUBLISH_URLS)."
            )
        sent = nchan.refill(force=options["force"])
        total = sum(sent.values())
        self.stdout.write(f"{total} message(s) republié(s) {dict(sorted(sent.items()))}")
        if options["ready_file"]:
            Path(options["ready_file"]).touch()
