"""Demo dispatches (brèves) of the Arabic edition's Newsroom.

PLACEHOLDER (helper h-ar): two dispatches so that the loader runs; helper
h-artext writes the real module (same shape as lede.livefeed.demo.DISPATCHES,
``section`` being a key of SECTIONS_AR).
"""

from __future__ import annotations

from typing import Any

DISPATCHES_AR: list[dict[str, Any]] = [
    {
        "key": "ar-amtar-gharb",
        "hours": 0.4,
        "section": "maghrib",
        "headline": "أمطار قوية في الغرب وقطع أربع طرق إقليمية",
        "body": (
            "<p>تسببت زخات رعدية في قطع أربع طرق إقليمية قرب سيدي قاسم، ولم تسجل أي إصابات.</p>"
        ),
    },
    {
        "key": "ar-bourse",
        "hours": 1.5,
        "section": "iqtisad",
        "credit": "Dépêches du Maghreb",
        "headline": "بورصة الدار البيضاء تنهي الحصة على ارتفاع طفيف بنسبة 0,4%",
        "body": "<p>ارتفع المؤشر الرئيسي مدعوما بالقيم البنكية وقطاع البناء.</p>",
    },
]
