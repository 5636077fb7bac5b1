"""Demo articles of the Arabic edition: original, fictional copy.

PLACEHOLDER (helper h-ar): two articles so that the loader and its tests run;
helper h-artext writes the real module (same shape as articles.py, plus an
optional ``pair``: the slug of the French article it is the counterpart of).
"""

from __future__ import annotations

from typing import Any

from .articles import D, h, p

ARTICLES_AR: list[dict[str, Any]] = [
    {
        "section": "maghrib",
        "slug": "إصلاح-القانون-الانتخابي",
        "pair": "reforme-code-electoral-decoupage",
        "title": "إصلاح القانون الانتخابي: ما الذي يغيّره التقطيع الجديد في 31 دائرة",
        "standfirst": (
            "يعيد النص الذي صادق عليه البرلمان رسم حدود إحدى وثلاثين دائرة ويرفع العتبة "
            "إلى 4 في المائة، والأحزاب الصغيرة تعترض."
        ),
        "hours_ago": 95 * D + 5,
        "tags": ["انتخابات"],
        "body": [
            p(
                "بعد أربعة أشهر من النقاش بين غرفتي البرلمان، صودق على إصلاح القانون "
                "الانتخابي في قراءة ثانية."
            ),
            h("عتبة مرفوعة إلى 4 في المائة"),
            p(
                "يتعلق التغيير الأبرز بالعتبة التي تسمح للائحة بالحصول على مقعد، إذ تنتقل "
                "من 3 إلى 4 في المائة من الأصوات المعبر عنها."
            ),
        ],
    },
    {
        "section": "iqtisad",
        "slug": "maroc-telecom-5g-2026",
        "access": "subscribers",
        "metered": True,
        "title": "Maroc Telecom تطلق شبكة 5G في 12 مدينة قبل نهاية 2026",
        "standfirst": "الشركة تعلن استثمارا بقيمة 3 مليارات درهم على ثلاث سنوات.",
        "hours_ago": 7,
        "tags": ["اتصالات"],
        "body": [
            p("أعلنت الشركة عن برنامج لتغطية اثنتي عشرة مدينة بالجيل الخامس."),
            p("ويشمل البرنامج، حسب بلاغ الشركة، تحديث 1.200 محطة."),
            p("وتقول الشركة إن الأسعار لن تتغير خلال السنة الأولى."),
        ],
    },
]
