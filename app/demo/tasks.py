"""The demo's project board: the Atlas project's tasks in its three columns,
shared out among its team and contractors, one of them late, one with a
checklist, one linked to the kick-off, added and moved through the tasks'
services, with due days relative to today."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.levels import Level
from app.models import CalendarEvent, Space, Task, TaskStatus, User
from app.schemas.tasks import END_OF_COLUMN
from app.services.tasks.board import Details, add_task, move_task
from app.services.tasks.checklist import add_item, tick_item
from app.services.tasks.links import Links

ATLAS = "projet-atlas"
PUBLIC, INTERNAL = Level.PUBLIC, Level.INTERNAL
TODO, DOING, DONE = TaskStatus.TODO, TaskStatus.DOING, TaskStatus.DONE

# Title, column, who does it, due in days (None: no due day), level.
BOARD = [
    ("Rédiger le cahier de recette du lot 2", TODO, ["emma.leroy"], 18, PUBLIC),
    ("Former les préparateurs de Lyon", TODO, ["pauline.gauthier", "karim.benali"], 40, INTERNAL),
    ("Essais de charge des scanners", TODO, ["ines.faure"], 25, PUBLIC),
    ("Choisir le transporteur de secours", TODO, [], None, INTERNAL),
    ("Interface transporteurs : flux retour", DOING, ["marc.lambert"], 9, PUBLIC),
    ("Reprise des données articles", DOING, ["ines.faure", "thomas.petit"], -3, PUBLIC),
    ("Plan de communication de la bascule", DOING, ["emma.leroy"], 12, INTERNAL),
    ("Cartographier les flux de l'entrepôt nord", DOING, ["thomas.petit"], 5, PUBLIC),
    ("Préparer le kick-off du lot 2", DONE, ["julien.martin"], -2, PUBLIC),
    ("Valider le budget du lot 2", DONE, ["julien.martin"], -10, INTERNAL),
    ("Installer l'environnement de recette", DONE, ["yann.legall"], -6, PUBLIC),
    ("Signer le contrat des prestataires", DONE, ["julien.martin"], -20, INTERNAL),
]
CHECKLIST = [
    (True, "Périmètre et planning"),
    (True, "Salle et visio réservées"),
    (False, "Compte rendu envoyé aux prestataires"),
]


async def seed_demo_tasks(
    session: AsyncSession, people: dict[str, User], spaces: dict[str, Space], today: date
) -> None:
    """Only on a database without any task, so running the demo again adds nothing."""
    if await session.scalar(select(Task.id).limit(1)) is not None:
        return
    space = spaces[ATLAS]
    owner = people["julien.martin"]
    kick_off = await session.scalar(
        select(CalendarEvent.id).where(
            CalendarEvent.space_id == space.id, CalendarEvent.title.startswith("Kick-off")
        )
    )
    for title, status, doers, due_in, level in BOARD:
        is_kick_off = title.startswith("Préparer le kick-off")
        links = Links(calendar_event_id=kick_off) if is_kick_off else Links()
        task = await add_task(
            session,
            viewer=owner,
            space_id=space.id,
            details=Details(
                title,
                due_on=today + timedelta(days=due_in) if due_in is not None else None,
                links=links,
            ),
            level=level,
            assignees=[people[handle].id for handle in doers],
        )
        if is_kick_off:
            for done, text in CHECKLIST:
                item = await add_item(session, viewer=owner, task_id=task.id, text=text)
                await tick_item(session, viewer=owner, task_id=task.id, item_id=item.id, done=done)
        if status is not TODO:
            await move_task(
                session, viewer=owner, task_id=task.id, status=status, index=END_OF_COLUMN
            )
