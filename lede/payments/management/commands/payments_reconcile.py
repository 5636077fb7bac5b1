"""Compare what Lede recorded as paid with the provider's own record.

    manage.py payments_reconcile cmi --statement releve.csv [--since 2026-01-01] [--until …]
    manage.py payments_reconcile stripe --since 2026-01-01 --until 2026-02-01

Lists every difference (paid at the provider but not here, paid here but
absent from the provider, different amounts); exits with status 1 when there
is any, so it can run from cron.
"""

from __future__ import annotations

import sys
from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lede.payments import reconcile


def _day(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise CommandError(f"date invalide : {value} (AAAA-MM-JJ)") from exc
    return timezone.make_aware(datetime.combine(day, time.min))


class Command(BaseCommand):
    help = "Rapproche les paiements enregistrés avec ceux du prestataire (CMI, Stripe)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", choices=["cmi", "stripe", "sandbox", "manual"])
        parser.add_argument("--statement", help="relevé CSV exporté du back-office (CMI)")
        parser.add_argument("--since", help="depuis ce jour inclus (AAAA-MM-JJ)")
        parser.add_argument("--until", help="jusqu'à ce jour exclu (AAAA-MM-JJ)")

    def handle(self, *args: Any, **options: Any) -> None:
        provider = options["provider"]
        since, until = _day(options["since"]), _day(options["until"])
        if provider == "stripe":
            reported = reconcile.stripe_lines(since, until)
        else:
            if not options["statement"]:
                raise CommandError("indiquez le relevé : --statement fichier.csv")
            try:
                reported = reconcile.read_cmi_statement_file(Path(options["statement"]))
            except (OSError, reconcile.StatementError) as exc:
                raise CommandError(f"relevé illisible : {exc}") from exc
        recorded = reconcile.ours(provider, since, until)
        differences = reconcile.compare(recorded, reported)
        for difference in differences:
            self.stdout.write(difference.message)
        self.stdout.write(
            f"{len(recorded)} paiements chez nous, {len(reported)} chez le prestataire, "
            f"{len(differences)} différence(s)."
        )
        if differences:
            sys.exit(1)
