"""The demo's information pages and the publisher's legal identity.

Everything here is fictional and written for this project: the company, its
numbers (ICE, RC, IF, patente), addresses, telephone numbers and people. The
texts follow what a Moroccan online newspaper must publish (press law 88-13,
consumer protection law 31-08, personal data law 09-08 and the CNDP) without
being legal advice.
"""

from __future__ import annotations

from typing import Any

PUBLISHER = "Médias du Bouregreg"

#: BillingSettings of the demo: well-formed but fictional identifiers
#: (ICE: 15 digits; IF: 8 digits; RC: court and number).
BILLING: dict[str, Any] = {
    "legal_name": "Médias du Bouregreg SARL",
    "address": "Immeuble Al Manar, 3e étage\n18, rue Oued Ziz, Agdal\n10090 Rabat — Maroc",
    "ice": "002145873000061",
    "tax_id": "40281937",
    "trade_register": "Rabat 148213",
    "patente": "25718406",
    "email": "abonnements@lequotidien.example",
    "phone": "+212\u00a05\u00a037\u00a000\u00a041\u00a020",
    "receipt_footer": "Médias du Bouregreg SARL, au capital de 1\u202f200\u202f000 DH.",
}

_IDENTITY = (
    "<p><b>Médias du Bouregreg SARL</b>, société à responsabilité limitée au capital de "
    "1 200 000 dirhams<br>Siège social : Immeuble Al Manar, 3e étage, 18, rue Oued Ziz, "
    "Agdal, 10090 Rabat<br>Registre de commerce : Rabat 148213 — ICE : 002145873000061 — "
    "Identifiant fiscal : 40281937 — Taxe professionnelle : 25718406<br>"
    "Téléphone : +212 5 37 00 41 20 — courriel : contact@lequotidien.example</p>"
)

LEGAL_NOTICE = {
    "slug": "mentions-legales",
    "title": "Mentions légales",
    "kind": "legal_notice",
    "intro": "Qui édite Le Quotidien, qui en répond et qui l'héberge.",
    "body": (
        "<h2>Éditeur</h2>"
        "<p>Le Quotidien est un journal électronique d'information générale édité par :</p>"
        + _IDENTITY
        + "<h2>Direction de la publication</h2>"
        "<p>Directrice de la publication : Salma Bennani. Rédacteur en chef : Youssef Amrani.</p>"
        "<p>Le journal est publié conformément à la loi n° 88-13 relative à la presse et à "
        "l'édition. Il a fait l'objet d'une déclaration auprès du procureur du Roi près le "
        "tribunal de première instance de Rabat et dispose d'un récépissé d'autorisation "
        "pour son édition électronique.</p>"
        "<h2>Hébergement</h2>"
        "<p>Le site est hébergé au Maroc par Atlas Centre de Données SA, parc technologique "
        "de Technopolis, Salé. Les sauvegardes sont conservées sur le territoire national.</p>"
        "<h2>Propriété intellectuelle</h2>"
        "<p>Les articles, photographies, illustrations, infographies et vidéos publiés par "
        "Le Quotidien sont protégés par la loi n° 2-00 relative aux droits d'auteur et "
        "droits voisins. Toute reproduction ou diffusion, même partielle, sur quelque "
        "support que ce soit (photocopie, intranet, site web, courriel, lettre "
        "d'information, outil de veille ou de revue de presse) est interdite sans "
        "l'autorisation écrite de l'éditeur. Les entreprises et institutions qui souhaitent "
        "diffuser nos contenus en interne peuvent souscrire une licence de groupe.</p>"
        "<p>Les dépêches d'agences sont reproduites avec l'accord de leurs auteurs ; elles "
        "restent la propriété des agences qui les signent.</p>"
        "<h2>Droit de réponse et de rectification</h2>"
        "<p>Toute personne nommée ou désignée dans un article peut adresser une demande de "
        "réponse ou de rectification à la direction de la publication, par courrier au "
        "siège ou par courriel à redaction@lequotidien.example. Elle est publiée dans les "
        "conditions prévues par la loi.</p>"
    ),
}

TERMS_OF_SALE = {
    "slug": "conditions-generales-de-vente",
    "title": "Conditions générales de vente",
    "kind": "terms_of_sale",
    "intro": (
        "Les règles qui s'appliquent à tout abonnement au Quotidien, qu'il soit "
        "souscrit pour soi, offert ou pris pour un groupe."
    ),
    "body": (
        "<h2>1. Objet</h2>"
        "<p>Les présentes conditions régissent la vente, sur le site du Quotidien, "
        "d'abonnements donnant accès aux articles réservés, au Newsroom et aux archives. "
        "Le vendeur est :</p>" + _IDENTITY + "<h2>2. Offres et prix</h2>"
        "<p>Les offres en vigueur sont présentées sur la page « Offres ». Les prix sont "
        "indiqués en dirhams, toutes taxes comprises (TVA au taux de 20 %). Une offre de "
        "lancement peut s'appliquer aux premières périodes : son prix et sa durée sont "
        "affichés avant le paiement, ainsi que le prix dû ensuite.</p>"
        "<h2>3. Commande et paiement</h2>"
        "<p>L'abonnement est souscrit depuis un compte lecteur. Le paiement se fait par "
        "carte bancaire sur la page sécurisée de notre prestataire de paiement, avec "
        "authentification 3-D Secure ; Le Quotidien ne reçoit ni ne conserve les numéros "
        "de carte. Les entreprises peuvent aussi régler par virement. Un reçu est envoyé "
        "par courriel après chaque paiement et reste disponible dans « Mon abonnement ».</p>"
        "<h2>4. Durée et renouvellement</h2>"
        "<p>L'abonnement mensuel ou annuel se renouvelle à son échéance pour la même durée, "
        "sauf résiliation. Un courriel de rappel est envoyé avant chaque renouvellement "
        "annuel. La résiliation se fait à tout moment depuis « Mon abonnement » : l'accès "
        "reste ouvert jusqu'à la fin de la période payée et aucun nouveau prélèvement n'a "
        "lieu.</p>"
        "<h2>5. Droit de rétractation</h2>"
        "<p>Conformément à la loi n° 31-08 édictant des mesures de protection du "
        "consommateur, l'abonné dispose d'un délai de sept jours à compter de la "
        "souscription pour se rétracter, par courriel au service abonnés ; il est alors "
        "remboursé dans les quinze jours. L'abonné qui demande à lire les contenus réservés "
        "dès la souscription reconnaît que le service commence immédiatement.</p>"
        "<h2>6. Abonnements offerts et licences de groupe</h2>"
        "<p>Un abonnement offert est payé une fois pour la durée choisie et ne se renouvelle "
        "pas ; son code d'activation est valable un an. Les licences de groupe ouvrent "
        "l'accès aux lecteurs d'une organisation selon le nombre de postes et les domaines "
        "de messagerie convenus ; elles font l'objet d'un contrat particulier.</p>"
        "<h2>7. Service abonnés et litiges</h2>"
        "<p>Le service abonnés répond du lundi au vendredi, de 9 h à 18 h, au "
        "+212 5 37 00 41 20 et à abonnements@lequotidien.example. À défaut d'accord "
        "amiable, tout litige relève des tribunaux compétents de Rabat, sous réserve des "
        "règles protectrices du consommateur.</p>"
    ),
}

PRIVACY = {
    "slug": "politique-de-confidentialite",
    "title": "Politique de confidentialité",
    "kind": "privacy",
    "intro": (
        "Quelles données personnelles nous traitons, pourquoi, combien de temps, "
        "et comment exercer vos droits."
    ),
    "body": (
        "<h2>Responsable du traitement</h2>"
        "<p>Médias du Bouregreg SARL, éditrice du Quotidien, siège social à Rabat, traite "
        "les données personnelles de ses lecteurs dans le respect de la loi n° 09-08 "
        "relative à la protection des personnes physiques à l'égard du traitement des "
        "données à caractère personnel. Les traitements décrits ici ont été déclarés à la "
        "Commission nationale de contrôle de la protection des données à caractère "
        "personnel (CNDP).</p>"
        "<h2>Données traitées et finalités</h2>"
        "<ul>"
        "<li><b>Compte lecteur</b> : adresse électronique, mot de passe chiffré, nom si vous "
        "le donnez — pour vous identifier et vous écrire au sujet de votre compte ;</li>"
        "<li><b>Abonnement</b> : offre choisie, dates, reçus, moyen de paiement sous forme "
        "de jeton fourni par notre prestataire — pour exécuter le contrat et tenir la "
        "comptabilité ;</li>"
        "<li><b>Lecture</b> : nombre d'articles gratuits lus dans le mois — pour appliquer "
        "le compteur d'articles, sans profil publicitaire ;</li>"
        "<li><b>Sécurité</b> : adresse IP et navigateur lors des connexions — pour protéger "
        "les comptes et vous prévenir d'une connexion inhabituelle.</li>"
        "</ul>"
        "<h2>Destinataires</h2>"
        "<p>Ces données sont réservées aux services de Médias du Bouregreg et à ses "
        "prestataires techniques (hébergement au Maroc, paiement, envoi de courriels), "
        "tenus à la confidentialité. Elles ne sont ni vendues ni louées. Un prestataire de "
        "paiement établi hors du Maroc n'est utilisé qu'avec l'autorisation de la CNDP.</p>"
        "<h2>Durées de conservation</h2>"
        "<p>Le compte est conservé tant qu'il est actif, puis supprimé après trois ans "
        "sans connexion. Les reçus et les écritures de paiement sont gardés dix ans, comme "
        "l'exige la loi comptable. Les journaux de connexion sont effacés après douze "
        "mois.</p>"
        "<h2>Vos droits</h2>"
        "<p>Vous disposez d'un droit d'accès, de rectification et d'opposition pour des "
        "motifs légitimes. Depuis « Mon compte », vous pouvez télécharger vos données et "
        "supprimer votre compte. Pour toute autre demande, écrivez à "
        "donnees@lequotidien.example ; une réponse vous est apportée sous trente jours. "
        "Vous pouvez aussi saisir la CNDP.</p>"
        "<h2>Cookies</h2>"
        "<p>Le site n'utilise que les cookies nécessaires à son fonctionnement : session de "
        "connexion, protection des formulaires et compteur d'articles gratuits. Aucun "
        "cookie publicitaire ni de mesure d'audience tierce n'est déposé.</p>"
    ),
}

CONTACT = {
    "slug": "contact",
    "title": "Contact",
    "kind": "contact",
    "intro": "Écrire à la rédaction, au service abonnés ou à la régie.",
    "body": (
        "<h2>Rédaction</h2>"
        "<p>Une information, une correction, une tribune : "
        "redaction@lequotidien.example. Pour nous transmettre un document de façon "
        "confidentielle, demandez d'abord un rendez-vous à la rédaction en chef.</p>"
        "<h2>Service abonnés</h2>"
        "<p>Abonnement, reçu, accès qui ne fonctionne pas : "
        "abonnements@lequotidien.example ou +212 5 37 00 41 20, du lundi au vendredi de "
        "9 h à 18 h. Indiquez l'adresse électronique de votre compte.</p>"
        "<h2>Entreprises et institutions</h2>"
        "<p>Licences de groupe, revues de presse, droits de reproduction : "
        "licences@lequotidien.example.</p>"
        "<h2>Courrier</h2>"
        "<p>Le Quotidien — Médias du Bouregreg SARL<br>Immeuble Al Manar, 3e étage<br>"
        "18, rue Oued Ziz, Agdal<br>10090 Rabat — Maroc</p>"
    ),
}

LEGAL_PAGES = [LEGAL_NOTICE, TERMS_OF_SALE, PRIVACY, CONTACT]
