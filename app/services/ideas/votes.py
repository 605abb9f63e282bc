"""Votes on ideas: one per person, for or against, changeable and withdrawable
until the campaign's deadline. Votes on one idea are taken one at a time (its
row locked on PostgreSQL; SQLite has one writer), so two at once never count
twice and never fail."""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import IdeaVote, User, VoteChoice
from app.models.base import utcnow
from app.services.ideas.campaigns import check_open
from app.services.ideas.proposals import IdeaView, access_idea, campaign_of, view_idea
from app.services.posts import announce, check_may_write


async def vote_on_idea(
    session: AsyncSession, *, viewer: User, idea_id: int, choice: VoteChoice | None
) -> IdeaView:
    """Records the viewer's vote (None: withdraws it), while the campaign is
    open, if they may write in its space; answers the idea as it now stands."""
    idea, post = await access_idea(session, viewer=viewer, idea_id=idea_id, for_update=True)
    check_open(await campaign_of(session, idea))
    await check_may_write(session, viewer=viewer, post=post)
    if choice is None:
        await session.execute(
            delete(IdeaVote).where(IdeaVote.post_id == idea.post_id, IdeaVote.user_id == viewer.id)
        )
    else:
        mine = await session.scalar(
            select(IdeaVote).where(IdeaVote.post_id == idea.post_id, IdeaVote.user_id == viewer.id)
        )
        if mine is None:
            mine = IdeaVote(post_id=idea.post_id, user_id=viewer.id)
            session.add(mine)
        mine.choice = choice
        mine.voted_at = utcnow()
    await session.flush()
    view = await view_idea(session, viewer=viewer, idea_id=idea.post_id)
    # Counts only: who voted is nobody's business but theirs.
    await announce(
        session, post, "idea.voted", votes_for=view.votes_for, votes_against=view.votes_against
    )
    return view
