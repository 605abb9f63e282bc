"""The texts of the demo's wiki pages, in French as the company writes them."""

ONBOARDING_GUIDE = """Bienvenue ! Ce guide rassemble ce qu'il faut savoir pour bien démarrer.

## Votre première semaine

1. Récupérez votre badge et votre ordinateur auprès de l'accueil (bâtiment A, rez-de-chaussée).
2. Activez votre compte Ruche et complétez votre profil.
3. Rejoignez les espaces de votre équipe et de vos projets.
4. Planifiez un café avec votre parrain ou votre marraine.

## Les outils

| Outil | Pour quoi faire | Qui contacter |
| --- | --- | --- |
| Ruche | Échanger, documenter, suivre les projets | @admin |
| Messagerie | Courriels externes | Support informatique |
| Notes de frais | Déclarer vos dépenses | [[Notes de frais]] |

## À lire ensuite

- [[Charte d'utilisation de Ruche]]
- [[Notes de frais]]
"""

USAGE_CHARTER = """Ruche est l'outil de travail de toute l'entreprise, anciens et prestataires
compris.

- **Choisissez le bon niveau** : *public* pour ce que les anciens et les prestataires
  peuvent lire, *interne* par défaut, *confidentiel* ou *secret* pour le reste.
- **Écrivez dans l'espace du projet** plutôt qu'en message privé : la connaissance reste.
- **Documentez dans le wiki** ce qui doit durer au-delà de la conversation.
- Restez courtois ; signalez tout contenu inapproprié à un modérateur.
"""

EXPENSES = """Les notes de frais se déclarent avant le 5 du mois suivant.

1. Photographiez vos justificatifs.
2. Remplissez le modèle disponible dans l'espace Équipe RH.
3. Faites valider par votre responsable.

Plafonds : repas 25 €, hôtel 120 € la nuit (150 € à Paris).
"""

ATLAS_CHARTER = """## Objectifs

- Mettre en service la plateforme logistique Atlas dans les trois entrepôts d'ici juin.
- Réduire de 30 % le délai moyen de préparation des commandes.
- Former 120 préparateurs avant la bascule.

## Personnes

- **Sponsor** : @claire.dubois
- **Chef de projet** : @julien.martin
- **Équipe** : @emma.leroy (conduite du changement), @thomas.petit (intégration),
  @marc.lambert et @ines.faure (prestataires, développement)

## Stratégie

Déploiement entrepôt par entrepôt, en commençant par Lyon, avec deux semaines de
fonctionnement en parallèle de l'ancien système avant chaque bascule.

## Jalons

| Jalon | Date |
| --- | --- |
| Recette du module de suivi | 2026-11-30 |
| Bascule de Lyon | 2027-02-15 |
| Bascule de Lille et Nantes | 2027-05-31 |

## Outils

- Ce wiki pour les décisions et les comptes rendus : [[Comptes rendus]]
- Le planning détaillé : [[Planning détaillé]]
- L'intégration des nouveaux préparateurs : [[equipe-rh:Procédure d'intégration]]
"""

ATLAS_MEETING = """**Date** : 2026-11-16
**Participants** : @julien.martin, @emma.leroy, @thomas.petit, @marc.lambert

## Ordre du jour

1. Avancement de la recette
2. Formation des préparateurs de Lyon

## Décisions

- La recette du module de suivi démarre le 23 novembre.
- Les sessions de formation auront lieu le matin, par groupes de dix.

## Actions

| Quoi | Qui | Pour quand |
| --- | --- | --- |
| Préparer le jeu de données de recette | @marc.lambert | 2026-11-20 |
| Réserver les salles de formation | @emma.leroy | 2026-11-27 |
"""

ONBOARDING_PROCEDURE = """Pour chaque arrivée, l'équipe RH :

1. prépare le contrat et la déclaration préalable à l'embauche ;
2. crée le compte Ruche et l'ajoute aux espaces de son équipe ;
3. lui envoie le [[:Guide d'accueil]] une semaine avant son arrivée ;
4. organise l'entretien de fin de période d'essai.
"""


TELEWORK = """Le télétravail est ouvert à tous les salariés dont le poste le permet, jusqu'à
deux jours par semaine, après la période d'essai.

## Comment faire

1. Convenez des jours avec votre responsable.
2. Déclarez-les dans le portail RH avant le 25 du mois précédent.
3. Gardez votre téléphone joignable aux heures habituelles de l'équipe.

## Équipement

Un écran et un casque peuvent être prêtés :
voir [[entraide-informatique:FAQ informatique]].

Voir aussi le [[Guide d'accueil]].
"""

TELEWORK_WINTER = TELEWORK.replace(
    "deux jours par semaine",
    "deux jours par semaine (le vendredi compris pendant l'hiver, jusqu'au 31 mars)",
)

CALENDAR = """## Fermetures de l'entreprise

| Période | Sites concernés |
| --- | --- |
| Du 24 décembre midi au 26 décembre | Tous les sites |
| Le pont de l'Ascension | Siège uniquement ; les entrepôts tournent |

## Jours fériés travaillés dans les entrepôts

Le lundi de Pentecôte (journée de solidarité) et le 8 mai, avec une majoration de 50 %.
Les plannings sont affichés trois semaines avant.
"""

ATLAS_PLANNING = """| Semaine | Lot | Responsable |
| --- | --- | --- |
| 1 | Module de suivi des expéditions | @thomas.petit |
| 2 | Interfaces transporteurs | @marc.lambert |
| 3 | Reprise des données, essais de charge | @ines.faure |
| 4 | Formation des équipes, mise en service | @emma.leroy |

Les décisions qui changent ce planning sont notées dans les [[Comptes rendus]].
"""

ATLAS_PLANNING_SHIFTED = ATLAS_PLANNING.replace(
    "| 3 | Reprise des données, essais de charge | @ines.faure |",
    "| 3 | Reprise des données (fournisseurs compris), essais de charge | @ines.faure |",
)

ATLAS_MEETING_LATER = """**Date** : 2026-11-30
**Participants** : @julien.martin, @karim.benali, @pauline.gauthier, @ines.faure

## Ordre du jour

1. Bilan de la première semaine de recette
2. Préparation de la bascule de Lyon

## Décisions

- Les deux anomalies bloquantes passent en priorité absolue.
- La bascule de Lyon reste au 15 février ; point de décision le 20 janvier.

## Actions

| Quoi | Qui | Pour quand |
| --- | --- | --- |
| Corriger l'export des bons de livraison | @ines.faure | 2026-12-04 |
| Planifier les formations de Lyon | @pauline.gauthier | 2026-12-11 |
"""

ERP_CUTOVER = """## Étapes de la bascule

1. Vendredi 18 h : arrêt des saisies dans l'ancien ERP.
2. Samedi : reprise des soldes, des fournisseurs et des commandes ouvertes.
3. Dimanche : contrôles croisés par la comptabilité ([[Contrôles de reprise]]).
4. Lundi 8 h : ouverture du nouvel ERP, hotline renforcée.

## Qui décide

Le go / no go est prononcé dimanche 18 h par @nicolas.fabre et @laure.blanc.
"""

ERP_CUTOVER_REVIEWED = ERP_CUTOVER.replace(
    "4. Lundi 8 h : ouverture du nouvel ERP, hotline renforcée.",
    "4. Lundi 8 h : ouverture du nouvel ERP, hotline renforcée (Logisoft sur place).\n"
    "5. Lundi 17 h : premier bilan, retour arrière possible jusqu'à mardi 12 h.",
)

ERP_CHECKS = """- Balance générale : égale à l'euro près entre l'ancien et le nouvel ERP.
- Fournisseurs : même nombre de comptes actifs, mêmes IBAN.
- Commandes ouvertes : comparées une à une sur un échantillon de 50.
"""

IDEAS = """Les idées retenues ce trimestre, avec leur parrain et leur premier test.

| Idée | Parrain | Premier test |
| --- | --- | --- |
| Boîte à outils partagée entre les sites | @lucas.moreau | Lyon, en janvier |
| Binôme d'accueil des nouveaux | @sophie.bernard | Tous les sites |
| Tableau de bord énergie | @samir.haddad | Entrepôt de Nantes |

Pour proposer une idée : publiez-la dans l'espace avec #idees.
"""

IDEAS_WITH_RESULTS = (
    IDEAS
    + """
## Premiers résultats

Le binôme d'accueil a accompagné douze arrivées ; tous les binômes recommandent de continuer.
"""
)

IT_FAQ = """## Mot de passe oublié

Le portail de réinitialisation est accessible depuis l'écran de connexion.

## Imprimantes

Le pilote de chaque imprimante est dans le portail logiciel, rubrique *Imprimantes*.

## Double authentification

L'application à installer est indiquée à la première connexion ; une clé physique est
fournie à qui n'a pas de téléphone professionnel.
"""

IT_FAQ_VPN = (
    IT_FAQ
    + """
## VPN

Le VPN se lance tout seul hors des locaux. S'il ne se connecte pas, redémarrez le poste
avant d'appeler le support.
"""
)

IT_FAQ_SCREENS = (
    IT_FAQ_VPN
    + """
## Prêt de matériel pour le télétravail

Écrans et casques se réservent dans le portail, retrait à l'accueil du siège.
Voir la page [[:Télétravail]].
"""
)

INCIDENT = """**Lieu** : entrepôt de Lyon, quai 4
**Fait** : un chariot a reculé sans avertisseur sonore ; personne n'a été blessé.

## Causes

- L'avertisseur du chariot 12 était débranché depuis la maintenance de la veille.
- La visibilité au quai 4 est réduite par des palettes stockées au sol.

## Actions

| Quoi | Qui | Pour quand |
| --- | --- | --- |
| Contrôle des avertisseurs après chaque maintenance | @fabrice.meunier | immédiat |
| Marquage au sol de la zone de stockage | @kevin.marchand | sous 15 jours |
"""

BOARD_DECISIONS = """Décisions du comité, de la plus récente à la plus ancienne.

- Budget #erp : dépassement accepté dans la limite de 8 %, revue mensuelle.
- Plan de recrutement 2027 : 14 postes, dont 9 dans les entrepôts.
- Atlas : bascule de Lyon confirmée au 15 février (voir [[projet-atlas:Charte du projet Atlas]]).
"""
