"""Bylines of the Arabic edition (fictional journalists).

``AUTHORS_AR`` has the shape of :data:`.people.AUTHORS`: two journalists of
the Arabic desk, with slugs of their own. ``NAMES_AR`` gives the Arabic
spelling of the French edition's authors (same slugs), for the Arabic
version of their author snippet when the loader localises it.
"""

from __future__ import annotations

from typing import Any

AUTHORS_AR: list[dict[str, Any]] = [
    {
        "slug": "salma-idrissi",
        "name": "سلمى الإدريسي",
        "role": "صحافية، قسم المغرب",
        "bio": (
            "تتابع سلمى الإدريسي قضايا المجتمع والجهات منذ عشر سنوات، "
            "وتهتم خصوصا بالتعليم والصحة في المدن الصغرى والعالم القروي."
        ),
        "color": "#7b1e1e",
    },
    {
        "slug": "omar-bennani",
        "name": "عمر البناني",
        "role": "صحافي، قسما الاقتصاد والعالم",
        "bio": (
            "يكتب عمر البناني عن المقاولات والتكنولوجيا والمبادلات مع إفريقيا، "
            "بعد سنوات قضاها مراسلا اقتصاديا في دكار وأبيدجان."
        ),
        "color": "#16423c",
    },
]

NAMES_AR: dict[str, str] = {
    "nadia-chraibi": "نادية الشرايبي",
    "karim-benjelloun": "كريم بنجلون",
    "hicham-ouazzani": "هشام الوزاني",
    "meriem-tahiri": "مريم الطاهري",
}
