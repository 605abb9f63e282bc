"""An idea's page: its text, campaign and status, the votes (buttons in place
with ideas.js, a page load without), its workflow's steps with their reasons,
and for its space's moderators the forms that move it and make it a project.
Comments and reactions are its post's (its post page). A hidden idea is not
found, as a missing one."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from app.api.deps import ItemId, Session, Viewer
from app.api.ideas import campaign_read, idea_read
from app.models import NEXT_STATUSES, IdeaStatus, User, VoteChoice
from app.schemas.ideas import IdeaUpdate, MoveWrite, ProjectWrite
from app.services.ideas import campaigns, projects, proposals, votes, workflow
from app.web.form_errors import FailedForm, form_page
from app.web.forms import parsed, stream_form
from app.web.ideas.campaigns import allowed
from app.web.routes import render, see_other

router = APIRouter()


class VoteForm(BaseModel):
    """A vote button: for, against, or empty to withdraw."""

    model_config = ConfigDict(extra="ignore")

    choice: VoteChoice | None = None


async def show_idea(
    request: Request,
    session,
    viewer: User,
    idea_id: int,
    failed: FailedForm | None = None,
    **context,
):
    view = await proposals.view_idea(session, viewer=viewer, idea_id=idea_id)
    title = {"title": view.idea.title}
    campaign = await campaigns.view_campaign(
        session, viewer=viewer, campaign_id=view.idea.campaign_id
    )
    return render(
        request,
        "ideas/idea.html",
        idea=idea_read(view),
        campaign=campaign_read(campaign),
        steps=await workflow.show_steps(session, viewer=viewer, idea_id=idea_id),
        next_statuses=sorted(NEXT_STATUSES[view.idea.status], key=list(IdeaStatus).index),
        may_move=await allowed(workflow.check_may_move(session, viewer, view.post)),
        may_retitle=await allowed(proposals.check_may_retitle(session, viewer, view.post)),
        values=failed.over(title) if failed and failed.action.endswith("/title") else title,
        **context,
    )


@router.get("/ideas/{idea_id}")
async def idea_page(
    request: Request, idea_id: ItemId, viewer: Viewer, session: Session, done: str = ""
):
    return await show_idea(request, session, viewer, idea_id, done=done[:20])


async def _idea_again(request: Request, session, viewer: User, failed: FailedForm):
    """A refused vote, step or title: the idea's page, the refusal above (a
    refused title kept in its field)."""
    idea_id = int(request.path_params["idea_id"])
    return await show_idea(request, session, viewer, idea_id, failed=failed)


@router.post("/ideas/{idea_id}/title")
@form_page(_idea_again)
async def retitle_idea(request: Request, idea_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        written = parsed(received, IdeaUpdate)
    await proposals.retitle_idea(session, viewer=viewer, idea_id=idea_id, title=written.title)
    return see_other(f"/ideas/{idea_id}?done=retitled")


@router.post("/ideas/{idea_id}/vote")
@form_page(_idea_again)
async def vote_on_idea(request: Request, idea_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        choice = parsed(received, VoteForm).choice
    await votes.vote_on_idea(session, viewer=viewer, idea_id=idea_id, choice=choice)
    return see_other(f"/ideas/{idea_id}?done=voted#votes")


@router.post("/ideas/{idea_id}/status")
@form_page(_idea_again)
async def move_idea(request: Request, idea_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        written = parsed(received, MoveWrite)
    await workflow.move_idea(
        session, viewer=viewer, idea_id=idea_id, status=written.status, reason=written.reason
    )
    return see_other(f"/ideas/{idea_id}?done=moved#steps")


@router.post("/ideas/{idea_id}/project")
@form_page(_idea_again)
async def accept_idea_as_project(
    request: Request, idea_id: ItemId, viewer: Viewer, session: Session
):
    async with stream_form(request, session, request.app.state.settings) as received:
        written = parsed(received, ProjectWrite)
    _idea, space = await projects.accept_idea_as_project(
        session,
        viewer=viewer,
        idea_id=idea_id,
        reason=written.reason,
        settings=request.app.state.settings,
        visibility=written.visibility,
    )
    return see_other(f"/spaces/{space.id}")
