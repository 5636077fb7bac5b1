"""Publish a dispatch to the live feed from a script or a terminal.

    manage.py dispatch_post --headline "…" --body "…" [--section <slug>] [--credit AFP]

Prints the new dispatch's id. Bad input: a French message and exit code 1.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lede.editorial.models import AccessLevel, SectionPage
from lede.livefeed import services


class Command(BaseCommand):
    help = "Publie une dépêche dans la Newsroom et affiche son identifiant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--headline", required=True, help="Titre de la dépêche.")
        parser.add_argument(
            "--body",
            required=True,
            help="Texte : un à trois paragraphes séparés par une ligne vide.",
        )
        parser.add_argument("--section", default="", help="Identifiant (slug) de la rubrique.")
        parser.add_argument("--credit", default="", help="Source, par exemple AFP.")
        parser.add_argument(
            "--access",
            default=AccessLevel.PUBLIC,
            choices=AccessLevel.values,
            help="Niveau d'accès (public par défaut).",
        )
        parser.add_argument("--guid", default=None, help="Identifiant d'agence (facultatif).")

    def handle(self, *args: Any, **options: Any) -> None:
        section = None
        if options["section"]:
            section = SectionPage.objects.filter(slug=options["section"]).first()
            if section is None:
                raise CommandError(f"Rubrique introuvable : « {options['section']} ».")
        try:
            dispatch = services.dispatch_publish(
                headline=options["headline"],
                body=options["body"],
                section=section,
                credit=options["credit"],
                access_level=options["access"],
                source_guid=options["guid"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(_messages(exc))) from exc
        self.stdout.write(str(dispatch.pk))


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(exc.messages)
