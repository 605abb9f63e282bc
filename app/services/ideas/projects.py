"""An accepted idea becomes a project: a project space whose objective and
description are the idea's (with a link back to it), its supporters — the
author and those who voted for it — invited, and the idea linked to it."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import readers_of, space_would_widen
from app.config import Settings
from app.errors import Conflict, Invalid
from app.i18n import _
from app.levels import AccountKind
from app.models import (
    Idea,
    IdeaStatus,
    IdeaVote,
    Space,
    SpaceKind,
    User,
    Visibility,
    VoteChoice,
)
from app.services.content import item_ref
from app.services.ideas.proposals import access_idea
from app.services.ideas.workflow import check_may_move, take_step
from app.services.invitations import invite
from app.services.spaces import create_space

NAME_LENGTH = 120


async def accept_idea_as_project(
    session: AsyncSession,
    *,
    viewer: User,
    idea_id: int,
    reason: str,
    settings: Settings,
    visibility: Visibility = Visibility.PRIVATE,
) -> tuple[Idea, Space]:
    """Accepts an idea under review (an accepted one stays so) and makes it a
    project space the viewer owns. Its name and description tell of the idea,
    so the space may show them only to people who may read the idea: a secret
    space (its members only) always may; another (every employee knows of it)
    only for an idea every employee may read."""
    idea, post = await access_idea(session, viewer=viewer, idea_id=idea_id, for_update=True)
    await check_may_move(session, viewer, post)
    if idea.project_space_id is not None:
        raise Conflict(_("This idea already became a project."), code="already_project")
    ref = await item_ref(session, post)
    if await space_would_widen(session, visibility, ref):
        raise Invalid(
            _("A space seen more widely than this idea cannot tell of it: make it secret."),
            code="project_widens_readers",
        )
    if idea.status is not IdeaStatus.ACCEPTED:
        await take_step(
            session, viewer=viewer, idea=idea, post=post, status=IdeaStatus.ACCEPTED, reason=reason
        )
    link = f"/ideas/{idea.post_id}"
    space = await create_space(
        session,
        viewer=viewer,
        name=idea.title[:NAME_LENGTH],
        objective=idea.title,
        description=f"{post.body}\n\n[{_('The idea this project comes from')}]({link})",
        kind=SpaceKind.PROJECT,
        visibility=visibility,
        default_level=post.level,
    )
    idea.project_space_id = space.id
    supporters = await session.scalars(
        select(User.id).where(
            User.id.in_(
                select(IdeaVote.user_id).where(
                    IdeaVote.post_id == idea.post_id, IdeaVote.choice == VoteChoice.FOR
                )
            )
            | (User.id == post.author_id),
            User.id != viewer.id,
            User.kind == AccountKind.EMPLOYEE,
            readers_of(ref),
        )
    )
    # One decision, however many supporters: not counted against the
    # moderator's hourly invitations (an idea with more than 50 would be refused).
    for user_id in sorted(supporters):
        await invite(
            session,
            viewer=viewer,
            space_id=space.id,
            settings=settings,
            user_id=user_id,
            limited=False,
        )
    await session.flush()
    return idea, space
