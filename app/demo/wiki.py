"""The demo's wiki: company and space pages written through the wiki service
(revisions by several authors, [[links]], a project charter, meeting notes)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.levels import Level
from app.models import Space, User, WikiPage
from app.services.wiki import create_page, save_page

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


async def seed_demo_wiki(session: AsyncSession, people: dict[str, User]) -> None:
    """A few real-looking pages in French, written through the wiki service
    (revisions, links and watchers included); only on a database without any."""
    if await session.scalar(select(WikiPage.id).limit(1)) is not None:
        return
    spaces = {space.slug: space.id for space in await session.scalars(select(Space))}

    def who(name: str) -> User:
        return people[name]

    async def page(author: str, title: str, body: str, space: str | None = None, **options):
        return await create_page(
            session,
            viewer=who(author),
            space_id=spaces[space] if space else None,
            title=title,
            body=body,
            **options,
        )

    guide = await page("admin", "Guide d'accueil", ONBOARDING_GUIDE)
    await page("admin", "Charte d'utilisation de Ruche", USAGE_CHARTER, level=Level.PUBLIC)
    await page("emma.leroy", "Notes de frais", EXPENSES, parent_id=guide.id)
    charter = await page(
        "julien.martin",
        "Charte du projet Atlas",
        ATLAS_CHARTER.replace("30 %", "25 %"),
        "projet-atlas",
        message="Première version",
    )
    await save_page(
        session,
        viewer=who("emma.leroy"),
        page_id=charter.id,
        base_revision=charter.revision,
        body=ATLAS_CHARTER,
        message="Objectif de délai relevé à 30 %, validé en comité",
    )
    minutes = await page(
        "julien.martin",
        "Comptes rendus",
        "Les comptes rendus des réunions du projet, du plus récent au plus ancien.",
        "projet-atlas",
    )
    await page(
        "emma.leroy",
        "Réunion de suivi du 2026-11-16",
        ATLAS_MEETING,
        "projet-atlas",
        parent_id=minutes.id,
    )
    await page("emma.leroy", "Procédure d'intégration", ONBOARDING_PROCEDURE, "equipe-rh")
