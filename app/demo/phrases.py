# ruff: noqa: E501 (sentences read better whole than cut at 100 columns)
"""What the demo's people write, by place: templates whose slots the history
fills at random ({who}: a colleague who may read it, mentioned; {site}, {day},
{time}, {n} (2 to 95), {small} (1 to 9): small facts). Mostly French, some
English, as in a French company with foreign partners. Hashtags are few and
recurring, so that trending means something; #rh only in the HR team's space,
never where externals read (a contractor's trending must not show it)."""

SITES = ["Lyon", "Lille", "Nantes", "Rungis", "Marseille"]
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
TIMES = ["9 h", "9 h 30", "10 h", "11 h", "14 h", "14 h 30", "16 h"]

# Posts by place (None: the company stream).
POSTS: dict[str | None, list[str]] = {
    None: [
        "Le restaurant d'entreprise de {site} passe aux plats du jour en vrac à partir de {day}. #rse",
        "Bravo aux équipes de {site} pour l'inventaire bouclé en un week-end, sans un écart de stock !",
        "Petit rappel : la visite médicale annuelle se prend en ligne, les créneaux de {day} partent vite.",
        "Qui a une bonne adresse de traiteur pour un pot de départ d'une trentaine de personnes vers {site} ?",
        "Nouvel article sur le blog interne : comment l'entrepôt de {site} a réduit ses cartons de {n} %. #rse",
        "Merci à {who} pour la présentation d'hier sur le tri des déchets, très concrète. #rse",
        "Les photos du séminaire sont en ligne dans le wiki. Merci à tous pour l'énergie ! #seminaire",
        "Le parking de {site} sera fermé {day} matin pour travaux de marquage au sol.",
        "Welcome to our colleagues from the Hamburg office who join us this week for the #atlas workshops!",
        "Quelqu'un sait si la salle Ruche est équipée pour la visio ? J'ai une réunion {day} à {time}.",
        "La collecte de jouets pour les Restos du cœur continue jusqu'à vendredi, à l'accueil de chaque site.",
        "Félicitations à {who} pour sa certification en gestion de projet ! #formation",
        "Retour sur le salon de la logistique : beaucoup de questions sur la traçabilité, on tient un sujet. #salon",
        "The quarterly newsletter is out: highlights from {site}, the #atlas roll-out and our new customers.",
        "Le covoiturage entre {site} et le siège fonctionne : {n} trajets partagés le mois dernier ! #velo",
        "Attention aux courriels qui imitent la DSI pour demander vos identifiants : ne cliquez pas. #securite",
        "Merci à toutes les personnes qui ont donné leur sang hier, {n} dons au total sur le site de {site}.",
        "Le télétravail du vendredi est reconduit pour l'hiver, les détails sont dans le wiki RH. #teletravail",
        "Nos résultats du trimestre sont en ligne : le chiffre d'affaires progresse, merci à tous. #resultats",
        "Une pensée pour l'équipe de nuit de {site} qui a géré le pic de commandes du week-end. Chapeau !",
        "Qui veut rejoindre l'équipe de course solidaire du mois prochain ? On est déjà {n}. #rse",
        "Le nouveau badge d'accès sera distribué {day} à l'accueil, pensez à rapporter l'ancien.",
    ],
    "projet-atlas": [
        "Point d'avancement #atlas : le lot {small} est livré, la recette démarre {day}. Merci {who} !",
        "Les écrans de préparation de commandes ont été revus après les retours du terrain de {site}. #atlas",
        "La reprise des données articles est à {n} % : il reste les références fournisseurs. #atlas",
        "Compte rendu de l'atelier transporteurs dans le wiki, relu par {who} et validé. #atlas",
        "Le jeu d'essai de la recette est prêt, on lance les scénarios {day} à {time}. #atlas",
        "Incident de la nuit sur l'interface transporteurs corrigé ce matin, cause racine dans le ticket. #atlas",
        "Les préparateurs de {site} ont testé les scanners : {small} remarques, rien de bloquant. #atlas",
        "Next steps for #atlas: load tests on Tuesday, go/no-go review with {who} on Friday.",
        "Démo du module de suivi des expéditions {day} à {time}, venez nombreux. #atlas",
        "Le planning de bascule de {site} est à jour dans le wiki, merci de vérifier vos créneaux. #atlas",
        "Question de {who} en recette : faut-il garder l'ancien code article sur les étiquettes ? On tranche {day}.",
        "Tickets ouverts cette semaine : {n}, dont deux bloquants, tous affectés. #atlas",
    ],
    "labo-innovation": [
        "Idée du jour : une boîte à outils partagée entre les sites, réservable dans Ruche. Qui teste ? #idees",
        "Retour sur le test du binôme d'accueil à {site} : {n} nouveaux accompagnés, tous ravis. #idees",
        "Et si on mesurait le temps gagné par les idées du trimestre ? Proposition de {who} à creuser. #idees",
        "Atelier créativité {day} à {time} : on travaille sur les trajets entre sites. #idees #velo",
        "Le prototype d'étiquette réutilisable a tenu {n} rotations sans casse. #idees #rse",
        "Inspiration: a warehouse in Rotterdam uses exoskeletons for heavy picking. Worth a trial? #idees",
        "Les trois idées retenues ce trimestre sont dans le wiki, avec leur parrain. #idees",
        "Merci {who} pour l'idée du tableau de bord énergie : le premier relevé montre {small} % d'écart entre sites.",
    ],
    "comite-de-direction": [
        "Ordre du jour du comité de {day} : budget, #atlas, plan de recrutement. Compléments bienvenus.",
        "Les indicateurs du mois sont en ligne : marge en hausse de {small} points, stocks sous contrôle. #resultats",
        "Proposition de calendrier pour le séminaire stratégique, à valider avant {day}.",
        "Point juridique sur le contrat cadre transporteurs préparé par {who}, à lire avant le comité.",
        "Le budget #erp dépasse de {small} % la prévision initiale : arbitrage nécessaire au prochain comité.",
        "Synthèse des entretiens clients grands comptes : trois risques de départ à traiter.",
        "Projet d'acquisition : la lettre d'intention est prête, relecture par {who} demandée.",
    ],
    "communaute-anciens": [
        "Des nouvelles de l'équipe de {site} ? Je garde un très bon souvenir des inventaires de fin d'année. #alumni",
        "Mon entreprise recrute deux chefs de quai à {site}, si quelqu'un connaît des profils. #alumni",
        "Photos des retrouvailles de l'an dernier retrouvées dans un carton, je les partage ici ! #alumni",
        "Bravo pour le lancement d'Atlas, on en entend parler jusque chez nos clients. #alumni",
        "Afterwork des anciens à {site} le mois prochain, qui est partant ? #alumni",
        "Any former colleagues in the Hamburg area? Happy to meet for a coffee. #alumni",
    ],
    "equipe-rh": [
        "Campagne d'entretiens annuels : {n} entretiens faits sur l'ensemble des sites. #rh",
        "Le plan de formation 2027 est en relecture, vos remarques avant {day} s'il vous plaît. #formation",
        "Trois arrivées lundi à {site}, les comptes sont créés. Qui prend le binôme d'accueil ? #recrutement",
        "Nouveau modèle d'offre d'emploi validé par {who}, il est dans le wiki. #recrutement",
        "Forum école {day} : il nous manque une personne au stand à partir de {time}. #recrutement",
        "Rappel : les demandes de congés de fin d'année sont à valider avant vendredi. #rh",
    ],
    "migration-erp": [
        "Lot achats : {n} tests passés sur 120, reprise des fournisseurs {day}. #erp",
        "La recette du module comptable glisse d'une semaine, nouveau planning dans le wiki. #erp",
        "Mapping of the chart of accounts reviewed with {who}: two open points left. #erp",
        "Formation des comptables au nouvel ERP {day} à {time}, salle Ruche. #erp #formation",
        "Anomalie sur les arrondis de TVA corrigée par Logisoft, à revérifier en recette. #erp",
        "Comité de pilotage #erp {day} : go pour la répétition générale de bascule.",
        "Les accès au nouvel environnement de test sont ouverts : merci {who} ! #erp",
    ],
    "equipe-commerciale": [
        "Signature du contrat avec un nouveau client à {site} : {n} palettes par semaine dès janvier ! #clients",
        "Retour client très positif sur le suivi en temps réel des livraisons : merci {who} ! #clients",
        "Préparation du salon de {site} : il reste {small} créneaux de rendez-vous à caler. #salon",
        "Le nouveau support de présentation est dans le wiki, version courte et version longue. #clients",
        "Appel d'offres d'un distributeur régional : réponse à rendre {day}, qui a du temps ? #clients",
        "Prospect meeting with a German retailer went well, follow-up call on {day}. #clients",
    ],
    "entraide-informatique": [
        "Mise à jour des postes {day} soir : laissez vos ordinateurs allumés et branchés. #informatique",
        "Astuce : le raccourci Windows + Maj + S fait une capture d'une zone de l'écran. #astuce",
        "La nouvelle imprimante du 2e étage est installée, pilote dans le portail. #informatique",
        "Campagne de faux hameçonnage terminée : {small} % de clics, en baisse. Merci à tous ! #securite",
        "Le VPN sera coupé {day} de 20 h à 22 h pour maintenance. #informatique",
        "Un rappel de {who} : verrouillez votre session quand vous quittez votre poste. #securite",
    ],
    "qualite-securite": [
        "Presque-accident au quai {small} de {site} : un chariot a reculé sans avertisseur. Analyse en cours. #securite",
        "Quart d'heure sécurité de {day} : les gestes et postures au poste d'emballage. #securite",
        "Audit qualité de {site} terminé, {small} écarts mineurs, plan d'actions dans le wiki. #qualite",
        "Merci à {who} pour la remontée sur l'éclairage de l'allée C, c'est réparé. #securite",
        "Taux de litiges clients du mois : {small} pour mille, notre meilleur score de l'année. #qualite",
        "Nouvelles chaussures de sécurité disponibles en essai à {site}, vos retours nous intéressent. #securite",
    ],
    "velo-mobilites": [
        "Atelier réparation vélo {day} midi devant le bâtiment A, pensez à vos chambres à air ! #velo",
        "Itinéraire testé ce matin depuis {site} centre : {n} minutes, presque tout en piste cyclable. #velo",
        "Le parking vélo couvert est enfin installé, merci {who} pour la relance. #velo",
        "Covoiturage vers {site} {day} matin, deux places libres au départ de la gare. #velo",
        "Challenge de la mobilité : notre équipe a parcouru {n} km à vélo ce mois-ci ! #velo #rse",
    ],
}

QUESTIONS: dict[str | None, list[tuple[str, str]]] = {
    # (question, the answer that gets accepted)
    None: [
        (
            "Où trouve-t-on le calendrier des jours fériés travaillés de l'année prochaine ?",
            "Dans le wiki RH, page « Calendrier », mis à jour la semaine dernière.",
        ),
        (
            "Comment réserver une salle sur un autre site que le sien ?",
            "Par le portail des services généraux, en choisissant le site en haut de la page.",
        ),
        (
            "Does anyone know who handles visitor badges for foreign guests?",
            "The front desk of each site does: send them the guest list one day before.",
        ),
        (
            "Qui s'occupe de la mutuelle pour un changement de situation ?",
            "Le service paie : un formulaire suffit, il est dans l'espace Équipe RH.",
        ),
    ],
    "projet-atlas": [
        (
            "Faut-il créer un ticket pour chaque écart de recette, même mineur ? #atlas",
            "Oui, avec la priorité « mineure » : on les regroupe ensuite au comité de suivi.",
        ),
        (
            "Quel environnement utiliser pour les tests de charge ? #atlas",
            "L'environnement de préproduction, réservé du lundi au mercredi pour ça.",
        ),
    ],
    "labo-innovation": [
        (
            "Comment proposer une idée si on n'est pas sur le site du siège ? #idees",
            "Il suffit de la publier ici avec #idees : les ateliers se font aussi en visio.",
        ),
    ],
    "equipe-rh": [
        (
            "Le modèle de contrat d'alternance a-t-il changé cette année ?",
            "Oui, la version de septembre intègre la nouvelle aide : elle est dans le wiki.",
        ),
    ],
    "migration-erp": [
        (
            "Les anciens numéros de commande seront-ils repris dans le nouvel ERP ? #erp",
            "Oui, dans un champ « référence historique », consultable en recherche.",
        ),
    ],
    "entraide-informatique": [
        (
            "Mon Outlook ne synchronise plus le calendrier partagé, une idée ?",
            "Supprimez puis rajoutez le calendrier partagé : ça règle le problème dans 9 cas sur 10.",
        ),
        (
            "Comment installer l'imprimante du 2e étage sur un Mac ?",
            "Par le portail logiciel, rubrique Imprimantes : le pilote s'installe en un clic.",
        ),
        (
            "Peut-on utiliser son téléphone personnel pour la double authentification ?",
            "Oui, avec l'application indiquée dans le wiki ; sinon une clé physique est fournie.",
        ),
    ],
    "qualite-securite": [
        (
            "Qui doit signer le registre après un exercice d'évacuation ? #securite",
            "Le responsable de site, puis il le transmet à la qualité dans la semaine.",
        ),
    ],
    "velo-mobilites": [
        (
            "Y a-t-il des douches accessibles sur le site de Lyon ? #velo",
            "Oui, au rez-de-chaussée du bâtiment B, avec des casiers fermant à clé.",
        ),
    ],
}

POLLS: dict[str | None, list[tuple[str, list[str]]]] = {
    None: [
        ("Quel thème pour la soirée de fin d'année ?", ["Années 80", "Casino", "Guinguette"]),
        ("Le séminaire de printemps : plutôt où ?", ["Annecy", "Biarritz", "Dans nos locaux"]),
        (
            "Quel atelier pour la semaine de la qualité de vie au travail ?",
            ["Sophrologie", "Ergonomie du poste", "Gestion du temps", "Premiers secours"],
        ),
    ],
    "projet-atlas": [
        (
            "Quel créneau pour le point hebdomadaire #atlas ?",
            ["Lundi 9 h", "Mardi 14 h", "Jeudi 11 h"],
        ),
    ],
    "labo-innovation": [
        (
            "Quelle idée tester en premier ce trimestre ? #idees",
            ["Boîte à outils partagée", "Binôme d'accueil", "Tableau de bord énergie"],
        ),
    ],
    "equipe-commerciale": [
        (
            "Which trade show should we attend in the spring? #salon",
            ["SITL Paris", "LogiMAT", "Both"],
        ),
    ],
    "velo-mobilites": [
        (
            "Un atelier réparation par mois, quel jour ? #velo",
            ["Mardi midi", "Jeudi midi", "Vendredi 17 h"],
        ),
    ],
    "qualite-securite": [
        (
            "Quel sujet pour le prochain quart d'heure sécurité ? #securite",
            ["Circulation des chariots", "Port de charges", "Travail en hauteur"],
        ),
    ],
}

ANNOUNCEMENTS: dict[str | None, list[str]] = {
    None: [
        "**Nouvelle organisation des congés de fin d'année** : les demandes se font désormais dans "
        "le portail RH. Merci de confirmer votre lecture.",
        "**Exercice d'évacuation** sur tous les sites {day} à {time}. Suivez les consignes des "
        "guides-files. #securite",
        "**Mise à jour de la charte informatique** : elle entre en vigueur le 1er du mois, "
        "à lire dans le wiki. #securite",
    ],
    "projet-atlas": [
        "**Gel des développements #atlas** à partir de {day} : seuls les correctifs de recette passent.",
    ],
    "migration-erp": [
        "**Répétition générale de bascule #erp** le week-end prochain : pas de saisie comptable "
        "du vendredi 18 h au lundi 8 h.",
    ],
    "entraide-informatique": [
        "**Changement de mot de passe obligatoire** avant la fin du mois pour tous les comptes. #securite",
    ],
    "qualite-securite": [
        "**Port du gilet haute visibilité obligatoire** dans toutes les allées de {site} dès lundi. #securite",
    ],
}

SHARES = [
    "À lire, ça concerne aussi notre équipe.",
    "Je relaie : important pour tous ceux qui passent par {site}.",
    "Worth reading, thanks for sharing.",
    "Pour ceux qui l'auraient manqué.",
]

COMMENTS = [
    "Merci pour l'info !",
    "Super nouvelle, bravo à toute l'équipe.",
    "Je m'en occupe {day}.",
    "Très clair, merci.",
    "On en parle au prochain point ?",
    "Bonne idée, je suis partant.",
    "Je confirme, même constat à {site}.",
    "Thanks, very helpful!",
    "Est-ce qu'on a une date précise ?",
    "Je transmets à mon équipe.",
    "Ça tombe bien, on se posait justement la question.",
    "Je peux aider si besoin, j'ai fait la même chose à {site}.",
    "Bravo, beau travail !",
    "Attention quand même au calendrier, {day} c'est serré.",
    "Je vous mets en copie {who}, ça vous concerne.",
    "Top, merci {who} !",
    "Great job everyone.",
    "Noté, je bloque le créneau de {time}.",
    "Un retour d'expérience dans le wiki serait utile.",
    "C'est déjà beaucoup mieux qu'avant, merci.",
]

REPLIES = [
    "Oui, je te fais un retour {day}.",
    "Merci, je regarde ça.",
    "Exactement !",
    "Bonne remarque, je corrige.",
    "Yes, let's discuss it on {day}.",
    "Je suis d'accord avec toi.",
    "C'est noté, merci {who} !",
    "Je te le transmets dans la journée.",
]
