"""Demo sections of the Arabic edition (under /ar/).

Same shape as :mod:`.sections` (``key`` is the slug path under the Arabic
home page, Latin transliterations), plus ``pair``: the key of the French
section it mirrors (the two are translations of one another).
"""

from __future__ import annotations

from typing import Any

SECTIONS_AR: list[dict[str, Any]] = [
    {
        "key": "maghrib",
        "pair": "maroc",
        "title": "المغرب",
        "description": (
            "الحياة السياسية والجهات والمجتمع المغربي، كما يرويها قسم المغرب في هيئة التحرير."
        ),
        "access": "public",
    },
    {
        "key": "maghrib/siyasa",
        "pair": "maroc/politique",
        "title": "سياسة",
        "description": (
            "البرلمان والحكومة والأحزاب والجماعات الترابية: القرارات العمومية ومن يتخذها."
        ),
        "access": "public",
    },
    {
        "key": "maghrib/mujtama",
        "pair": "maroc/societe",
        "title": "مجتمع",
        "description": (
            "الصحة والتعليم والسكن والنقل: الحياة اليومية للمغاربة والسياسات التي تصنعها."
        ),
        "access": "public",
    },
    {
        "key": "alam",
        "pair": "monde",
        "title": "العالم",
        "description": "الأخبار الدولية بأقلام صحافيينا ومن وكالات الأنباء.",
        "access": "public",
    },
    {
        "key": "alam/sharq-awsat",
        "pair": "monde/proche-orient",
        "title": "الشرق الأوسط",
        "description": "دبلوماسية الشرق الأوسط والخليج واقتصادهما وثقافتهما.",
        "access": "public",
    },
    {
        "key": "alam/afriqia",
        "pair": "monde/afrique",
        "title": "إفريقيا",
        "description": "القارة من الدار البيضاء: المبادلات والبنيات التحتية والصحة والمقاولات.",
        "access": "public",
    },
    {
        "key": "iqtisad",
        "pair": "economie",
        "title": "اقتصاد",
        "description": "الظرفية والمقاولات والمالية العمومية والأسواق، والأرقام بالدرهم.",
        "access": "registered",
    },
    {
        "key": "riyada",
        "pair": "sport",
        "title": "رياضة",
        "description": "كرة القدم وألعاب القوى وكرة اليد ورياضات الجبل.",
        "access": "public",
    },
    {
        "key": "thaqafa",
        "pair": "culture",
        "title": "ثقافة",
        "description": "الموسيقى والكتب والسينما والمعارض والتراث.",
        "access": "public",
    },
    {
        "key": "araa",
        "pair": "idees",
        "title": "آراء",
        "description": "افتتاحيات وتحليلات وأعمدة ووجهات نظر.",
        "access": "subscribers",
    },
]
