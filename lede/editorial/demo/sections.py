"""Demo sections (rubriques). ``key`` is the slug path under the home page."""

from __future__ import annotations

from typing import Any

SECTIONS: list[dict[str, Any]] = [
    {
        "key": "maroc",
        "title": "Maroc",
        "description": (
            "La vie politique, les territoires et la société marocaine, "
            "racontés par le service Maroc de la rédaction."
        ),
        "access": "public",
    },
    {
        "key": "maroc/politique",
        "title": "Politique",
        "description": (
            "Parlement, gouvernement, partis et collectivités : les décisions publiques "
            "et ceux qui les prennent."
        ),
        "access": "public",
    },
    {
        "key": "maroc/societe",
        "title": "Société",
        "description": (
            "Santé, éducation, logement, transports : le quotidien des Marocains "
            "et les politiques qui le façonnent."
        ),
        "access": "public",
    },
    {
        "key": "monde",
        "title": "Monde",
        "description": "L'actualité internationale, avec nos journalistes et les agences.",
        "access": "public",
    },
    {
        "key": "monde/proche-orient",
        "title": "Proche-Orient",
        "description": "Diplomatie, économie et culture du Proche-Orient et du Golfe.",
        "access": "public",
    },
    {
        "key": "monde/afrique",
        "title": "Afrique",
        "description": (
            "Le continent vu depuis Casablanca : échanges, infrastructures, santé et entreprises."
        ),
        "access": "public",
    },
    {
        "key": "economie",
        "title": "Économie",
        "description": (
            "Conjoncture, entreprises, finances publiques et marchés, chiffres en dirhams."
        ),
        "access": "registered",
    },
    {
        "key": "sport",
        "title": "Sport",
        "description": "Football, athlétisme, handball et sports de montagne.",
        "access": "public",
    },
    {
        "key": "culture",
        "title": "Culture",
        "description": "Musique, livres, cinéma, expositions et patrimoine.",
        "access": "public",
    },
    {
        "key": "idees",
        "title": "Idées",
        "description": "Éditoriaux, analyses, chroniques et points de vue.",
        "access": "subscribers",
    },
]

# Two colours (top, bottom) per top-level section for the generated pictures.
PALETTES: dict[str, tuple[str, str]] = {
    "maroc": ("#7b1e1e", "#f2a65a"),
    "monde": ("#12355b", "#7fb7e6"),
    "economie": ("#16423c", "#8fd694"),
    "sport": ("#8a3b00", "#ffd166"),
    "culture": ("#3d1f5c", "#e59cd9"),
    "idees": ("#2d3142", "#bfc0c0"),
}
