"""The demo's idea campaign: the innovation lab asks how to travel less, and
its ideas stand in every status — one accepted and made a project space (its
supporters invited), one declined with its reason, one under review, one new —
with votes, all through the campaigns' services."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.models import IdeaCampaign, IdeaStatus, Space, User, Visibility, VoteChoice
from app.models.base import utcnow
from app.services.ideas.campaigns import open_campaign
from app.services.ideas.projects import accept_idea_as_project
from app.services.ideas.proposals import propose_idea
from app.services.ideas.votes import vote_on_idea
from app.services.ideas.workflow import move_idea
from app.services.posts import publish_post

LAB = "labo-innovation"
MODERATOR = "sophie.bernard"

# (author, title, text, votes for, votes against)
IDEAS = [
    (
        "lucas.moreau",
        "Des vélos de service sur chaque site",
        "Une flotte de vélos à assistance électrique pour les trajets entre sites "
        "proches, réservables depuis l'intranet.",
        ["chloe.fournier", "manon.giraud", "elodie.noel", "julie.renaud"],
        ["fabrice.meunier"],
    ),
    (
        "chloe.fournier",
        "La visioconférence par défaut entre sites",
        "Toute réunion inter-sites se tient en visio, sauf demande motivée.",
        ["samir.haddad", "lucas.moreau"],
        ["julie.renaud"],
    ),
    (
        "samir.haddad",
        "Compenser chaque vol en plantant des arbres",
        "Un arbre planté par vol réservé par l'agence de voyages.",
        ["fabrice.meunier"],
        ["manon.giraud", "elodie.noel"],
    ),
    (
        "elodie.noel",
        "Une plateforme de covoiturage entre collègues",
        "Mettre en relation les collègues qui font le même trajet domicile-travail.",
        ["manon.giraud"],
        [],
    ),
]


async def seed_demo_ideas(
    session: AsyncSession, people: dict[str, User], spaces: dict[str, Space], settings: Settings
) -> None:
    """Only on a database without any campaign, so running the demo again adds nothing."""
    if await session.scalar(select(IdeaCampaign.id).limit(1)) is not None:
        return
    moderator = people[MODERATOR]
    campaign = await open_campaign(
        session,
        viewer=moderator,
        space_id=spaces[LAB].id,
        title="Comment réduire l'empreinte carbone de nos déplacements\u202f?",
        description="Vos idées pour **moins** et **mieux** se déplacer, à voter avant la "
        "journée de l'innovation. Les plus soutenues seront étudiées par le comité.",
        deadline=utcnow() + timedelta(weeks=3),
    )
    ideas = []
    for author, title, text, supporters, opponents in IDEAS:
        idea = await propose_idea(
            session, viewer=people[author], campaign_id=campaign.id, title=title, body=text
        )
        for handle, choice in [(h, VoteChoice.FOR) for h in supporters] + [
            (h, VoteChoice.AGAINST) for h in opponents
        ]:
            await vote_on_idea(session, viewer=people[handle], idea_id=idea.post_id, choice=choice)
        ideas.append(idea.post_id)
    bikes, video, trees, _carpool = ideas

    async def move(idea_id: int, status: IdeaStatus, reason: str) -> None:
        await move_idea(session, viewer=moderator, idea_id=idea_id, status=status, reason=reason)

    for idea_id in (bikes, video, trees):
        await move(idea_id, IdeaStatus.UNDER_REVIEW, "Étudiée par le comité innovation.")
    await move(
        trees,
        IdeaStatus.DECLINED,
        "La compensation ne réduit pas nos émissions\u202f; nous préférons agir à la source.",
    )
    _idea, project = await accept_idea_as_project(
        session,
        viewer=moderator,
        idea_id=bikes,
        reason="Plébiscitée, peu coûteuse et rapide à tester sur deux sites.",
        settings=settings,
        visibility=Visibility.PRIVATE,
    )
    await publish_post(
        session,
        viewer=moderator,
        space_id=project.id,
        body="Bienvenue dans le projet ! Première étape : choisir les deux sites pilotes.",
    )
