from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lede.search.services import DEFAULT_BATCH_SIZE, search_rebuild_index


class Command(BaseCommand):
    help = "Rebuild the reader search index from the live articles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Articles per transaction (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Rewrite every document, not only changed ones (after a change to what is "
                "indexed or how; on SQLite this also rebuilds the FTS5 index)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            self.stderr.write("--batch-size must be at least 1.")
            raise SystemExit(2)
        verbosity = int(options["verbosity"])
        started = time.monotonic()

        def progress(seen: int, written: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"{seen} articles read, {written} documents written…")

        stats = search_rebuild_index(
            batch_size=batch_size, force=options["force"], progress=progress
        )
        elapsed = time.monotonic() - started
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{stats.articles} live articles, {stats.written} documents written, "
                    f"{stats.removed} removed, in {elapsed:.1f} s."
                )
            )
