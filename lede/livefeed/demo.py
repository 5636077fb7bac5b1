"""The demo's Newsroom: short dispatches spread over the last two days.

Original French text written for this project; the events, people and
figures are fictional. Agency items are credited to the demo's fictional
agencies (the same ones whose sample wires the wire desk receives:
lede/wires/demo.py). Idempotent: each dispatch carries a ``demo:`` agency
identifier and is created only when missing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from .models import Dispatch
from .services import dispatch_publish

#: The demo's fictional news agencies (also in lede/wires/demo.py).
AGENCY_ZD = "Zénith Dépêches"
AGENCY_DDM = "Dépêches du Maghreb"

#: hours_ago, section key, credit ("" = the newsroom), headline, body, photo key.
DISPATCHES: list[dict[str, Any]] = [
    {
        "key": "pluie-gharb",
        "hours": 0.3,
        "section": "maroc/societe",
        "headline": "Fortes pluies dans le Gharb : plusieurs routes provinciales coupées",
        "body": (
            "<p>Des averses orageuses ont provoqué la coupure de quatre routes provinciales "
            "autour de Sidi Kacem en fin de matinée, selon la direction régionale de "
            "l'équipement. Aucune victime n'est signalée.</p>"
            "<p>Les automobilistes sont invités à éviter les ponts submersibles jusqu'à "
            "demain matin.</p>"
        ),
    },
    {
        "key": "bourse-cloture",
        "hours": 1.2,
        "section": "economie",
        "credit": AGENCY_DDM,
        "headline": "La Bourse de Casablanca termine en légère hausse",
        "body": (
            "<p>L'indice principal de la place casablancaise a gagné 0,4 % à la clôture, "
            "porté par les valeurs bancaires et le secteur du bâtiment. Les volumes sont "
            "restés modestes, à 180 millions de dirhams.</p>"
        ),
    },
    {
        "key": "port-tanger-record",
        "hours": 2.5,
        "section": "economie",
        "headline": "Le port de Tanger annonce un nouveau record mensuel de conteneurs",
        "body": (
            "<p>L'autorité portuaire fait état de près de 900 000 conteneurs manutentionnés "
            "en un mois, un niveau jamais atteint. La hausse tient surtout aux lignes "
            "reliant l'Asie à l'Afrique de l'Ouest.</p>"
        ),
        "photo": "terminal-conteneurs",
    },
    {
        "key": "conseil-gouvernement",
        "hours": 4,
        "section": "maroc/politique",
        "headline": "Le conseil de gouvernement adopte un décret sur le transport scolaire rural",
        "body": (
            "<p>Le texte confie aux régions l'organisation du ramassage scolaire dans les "
            "communes rurales et fixe un plafond de trajet d'une heure. Le porte-parole du "
            "gouvernement évoque « une mesure attendue par les familles des douars ».</p>"
        ),
    },
    {
        "key": "sommet-uemoa",
        "hours": 5.5,
        "section": "monde/afrique",
        "credit": AGENCY_ZD,
        "headline": "Afrique de l'Ouest : les ministres des Finances réunis à Dakar",
        "body": (
            "<p>Les ministres des Finances de huit pays de la région se retrouvent jusqu'à "
            "jeudi à Dakar pour discuter de la dette et du financement des infrastructures. "
            "Une déclaration commune est attendue en fin de réunion.</p>"
        ),
    },
    {
        "key": "botola-entraineur",
        "hours": 7,
        "section": "sport",
        "headline": "Football : un club de l'Oriental change d'entraîneur après trois défaites",
        "body": (
            "<p>Le club a annoncé dans la soirée la nomination de son entraîneur adjoint à "
            "la tête de l'équipe première, avant la réception du leader samedi. Son "
            "prédécesseur quitte le club « d'un commun accord ».</p>"
        ),
        "photo": "stade-nuit",
    },
    {
        "key": "logements-neufs",
        "hours": 9,
        "section": "economie",
        "credit": AGENCY_DDM,
        "headline": "Immobilier : les ventes de logements neufs progressent de 6 % sur un an",
        "body": (
            "<p>Les promoteurs ont vendu davantage de logements de moyen standing au "
            "troisième trimestre, selon leur fédération, qui cite l'aide directe à l'achat "
            "et la baisse de certains prix dans les grandes villes.</p>"
        ),
    },
    {
        "key": "conservatoire-meknes",
        "hours": 11,
        "section": "culture",
        "headline": "Meknès : le conservatoire ouvre une classe de oud pour adultes",
        "body": (
            "<p>Les cours auront lieu le soir, deux fois par semaine, pour vingt élèves "
            "débutants. Les inscriptions sont ouvertes jusqu'à la fin du mois, sur "
            "audition.</p>"
        ),
    },
    {
        "key": "cessez-le-feu",
        "hours": 13,
        "section": "monde/proche-orient",
        "credit": AGENCY_ZD,
        "headline": "Proche-Orient : une trêve humanitaire de 72 heures annoncée",
        "body": (
            "<p>Les médiateurs ont annoncé dans la nuit une trêve de trois jours destinée à "
            "acheminer de l'aide dans les zones les plus touchées. Son application doit "
            "commencer à l'aube.</p>"
            "<p>Plusieurs organisations humanitaires disent se tenir prêtes à faire entrer "
            "des convois dès les premières heures.</p>"
        ),
    },
    {
        "key": "bac-dates",
        "hours": 16,
        "section": "maroc/societe",
        "headline": "Baccalauréat : le calendrier des épreuves est publié",
        "body": (
            "<p>Les épreuves de l'examen national se tiendront sur quatre jours au début "
            "de l'été, a indiqué le ministère de l'Éducation. La session de rattrapage est "
            "prévue trois semaines plus tard.</p>"
        ),
    },
    {
        "key": "dessalement-agadir",
        "hours": 19,
        "section": "maroc",
        "headline": "Agadir : l'extension de la station de dessalement mise en service",
        "body": (
            "<p>La nouvelle tranche porte la capacité de la station à 400 000 mètres cubes "
            "par jour, partagés entre l'eau potable et l'irrigation de la plaine du Souss.</p>"
        ),
        "photo": "dessalement",
    },
    {
        "key": "marathon-rabat",
        "hours": 22,
        "section": "sport",
        "headline": "Athlétisme : record de participation pour le marathon de Rabat",
        "body": (
            "<p>Plus de 12 000 coureurs sont inscrits, dont un tiers pour la première fois. "
            "Le parcours, inchangé, longe le Bouregreg avant de rejoindre la corniche.</p>"
        ),
    },
    {
        "key": "prix-carburant",
        "hours": 26,
        "section": "economie",
        "credit": AGENCY_DDM,
        "headline": "Carburants : les prix à la pompe baissent de 20 centimes",
        "body": (
            "<p>Les distributeurs ont répercuté la baisse des cours internationaux : le litre "
            "de gazole perd 20 centimes dans la plupart des stations depuis minuit.</p>"
        ),
    },
    {
        "key": "parlement-question",
        "hours": 29,
        "section": "maroc/politique",
        "headline": "Chambre des représentants : la séance des questions consacrée à la santé",
        "body": (
            "<p>Les députés ont interrogé la ministre de la Santé sur les délais d'attente "
            "dans les hôpitaux régionaux. Elle a annoncé le recrutement de 1 500 infirmiers "
            "d'ici la fin de l'année.</p>"
        ),
    },
    {
        "key": "elections-sahel",
        "hours": 33,
        "section": "monde/afrique",
        "credit": AGENCY_ZD,
        "headline": "Élections locales : forte participation dans plusieurs pays du Sahel",
        "body": (
            "<p>Les commissions électorales font état d'une participation supérieure à 60 % "
            "dans la plupart des circonscriptions. Les premiers résultats sont attendus "
            "dans la semaine.</p>"
        ),
    },
    {
        "key": "librairie-tanger",
        "hours": 37,
        "section": "culture",
        "headline": "Tanger : une librairie centenaire rouvre après travaux",
        "body": (
            "<p>Fermée pendant dix-huit mois, la librairie a retrouvé ses rayonnages d'origine "
            "et ouvre un espace consacré aux auteurs marocains de langue française.</p>"
        ),
        "photo": "librairie",
    },
    {
        "key": "tram-casablanca",
        "hours": 41,
        "section": "maroc/societe",
        "headline": "Casablanca : une ligne de tramway perturbée jusqu'à dimanche",
        "body": (
            "<p>Des travaux de voirie réduisent la fréquence des rames entre la gare et le "
            "centre-ville. Des bus de substitution circulent toutes les dix minutes.</p>"
        ),
    },
    {
        "key": "phosphates-export",
        "hours": 45,
        "section": "economie",
        "credit": AGENCY_DDM,
        "headline": "Les exportations d'engrais progressent de 12 % au premier trimestre",
        "body": (
            "<p>La hausse tient à la demande de l'Afrique de l'Est et de l'Amérique du Sud, "
            "selon l'office des changes. Les volumes expédiés atteignent un niveau record.</p>"
        ),
    },
]


def _local_guid(key: str) -> str:
    return f"demo:newsroom:{key}"


@transaction.atomic
def ensure_demo_dispatches(
    *, sections: dict[str, Any], images: dict[str, Any], now: datetime
) -> int:
    """Publish the demo dispatches that are missing; return how many."""
    existing = set(
        Dispatch.objects.filter(source_guid__startswith="demo:newsroom:").values_list(
            "source_guid", flat=True
        )
    )
    made = 0
    for spec in DISPATCHES:
        guid = _local_guid(spec["key"])
        if guid in existing:
            continue
        dispatch_publish(
            headline=spec["headline"],
            body=spec["body"],
            section=sections.get(spec["section"]),
            credit=spec.get("credit", ""),
            photo=images.get(spec.get("photo", "")),
            source_guid=guid,
            published_at=now - timedelta(hours=spec["hours"]),
        )
        made += 1
    return made
