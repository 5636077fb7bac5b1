"""Demo photographs: titles, captions and credits (all fictional).

The pictures themselves are drawn by :mod:`.pictures`; ``palette`` names a
section colour pair and ``motif`` the shapes drawn over it. ``focal`` is an
optional focal point as fractions of the width/height: (x, y, w, h).
"""

from __future__ import annotations

from typing import Any

LQ = "Le Quotidien"

IMAGES: list[dict[str, Any]] = [
    {
        "key": "parlement",
        "title": "Hémicycle de la Chambre des représentants",
        "caption": (
            "Des députés en séance plénière à la Chambre des représentants, à Rabat, "
            "lors de l'examen d'un texte budgétaire."
        ),
        "credit": f"Youssef El Idrissi / {LQ}",
        "palette": "maroc",
        "motif": "columns",
        "focal": (0.5, 0.55, 0.3, 0.3),
    },
    {
        "key": "conseil-regional",
        "title": "Siège d'un conseil régional",
        "caption": (
            "La façade du siège d'un conseil régional, à Béni Mellal, un jour de session ordinaire."
        ),
        "credit": f"Sanaa Lamrani / {LQ}",
        "palette": "maroc",
        "motif": "columns",
    },
    {
        "key": "barrage",
        "title": "Retenue d'un barrage du Moyen Atlas",
        "caption": (
            "La retenue d'un barrage du Moyen Atlas, dont le niveau est relevé chaque "
            "semaine par l'agence de bassin."
        ),
        "credit": "Omar Fassi / MAP",
        "palette": "maroc",
        "motif": "waves",
    },
    {
        "key": "tanger-corniche",
        "title": "Corniche de Tanger",
        "caption": (
            "La corniche de Tanger à l'heure de pointe ; le plan de mobilité prévoit "
            "d'y réserver une voie aux bus."
        ),
        "credit": f"Youssef El Idrissi / {LQ}",
        "palette": "maroc",
        "motif": "skyline",
    },
    {
        "key": "bureau-de-vote",
        "title": "Bureau de vote à Salé",
        "caption": "Un bureau de vote d'un quartier populaire de Salé, lors du dernier scrutin.",
        "credit": f"Sanaa Lamrani / {LQ}",
        "palette": "maroc",
        "motif": "grid",
    },
    {
        "key": "hopital",
        "title": "Hôpital régional de Béni Mellal",
        "caption": (
            "L'entrée du service des urgences de l'hôpital régional de Béni Mellal, "
            "en fin de matinée."
        ),
        "credit": f"Sanaa Lamrani / {LQ}",
        "palette": "maroc",
        "motif": "grid",
    },
    {
        "key": "bus-casablanca",
        "title": "Bus à haut niveau de service à Casablanca",
        "caption": (
            "Un bus articulé de la nouvelle ligne sur un grand boulevard de Casablanca, "
            "au premier jour d'exploitation."
        ),
        "credit": f"Youssef El Idrissi / {LQ}",
        "palette": "maroc",
        "motif": "skyline",
        "focal": (0.35, 0.7, 0.25, 0.2),
    },
    {
        "key": "residence-etudiante",
        "title": "Résidence universitaire privée à Rabat",
        "caption": (
            "Une résidence universitaire privée du quartier de l'Agdal, à Rabat, où une "
            "chambre se loue jusqu'à 3 500 dirhams par mois."
        ),
        "credit": f"Sanaa Lamrani / {LQ}",
        "palette": "maroc",
        "motif": "skyline",
    },
    {
        "key": "dessalement",
        "title": "Station de dessalement dans le Souss",
        "caption": (
            "Les bassins d'une station de dessalement au sud d'Agadir, qui alimente "
            "désormais une quarantaine de douars."
        ),
        "credit": "Omar Fassi / MAP",
        "palette": "maroc",
        "motif": "waves",
    },
    {
        "key": "sommet-diplomatie",
        "title": "Deux chefs de la diplomatie au sommet régional",
        "caption": (
            "Deux ministres des Affaires étrangères se saluent avant leur entretien en "
            "marge du sommet régional, mardi, en présence de leurs délégations."
        ),
        "credit": "Leila Haddad / AFP",
        "palette": "monde",
        "motif": "globe",
        "focal": (0.62, 0.45, 0.2, 0.3),
    },
    {
        "key": "conference-donateurs",
        "title": "Conférence des donateurs",
        "caption": (
            "La salle plénière de la conférence des donateurs, où une quarantaine de "
            "délégations étaient représentées."
        ),
        "credit": "Rachid Amrani / Reuters",
        "palette": "monde",
        "motif": "columns",
    },
    {
        "key": "manuscrits",
        "title": "Numérisation de manuscrits anciens",
        "caption": (
            "Un conservateur photographie page par page un manuscrit du XVIIe siècle "
            "dans l'atelier de numérisation."
        ),
        "credit": "Inès Morel / AFP",
        "palette": "monde",
        "motif": "circles",
    },
    {
        "key": "route-sahara",
        "title": "Route transsaharienne",
        "caption": "Un tronçon récemment bitumé de la route transsaharienne, au sud du désert.",
        "credit": "Leila Haddad / AFP",
        "palette": "monde",
        "motif": "dunes",
    },
    {
        "key": "sahel-champs",
        "title": "Parcelle agricole au Sahel",
        "caption": (
            "Un agriculteur prépare sa parcelle avant les premières pluies, dans une "
            "région sahélienne touchée par la sécheresse."
        ),
        "credit": "Rachid Amrani / Reuters",
        "palette": "monde",
        "motif": "dunes",
    },
    {
        "key": "abidjan-salon",
        "title": "Salon des start-up à Abidjan",
        "caption": (
            "Des entrepreneurs présentent leurs projets à des investisseurs lors du "
            "salon organisé à Abidjan."
        ),
        "credit": "Inès Morel / AFP",
        "palette": "monde",
        "motif": "grid",
    },
    {
        "key": "marche-de-gros",
        "title": "Marché de gros de Casablanca",
        "caption": (
            "Des étals de tomates et de poivrons au marché de gros de Casablanca, où les "
            "prix ont reculé ces dernières semaines."
        ),
        "credit": f"Youssef El Idrissi / {LQ}",
        "palette": "economie",
        "motif": "bars",
    },
    {
        "key": "usine-automobile",
        "title": "Chaîne de montage automobile",
        "caption": "Une chaîne de montage dans une usine automobile de la zone franche de Kénitra.",
        "credit": f"Sanaa Lamrani / {LQ}",
        "palette": "economie",
        "motif": "bars",
    },
    {
        "key": "terminal-conteneurs",
        "title": "Terminal à conteneurs",
        "caption": "Des portiques de chargement sur un terminal à conteneurs du nord du pays.",
        "credit": "Rachid Amrani / Reuters",
        "palette": "economie",
        "motif": "waves",
    },
    {
        "key": "medina-touristes",
        "title": "Visiteurs dans la médina de Marrakech",
        "caption": "Des visiteurs dans une ruelle de la médina de Marrakech, en fin d'après-midi.",
        "credit": "Omar Fassi / MAP",
        "palette": "economie",
        "motif": "skyline",
    },
    {
        "key": "goutte-a-goutte",
        "title": "Irrigation au goutte-à-goutte dans le Saïss",
        "caption": (
            "Des tuyaux d'irrigation au goutte-à-goutte dans un verger de pommiers "
            "de la plaine du Saïss."
        ),
        "credit": f"Sanaa Lamrani / {LQ}",
        "palette": "economie",
        "motif": "mountains",
    },
    {
        "key": "quartier-affaires",
        "title": "Quartier d'affaires de Casablanca",
        "caption": (
            "Le quartier d'affaires de Casablanca, où plusieurs banques ont installé "
            "leur direction Afrique."
        ),
        "credit": f"Youssef El Idrissi / {LQ}",
        "palette": "economie",
        "motif": "skyline",
    },
    {
        "key": "stade-nuit",
        "title": "Stade un soir de match",
        "caption": (
            "Les tribunes d'un stade un soir de match des éliminatoires, quelques minutes "
            "avant le coup d'envoi."
        ),
        "credit": f"Hamza Belkadi / {LQ}",
        "palette": "sport",
        "motif": "pitch",
        "focal": (0.5, 0.6, 0.4, 0.3),
    },
    {
        "key": "derby",
        "title": "Duel aérien pendant le derby",
        "caption": "Duel aérien entre deux milieux de terrain lors du derby, samedi soir.",
        "credit": f"Hamza Belkadi / {LQ}",
        "palette": "sport",
        "motif": "pitch",
    },
    {
        "key": "piste-athletisme",
        "title": "Départ d'un 3 000 m steeple",
        "caption": (
            "Le départ d'un 3 000 m steeple lors du meeting international d'athlétisme de Rabat."
        ),
        "credit": "Omar Fassi / MAP",
        "palette": "sport",
        "motif": "pitch",
    },
    {
        "key": "trail-atlas",
        "title": "Coureurs de trail dans le Haut Atlas",
        "caption": (
            "Des coureurs sur un sentier au-dessus d'Imlil, au lever du jour, pendant "
            "la première étape."
        ),
        "credit": f"Hamza Belkadi / {LQ}",
        "palette": "sport",
        "motif": "mountains",
        "focal": (0.3, 0.4, 0.2, 0.25),
    },
    {
        "key": "chantier-stade",
        "title": "Chantier de rénovation d'un stade",
        "caption": "Des grues au-dessus de la tribune principale, en cours de reconstruction.",
        "credit": f"Hamza Belkadi / {LQ}",
        "palette": "sport",
        "motif": "columns",
    },
    {
        "key": "handball",
        "title": "Match de handball",
        "caption": "L'arrière de l'équipe nationale au tir pendant le quart de finale.",
        "credit": "Leila Haddad / AFP",
        "palette": "sport",
        "motif": "circles",
    },
    {
        "key": "concert-essaouira",
        "title": "Concert en plein air à Essaouira",
        "caption": (
            "Un maâlem et ses musiciens sur la scène installée face à l'océan, "
            "vendredi soir, à Essaouira."
        ),
        "credit": "Inès Morel / AFP",
        "palette": "culture",
        "motif": "circles",
        "focal": (0.45, 0.5, 0.3, 0.35),
    },
    {
        "key": "decor-ouarzazate",
        "title": "Décor de cinéma près de Ouarzazate",
        "caption": "Un décor de tournage en terre crue dans les environs de Ouarzazate.",
        "credit": "Leila Haddad / AFP",
        "palette": "culture",
        "motif": "dunes",
    },
    {
        "key": "expo-photo",
        "title": "Exposition de photographie à Rabat",
        "caption": "Des visiteurs devant des tirages grand format dans la galerie principale.",
        "credit": f"Sanaa Lamrani / {LQ}",
        "palette": "culture",
        "motif": "grid",
    },
    {
        "key": "medina-fes",
        "title": "Atelier de zellige dans la médina de Fès",
        "caption": "Un artisan zelligeur taille des carreaux dans un atelier de la médina de Fès.",
        "credit": "Omar Fassi / MAP",
        "palette": "culture",
        "motif": "circles",
    },
    {
        "key": "librairie",
        "title": "Vitrine d'une librairie à Tanger",
        "caption": "Le roman primé en vitrine d'une librairie du centre de Tanger.",
        "credit": f"Youssef El Idrissi / {LQ}",
        "palette": "culture",
        "motif": "grid",
    },
    {
        "key": "seguia",
        "title": "Seguia dans une oasis du Drâa",
        "caption": "Un canal d'irrigation traditionnel, une seguia, dans une oasis du Drâa.",
        "credit": f"Youssef El Idrissi / {LQ}",
        "palette": "idees",
        "motif": "waves",
    },
    {
        "key": "guichet",
        "title": "File d'attente devant un guichet",
        "caption": "Une file d'attente devant le guichet d'un arrondissement de Casablanca.",
        "credit": f"Sanaa Lamrani / {LQ}",
        "palette": "idees",
        "motif": "grid",
    },
]
