"""``manage.py wire_ingest PATH…``: import wire files or folders, one line per result.

Each line is ``imported|updated|skipped|rejected <guid or file> <reason>``. The
command fails (non-zero exit) only when it cannot run at all: no path exists,
or the named source does not. Bad files are reported, not fatal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lede.wires.models import WireSource
from lede.wires.services.ingest import wire_ingest_path
from lede.wires.services.log import IngestOutcome


class Command(BaseCommand):
    help = "Importe des fichiers de dépêches (NewsML-G2, NewsML, ninjs, RSS, Atom) ou des dossiers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Fichier ou dossier.")
        parser.add_argument(
            "--source",
            help="Source à associer aux dépêches (identifiant numérique ou nom).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = self._source(options.get("source"))
        paths = [Path(p) for p in options["paths"]]
        existing = [p for p in paths if p.exists()]
        if not existing:
            raise CommandError(
                "Aucun des chemins donnés n'existe : " + ", ".join(str(p) for p in paths)
            )
        for path in paths:
            if not path.exists():
                self._write(
                    IngestOutcome(
                        outcome="rejected", identifier=str(path), reason="Chemin introuvable."
                    )
                )
                continue
            for outcome in wire_ingest_path(path=path, source=source):
                self._write(outcome)

    def _write(self, outcome: IngestOutcome) -> None:
        self.stdout.write(outcome.line())

    def _source(self, value: str | None) -> WireSource | None:
        if not value:
            return None
        queryset = WireSource.objects.all()
        source = (
            queryset.filter(pk=int(value)).first()
            if value.isdigit()
            else queryset.filter(name=value).first()
        )
        if source is None:
            raise CommandError(f"Source inconnue : « {value} ».")
        return source
