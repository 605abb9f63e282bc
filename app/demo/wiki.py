"""The demo's wiki: company and space pages written through the wiki service
(revisions by several authors, [[links]], a project charter, meeting notes)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.pages import (
    ATLAS_CHARTER,
    ATLAS_MEETING,
    ATLAS_MEETING_LATER,
    ATLAS_PLANNING,
    ATLAS_PLANNING_SHIFTED,
    BOARD_DECISIONS,
    CALENDAR,
    ERP_CHECKS,
    ERP_CUTOVER,
    ERP_CUTOVER_REVIEWED,
    EXPENSES,
    IDEAS,
    IDEAS_WITH_RESULTS,
    INCIDENT,
    IT_FAQ,
    IT_FAQ_SCREENS,
    IT_FAQ_VPN,
    ONBOARDING_GUIDE,
    ONBOARDING_PROCEDURE,
    TELEWORK,
    TELEWORK_WINTER,
    USAGE_CHARTER,
)
from app.levels import Level
from app.models import Space, User, WikiPage
from app.services.wiki import create_page, save_page


async def seed_demo_wiki(
    session: AsyncSession, people: dict[str, User], spaces: dict[str, Space]
) -> None:
    """Real-looking pages in French, written through the wiki service
    (revisions, links and watchers included); only on a database without any."""
    if await session.scalar(select(WikiPage.id).limit(1)) is not None:
        return

    async def page(author: str, title: str, body: str, space: str | None = None, **options):
        return await create_page(
            session,
            viewer=people[author],
            space_id=spaces[space].id if space else None,
            title=title,
            body=body,
            **options,
        )

    async def revise(page: WikiPage, author: str, body: str, message: str) -> None:
        await save_page(
            session,
            viewer=people[author],
            page_id=page.id,
            base_revision=page.revision,
            body=body,
            message=message,
        )

    guide = await page("admin", "Guide d'accueil", ONBOARDING_GUIDE)
    await revise(
        guide,
        "helene.garnier",
        ONBOARDING_GUIDE + "- [[Télétravail]]\n- [[Calendrier]]\n",
        "Liens vers le télétravail et le calendrier",
    )
    await page("admin", "Charte d'utilisation de Ruche", USAGE_CHARTER, level=Level.PUBLIC)
    expenses = await page("emma.leroy", "Notes de frais", EXPENSES, parent_id=guide.id)
    await revise(
        expenses,
        "olivier.mercier",
        EXPENSES.replace("repas 25 €", "repas 27 €"),
        "Plafond repas revalorisé au 1er janvier",
    )
    telework = await page("emma.leroy", "Télétravail", TELEWORK, parent_id=guide.id)
    await revise(telework, "bastien.roussel", TELEWORK_WINTER, "Vendredi d'hiver reconduit")
    await page("margaux.chevalier", "Calendrier", CALENDAR)

    charter = await page(
        "julien.martin",
        "Charte du projet Atlas",
        ATLAS_CHARTER.replace("30 %", "25 %"),
        "projet-atlas",
        message="Première version",
    )
    await revise(
        charter, "emma.leroy", ATLAS_CHARTER, "Objectif de délai relevé à 30 %, validé en comité"
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
    await page(
        "karim.benali",
        "Réunion de suivi du 2026-11-30",
        ATLAS_MEETING_LATER,
        "projet-atlas",
        parent_id=minutes.id,
    )
    planning = await page("thomas.petit", "Planning détaillé", ATLAS_PLANNING, "projet-atlas")
    await revise(planning, "ines.faure", ATLAS_PLANNING_SHIFTED, "Reprise des fournisseurs ajoutée")

    await page("emma.leroy", "Procédure d'intégration", ONBOARDING_PROCEDURE, "equipe-rh")
    cutover = await page("nicolas.fabre", "Planning de bascule", ERP_CUTOVER, "migration-erp")
    await revise(cutover, "laure.blanc", ERP_CUTOVER_REVIEWED, "Retour arrière prévu")
    await page(
        "laure.blanc", "Contrôles de reprise", ERP_CHECKS, "migration-erp", parent_id=cutover.id
    )
    ideas = await page("sophie.bernard", "Idées du trimestre", IDEAS, "labo-innovation")
    await revise(ideas, "lucas.moreau", IDEAS_WITH_RESULTS, "Premiers résultats du binôme")
    faq = await page("lucas.moreau", "FAQ informatique", IT_FAQ, "entraide-informatique")
    await revise(faq, "amandine.colin", IT_FAQ_VPN, "Section VPN")
    await revise(faq, "romain.barbier", IT_FAQ_SCREENS, "Prêt de matériel")
    await page(
        "isabelle.caron", "Analyse d'incident : quai 4 de Lyon", INCIDENT, "qualite-securite"
    )
    await page("claire.dubois", "Relevé de décisions", BOARD_DECISIONS, "comite-de-direction")
