"""Demo illustrations: what each one stands for, its colours and shapes.

The pictures are abstract drawings made by :mod:`.pictures` (no package ships
news photographs a demo could use): their captions and credits say they are
illustrations, never describe a photograph that is not there. ``palette``
names a section colour pair and ``motif`` the shapes drawn over it. ``focal``
is an optional focal point as fractions of the width/height: (x, y, w, h).
"""

from __future__ import annotations

from typing import Any

LQ = "Le Quotidien"
ILLUSTRATION_CREDIT = f"Illustration / {LQ}"
#: Credits of earlier demos, when the drawings were captioned as photographs:
#: the loader rewrites those images' captions and credits.
FORMER_PHOTO_CREDITS = frozenset(
    {
        "Hamza Belkadi / Le Quotidien",
        "Inès Morel / AFP",
        "Leila Haddad / AFP",
        "Omar Fassi / MAP",
        "Rachid Amrani / Reuters",
        "Sanaa Lamrani / Le Quotidien",
        "Youssef El Idrissi / Le Quotidien",
    }
)

IMAGES: list[dict[str, Any]] = [
    {
        "key": "parlement",
        "title": "Hémicycle de la Chambre des représentants",
        "palette": "maroc",
        "motif": "columns",
        "focal": (0.5, 0.55, 0.3, 0.3),
    },
    {
        "key": "conseil-regional",
        "title": "Siège d'un conseil régional",
        "palette": "maroc",
        "motif": "columns",
    },
    {
        "key": "barrage",
        "title": "Retenue d'un barrage du Moyen Atlas",
        "palette": "maroc",
        "motif": "waves",
    },
    {
        "key": "tanger-corniche",
        "title": "Corniche de Tanger",
        "palette": "maroc",
        "motif": "skyline",
    },
    {
        "key": "bureau-de-vote",
        "title": "Bureau de vote à Salé",
        "palette": "maroc",
        "motif": "grid",
    },
    {
        "key": "hopital",
        "title": "Hôpital régional de Béni Mellal",
        "palette": "maroc",
        "motif": "grid",
    },
    {
        "key": "bus-casablanca",
        "title": "Bus à haut niveau de service à Casablanca",
        "palette": "maroc",
        "motif": "skyline",
        "focal": (0.35, 0.7, 0.25, 0.2),
    },
    {
        "key": "residence-etudiante",
        "title": "Résidence universitaire privée à Rabat",
        "palette": "maroc",
        "motif": "skyline",
    },
    {
        "key": "dessalement",
        "title": "Station de dessalement dans le Souss",
        "palette": "maroc",
        "motif": "waves",
    },
    {
        "key": "sommet-diplomatie",
        "title": "Deux chefs de la diplomatie au sommet régional",
        "palette": "monde",
        "motif": "globe",
        "focal": (0.62, 0.45, 0.2, 0.3),
    },
    {
        "key": "conference-donateurs",
        "title": "Conférence des donateurs",
        "palette": "monde",
        "motif": "columns",
    },
    {
        "key": "manuscrits",
        "title": "Numérisation de manuscrits anciens",
        "palette": "monde",
        "motif": "circles",
    },
    {
        "key": "route-sahara",
        "title": "Route transsaharienne",
        "palette": "monde",
        "motif": "dunes",
    },
    {
        "key": "sahel-champs",
        "title": "Parcelle agricole au Sahel",
        "palette": "monde",
        "motif": "dunes",
    },
    {
        "key": "abidjan-salon",
        "title": "Salon des start-up à Abidjan",
        "palette": "monde",
        "motif": "grid",
    },
    {
        "key": "marche-de-gros",
        "title": "Marché de gros de Casablanca",
        "palette": "economie",
        "motif": "bars",
    },
    {
        "key": "usine-automobile",
        "title": "Chaîne de montage automobile",
        "palette": "economie",
        "motif": "bars",
    },
    {
        "key": "terminal-conteneurs",
        "title": "Terminal à conteneurs",
        "palette": "economie",
        "motif": "waves",
    },
    {
        "key": "medina-touristes",
        "title": "Visiteurs dans la médina de Marrakech",
        "palette": "economie",
        "motif": "skyline",
    },
    {
        "key": "goutte-a-goutte",
        "title": "Irrigation au goutte-à-goutte dans le Saïss",
        "palette": "economie",
        "motif": "mountains",
    },
    {
        "key": "quartier-affaires",
        "title": "Quartier d'affaires de Casablanca",
        "palette": "economie",
        "motif": "skyline",
    },
    {
        "key": "stade-nuit",
        "title": "Stade un soir de match",
        "palette": "sport",
        "motif": "pitch",
        "focal": (0.5, 0.6, 0.4, 0.3),
    },
    {
        "key": "derby",
        "title": "Duel aérien pendant le derby",
        "palette": "sport",
        "motif": "pitch",
    },
    {
        "key": "piste-athletisme",
        "title": "Départ d'un 3 000 m steeple",
        "palette": "sport",
        "motif": "pitch",
    },
    {
        "key": "trail-atlas",
        "title": "Coureurs de trail dans le Haut Atlas",
        "palette": "sport",
        "motif": "mountains",
        "focal": (0.3, 0.4, 0.2, 0.25),
    },
    {
        "key": "chantier-stade",
        "title": "Chantier de rénovation d'un stade",
        "palette": "sport",
        "motif": "columns",
    },
    {
        "key": "handball",
        "title": "Match de handball",
        "palette": "sport",
        "motif": "circles",
    },
    {
        "key": "concert-essaouira",
        "title": "Concert en plein air à Essaouira",
        "palette": "culture",
        "motif": "circles",
        "focal": (0.45, 0.5, 0.3, 0.35),
    },
    {
        "key": "decor-ouarzazate",
        "title": "Décor de cinéma près de Ouarzazate",
        "palette": "culture",
        "motif": "dunes",
    },
    {
        "key": "expo-photo",
        "title": "Exposition de photographie à Rabat",
        "palette": "culture",
        "motif": "grid",
    },
    {
        "key": "medina-fes",
        "title": "Atelier de zellige dans la médina de Fès",
        "palette": "culture",
        "motif": "circles",
    },
    {
        "key": "librairie",
        "title": "Vitrine d'une librairie à Tanger",
        "palette": "culture",
        "motif": "grid",
    },
    {
        "key": "seguia",
        "title": "Seguia dans une oasis du Drâa",
        "palette": "idees",
        "motif": "waves",
    },
    {
        "key": "guichet",
        "title": "File d'attente devant un guichet",
        "palette": "idees",
        "motif": "grid",
    },
]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


for _spec in IMAGES:
    _spec["caption"] = f"Illustration : {_lower_first(_spec['title'])}."
    _spec["credit"] = ILLUSTRATION_CREDIT
