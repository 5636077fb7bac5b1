"""Send a newsletter's current edition now.

    manage.py newsletter_send la-matinale [--connections 4] [--rate 50]

Resumes an edition left half-sent, else sends the composed edition waiting,
else builds one from the newsletter's sections. Ends with one line:
``sent N, skipped M, failed K`` (and ``, unknown U`` when some are).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lede.newsletters import services
from lede.newsletters.delivery import Report
from lede.newsletters.models import Newsletter
from lede.newsletters.sending import newsletter_send


class Command(BaseCommand):
    help = "Send a newsletter's current edition now (building one if none is pending)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--connections", type=int, default=None)
        parser.add_argument("--rate", type=float, default=None, help="messages per second")

    def handle(self, *args: Any, **options: Any) -> None:
        newsletter = Newsletter.objects.filter(slug=options["slug"]).first()
        if newsletter is None:
            raise CommandError(f"Lettre inconnue : « {options['slug']} ».")
        shown = [0]

        def progress(report: Report) -> None:
            done = report.sent + report.failed + report.bounced + report.unknown
            if done - shown[0] >= 1000:
                shown[0] = done
                self.stderr.write(f"… {report.line()}")

        try:
            edition, report = newsletter_send(
                newsletter,
                connections=options["connections"],
                rate=options["rate"],
                on_progress=progress,
            )
        except services.NewsletterError as exc:
            raise CommandError(str(exc)) from exc
        if report.busy:
            raise CommandError("Cette édition est déjà en cours d'envoi par un autre processus.")
        if report.recovered_unknown:
            self.stderr.write(
                f"{report.recovered_unknown} message(s) en cours lors de l'arrêt précédent : "
                "état inconnu, à renvoyer depuis /admin/envois/ si besoin."
            )
        self.stdout.write(f"édition {edition.pk} « {edition} »")
        self.stdout.write(report.line())
