"""An idea's workflow: ``new`` → ``under_review`` → ``accepted`` | ``declined``,
``accepted`` → ``implemented``, each step chosen by the space's owners and
moderators (and administrators) with a reason, kept, and told to the idea's
author and voters who may read it."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import knowable_among
from app.errors import Conflict, non_blank
from app.i18n import _
from app.models import NEXT_STATUSES, Idea, IdeaStatus, IdeaStep, IdeaVote, Post, User
from app.models.base import utcnow
from app.services.content import item_ref
from app.services.ideas.proposals import access_idea, idea_steps
from app.services.notifications import notify_readers
from app.services.posts import announce, check_may_moderate_in, place_to_write


@dataclass(frozen=True)
class StepView:
    """A step as its reader is shown it: who moved the idea, if they may know of them."""

    step: IdeaStep
    actor: User | None


async def check_may_move(session: AsyncSession, viewer: User, post: Post) -> None:
    space, role = await place_to_write(session, viewer=viewer, space_id=post.space_id)
    check_may_moderate_in(viewer, space, role)


async def move_idea(
    session: AsyncSession, *, viewer: User, idea_id: int, status: IdeaStatus, reason: str
) -> Idea:
    """Moves an idea one step along its workflow, for the reason given."""
    idea, post = await access_idea(session, viewer=viewer, idea_id=idea_id, for_update=True)
    await check_may_move(session, viewer, post)
    await take_step(session, viewer=viewer, idea=idea, post=post, status=status, reason=reason)
    return idea


async def take_step(
    session: AsyncSession, *, viewer: User, idea: Idea, post: Post, status: IdeaStatus, reason: str
) -> None:
    """The step itself, on an idea read, locked and checked movable by the viewer."""
    reason = non_blank(reason, _("Give the reason for this step."))
    if status not in NEXT_STATUSES[idea.status]:
        raise Conflict(
            _("An idea cannot go from this status to that one."), code="invalid_transition"
        )
    step = IdeaStep(
        post_id=idea.post_id,
        from_status=idea.status,
        to_status=status,
        reason=reason,
        actor_id=viewer.id,
        created_at=utcnow(),
    )
    session.add(step)
    idea.status = status
    idea.status_changed_at = step.created_at
    await session.flush()
    voters = await session.scalars(select(IdeaVote.user_id).where(IdeaVote.post_id == idea.post_id))
    await notify_readers(
        session,
        item=await item_ref(session, post),
        kind="idea_moved",
        actor_id=viewer.id,
        post_id=post.id,
        user_ids={*voters, *([post.author_id] if post.author_id else [])},
        status=status.value,
    )
    await announce(session, post, "idea.moved", status=status.value)


async def show_steps(session: AsyncSession, *, viewer: User, idea_id: int) -> list[StepView]:
    steps = await idea_steps(session, viewer=viewer, idea_id=idea_id)
    known = await knowable_among(session, viewer, [step.actor_id for step in steps])
    actors = {
        user.id: user for user in await session.scalars(select(User).where(User.id.in_(known)))
    }
    return [StepView(step=step, actor=actors.get(step.actor_id)) for step in steps]
