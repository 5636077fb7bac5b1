"""Demo authors (fictional journalists) and demo log-ins."""

from __future__ import annotations

from typing import Any

AUTHORS: list[dict[str, Any]] = [
    {
        "slug": "nadia-chraibi",
        "name": "Nadia Chraibi",
        "role": "Cheffe du service Maroc",
        "bio": (
            "Nadia Chraibi suit la vie parlementaire et les collectivités territoriales "
            "depuis quinze ans. Elle a couvert trois scrutins législatifs et dirige "
            "aujourd'hui le service Maroc."
        ),
        "color": "#7b1e1e",
    },
    {
        "slug": "karim-benjelloun",
        "name": "Karim Benjelloun",
        "role": "Journaliste, service Économie",
        "bio": (
            "Ancien analyste financier, Karim Benjelloun écrit sur les finances publiques, "
            "l'industrie et l'agriculture. Il aime les chiffres, à condition de les expliquer."
        ),
        "color": "#16423c",
    },
    {
        "slug": "hicham-ouazzani",
        "name": "Hicham Ouazzani",
        "role": "Journaliste, service Sports",
        "bio": (
            "Hicham Ouazzani couvre le football national et les sports de montagne. "
            "Il a suivi deux Coupes d'Afrique des nations au bord du terrain."
        ),
        "color": "#8a3b00",
    },
    {
        "slug": "meriem-tahiri",
        "name": "Meriem Tahiri",
        "role": "Journaliste, services Monde et Culture",
        "bio": (
            "Meriem Tahiri écrit sur la diplomatie régionale, les livres et la scène "
            "musicale. Elle tient aussi une chronique sur les langues du quotidien."
        ),
        "color": "#3d1f5c",
    },
]

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented demo log-in, never used in production

USERS: list[dict[str, Any]] = [
    {
        "email": "admin@demo.example",
        "display_name": "Administratrice démo",
        "superuser": True,
        "group": "Administrateur",
        "label": "administration (superutilisateur)",
    },
    {
        "email": "editor@demo.example",
        "display_name": "Éditeur démo",
        "superuser": False,
        "group": "Éditeur",
        "label": "éditeur (accès à /admin/)",
    },
    {
        "email": "reader@demo.example",
        "display_name": "Lectrice démo",
        "superuser": False,
        "group": None,
        "label": "lecteur",
    },
    {
        "email": "subscriber@demo.example",
        "display_name": "Abonné démo",
        "superuser": False,
        "group": None,
        "label": "abonné (accès offert pour un an)",
    },
    {
        "email": "lecteur@org.demo.example",
        "display_name": "Lecteur d'une organisation",
        "superuser": False,
        "group": None,
        "label": "licence de groupe (domaine org.demo.example)",
    },
]
