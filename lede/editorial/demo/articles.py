"""Demo articles: original, fictional news copy written for Lede.

Every person, club, book and figure below is invented. Dates are relative:
``hours_ago`` is subtracted from the load time; ``update_after_hours`` marks a
significant update that many hours after publication; ``go_live_in_hours``
schedules the article instead of publishing it.

Body blocks reference images by their key in :mod:`.images` and related
articles by their slug (an article listed earlier in this file).
"""

from __future__ import annotations

from typing import Any

Block = tuple[str, Any]
D = 24  # hours in a day


def p(text: str) -> Block:
    return ("paragraph", f"<p>{text}</p>")


def h(text: str) -> Block:
    return ("subheading", text)


def q(text: str, attribution: str = "") -> Block:
    return ("quote", {"text": text, "attribution": attribution})


def box(title: str, *items: str) -> Block:
    body = "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    return ("factbox", {"title": title, "body": body})


def img(key: str, caption: str = "", credit: str = "") -> Block:
    return ("image", {"image": key, "caption": caption, "credit": credit})


def rel(slug: str, label: str = "Lire aussi") -> Block:
    return ("related", {"page": slug, "label": label})


ARTICLES: list[dict[str, Any]] = [
    # --- Maroc › Politique --------------------------------------------------
    {
        "section": "maroc/politique",
        "slug": "reforme-code-electoral-decoupage",
        "title": "Réforme du code électoral : ce que change le nouveau découpage",
        "standfirst": (
            "Le texte adopté par le Parlement redessine une trentaine de circonscriptions "
            "et relève le seuil de représentativité. Les petits partis dénoncent une "
            "réforme taillée pour les grandes formations."
        ),
        "hours_ago": 95 * D + 6,
        "authors": ["nadia-chraibi"],
        "image": "bureau-de-vote",
        "tags": ["élections", "Parlement", "partis politiques"],
        "body": [
            p(
                "Après quatre mois d'allers-retours entre les deux chambres, la réforme du "
                "code électoral a été adoptée en seconde lecture. Trente et une "
                "circonscriptions voient leurs limites modifiées pour tenir compte du "
                "dernier recensement, qui a confirmé la croissance des périphéries urbaines."
            ),
            h("Un seuil relevé à 4 %"),
            p(
                "Le principal changement concerne le seuil à partir duquel une liste peut "
                "prétendre à un siège : il passe de 3 % à 4 % des suffrages exprimés. Selon "
                "les simulations réalisées par nos soins sur les résultats du dernier "
                "scrutin, six formations auraient perdu toute représentation."
            ),
            q(
                "« On nous explique qu'il faut rationaliser le paysage politique. Dans les "
                "faits, on ferme la porte aux idées nouvelles. »",
                "Le secrétaire général d'un petit parti de gauche",
            ),
            box(
                "Ce qui change",
                "31 circonscriptions redécoupées",
                "Seuil de représentativité porté à 4 %",
                "Listes régionales de jeunes maintenues",
                "Entrée en vigueur au prochain scrutin législatif",
            ),
        ],
    },
    {
        "section": "maroc/politique",
        "slug": "regions-budget-investissement",
        "access": "subscribers",
        "title": (
            "Régionalisation : les conseils régionaux réclament un budget d'investissement élargi"
        ),
        "standfirst": (
            "Réunis à Béni Mellal, les présidents des douze régions demandent que la part "
            "de l'impôt sur les sociétés qui leur revient passe de 5 % à 8 %. Le "
            "gouvernement promet d'étudier la proposition dans la prochaine loi de finances."
        ),
        "hours_ago": 20,
        "authors": ["nadia-chraibi"],
        "image": "conseil-regional",
        "tags": ["régionalisation", "finances publiques", "Béni Mellal"],
        "body": [
            p(
                "La rencontre devait être technique ; elle a pris un tour politique. Pendant "
                "près de six heures, les présidents de région ont détaillé les projets qu'ils "
                "disent ne pas pouvoir lancer faute de ressources : routes rurales, "
                "transport scolaire, zones d'activité."
            ),
            p(
                "Selon le document final, la hausse demandée représenterait environ "
                "4,2 milliards de dirhams supplémentaires par an pour l'ensemble des régions, "
                "soit un peu moins d'un dixième de leur budget cumulé actuel."
            ),
            q(
                "« Nous ne demandons pas une faveur, nous demandons les moyens des "
                "compétences qu'on nous a transférées. »",
                "Un président de région, à la tribune",
            ),
            h("Le ministère de l'Intérieur prudent"),
            p(
                "Le représentant du ministère a salué « la qualité des propositions » sans "
                "prendre d'engagement chiffré. Il a rappelé que la capacité d'exécution des "
                "régions restait inégale : certaines n'ont engagé que la moitié de leurs "
                "crédits d'investissement l'an dernier."
            ),
        ],
    },
    {
        "section": "maroc/politique",
        "slug": "loi-sur-l-eau-adoptee-en-commission",
        "title": "Le projet de loi sur l'eau adopté en commission après trois semaines de débats",
        "standfirst": (
            "Les députés de la commission des secteurs productifs ont voté le texte qui "
            "encadre les forages et crée une police de l'eau. L'opposition s'est abstenue, "
            "jugeant les sanctions trop faibles."
        ),
        "hours_ago": 4 * D + 3,
        "update_after_hours": 5,
        "update_note": (
            "Mise à jour : le texte sera examiné en séance plénière dès la semaine "
            "prochaine, a annoncé le bureau de la Chambre en fin d'après-midi."
        ),
        "authors": ["nadia-chraibi"],
        "image": "barrage",
        "tags": ["eau", "Parlement", "sécheresse"],
        "body": [
            p(
                "Le vote est intervenu tard dans la soirée, par quatorze voix pour et "
                "neuf abstentions. Le texte soumet désormais tout nouveau forage de plus de "
                "quarante mètres à une autorisation de l'agence de bassin."
            ),
            h("Une police de l'eau de 300 agents"),
            p(
                "La principale nouveauté est la création d'un corps de contrôleurs "
                "assermentés, rattachés aux agences de bassin, habilités à dresser des "
                "procès-verbaux. Les amendes pourront atteindre 200 000 dirhams pour les "
                "exploitations agricoles qui dépassent leur quota."
            ),
            q(
                "« Sans contrôle sur le terrain, la meilleure loi du monde reste une "
                "déclaration d'intention. »",
                "Une députée de la majorité, rapporteuse du texte",
            ),
            p(
                "L'opposition aurait voulu des sanctions progressives selon la taille des "
                "exploitations et un registre public des autorisations, deux amendements "
                "rejetés en commission."
            ),
        ],
    },
    {
        "section": "maroc/politique",
        "slug": "tanger-majorite-municipale-plan-mobilite",
        "title": "À Tanger, la majorité municipale se fissure sur le plan de mobilité",
        "standfirst": (
            "Deux adjoints ont voté contre la création de voies réservées aux bus sur la "
            "corniche. Le maire, qui comptait faire adopter le plan avant l'été, doit "
            "rouvrir la négociation."
        ),
        "hours_ago": 9 * D + 5,
        "authors": ["nadia-chraibi"],
        "image": "tanger-corniche",
        "access": "subscribers",
        "metered": True,
        "tags": ["Tanger", "transports", "collectivités"],
        "body": [
            p(
                "La séance du conseil communal a duré jusqu'à minuit passé. Le plan de "
                "mobilité, préparé pendant deux ans avec un bureau d'études, prévoit trois "
                "lignes de bus en site propre et la suppression de 1 800 places de "
                "stationnement en surface."
            ),
            p(
                "C'est ce dernier point qui a fait basculer deux adjoints, élus de quartiers "
                "commerçants du centre. Ils réclament la construction préalable de deux "
                "parkings souterrains, chiffrée à 340 millions de dirhams."
            ),
            q(
                "« Nos commerçants ne sont pas contre le bus. Ils sont contre le fait "
                "d'être les seuls à payer la transition. »",
                "Un adjoint au maire",
            ),
            h("Un calendrier compromis"),
            p(
                "Sans ces deux voix, la majorité ne dispose plus que d'un siège d'avance. "
                "Le maire a annoncé une concertation avec les associations de commerçants "
                "et promet un nouveau vote « dans les prochaines semaines »."
            ),
        ],
    },
    {
        "section": "maroc/politique",
        "slug": "questions-orales-prix-des-medicaments",
        "title": ("Questions orales : le gouvernement interpellé sur le prix des médicaments"),
        "standfirst": (
            "Plusieurs groupes parlementaires ont demandé la révision du mode de calcul "
            "des prix des médicaments génériques. Le ministre de la Santé annonce un "
            "nouveau décret d'ici la fin de l'année."
        ),
        "hours_ago": 30,
        "agency": "MAP",
        "copyright": "© MAP",
        "tags": ["santé", "Parlement", "médicaments"],
        "body": [
            p(
                "Lors de la séance hebdomadaire des questions orales, les députés de trois "
                "groupes ont interrogé le gouvernement sur l'écart de prix entre les "
                "médicaments génériques vendus au Maroc et ceux de plusieurs pays "
                "comparables."
            ),
            p(
                "Le ministre a indiqué qu'un projet de décret révisant la méthode de "
                "comparaison internationale des prix était en cours de finalisation. Il "
                "a évoqué une baisse moyenne de 12 % sur environ 600 références."
            ),
            p(
                "Les représentants des pharmaciens d'officine, reçus la semaine dernière "
                "au ministère, demandent que la réforme s'accompagne d'une révision de "
                "leurs marges."
            ),
        ],
    },
    {
        "section": "maroc/politique",
        "slug": "partis-politiques-desinteret-des-jeunes",
        "title": "Les partis politiques face au désintérêt des jeunes électeurs",
        "standfirst": (
            "Moins d'un jeune de 18 à 24 ans sur trois est inscrit sur les listes "
            "électorales. Les formations multiplient les écoles de cadres et les "
            "campagnes en ligne, avec des résultats encore modestes."
        ),
        "hours_ago": 17 * D + 2,
        "authors": ["nadia-chraibi"],
        "image": "bureau-de-vote",
        "access": "subscribers",
        "metered": True,
        "tags": ["jeunesse", "partis politiques", "élections"],
        "body": [
            p(
                "Dans un café de Salé, un samedi après-midi, une vingtaine d'étudiants "
                "écoutent un élu local présenter le programme de son parti. À la fin, "
                "deux d'entre eux remplissent la fiche d'adhésion ; les autres repartent "
                "avec un café offert."
            ),
            p(
                "La scène résume la difficulté. Les partis ont compris qu'ils devaient "
                "aller chercher les jeunes électeurs là où ils se trouvent, mais peinent à "
                "les convaincre que le vote change quelque chose à leur quotidien."
            ),
            h("Emploi et logement d'abord"),
            q(
                "« Je voterai le jour où quelqu'un me parlera de mon loyer et de mon "
                "contrat de travail, pas de grands principes. »",
                "Salma, 22 ans, étudiante en gestion",
            ),
            box(
                "Les chiffres",
                "31 % des 18-24 ans inscrits sur les listes",
                "58 % pour l'ensemble de la population en âge de voter",
                "12 partis disposent d'une organisation de jeunesse active",
            ),
        ],
    },
    # --- Maroc › Société ----------------------------------------------------
    {
        "section": "maroc/societe",
        "slug": "beni-mellal-urgences-moitie-des-medecins",
        "title": (
            "Urgences : à Béni Mellal, l'hôpital régional fonctionne avec la moitié de ses médecins"
        ),
        "standfirst": (
            "Départs à la retraite, mutations et démissions : le service des urgences "
            "compte huit médecins pour seize postes budgétés. L'attente dépasse "
            "régulièrement six heures."
        ),
        "hours_ago": 26,
        "update_after_hours": 4,
        "update_note": (
            "Mise à jour : la direction régionale de la santé a annoncé dans la soirée "
            "l'affectation de quatre médecins contractuels pour une durée de six mois."
        ),
        "authors": ["nadia-chraibi"],
        "image": "hopital",
        "tags": ["santé", "hôpitaux", "Béni Mellal"],
        "body": [
            p(
                "Il est onze heures et la salle d'attente est pleine. Sur les bancs, des "
                "patients venus de communes situées à plus de cinquante kilomètres, faute "
                "de service d'urgence plus proche."
            ),
            p(
                "Les soignants rencontrés décrivent des gardes de vingt-quatre heures "
                "enchaînées deux fois par semaine. Trois médecins ont quitté le service "
                "depuis le début de l'année, dont deux pour des cliniques privées de "
                "Casablanca."
            ),
            q(
                "« On trie, on stabilise, on oriente. Le reste, on n'a simplement pas le temps. »",
                "Un médecin urgentiste, sous couvert d'anonymat",
            ),
            h("Des primes jugées insuffisantes"),
            p(
                "La prime de zone difficile, de 1 500 dirhams mensuels, n'a pas été "
                "revalorisée depuis huit ans. Le syndicat des médecins du secteur public "
                "réclame son doublement et une priorité de mutation après quatre ans de "
                "service."
            ),
        ],
    },
    {
        "section": "maroc/societe",
        "slug": "casablanca-nouvelle-ligne-de-bus-premiere-semaine",
        "title": (
            "Casablanca : la nouvelle ligne de bus à haut niveau de service fait le "
            "plein dès la première semaine"
        ),
        "standfirst": (
            "Plus de 42 000 voyages ont été enregistrés chaque jour sur la ligne qui relie "
            "l'est de la ville au centre. Les usagers saluent la fréquence, moins la "
            "chaleur dans les véhicules aux heures de pointe."
        ),
        "hours_ago": 3 * D + 4,
        "authors": ["nadia-chraibi"],
        "image": "bus-casablanca",
        "tags": ["Casablanca", "transports"],
        "body": [
            p(
                "Un bus toutes les six minutes, des stations à quai et un trajet de "
                "quarante minutes contre plus d'une heure auparavant : les premiers chiffres "
                "dépassent les prévisions de l'exploitant, qui tablait sur 30 000 voyages "
                "quotidiens la première année."
            ),
            img("bus-casablanca"),
            p(
                "À la station terminus, les avis sont plutôt positifs. Les critiques portent "
                "sur la climatisation, jugée insuffisante, et sur l'absence de "
                "correspondance directe avec le tramway à deux arrêts du centre."
            ),
            q(
                "« Je gagne presque une demi-heure le matin. Pour moi, ça change la journée. »",
                "Hajar, aide-soignante, usagère quotidienne",
            ),
        ],
    },
    {
        "section": "maroc/societe",
        "slug": "logement-etudiant-rabat-loyers",
        "title": "Logement étudiant : à Rabat, les loyers grimpent plus vite que les bourses",
        "standfirst": (
            "Une chambre en colocation coûte en moyenne 1 900 dirhams par mois dans les "
            "quartiers proches des facultés, contre 1 400 il y a trois ans. La bourse "
            "mensuelle, elle, n'a pas bougé."
        ),
        "hours_ago": 12 * D + 7,
        "authors": ["nadia-chraibi"],
        "image": "residence-etudiante",
        "access": "subscribers",
        "metered": True,
        "tags": ["logement", "étudiants", "Rabat"],
        "body": [
            p(
                "Les cités universitaires publiques offrent un peu plus de 5 000 lits pour "
                "des dizaines de milliers d'étudiants inscrits à Rabat. Les autres se "
                "tournent vers le marché privé, où les résidences étudiantes récentes "
                "affichent des prix hors de portée de la plupart des familles."
            ),
            h("La colocation comme règle"),
            p(
                "Dans le quartier de l'Agdal, il n'est pas rare de partager un appartement "
                "de trois pièces à six. Certains propriétaires exigent trois mois de caution "
                "et un garant salarié."
            ),
            box(
                "Combien ça coûte",
                "Lit en cité universitaire publique : environ 100 DH par mois",
                "Chambre en colocation : 1 900 DH en moyenne",
                "Studio en résidence privée : de 3 000 à 3 500 DH",
                "Bourse de l'enseignement supérieur : 633 DH par mois",
            ),
            q(
                "« Ma bourse paie un tiers de mon loyer. Le reste, ce sont mes parents et "
                "des cours particuliers le week-end. »",
                "Anas, étudiant en deuxième année de droit",
            ),
        ],
    },
    {
        "section": "maroc/societe",
        "slug": "souss-villages-eau-dessalee",
        "title": (
            "Dans le Souss, des villages raccordés à l'eau dessalée racontent leur "
            "nouveau quotidien"
        ),
        "standfirst": (
            "Une quarantaine de douars reçoivent désormais l'eau de la station de "
            "dessalement. Fin des corvées d'eau pour les femmes et les enfants, mais une "
            "facture qui inquiète les familles les plus modestes."
        ),
        "hours_ago": 21 * D + 3,
        "authors": ["nadia-chraibi", "karim-benjelloun"],
        "image": "dessalement",
        "tags": ["eau", "dessalement", "Souss-Massa"],
        "body": [
            p(
                "Pendant des années, Fatima, 47 ans, a consacré deux heures par jour à "
                "remplir des bidons au puits communal. Depuis le printemps, un robinet "
                "coule dans sa cour. Elle montre le compteur avec un mélange de fierté et "
                "de méfiance."
            ),
            p(
                "Le raccordement a coûté 1 200 dirhams par foyer, étalés sur deux ans. Le "
                "mètre cube est facturé 4,5 dirhams dans la première tranche, un prix "
                "subventionné que la régie ne garantit pas au-delà de trois ans."
            ),
            rel("loi-sur-l-eau-adoptee-en-commission"),
            q(
                "« L'eau est arrivée, l'école a gagné des élèves. Maintenant, il faut "
                "qu'on puisse la payer. »",
                "Le président de l'association du douar",
            ),
        ],
    },
    {
        "section": "maroc/societe",
        "slug": "securite-routiere-victimes-en-recul",
        "title": (
            "Sécurité routière : le nombre de victimes recule pour le troisième "
            "trimestre consécutif"
        ),
        "standfirst": (
            "Les accidents mortels ont baissé de 9 % sur un an, selon l'agence chargée de "
            "la sécurité routière, qui attribue ce recul aux radars automatiques et aux "
            "contrôles renforcés sur les routes nationales."
        ),
        "hours_ago": 6 * D + 1,
        "agency": "MAP",
        "tags": ["sécurité routière", "transports"],
        "body": [
            p(
                "L'agence a publié ses statistiques trimestrielles lors d'une conférence de "
                "presse à Rabat. Les deux-roues motorisés restent impliqués dans près d'un "
                "accident mortel sur trois."
            ),
            p(
                "Deux cents radars supplémentaires doivent être installés d'ici la fin de "
                "l'année, en priorité aux entrées d'agglomération et sur les axes "
                "reliant les grandes villes aux zones industrielles."
            ),
            box(
                "En chiffres",
                "−9 % d'accidents mortels sur un an",
                "31 % des victimes circulaient en deux-roues",
                "200 radars supplémentaires prévus",
            ),
        ],
    },
    {
        "section": "maroc/societe",
        "slug": "etat-civil-numerique-douze-provinces",
        "title": (
            "Démarches en ligne : l'état civil numérique généralisé à douze nouvelles provinces"
        ),
        "standfirst": (
            "Les extraits d'acte de naissance peuvent désormais être demandés en ligne "
            "dans la moitié des provinces du pays. Les associations rappellent que la "
            "fracture numérique reste forte en zone rurale."
        ),
        "hours_ago": 8 * D + 2,
        "authors": ["nadia-chraibi"],
        "agency": "avec MAP",
        "image": "guichet",
        "tags": ["administration", "numérique"],
        "body": [
            p(
                "Le service, lancé à titre expérimental dans trois préfectures il y a deux "
                "ans, permet de recevoir un extrait certifié par courriel ou de le retirer "
                "sans attente au guichet. Le délai moyen est passé de cinq jours à moins "
                "de vingt-quatre heures."
            ),
            p(
                "Dans les communes rurales, les agents constatent toutefois que la plupart "
                "des demandes continuent d'arriver au guichet, souvent déposées par un "
                "proche pour le compte d'un parent âgé."
            ),
            q(
                "« Le guichet doit rester ouvert. Le numérique doit s'ajouter, pas remplacer. »",
                "Une responsable associative de la province d'Azilal",
            ),
        ],
    },
    # --- Monde › Proche-Orient ----------------------------------------------
    {
        "section": "monde/proche-orient",
        "slug": "sommet-regional-diplomaties-renouent-le-dialogue",
        "title": "Au sommet régional, deux chefs de la diplomatie renouent le dialogue",
        "standfirst": (
            "Les ministres des Affaires étrangères de deux pays voisins, qui ne s'étaient "
            "pas rencontrés depuis deux ans, ont eu un long entretien en marge du sommet. "
            "Ils ont convenu de rouvrir un canal de discussion permanent."
        ),
        "hours_ago": 2,
        "update_after_hours": 1.5,
        "update_note": (
            "Mise à jour : un communiqué commun publié en fin de journée confirme la "
            "création d'un groupe de travail, qui se réunira pour la première fois le "
            "mois prochain."
        ),
        "agency": "AFP",
        "copyright": "© AFP",
        "image": "sommet-diplomatie",
        "tags": ["diplomatie", "sommet régional"],
        "body": [
            p(
                "L'entretien, prévu pour trente minutes, a duré près de deux heures, selon "
                "un membre d'une des délégations. Les deux ministres sont ensuite apparus "
                "ensemble devant la presse, sans répondre aux questions."
            ),
            p(
                "Les relations entre les deux pays s'étaient fortement dégradées après un "
                "différend sur le tracé d'une frontière maritime et l'exploitation d'un "
                "gisement gazier situé à proximité."
            ),
            h("Un groupe de travail sur la frontière maritime"),
            q(
                "« Nous avons décidé de nous parler régulièrement, y compris quand nous ne "
                "sommes pas d'accord. C'est un début. »",
                "L'un des deux ministres, devant la presse",
            ),
            p(
                "Le sommet, qui réunit une quinzaine de pays, doit s'achever mercredi par "
                "l'adoption d'une déclaration sur la sécurité alimentaire et la gestion "
                "des ressources en eau."
            ),
        ],
    },
    {
        "section": "monde/proche-orient",
        "slug": "conference-des-donateurs-promesses-depassent-les-attentes",
        "title": "Conférence des donateurs : les promesses d'aide dépassent les attentes",
        "standfirst": (
            "Les engagements annoncés atteignent 6,4 milliards de dollars sur trois ans "
            "pour la reconstruction des infrastructures d'eau et d'électricité. Les ONG "
            "demandent un suivi public des décaissements."
        ),
        "hours_ago": 28,
        "agency": "Reuters",
        "copyright": "© Reuters",
        "image": "conference-donateurs",
        "tags": ["aide internationale", "reconstruction"],
        "body": [
            p(
                "Les organisateurs espéraient réunir cinq milliards de dollars. Une "
                "quarantaine de délégations ont finalement pris des engagements, dont une "
                "part importante sous forme de prêts à taux réduit."
            ),
            p(
                "Les organisations humanitaires présentes ont salué le montant mais "
                "rappelé qu'à l'issue de la précédente conférence, moins de la moitié des "
                "sommes promises avaient été effectivement versées au bout de deux ans."
            ),
            q(
                "« Une promesse ne répare pas une station de pompage. Nous suivrons chaque "
                "dollar. »",
                "La représentante d'une coalition d'ONG",
            ),
        ],
    },
    {
        "section": "monde/proche-orient",
        "slug": "penurie-d-eau-cooperation-regionale",
        "access": "subscribers",
        "title": "La pénurie d'eau, nouveau terrain de coopération régionale",
        "standfirst": (
            "Des ingénieurs de six pays travaillent ensemble sur un réseau d'alerte "
            "sécheresse. Une coopération discrète, loin des tensions diplomatiques, "
            "que des experts marocains observent de près."
        ),
        "hours_ago": 5 * D + 6,
        "authors": ["meriem-tahiri"],
        "image": "seguia",
        "tags": ["eau", "diplomatie", "climat"],
        "body": [
            p(
                "Le projet tient en une plateforme commune : des données de pluviométrie, "
                "de niveau des nappes et de débit des cours d'eau partagées chaque semaine. "
                "Rien de spectaculaire, mais une première entre des pays dont certains "
                "n'ont pas de relations diplomatiques."
            ),
            h("La technique avant la politique"),
            p(
                "Les ingénieurs rencontrés insistent sur le caractère technique de la "
                "démarche. Les réunions se tiennent en ligne, en anglais, et les "
                "ministères sont informés sans être associés aux échanges quotidiens."
            ),
            q(
                "« La sécheresse ne s'arrête pas aux frontières. Nos modèles non plus. »",
                "Une hydrologue participant au projet",
            ),
            rel("loi-sur-l-eau-adoptee-en-commission", "Au Maroc"),
        ],
    },
    {
        "section": "monde/proche-orient",
        "slug": "archeologues-numerisent-manuscrits-menaces",
        "title": "Des archéologues de la région numérisent les manuscrits menacés",
        "standfirst": (
            "Plus de 12 000 pages de manuscrits anciens ont été photographiées en haute "
            "définition en un an. Le fonds sera mis en ligne gratuitement pour les "
            "chercheurs."
        ),
        "hours_ago": 11 * D + 9,
        "agency": "AFP",
        "image": "manuscrits",
        "tags": ["patrimoine", "archives"],
        "body": [
            p(
                "Dans un atelier aménagé au sous-sol d'une bibliothèque, trois "
                "photographes se relaient sur un banc de reproduction. Chaque page est "
                "photographiée deux fois, en lumière normale et en lumière rasante."
            ),
            p(
                "Les manuscrits, pour certains vieux de quatre siècles, proviennent de "
                "bibliothèques familiales et de zaouïas. Les humidités et les incendies ont "
                "déjà détruit une partie des fonds recensés au siècle dernier."
            ),
            p(
                "L'équipe a formé une dizaine de jeunes techniciens, qui doivent à leur "
                "tour ouvrir des ateliers dans deux autres villes d'ici deux ans."
            ),
        ],
    },
    {
        "section": "monde/proche-orient",
        "slug": "sommet-energie-golfe-hydrogene-vert",
        "title": "Sommet de l'énergie : les pays du Golfe misent sur l'hydrogène vert",
        "standfirst": (
            "Les producteurs d'hydrocarbures de la région annoncent des investissements "
            "communs dans l'hydrogène produit à partir du solaire. Le Maroc est cité "
            "parmi les partenaires potentiels."
        ),
        "hours_ago": 130 * D + 4,
        "agency": "Reuters",
        "copyright": "© Reuters",
        "tags": ["énergie", "hydrogène", "Golfe"],
        "body": [
            p(
                "Les délégations ont présenté une feuille de route qui prévoit plusieurs "
                "sites de production à grande échelle d'ici la fin de la décennie, "
                "principalement destinés à l'exportation vers l'Europe et l'Asie."
            ),
            p(
                "Plusieurs intervenants ont évoqué des partenariats avec des pays "
                "d'Afrique du Nord disposant d'un fort ensoleillement et de façades "
                "maritimes, sans qu'aucun accord ne soit signé à ce stade."
            ),
            q(
                "« Le soleil est la ressource ; les ports et les réseaux feront la différence. »",
                "Un dirigeant d'une compagnie énergétique",
            ),
        ],
    },
    # --- Monde › Afrique ----------------------------------------------------
    {
        "section": "monde/afrique",
        "slug": "corridor-transsaharien-nouvelle-etape",
        "title": "Le corridor routier transsaharien franchit une nouvelle étape",
        "standfirst": (
            "Un tronçon de 320 kilomètres a été mis en service dans le sud du désert. "
            "Les transporteurs espèrent réduire de deux jours le trajet des camions entre "
            "l'Afrique de l'Ouest et la Méditerranée."
        ),
        "hours_ago": 40,
        "agency": "AFP",
        "copyright": "© AFP",
        "image": "route-sahara",
        "tags": ["infrastructures", "commerce", "Afrique de l'Ouest"],
        "body": [
            p(
                "La cérémonie d'inauguration s'est tenue au milieu de la route, sous une "
                "tente dressée pour l'occasion. Le tronçon, financé par un consortium de "
                "banques de développement, remplace une piste impraticable une partie de "
                "l'année."
            ),
            p(
                "Les représentants des transporteurs ont salué l'avancée tout en "
                "rappelant que les contrôles aux frontières restent le principal frein : "
                "un camion peut y attendre jusqu'à trois jours."
            ),
            q(
                "« Une bonne route, c'est la moitié du chemin. L'autre moitié, ce sont "
                "les papiers. »",
                "Un chauffeur routier sénégalais",
            ),
        ],
    },
    {
        "section": "monde/afrique",
        "slug": "abidjan-salon-start-up-investisseurs-marocains",
        "title": "À Abidjan, un salon des start-up africaines courtise les investisseurs marocains",
        "standfirst": (
            "Une délégation de fonds d'investissement casablancais a rencontré près de "
            "quatre-vingts jeunes entreprises. La fintech et la logistique concentrent "
            "l'essentiel de l'intérêt."
        ),
        "hours_ago": 7 * D + 5,
        "authors": ["meriem-tahiri"],
        "agency": "avec AFP",
        "image": "abidjan-salon",
        "tags": ["start-up", "investissement", "Côte d'Ivoire"],
        "body": [
            p(
                "Les rendez-vous s'enchaînent toutes les vingt minutes dans les salons "
                "d'un grand hôtel. Les fondateurs ont cinq minutes pour présenter leur "
                "projet, le reste est consacré aux questions des investisseurs."
            ),
            p(
                "Les fonds marocains présents gèrent ensemble un peu plus de deux "
                "milliards de dirhams. Plusieurs ont ouvert un bureau à Abidjan ou à Dakar "
                "au cours des trois dernières années."
            ),
            h("Paiement mobile et livraison du dernier kilomètre"),
            q(
                "« Nous cherchons des entreprises qui ont déjà des clients, pas seulement "
                "une bonne idée. »",
                "Une associée d'un fonds casablancais",
            ),
        ],
    },
    {
        "section": "monde/afrique",
        "slug": "sahel-agences-onusiennes-alertent-semis",
        "title": "Sahel : les agences onusiennes alertent sur la saison des semis",
        "standfirst": (
            "Le retard des pluies et la hausse du prix des semences font craindre une "
            "baisse des surfaces cultivées. Un appel de fonds d'urgence a été lancé."
        ),
        "hours_ago": 10 * D + 2,
        "agency": "Reuters",
        "image": "sahel-champs",
        "tags": ["Sahel", "agriculture", "sécurité alimentaire"],
        "body": [
            p(
                "Selon les agences, le prix des semences de mil et de sorgho a augmenté "
                "d'environ 30 % en un an dans plusieurs marchés de la région. De nombreux "
                "ménages ont consommé leurs réserves pendant la soudure."
            ),
            p(
                "L'appel d'urgence vise à distribuer semences et engrais à 400 000 "
                "familles avant la fin de la fenêtre de semis, estimée à six semaines."
            ),
            p(
                "Les organisations paysannes demandent par ailleurs la reconstitution "
                "des stocks publics de sécurité, vidés lors des deux dernières campagnes."
            ),
        ],
    },
    {
        "section": "monde/afrique",
        "slug": "banques-marocaines-expansion-afrique-de-l-ouest",
        "access": "subscribers",
        "title": "Les banques marocaines poursuivent leur expansion en Afrique de l'Ouest",
        "standfirst": (
            "Leurs filiales subsahariennes ont contribué pour près d'un quart aux "
            "bénéfices consolidés l'an dernier. Un relais de croissance, mais aussi "
            "une exposition à des risques nouveaux."
        ),
        "hours_ago": 14 * D + 5,
        "authors": ["karim-benjelloun"],
        "image": "quartier-affaires",
        "tags": ["banques", "Afrique de l'Ouest", "finance"],
        "body": [
            p(
                "En une quinzaine d'années, les trois principaux groupes bancaires "
                "marocains se sont implantés dans une vingtaine de pays. Leurs filiales y "
                "détiennent parfois plus de 20 % des dépôts."
            ),
            h("Des marges plus élevées, des risques aussi"),
            p(
                "Les marges d'intérêt y sont plus confortables qu'au Maroc, mais le coût "
                "du risque l'est également. Les variations de change et l'endettement "
                "public de certains pays pèsent sur les résultats."
            ),
            box(
                "Repères",
                "Environ 23 % du bénéfice consolidé issu des filiales subsahariennes",
                "Une vingtaine de pays couverts",
                "Plus de 1 400 agences hors du Maroc",
            ),
            q(
                "« L'Afrique n'est plus une diversification, c'est devenu un métier à part "
                "entière. »",
                "Un directeur financier d'un groupe bancaire",
            ),
        ],
    },
    {
        "section": "monde/afrique",
        "slug": "vaccins-premier-site-ouest-africain-certifie",
        "title": "Production de vaccins : un premier site ouest-africain passe la certification",
        "standfirst": (
            "L'usine pourra produire jusqu'à 50 millions de doses par an. Les autorités "
            "sanitaires régionales y voient un pas vers une moindre dépendance aux "
            "importations."
        ),
        "hours_ago": 19 * D + 8,
        "agency": "AFP",
        "copyright": "© AFP",
        "tags": ["santé", "industrie", "vaccins"],
        "body": [
            p(
                "La certification a été accordée après un audit de plusieurs mois portant "
                "sur les procédures de fabrication, de contrôle qualité et de stockage."
            ),
            p(
                "Le site produira d'abord des vaccins pédiatriques de routine. La "
                "production d'autres vaccins nécessitera des transferts de technologie "
                "encore en négociation."
            ),
            p(
                "Plusieurs pays de la région ont déjà signé des accords d'achat "
                "pluriannuels, condition posée par les investisseurs pour lancer la "
                "production à pleine capacité."
            ),
        ],
    },
    # --- Économie -----------------------------------------------------------
    {
        "section": "economie",
        "slug": "inflation-ralentit-baisse-des-prix-alimentaires",
        "title": (
            "L'inflation ralentit à 2,1 % sur un an, portée par la baisse des prix alimentaires"
        ),
        "standfirst": (
            "Les prix des fruits et légumes ont reculé de 6 % sur le mois. Les loyers et "
            "les services continuent en revanche d'augmenter, ce qui limite le "
            "soulagement des ménages urbains."
        ),
        "hours_ago": 5,
        "authors": ["karim-benjelloun"],
        "image": "marche-de-gros",
        "access": "public",
        "tags": ["inflation", "consommation", "prix"],
        "body": [
            p(
                "L'indice des prix à la consommation a progressé de 2,1 % sur un an, contre "
                "2,9 % le mois précédent, selon les chiffres publiés ce matin par "
                "l'organisme public de statistique."
            ),
            h("Les loyers continuent de grimper"),
            p(
                "La composante logement augmente de 4,3 % sur un an, tirée par les grandes "
                "villes. Les services de transport et d'éducation privée progressent aussi "
                "plus vite que la moyenne."
            ),
            box(
                "Sur un an",
                "Ensemble : +2,1 %",
                "Produits alimentaires : +0,8 %",
                "Logement : +4,3 %",
                "Carburants : −1,5 %",
            ),
            q(
                "« Au marché, ça va mieux. Mais mon loyer a pris 300 dirhams en janvier. »",
                "Rachida, enseignante à Casablanca",
            ),
        ],
    },
    {
        "section": "economie",
        "slug": "exportations-automobiles-nouveau-palier",
        "title": "Les exportations automobiles franchissent un nouveau palier",
        "standfirst": (
            "Le secteur a exporté pour 14,8 milliards de dirhams sur le trimestre écoulé, "
            "en hausse de 11 %. Les équipementiers locaux profitent de la montée en "
            "puissance des deux usines d'assemblage."
        ),
        "hours_ago": 2 * D + 3,
        "authors": ["karim-benjelloun"],
        "image": "usine-automobile",
        "tags": ["industrie", "automobile", "exportations"],
        "body": [
            p(
                "L'automobile confirme sa place de premier secteur exportateur. La hausse "
                "tient autant aux volumes qu'à la montée en gamme : les modèles hybrides "
                "représentent désormais près d'un tiers de la production."
            ),
            p(
                "Le taux d'intégration locale, c'est-à-dire la part des pièces fabriquées "
                "au Maroc, approche 65 % selon l'association professionnelle, qui vise "
                "75 % d'ici quatre ans."
            ),
            img("terminal-conteneurs"),
            q(
                "« La prochaine bataille, c'est la batterie. Sans elle, la valeur ajoutée "
                "nous échappera. »",
                "Le président d'un groupement d'équipementiers",
            ),
        ],
    },
    {
        "section": "economie",
        "slug": "recettes-touristiques-trois-derniers-mois",
        "title": "Recettes touristiques : 29 milliards de dirhams sur les trois derniers mois",
        "standfirst": (
            "Les dépenses des visiteurs étrangers progressent de 8 % sur un an. Marrakech "
            "et Agadir concentrent toujours plus de la moitié des nuitées."
        ),
        "hours_ago": 4 * D + 8,
        "agency": "MAP",
        "copyright": "© MAP",
        "image": "medina-touristes",
        "access": "public",
        "tags": ["tourisme", "Marrakech"],
        "body": [
            p(
                "Les arrivées aux postes-frontières ont augmenté de 6 %, portées par les "
                "marchés européens et par la reprise des liaisons aériennes avec "
                "plusieurs capitales africaines."
            ),
            p(
                "Les professionnels du secteur relèvent une hausse de la durée moyenne "
                "des séjours, passée de 5,8 à 6,2 nuits, et un intérêt croissant pour "
                "l'arrière-pays."
            ),
            p(
                "La fédération de l'hôtellerie appelle néanmoins à accélérer la formation, "
                "plusieurs établissements peinant à recruter du personnel qualifié."
            ),
        ],
    },
    {
        "section": "economie",
        "slug": "credit-aux-pme-banques-assouplissent",
        "title": "Crédit aux PME : les banques assouplissent leurs conditions, sous conditions",
        "standfirst": (
            "Les encours de crédit aux petites et moyennes entreprises progressent "
            "de 5 % sur un an. Mais les chefs d'entreprise dénoncent des garanties "
            "toujours plus exigeantes."
        ),
        "hours_ago": 9 * D + 3,
        "authors": ["karim-benjelloun"],
        "image": "quartier-affaires",
        "access": "subscribers",
        "metered": True,
        "tags": ["PME", "banques", "crédit"],
        "body": [
            p(
                "Sur le papier, le crédit aux entreprises repart. Dans les faits, les "
                "petites structures racontent des dossiers qui traînent et des demandes "
                "de garanties personnelles sur le logement familial."
            ),
            h("Le fonds de garantie sollicité"),
            p(
                "Le fonds public de garantie a couvert plus de 18 milliards de dirhams de "
                "prêts l'an dernier. Les banques y recourent davantage, ce qui leur "
                "permet de prêter à des entreprises jugées trop risquées auparavant."
            ),
            q(
                "« On me demande trois ans de bilans pour une entreprise qui en a deux. Je "
                "fais comment ? »",
                "Le gérant d'une entreprise de menuiserie à Fès",
            ),
            box(
                "À retenir",
                "+5 % d'encours de crédit aux PME sur un an",
                "18 milliards de dirhams de prêts garantis par le fonds public",
                "Délai moyen de réponse : 34 jours",
            ),
        ],
    },
    {
        "section": "economie",
        "slug": "dirham-se-maintient-face-a-l-euro",
        "title": "Le dirham se maintient face à l'euro malgré la volatilité des marchés",
        "standfirst": (
            "La monnaie nationale est restée dans une fourchette étroite sur le mois, "
            "alors que plusieurs devises émergentes ont reculé face au dollar."
        ),
        "hours_ago": 13 * D + 1,
        "agency": "Reuters",
        "tags": ["dirham", "change", "marchés"],
        "body": [
            p(
                "Le dirham s'est échangé autour de 10,9 pour un euro pendant l'essentiel "
                "du mois, selon les données des salles de marché de la place de Casablanca."
            ),
            p(
                "Les opérateurs attribuent cette stabilité au niveau confortable des "
                "réserves de change, qui couvrent plus de cinq mois d'importations, et à "
                "la bonne tenue des transferts des Marocains résidant à l'étranger."
            ),
            p(
                "Plusieurs analystes évoquent la possibilité d'un nouvel élargissement de "
                "la bande de fluctuation, sans calendrier précis."
            ),
        ],
    },
    {
        "section": "economie",
        "slug": "goutte-a-goutte-saiss-economies-endettement",
        "access": "subscribers",
        "title": "Goutte-à-goutte : les agriculteurs du Saïss entre économies d'eau et endettement",
        "standfirst": (
            "Subventionnée jusqu'à 80 %, l'irrigation localisée s'est généralisée dans la "
            "plaine. Mais les économies d'eau promises ont souvent servi à étendre les "
            "surfaces irriguées."
        ),
        "hours_ago": 23 * D + 6,
        "authors": ["karim-benjelloun"],
        "image": "goutte-a-goutte",
        "tags": ["agriculture", "eau", "Fès-Meknès"],
        "body": [
            p(
                "Mohamed cultive douze hectares de pommiers près d'El Hajeb. Il a installé "
                "le goutte-à-goutte il y a six ans, financé aux trois quarts par l'État. "
                "Sa consommation d'eau par arbre a baissé ; son nombre d'arbres a doublé."
            ),
            p(
                "Les hydrologues appellent cela l'effet rebond. Dans la plaine, les "
                "nappes continuent de baisser d'un à deux mètres par an, selon l'agence "
                "de bassin."
            ),
            rel("souss-villages-eau-dessalee"),
            h("Des crédits à rembourser"),
            p(
                "La part non subventionnée des équipements, le creusement de puits plus "
                "profonds et le pompage solaire ont endetté de nombreux exploitants, "
                "dont certains consacrent près d'un tiers de leur revenu au remboursement."
            ),
        ],
    },
    {
        "section": "economie",
        "slug": "loi-de-finances-mesures-fiscales-menages",
        "title": "Loi de finances : les principales mesures fiscales pour les ménages",
        "standfirst": (
            "Barème de l'impôt sur le revenu révisé, allocations familiales étendues, "
            "TVA relevée sur certains services : ce qui change pour votre budget."
        ),
        "hours_ago": 65 * D + 5,
        "authors": ["karim-benjelloun"],
        "image": "parlement",
        "access": "public",
        "tags": ["loi de finances", "impôts", "finances publiques"],
        "body": [
            p(
                "Le texte définitivement adopté par le Parlement comporte une vingtaine "
                "de mesures fiscales. Nous avons retenu celles qui touchent directement "
                "les ménages."
            ),
            box(
                "Ce qui change",
                "Seuil d'exonération de l'impôt sur le revenu relevé à 40 000 DH par an",
                "Taux marginal ramené de 38 % à 37 %",
                "Allocations familiales étendues aux travailleurs indépendants",
                "TVA portée de 10 % à 14 % sur certains services de loisirs",
            ),
            p(
                "Pour un salarié célibataire gagnant 8 000 dirhams bruts par mois, le gain "
                "annuel est estimé à environ 1 100 dirhams. Il est plus faible pour les "
                "revenus élevés, malgré la baisse du taux marginal."
            ),
            q(
                "« C'est un budget de transition : il soulage un peu les classes moyennes "
                "sans toucher aux grandes dépenses. »",
                "Un économiste universitaire, spécialiste des finances publiques",
            ),
        ],
    },
    {
        "section": "economie",
        "slug": "taux-directeur-banque-centrale-pause",
        "title": "Taux directeur : la banque centrale devrait marquer une pause",
        "standfirst": (
            "Le conseil de la banque centrale se réunit ce mardi. Avec une inflation "
            "revenue à 2,1 %, la plupart des économistes s'attendent à un statu quo "
            "assorti d'un message prudent."
        ),
        "go_live_in_hours": 2,
        "authors": ["karim-benjelloun"],
        "image": "quartier-affaires",
        "tags": ["taux directeur", "inflation", "banques"],
        "body": [
            p(
                "Le taux directeur est fixé à 2,75 % depuis la dernière réunion. Sur les "
                "neuf économistes interrogés par notre rédaction, sept anticipent un "
                "maintien et deux une baisse d'un quart de point."
            ),
            rel("inflation-ralentit-baisse-des-prix-alimentaires"),
            p(
                "La banque centrale devrait aussi publier ses nouvelles prévisions de "
                "croissance, attendues en légère hausse grâce à une meilleure campagne "
                "agricole."
            ),
        ],
    },
    # --- Sport --------------------------------------------------------------
    {
        "section": "sport",
        "slug": "eliminatoires-lions-de-l-atlas-tete-du-groupe",
        "title": (
            "Éliminatoires : les Lions de l'Atlas s'imposent 2-0 et prennent la tête du groupe"
        ),
        "standfirst": (
            "Un but dans chaque mi-temps, une défense jamais inquiétée : la sélection "
            "nationale a fait le travail devant un stade plein et prend trois points "
            "d'avance à deux journées de la fin."
        ),
        "hours_ago": 14,
        "authors": ["hicham-ouazzani"],
        "image": "stade-nuit",
        "tags": ["football", "équipe nationale", "éliminatoires"],
        "body": [
            p(
                "Il a fallu attendre la 27e minute pour voir l'ouverture du score, sur "
                "une tête au second poteau après un corner rentrant. Le deuxième but est "
                "venu d'une contre-attaque menée à trois, conclue d'une frappe croisée."
            ),
            p(
                "Le sélectionneur avait fait tourner son effectif, avec quatre changements "
                "par rapport au dernier match. Les nouveaux venus ont répondu présent, "
                "en particulier le jeune milieu relayeur, auteur d'une passe décisive."
            ),
            q(
                "« On n'a rien gagné. Il reste deux finales, et la première se joue à "
                "l'extérieur. »",
                "Le sélectionneur, en conférence de presse",
            ),
            box(
                "Le classement du groupe",
                "1. Maroc : 13 points",
                "2. Deuxième du groupe : 10 points",
                "3. Troisième du groupe : 7 points",
            ),
        ],
    },
    {
        "section": "sport",
        "slug": "botola-derby-casablancais-sans-vainqueur",
        "title": "Botola : un derby casablancais fermé, sans vainqueur",
        "standfirst": (
            "Les deux clubs de la métropole se sont neutralisés (0-0) dans un match "
            "tendu, marqué par deux expulsions. Le titre se jouera lors des dernières "
            "journées."
        ),
        "hours_ago": 3 * D + 11,
        "authors": ["hicham-ouazzani"],
        "image": "derby",
        "tags": ["football", "Botola", "Casablanca"],
        "body": [
            p(
                "Devant plus de quarante mille spectateurs, le derby n'a pas tenu ses "
                "promesses sur le plan du jeu. Les occasions se comptent sur les doigts "
                "d'une main, les cartons beaucoup moins."
            ),
            p(
                "L'arbitre a expulsé un joueur de chaque camp en seconde période, après "
                "une échauffourée devant les bancs. La commission de discipline doit se "
                "réunir jeudi."
            ),
            q(
                "« Un derby, ça se gagne d'abord dans la tête. Ce soir, tout le monde "
                "avait peur de perdre. »",
                "Un ancien international, consultant pour la télévision",
            ),
        ],
    },
    {
        "section": "sport",
        "slug": "meeting-de-rabat-record-national-junior-steeple",
        "title": (
            "Meeting de Rabat : une jeune coureuse bat le record national junior du 3 000 m steeple"
        ),
        "standfirst": (
            "À 19 ans, l'athlète originaire d'Ifrane a amélioré de près de quatre "
            "secondes la meilleure marque nationale de sa catégorie."
        ),
        "hours_ago": 6 * D + 10,
        "agency": "MAP",
        "image": "piste-athletisme",
        "tags": ["athlétisme", "Rabat"],
        "body": [
            p(
                "Partie prudemment, elle a pris la tête de la course au deuxième kilomètre "
                "pour ne plus la lâcher, terminant troisième d'une course remportée par une "
                "coureuse kényane."
            ),
            p(
                "Son entraîneur, qui la suit depuis ses débuts au club d'Ifrane, a indiqué "
                "qu'elle participerait aux championnats d'Afrique juniors prévus dans deux "
                "mois."
            ),
            p(
                "Le meeting a par ailleurs vu deux autres athlètes marocains réaliser les "
                "minima pour les prochains championnats du monde."
            ),
        ],
    },
    {
        "section": "sport",
        "slug": "trail-de-l-atlas-1200-coureurs-imlil",
        "title": "Trail de l'Atlas : 1 200 coureurs au départ d'Imlil",
        "standfirst": (
            "Trois jours, 105 kilomètres et 6 000 mètres de dénivelé positif : la course "
            "attire de plus en plus de coureurs étrangers et fait vivre les villages de la "
            "vallée."
        ),
        "hours_ago": 16 * D + 4,
        "authors": ["hicham-ouazzani"],
        "image": "trail-atlas",
        "tags": ["trail", "Haut Atlas", "tourisme"],
        "body": [
            p(
                "Le départ a été donné à l'aube, à la frontale. Pendant trois jours, les "
                "coureurs traversent une quinzaine de douars, où des habitants tiennent "
                "les points de ravitaillement."
            ),
            img("trail-atlas"),
            p(
                "Les organisateurs estiment que la course génère environ quatre millions "
                "de dirhams de retombées dans la vallée : hébergement, guides, muletiers, "
                "restauration."
            ),
            q(
                "« Ici, on court chez les gens. Ça change tout. »",
                "Une coureuse française, troisième de la première étape",
            ),
        ],
    },
    {
        "section": "sport",
        "slug": "handball-maroc-demi-finales-championnat-d-afrique",
        "title": "Handball : le Maroc qualifié pour les demi-finales du championnat d'Afrique",
        "standfirst": (
            "Les Marocains ont dominé leur quart de finale (31-27) et affronteront le "
            "tenant du titre vendredi."
        ),
        "hours_ago": 11 * D + 2,
        "agency": "AFP",
        "copyright": "© AFP",
        "image": "handball",
        "tags": ["handball", "équipe nationale"],
        "body": [
            p(
                "Menés de deux buts à la pause, les joueurs de la sélection ont renversé la "
                "rencontre grâce à une défense plus agressive et à un gardien décisif en "
                "seconde période."
            ),
            p(
                "L'arrière gauche de l'équipe a inscrit neuf buts et a été désigné meilleur "
                "joueur du match."
            ),
            p(
                "Une place en finale qualifierait directement le Maroc pour le prochain "
                "championnat du monde."
            ),
        ],
    },
    {
        "section": "sport",
        "slug": "renovation-des-stades-calendrier-se-resserre",
        "title": "Rénovation des stades : le calendrier des travaux se resserre",
        "standfirst": (
            "Six stades doivent être livrés avant les grandes compétitions prévues. Sur "
            "deux chantiers, les retards accumulés inquiètent les instances sportives."
        ),
        "hours_ago": 25 * D + 3,
        "authors": ["hicham-ouazzani", "karim-benjelloun"],
        "image": "chantier-stade",
        "access": "registered",
        "tags": ["stades", "infrastructures", "football"],
        "body": [
            p(
                "Sur le chantier visité, les grues tournent jour et nuit. La tribune "
                "principale a été entièrement démolie et reconstruite, avec une capacité "
                "portée à 45 000 places."
            ),
            h("Un budget revu à la hausse"),
            p(
                "Le coût global du programme de rénovation a été réévalué à 9,5 milliards "
                "de dirhams, contre 7 milliards annoncés initialement, en raison de la "
                "hausse du prix de l'acier et du béton."
            ),
            q(
                "« Nous serons prêts. La question est à quel prix, et avec quelles "
                "heures supplémentaires. »",
                "Un ingénieur responsable d'un des chantiers",
            ),
            rel("eliminatoires-lions-de-l-atlas-tete-du-groupe"),
        ],
    },
    # --- Culture ------------------------------------------------------------
    {
        "section": "culture",
        "slug": "essaouira-festival-gnaoua-et-jazz",
        "title": "À Essaouira, un festival fait dialoguer gnaoua et jazz",
        "standfirst": (
            "Pendant quatre soirs, des maâlems et des musiciens venus de trois continents "
            "ont improvisé ensemble face à l'océan. Une édition sans grande tête d'affiche, "
            "mais riche en rencontres."
        ),
        "hours_ago": 2 * D + 9,
        "authors": ["meriem-tahiri"],
        "image": "concert-essaouira",
        "tags": ["musique", "festival", "Essaouira"],
        "body": [
            p(
                "La scène principale a accueilli chaque soir une « fusion » préparée en "
                "résidence pendant une semaine. La plus réussie associait un maâlem de la "
                "ville à un trio de contrebasse, batterie et saxophone."
            ),
            p(
                "Les concerts gratuits sur la place ont attiré un public nombreux et très "
                "jeune, qui découvrait souvent le répertoire gnaoua pour la première fois."
            ),
            q(
                "« Le guembri et la contrebasse parlent la même langue : celle du bas du "
                "spectre, celle qui fait danser. »",
                "Un contrebassiste invité",
            ),
            h("Les ateliers, cœur discret du festival"),
            p(
                "Le matin, des ateliers de transmission réunissaient maîtres et apprentis "
                "dans une ancienne maison de la médina. Une quarantaine de jeunes y ont "
                "participé."
            ),
        ],
    },
    {
        "section": "culture",
        "slug": "premier-roman-tanger-prix-des-lecteurs",
        "title": "Un premier roman sur Tanger remporte le prix des lecteurs",
        "standfirst": (
            "« La Maison du cap », de la romancière Ghita Senhaji, raconte trois "
            "générations d'une famille tangéroise. Un jury de lecteurs de douze "
            "bibliothèques l'a préféré à des auteurs confirmés."
        ),
        "hours_ago": 8 * D + 6,
        "authors": ["meriem-tahiri"],
        "image": "librairie",
        "tags": ["livres", "prix littéraire", "Tanger"],
        "body": [
            p(
                "Le roman suit une maison du cap Malabata, de sa construction dans les "
                "années 1950 à sa vente à un promoteur. À travers elle, c'est la "
                "transformation de la ville que l'autrice raconte, sans nostalgie appuyée."
            ),
            q(
                "« J'ai voulu écrire une ville qui change plus vite que ses habitants. »",
                "Ghita Senhaji, lors de la remise du prix",
            ),
            p(
                "Le prix, doté de 50 000 dirhams, est décerné par un jury de cent lecteurs "
                "inscrits dans les bibliothèques publiques. Le livre, publié par un petit "
                "éditeur casablancais, en est à son troisième tirage."
            ),
        ],
    },
    {
        "section": "culture",
        "slug": "ouarzazate-tournages-etrangers-reviennent",
        "title": "Ouarzazate : les tournages étrangers reviennent en force",
        "standfirst": (
            "Sept productions internationales ont tourné dans la région depuis le début "
            "de l'année. Les techniciens locaux réclament davantage de postes à "
            "responsabilité."
        ),
        "hours_ago": 15 * D + 5,
        "authors": ["meriem-tahiri"],
        "agency": "avec AFP",
        "image": "decor-ouarzazate",
        "tags": ["cinéma", "Ouarzazate"],
        "body": [
            p(
                "Les studios affichent complet jusqu'à l'automne. Le crédit d'impôt pour "
                "les productions étrangères, porté à 30 % des dépenses réalisées au Maroc, "
                "a pesé dans les choix des producteurs."
            ),
            p(
                "Près de 2 000 figurants et 400 techniciens ont été recrutés localement, "
                "selon la commission régionale du film."
            ),
            h("Former des chefs de poste"),
            q(
                "« On nous confie la construction des décors, rarement leur conception. "
                "Il faut des formations pour monter en grade. »",
                "Un chef machiniste de Ouarzazate",
            ),
        ],
    },
    {
        "section": "culture",
        "slug": "rabat-exposition-siecle-de-photographie-de-rue",
        "title": "À Rabat, une exposition retrace un siècle de photographie de rue",
        "standfirst": (
            "Plus de deux cents tirages, dont beaucoup inédits, racontent les villes "
            "marocaines vues par des photographes amateurs et professionnels."
        ),
        "hours_ago": 20 * D + 4,
        "authors": ["meriem-tahiri"],
        "image": "expo-photo",
        "tags": ["photographie", "exposition", "Rabat"],
        "body": [
            p(
                "Le parcours est chronologique, des cartes postales des années 1920 aux "
                "images prises au téléphone pendant la dernière décennie. Les commissaires "
                "ont lancé un appel aux familles pour réunir des fonds privés."
            ),
            p(
                "La section la plus émouvante rassemble les photos d'un studio de quartier "
                "de Salé, retrouvées dans une cave et numérisées l'an dernier."
            ),
            img("expo-photo"),
            box(
                "Infos pratiques",
                "Jusqu'à la fin du mois prochain",
                "Du mardi au dimanche, de 10 heures à 19 heures",
                "Entrée : 30 DH, gratuite pour les moins de 18 ans",
            ),
        ],
    },
    {
        "section": "culture",
        "slug": "restauration-medina-de-fes-artisans",
        "title": "Restauration de la médina de Fès : les artisans en première ligne",
        "standfirst": (
            "Zelligeurs, menuisiers et plâtriers sont mobilisés sur une centaine de "
            "chantiers. Le programme finance aussi la formation de trois cents apprentis."
        ),
        "hours_ago": 27 * D + 5,
        "agency": "MAP",
        "image": "medina-fes",
        "tags": ["patrimoine", "artisanat", "Fès"],
        "body": [
            p(
                "Le programme de réhabilitation cible les maisons menaçant ruine, les "
                "fondouks et plusieurs fontaines publiques. Les travaux sont confiés en "
                "priorité à des artisans de la médina."
            ),
            p(
                "Les apprentis suivent une formation de deux ans, en alternance entre un "
                "centre de formation et les chantiers, avec une bourse mensuelle de "
                "1 200 dirhams."
            ),
            p(
                "Les habitants relogés pendant les travaux doivent retrouver leur logement "
                "dans un délai de dix-huit mois."
            ),
        ],
    },
    {
        "section": "culture",
        "slug": "theatre-amazigh-saison-complete-agadir",
        "title": "Le théâtre amazigh s'offre une saison complète à Agadir",
        "standfirst": (
            "Pour la première fois, une salle municipale programme des pièces en "
            "tachelhit toute l'année. Les troupes y voient une reconnaissance longtemps "
            "attendue."
        ),
        "hours_ago": 170 * D + 3,
        "authors": ["meriem-tahiri"],
        "tags": ["théâtre", "culture amazighe", "Agadir"],
        "body": [
            p(
                "La saison compte quatorze spectacles, dont six créations. Les "
                "représentations sont surtitrées en arabe et en français, une demande des "
                "troupes pour élargir leur public."
            ),
            q(
                "« Jouer dans notre langue, dans une vraie salle, avec un vrai public "
                "payant : c'est ce qu'on attendait depuis vingt ans. »",
                "Le metteur en scène d'une troupe d'Inezgane",
            ),
            p(
                "Le prix des places a été fixé à 40 dirhams, et des représentations "
                "scolaires sont prévues en matinée."
            ),
        ],
    },
    # --- Idées --------------------------------------------------------------
    {
        "section": "idees",
        "slug": "editorial-l-eau-affaire-de-tous",
        "title": "Éditorial. L'eau, une affaire de tous, pas seulement de l'État",
        "standfirst": (
            "La loi sur l'eau avance au Parlement. Elle ne suffira pas si chacun, "
            "agriculteur, industriel ou citadin, continue de considérer la ressource comme "
            "inépuisable."
        ),
        "hours_ago": 36,
        "authors": ["nadia-chraibi"],
        "image": "seguia",
        "access": "public",
        "tags": ["eau", "éditorial"],
        "body": [
            p(
                "Il y a quelque chose de rassurant à voir une loi sur l'eau avancer au "
                "Parlement. Il y aurait quelque chose d'inquiétant à croire qu'elle règlera "
                "à elle seule un problème qui se joue dans chaque champ, chaque usine et "
                "chaque cuisine."
            ),
            p(
                "Les chiffres sont connus : les nappes baissent, les barrages se "
                "remplissent moins, la population urbaine augmente. Ce qui l'est moins, "
                "c'est la répartition des efforts. L'agriculture consomme l'essentiel de "
                "l'eau mobilisée ; c'est donc là que les économies comptent le plus."
            ),
            rel("loi-sur-l-eau-adoptee-en-commission"),
            p(
                "Une police de l'eau sans moyens serait une promesse de plus. Un prix de "
                "l'eau qui ne dit rien de sa rareté en serait une autre. Le débat qui "
                "s'ouvre en séance plénière doit trancher ces deux questions."
            ),
        ],
    },
    {
        "section": "idees",
        "slug": "chronique-administrations-en-ligne-ceux-qu-elles-oublient",
        "title": "Chronique. Nos administrations en ligne et ceux qu'elles oublient",
        "standfirst": (
            "Numériser une démarche, c'est bien. Se demander qui ne pourra pas la faire "
            "seul, c'est mieux."
        ),
        "hours_ago": 7 * D + 10,
        "authors": ["meriem-tahiri"],
        "image": "guichet",
        "metered": True,
        "tags": ["numérique", "administration", "chronique"],
        "body": [
            p(
                "Ma voisine a 78 ans, un téléphone à clapet et une excellente mémoire. Elle "
                "se souvient de chaque fonctionnaire qui l'a aidée à remplir un formulaire "
                "depuis 1970. Elle ne se souviendra d'aucun mot de passe."
            ),
            p(
                "Les services publics en ligne font gagner des heures à des millions de "
                "personnes. Mais chaque démarche numérisée devrait s'accompagner d'une "
                "question simple : qui, demain, la fera à la place de ceux qui ne peuvent "
                "pas ?"
            ),
            rel("etat-civil-numerique-douze-provinces"),
            p(
                "Un guichet ouvert, un agent formé, un numéro de téléphone où répond un "
                "humain : ce ne sont pas des archaïsmes, ce sont des garanties d'égalité."
            ),
        ],
    },
    {
        "section": "idees",
        "slug": "analyse-chomage-des-jeunes-diplomes",
        "title": "Analyse. Le chômage des jeunes diplômés, angle mort de la croissance",
        "standfirst": (
            "L'économie crée des emplois, mais rarement ceux auxquels les diplômés se "
            "sont préparés. Le décalage entre formations et besoins s'installe."
        ),
        "hours_ago": 12 * D + 3,
        "authors": ["karim-benjelloun"],
        "tags": ["emploi", "jeunesse", "analyse"],
        "body": [
            p(
                "Paradoxe souvent relevé : le taux de chômage des diplômés du supérieur "
                "dépasse celui des personnes sans diplôme. Il atteint près d'un jeune "
                "diplômé sur quatre en milieu urbain."
            ),
            h("Des filières saturées"),
            p(
                "Les facultés à accès ouvert accueillent la majorité des étudiants dans "
                "des filières où les débouchés sont limités, quand l'industrie et le "
                "numérique peinent à recruter des techniciens."
            ),
            box(
                "Trois pistes",
                "Développer l'alternance dans les licences professionnelles",
                "Publier les taux d'insertion par filière et par établissement",
                "Soutenir la mobilité géographique des jeunes diplômés",
            ),
            p(
                "Aucune de ces pistes n'est nouvelle. Ce qui manque, c'est la mesure : "
                "sans données publiques sur l'insertion, chaque filière peut se croire "
                "l'exception."
            ),
        ],
    },
    {
        "section": "idees",
        "slug": "point-de-vue-grandes-competitions-quel-heritage",
        "title": "Point de vue. Accueillir de grandes compétitions, oui, mais pour quel héritage ?",
        "standfirst": (
            "Les stades seront prêts. La vraie question est ce qu'ils deviendront le "
            "lendemain de la finale."
        ),
        "hours_ago": 18 * D + 6,
        "authors": ["hicham-ouazzani"],
        "image": "chantier-stade",
        "access": "public",
        "tags": ["stades", "sport", "point de vue"],
        "body": [
            p(
                "Chaque pays qui accueille une grande compétition promet un héritage. Peu "
                "le définissent avant le coup d'envoi. Les exemples de stades surdimensionnés "
                "et vides, ailleurs, devraient nous servir de leçon."
            ),
            rel("renovation-des-stades-calendrier-se-resserre"),
            p(
                "L'héritage, ce sont aussi des terrains de quartier, des clubs féminins, "
                "des éducateurs formés et des transports qui continueront de desservir les "
                "stades après l'événement."
            ),
            q("« Un stade vide le dimanche est un échec, quel que soit le score de la finale. »"),
        ],
    },
    {
        "section": "idees",
        "slug": "chronique-parler-trois-langues-avant-le-petit-dejeuner",
        "title": "Chronique. Parler trois langues avant le petit-déjeuner",
        "standfirst": (
            "Darija à la maison, français au bureau, anglais dans les écouteurs : notre "
            "quotidien plurilingue mérite mieux que des querelles de principe."
        ),
        "hours_ago": 28 * D + 2,
        "authors": ["meriem-tahiri"],
        "metered": True,
        "tags": ["langues", "chronique", "société"],
        "body": [
            p(
                "Il est sept heures. Ma fille me demande en darija où sont ses chaussures, "
                "la radio annonce les bouchons en arabe, mon téléphone m'affiche en français "
                "un rappel de réunion, et mon fils répond en anglais à un jeu vidéo."
            ),
            p(
                "Nous passons d'une langue à l'autre sans y penser. C'est une richesse que "
                "nos débats publics traitent trop souvent comme un problème à résoudre, "
                "alors que c'est une compétence à cultiver."
            ),
            p(
                "L'école pourrait commencer par là : reconnaître ce que les enfants savent "
                "déjà faire, au lieu de leur demander de choisir."
            ),
        ],
    },
]

# Slugs of the home page's lead story and of the two chosen secondary stories.
HOME_LEAD = "sommet-regional-diplomaties-renouent-le-dialogue"
HOME_FEATURED = [
    "inflation-ralentit-baisse-des-prix-alimentaires",
    "eliminatoires-lions-de-l-atlas-tete-du-groupe",
]
