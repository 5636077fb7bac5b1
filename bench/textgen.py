"""Pseudo-French newspaper copy for the benchmark (original word lists, nothing
copied from a publication). Fast: sentences come from a pre-built pool."""

from __future__ import annotations

import random
import uuid
from typing import Any

# A word found in many titles and in most bodies, and one found in a handful
# of articles only: the two searches of the benchmark.
COMMON_WORD = "gouvernement"
RARE_WORD = "xylographie"

_SUBJECTS = [
    "Le gouvernement",
    "La commune",
    "Le ministère de l'Équipement",
    "La région de l'Oriental",
    "Les agriculteurs du Souss",
    "La banque centrale",
    "Le conseil municipal",
    "Les syndicats",
    "L'office des ports",
    "Les étudiants",
    "La fédération de football",
    "Le festival de musique",
    "Les exportateurs",
    "La société civile",
    "Le parlement",
    "Les pêcheurs",
    "L'université",
    "Le tribunal de commerce",
    "Les opérateurs télécoms",
    "La compagnie aérienne",
]
_VERBS = [
    "annonce",
    "prépare",
    "lance",
    "reporte",
    "présente",
    "défend",
    "conteste",
    "accélère",
    "revoit",
    "finance",
    "inaugure",
    "suspend",
    "dévoile",
    "négocie",
    "adopte",
]
_OBJECTS = [
    "un plan d'investissement",
    "la réforme des retraites",
    "un nouveau port de pêche",
    "le budget de l'année prochaine",
    "une ligne de train rapide",
    "un programme de logements",
    "la saison touristique",
    "un accord de libre-échange",
    "la rénovation de la médina",
    "un concours pour les jeunes",
    "la gestion de l'eau",
    "un parc solaire",
    "la hausse des prix",
    "le calendrier scolaire",
    "une campagne de vaccination",
]
_TAILS = [
    "",
    "",
    "",
    " pour 2026",
    " malgré la sécheresse",
    " après des mois de débat",
    " dans le Nord",
    " sous la pression du gouvernement",
    " avec l'appui des régions",
    " à Casablanca",
    " à Tanger",
    " à Fès",
]
_WORDS = (
    "le la les un une des du de au aux et ou mais donc car ni que qui dont où "
    "ville région pays marché prix projet budget année mois semaine jour eau port "
    "route train avion école hôpital université entreprise secteur emploi salaire "
    "croissance inflation récolte pluie sécheresse énergie soleil vent réseau "
    "ministre maire conseil parlement gouvernement commission rapport chiffre "
    "hausse baisse accord contrat réforme loi décret plan programme chantier "
    "habitants familles jeunes femmes agriculteurs artisans commerçants élèves "
    "selon indique précise souligne rappelle estime affirme ajoute explique "
    "nouveau nouvelle grand grande petit petite premier première dernier dernière "
    "national nationale local locale public publique privé privée important "
    "cette ces son sa ses leur leurs notre votre plus moins très déjà encore "
    "depuis pendant avant après entre contre vers chez sans avec pour par sur sous "
    "a été sera doit peut fait dit prévoit permet reste devient semble compte "
    "million milliard dirhams kilomètres hectares tonnes pour-cent "
    "nord sud est ouest côte montagne désert plaine littoral frontière"
).split()


class TextGenerator:
    """Titles, standfirsts and StreamField bodies from a seeded generator."""

    def __init__(self, rng: random.Random, pool_size: int = 4000) -> None:
        self.rng = rng
        self.sentences = [self._sentence() for _ in range(pool_size)]

    def _sentence(self) -> str:
        words = self.rng.choices(_WORDS, k=self.rng.randint(8, 22))
        if self.rng.random() < 0.3:
            words.insert(self.rng.randrange(len(words)), COMMON_WORD)
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def title(self, rare: bool = False) -> str:
        r = self.rng
        title = f"{r.choice(_SUBJECTS)} {r.choice(_VERBS)} {r.choice(_OBJECTS)}{r.choice(_TAILS)}"
        if rare:
            title += f" : la {RARE_WORD} à l'honneur"
        return title

    def standfirst(self) -> str:
        return " ".join(self.rng.sample(self.sentences, self.rng.randint(1, 2)))

    def paragraph(self) -> str:
        return "<p>" + " ".join(self.rng.sample(self.sentences, self.rng.randint(3, 6))) + "</p>"

    def body(self, rare: bool = False) -> list[dict[str, Any]]:
        """StreamField JSON: paragraphs, sometimes a sub-heading."""
        blocks: list[dict[str, Any]] = []
        count = self.rng.randint(4, 8)
        for i in range(count):
            if i == count // 2 and self.rng.random() < 0.4:
                blocks.append(
                    {"type": "subheading", "value": self.title()[:60], "id": str(uuid.uuid4())}
                )
            blocks.append({"type": "paragraph", "value": self.paragraph(), "id": str(uuid.uuid4())})
        if rare:
            blocks.append(
                {
                    "type": "paragraph",
                    "value": f"<p>Un atelier de {RARE_WORD} ouvre ses portes.</p>",
                    "id": str(uuid.uuid4()),
                }
            )
        return blocks
