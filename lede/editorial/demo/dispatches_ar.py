"""The Arabic edition's Newsroom: short dispatches spread over two days.

Same shape as :data:`lede.livefeed.demo.DISPATCHES` (``key``, ``hours`` ago,
``section`` (a key of :data:`.sections_ar.SECTIONS_AR`), ``credit`` ("" or
absent = the newsroom), ``headline``, ``body`` (one to three short HTML
paragraphs), ``photo`` (an image key of :mod:`.images`)). Keys start with
``ar-``, distinct from the French keys. Original Arabic text written for this project; the events,
people and figures are fictional, the agencies are the demo's fictional ones
under their Arabic names.
"""

from __future__ import annotations

from typing import Any

#: The demo's fictional agencies (lede/livefeed/demo.py), in Arabic.
AGENCY_ZD_AR = "زينيت للأنباء"
AGENCY_DDM_AR = "قصاصات المغرب"

DISPATCHES_AR: list[dict[str, Any]] = [
    {
        "key": "ar-amtar-gharb",
        "hours": 0.4,
        "section": "maghrib/mujtama",
        "headline": "أمطار غزيرة في الغرب تقطع عدة طرق إقليمية",
        "body": (
            "<p>تسببت زخات رعدية في قطع أربع طرق إقليمية بمحيط سيدي قاسم في أواخر "
            "الصباح، حسب المديرية الجهوية للتجهيز، ولم يُسجل أي ضحايا.</p>"
            "<p>ودُعي السائقون إلى تجنب القناطر المعرضة للغمر إلى غاية صباح الغد.</p>"
        ),
    },
    {
        "key": "ar-bourse-iqfal",
        "hours": 1.3,
        "section": "iqtisad",
        "credit": AGENCY_DDM_AR,
        "headline": "بورصة الدار البيضاء تنهي الجلسة على ارتفاع طفيف",
        "body": (
            "<p>ربح المؤشر الرئيسي للسوق 0,4 في المائة عند الإغلاق، بدعم من أسهم "
            "البنوك وقطاع البناء، فيما ظل حجم التداول محدودا في حدود 180 مليون درهم.</p>"
        ),
    },
    {
        "key": "ar-tanja-hawiyat",
        "hours": 2.6,
        "section": "iqtisad",
        "headline": "ميناء طنجة يعلن رقما قياسيا شهريا جديدا في مناولة الحاويات",
        "body": (
            "<p>تقول سلطة الميناء إنها ناولت قرابة 900 ألف حاوية في شهر واحد، وهو "
            "مستوى غير مسبوق يعود أساسا إلى الخطوط الرابطة بين آسيا وغرب إفريقيا.</p>"
        ),
        "photo": "terminal-conteneurs",
    },
    {
        "key": "ar-majlis-hukuma-naql",
        "hours": 4.2,
        "section": "maghrib/siyasa",
        "headline": "مجلس الحكومة يصادق على مرسوم للنقل المدرسي في العالم القروي",
        "body": (
            "<p>يعهد النص إلى الجهات بتنظيم النقل المدرسي في الجماعات القروية ويحدد "
            "ساعة واحدة سقفا للرحلة. وتحدث الناطق الرسمي باسم الحكومة عن «إجراء "
            "طال انتظاره لدى أسر الدواوير».</p>"
        ),
    },
    {
        "key": "ar-dakar-wuzara-malia",
        "hours": 6,
        "section": "alam/afriqia",
        "credit": AGENCY_ZD_AR,
        "headline": "غرب إفريقيا: وزراء المالية يجتمعون في دكار",
        "body": (
            "<p>يناقش الوزراء على مدى يومين تمويل ممرات النقل الإقليمية وتنسيق "
            "السياسات الجبائية، على أن يصدر بيان ختامي مساء الغد.</p>"
        ),
    },
    {
        "key": "ar-kurat-yad-muaskar",
        "hours": 9,
        "section": "riyada",
        "headline": "كرة اليد: المنتخب النسوي يبدأ معسكره التدريبي في إفران",
        "body": (
            "<p>تخوض اللاعبات الست عشرة حصتين يوميا إلى غاية نهاية الأسبوع، قبل "
            "مباراتين وديتين أمام منتخبين من المنطقة.</p>"
        ),
        "photo": "handball",
    },
    {
        "key": "ar-souk-digital-mustawda",
        "hours": 13,
        "section": "iqtisad",
        "headline": "«Souk Digital» تفتح أول مستودع لها خارج الدار البيضاء",
        "body": (
            "<p>اختارت المنصة مدينة بني ملال لافتتاح مستودعها الأول في الجهات، على أن "
            "تليه إحدى عشرة مدينة متوسطة قبل نهاية 2026.</p>"
        ),
    },
    {
        "key": "ar-maktaba-tanja",
        "hours": 20,
        "section": "thaqafa",
        "headline": "طنجة: مكتبة عمرها قرن تعيد فتح أبوابها بعد الأشغال",
        "body": (
            "<p>بعد إغلاق دام ثمانية عشر شهرا، استعادت المكتبة رفوفها الأصلية وخصصت "
            "ركنا للكتّاب المغاربة باللغتين العربية والأمازيغية.</p>"
        ),
        "photo": "librairie",
    },
    {
        "key": "ar-tramway-dar-bayda",
        "hours": 30,
        "section": "maghrib/mujtama",
        "headline": "الدار البيضاء: اضطراب في أحد خطوط الترامواي حتى يوم الأحد",
        "body": (
            "<p>تخفض أشغال على الطريق وتيرة مرور العربات بين المحطة ووسط المدينة، "
            "وتعمل حافلات بديلة كل عشر دقائق.</p>"
        ),
    },
    {
        "key": "ar-asmida-sadirat",
        "hours": 44,
        "section": "iqtisad",
        "credit": AGENCY_DDM_AR,
        "headline": "صادرات الأسمدة ترتفع بنسبة 12 في المائة خلال الفصل الأول",
        "body": (
            "<p>يعود هذا الارتفاع إلى الطلب القادم من شرق إفريقيا وأمريكا الجنوبية، "
            "حسب مكتب الصرف، وبلغت الكميات المصدرة مستوى قياسيا.</p>"
        ),
    },
]
