"""The demo's calendar: the Atlas project's kick-off and its weekly meeting
(public, so its contractors see them), the innovation day, the board's monthly
meeting (confidential, in its secret space) and the company's end-of-year
drinks, planned and answered through the calendar's services, at times
relative to today."""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.levels import Level
from app.models import CalendarEvent, Recurrence, RsvpAnswer, Space, User
from app.services.calendar.answers import answer_event
from app.services.calendar.cancelling import cancel_event
from app.services.calendar.events import Details, plan_event
from app.services.calendar.occurrences import Schedule

PARIS = "Europe/Paris"
VIDEO = "https://visio.ruche.example/atlas"


def _next(weekday: int, today: date, weeks_ahead: int = 0) -> date:
    """The next such weekday (0: Monday) after today, ``weeks_ahead`` weeks later."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1 + 7 * weeks_ahead)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


async def seed_demo_calendar(
    session: AsyncSession, people: dict[str, User], spaces: dict[str, Space], today: date
) -> None:
    """Only on a database without any event, so running the demo again adds nothing."""
    if await session.scalar(select(CalendarEvent.id).limit(1)) is not None:
        return

    async def plan(planner: str, details: Details, schedule: Schedule, space=None, **options):
        return await plan_event(
            session,
            viewer=people[planner],
            details=details,
            schedule=schedule,
            space_id=spaces[space].id if space else None,
            **options,
        )

    async def answers(event: CalendarEvent, **by_answer: list[str]) -> None:
        for answer, handles in by_answer.items():
            for handle in handles:
                await answer_event(
                    session, viewer=people[handle], event_id=event.id, answer=RsvpAnswer(answer)
                )

    kick_off_day = _next(0, today)
    kick_off = await plan(
        "julien.martin",
        Details(
            "Kick-off du lot 2 d'Atlas",
            "Lancement du lot 2 avec nos prestataires\u202f: **périmètre**, planning et "
            "répartition des tâches. Merci de relire la charte du projet avant.",
            place="Salle Jaurès, 3e étage",
            video_url=VIDEO,
            capacity=12,
            reminder_minutes=60,
        ),
        Schedule(_at(kick_off_day, 9, 30), _at(kick_off_day, 11), PARIS),
        "projet-atlas",
        level=Level.PUBLIC,
    )
    await answers(
        kick_off,
        going=["emma.leroy", "thomas.petit", "marc.lambert", "karim.benali"],
        maybe=["ines.faure"],
    )

    weekly_day = _next(3, today)
    weekly = await plan(
        "emma.leroy",
        Details("Point hebdo Atlas", "Avancement, risques, décisions à prendre.", video_url=VIDEO),
        Schedule(
            _at(weekly_day, 9),
            _at(weekly_day, 9, 30),
            PARIS,
            recurrence=Recurrence.WEEKLY,
            until=weekly_day + timedelta(weeks=12),
        ),
        "projet-atlas",
        level=Level.PUBLIC,
    )
    await answers(weekly, going=["julien.martin", "marc.lambert", "ines.faure"])
    # The meeting in three weeks falls on a holiday week: that one is cancelled.
    skipped = await session.get(CalendarEvent, weekly.id)
    await cancel_event(
        session,
        viewer=people["emma.leroy"],
        event_id=weekly.id,
        occurrence=skipped.starts_at + timedelta(weeks=3),
    )

    innovation_day = _next(4, today, weeks_ahead=2)
    innovation = await plan(
        "sophie.bernard",
        Details(
            "Journée de l'innovation",
            "Une journée pour présenter les idées du trimestre, les tester en atelier et "
            "voter pour celles à lancer.",
            place="Auditorium",
            capacity=40,
        ),
        Schedule(
            _at(innovation_day, 0),
            _at(innovation_day + timedelta(days=1), 0),
            PARIS,
            all_day=True,
        ),
        "labo-innovation",
    )
    await answers(
        innovation,
        going=["lucas.moreau", "chloe.fournier", "samir.haddad", "manon.giraud"],
        maybe=["elodie.noel"],
        declined=["julie.renaud"],
    )

    board_day = _next(1, today, weeks_ahead=1)
    await plan(
        "claire.dubois",
        Details("Comité de direction mensuel", "Indicateurs du mois et décisions."),
        Schedule(_at(board_day, 8), _at(board_day, 10), PARIS, recurrence=Recurrence.MONTHLY),
        "comite-de-direction",
        level=Level.CONFIDENTIAL,
    )

    drinks_day = _next(3, today, weeks_ahead=1)
    drinks = await plan(
        "helene.garnier",
        Details("Pot de fin d'année", "Toute l'entreprise est invitée\u202f!", place="Cafétéria"),
        Schedule(_at(drinks_day, 17, 30), _at(drinks_day, 19, 30), PARIS),
    )
    await answers(drinks, going=["lucas.moreau", "emma.leroy"], maybe=["thomas.petit"])
