"""Writing a plan through the services, one action at a time, exactly as the
API would: the reference the bulk writer is held to, and how the demo's
featured posts of today are written. Times are the services' own (now)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.plan import (
    Plan,
    PlannedAnswer,
    PlannedComment,
    PlannedConfirmation,
    PlannedPost,
    PlannedReaction,
    PlannedVote,
)
from app.models import PollOption, Space, User
from app.services.comments import add_comment
from app.services.posts import PollSpec, accept_answer, confirm_announcement, publish_post, vote
from app.services.reactions import react


async def write_through_services(
    session: AsyncSession, plan: Plan, people: dict[str, User], spaces: dict[str, Space]
) -> tuple[list[int], list[int]]:
    """Returns the ids of the plan's posts and comments, in the plan's order."""
    post_ids: dict[int, int] = {}
    comment_ids: dict[int, int] = {}
    for index, action in plan.timeline():
        match action:
            case PlannedPost():
                published = await publish_post(
                    session,
                    viewer=people[action.author],
                    body=action.body,
                    space_id=spaces[action.space].id if action.space else None,
                    level=action.level,
                    kind=action.kind,
                    poll=PollSpec(options=list(action.poll)) if action.poll else None,
                    shared_from_id=(
                        None if action.shared_from is None else post_ids[action.shared_from]
                    ),
                )
                post_ids[index] = published.post.id
            case PlannedComment():
                comment, _unreachable = await add_comment(
                    session,
                    viewer=people[action.author],
                    post_id=post_ids[action.post],
                    body=action.body,
                    parent_id=None if action.parent is None else comment_ids[action.parent],
                )
                comment_ids[index] = comment.id
            case PlannedReaction():
                await react(
                    session,
                    viewer=people[action.person],
                    kind=action.kind,
                    post_id=post_ids[action.post],
                )
            case PlannedVote():
                option = await session.scalar(
                    select(PollOption.id).where(
                        PollOption.post_id == post_ids[action.post],
                        PollOption.position == action.option,
                    )
                )
                await vote(
                    session,
                    viewer=people[action.person],
                    post_id=post_ids[action.post],
                    option_ids=[option],
                )
            case PlannedAnswer():
                post = plan.posts[action.post]
                await accept_answer(
                    session,
                    viewer=people[post.author],
                    post_id=post_ids[action.post],
                    comment_id=comment_ids[action.comment],
                )
            case PlannedConfirmation():
                await confirm_announcement(
                    session, viewer=people[action.person], post_id=post_ids[action.post]
                )
    return [post_ids[i] for i in range(len(plan.posts))], [
        comment_ids[i] for i in range(len(plan.comments))
    ]
