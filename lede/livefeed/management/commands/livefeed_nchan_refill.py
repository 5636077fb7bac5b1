"""Refill the nchan fronts that lost the live feed's recent messages.

    manage.py livefeed_nchan_refill [--force] [--front URL …] [--ready-file PATH]

Run after nginx starts (bin/stack, the systemd unit's ExecStartPost): nchan
keeps its messages in shared memory, so a restarted front has none; the last
``LEDE_NCHAN_REPLAY`` public frames of each edition are sent again (from Redis,
or the database when Redis has none), and readers reconnecting with
``Last-Event-ID`` get what they missed. A front that still holds messages is
left alone unless ``--force``.

After a front's start, ``--ready-file`` (with ``--front`` its own publisher URL
when there are several fronts): the front is refilled whatever it holds (it
turned publishers away until now), then the file is created, opening it to
readers and publishers (deploy/nginx/lede.conf, lede-livefeed.conf).
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
            "--front",
            action="append",
            default=[],
            help="URL du publieur d’un frontal (par défaut : LEDE_NCHAN_PUBLISH_URLS).",
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
        ready_file = options["ready_file"]
        fronts = [url.rstrip("/") + "/" for url in options["front"]] or None
        sent = nchan.refill(
            force=options["force"] or bool(ready_file),
            fronts=fronts,
            ready=(lambda: Path(ready_file).touch()) if ready_file else None,
        )
        total = sum(sent.values())
        self.stdout.write(f"{total} message(s) republié(s) {dict(sorted(sent.items()))}")
