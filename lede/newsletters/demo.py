"""The demo's newsletters (original text written for this project) and their
demo readers: reader@ and subscriber@demo.example receive la-matinale."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.utils import timezone

from lede.accounts.models import User

from .models import Audience, Frequency, Newsletter, Subscriber, Subscription

NEWSLETTERS: list[dict[str, Any]] = [
    {
        "slug": "la-matinale",
        "name": "La Matinale",
        "name_ar": "الصباحية",
        "description_ar": (
            "كل صباح على الساعة 7، أهم أخبار المغرب والعالم، تختارها هيئة التحرير وتلخصها."
        ),
        "description": (
            "Chaque matin à 7 h, l'essentiel de l'actualité du Maroc et du monde, "
            "choisi et résumé par la rédaction."
        ),
        "sender_name": "La Matinale du Quotidien",
        "sender_address": "matinale@lede.example",
        "audience": Audience.ANYONE,
        "frequency": Frequency.DAILY,
        "send_time": time(7, 0),
        "offered_on_site": True,
    },
    {
        "slug": "alertes",
        "name": "Alertes",
        "name_ar": "تنبيهات",
        "description_ar": "الأخبار المهمة لحظة وقوعها.",
        "description": "Les informations importantes, dès qu'elles tombent.",
        "sender_name": "Alertes du Quotidien",
        "sender_address": "alertes@lede.example",
        "audience": Audience.ANYONE,
        "frequency": Frequency.ON_DEMAND,
        "max_articles": 1,
    },
    {
        "slug": "la-lettre-des-abonnes",
        "name": "La Lettre des abonnés",
        "name_ar": "رسالة المشتركين",
        "description_ar": "كل يوم جمعة، تحقيقات الأسبوع وتحليلاته بنصها الكامل، حصريا لمشتركينا.",
        "description": (
            "Chaque vendredi, les enquêtes et analyses de la semaine en texte intégral, "
            "réservées à nos abonnés."
        ),
        "sender_name": "Le Quotidien",
        "sender_address": "abonnes@lede.example",
        "audience": Audience.ENTITLED,
        "frequency": Frequency.WEEKLY,
        "weekday": 4,
        "send_time": time(18, 0),
        "full_text_for_entitled": True,
    },
]

READERS = {
    "reader@demo.example": ["la-matinale"],
    "subscriber@demo.example": ["la-matinale", "la-lettre-des-abonnes"],
}


def ensure_demo_newsletters() -> int:
    """Create what is missing; returns how many newsletters were created."""
    created = 0
    for spec in NEWSLETTERS:
        _newsletter, made = Newsletter.objects.get_or_create(slug=spec["slug"], defaults=spec)
        created += made
    now = timezone.now()
    for email, slugs in READERS.items():
        user = User.objects.filter(email=email).first()
        subscriber, _ = Subscriber.objects.get_or_create(email=email, defaults={"user": user})
        for slug in slugs:
            Subscription.objects.get_or_create(
                subscriber=subscriber,
                newsletter=Newsletter.objects.get(slug=slug),
                defaults={
                    "status": Subscription.Status.CONFIRMED,
                    "consent_at": now,
                    "confirmed_at": now,
                    "consent_source": "démo",
                    "consent_text": "Compte de démonstration",
                },
            )
    return created
