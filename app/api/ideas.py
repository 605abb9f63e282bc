"""Idea campaigns: campaigns of an innovation space, the ideas proposed in
them, votes, the workflow and the project an accepted idea becomes."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.models import IdeaStatus, Space
from app.models.base import utcnow
from app.schemas.account import UserPublic
from app.schemas.ideas import (
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    IdeaCreate,
    IdeaRead,
    IdeaUpdate,
    MoveWrite,
    ProjectRead,
    ProjectWrite,
    StepRead,
    VoteWrite,
)
from app.schemas.post import SpaceRef
from app.services.ideas import campaigns, projects, proposals, votes, workflow
from app.services.ideas.campaigns import CampaignView
from app.services.ideas.proposals import IdeaOrder, IdeaView

router = APIRouter(tags=["ideas"])


def space_ref(space: Space) -> SpaceRef:
    return SpaceRef(id=space.id, name=space.name, slug=space.slug)


def campaign_read(view: CampaignView) -> CampaignRead:
    campaign = view.campaign
    return CampaignRead(
        id=campaign.id,
        title=campaign.title,
        description=campaign.description,
        description_html=campaign.description_html,
        deadline=campaign.deadline,
        status=campaign.status_at(utcnow()),
        space=space_ref(view.space),
        author=UserPublic.model_validate(view.author) if view.author else None,
        level=campaign.level,
        audience=sorted(view.audience) if view.audience is not None else None,
        idea_count=view.idea_count,
        created_at=campaign.created_at,
        updated_at=campaign.updated_at,
    )


def idea_read(view: IdeaView) -> IdeaRead:
    idea, post = view.idea, view.post
    return IdeaRead(
        id=idea.post_id,
        campaign_id=idea.campaign_id,
        title=idea.title,
        body=post.body,
        body_html=post.body_html,
        status=idea.status,
        status_changed_at=idea.status_changed_at,
        author=UserPublic.model_validate(view.author) if view.author else None,
        level=post.level,
        votes_for=view.votes_for,
        votes_against=view.votes_against,
        my_vote=view.mine,
        project_space_id=idea.project_space_id,
        created_at=post.created_at,
    )


@router.get("/spaces/{space_id}/campaigns", response_model=list[CampaignRead])
async def list_campaigns(space_id: ItemId, viewer: Viewer, session: Session):
    """The space's campaigns you may read, the latest first."""
    found = await campaigns.space_campaigns(session, viewer=viewer, space_id=space_id)
    return [campaign_read(view) for view in found]


@router.post("/spaces/{space_id}/campaigns", response_model=CampaignRead, status_code=201)
async def open_campaign(space_id: ItemId, body: CampaignCreate, viewer: Viewer, session: Session):
    """Opens a campaign in an innovation space (its owners and moderators,
    administrators)."""
    campaign = await campaigns.open_campaign(
        session,
        viewer=viewer,
        space_id=space_id,
        title=body.title,
        description=body.description,
        deadline=body.deadline,
        level=body.level,
        audience=body.audience,
    )
    return campaign_read(
        await campaigns.view_campaign(session, viewer=viewer, campaign_id=campaign.id)
    )


@router.get("/campaigns/{campaign_id}", response_model=CampaignRead)
async def read_campaign(campaign_id: ItemId, viewer: Viewer, session: Session):
    return campaign_read(
        await campaigns.view_campaign(session, viewer=viewer, campaign_id=campaign_id)
    )


@router.patch("/campaigns/{campaign_id}", response_model=CampaignRead)
async def change_campaign(
    campaign_id: ItemId, body: CampaignUpdate, viewer: Viewer, session: Session
):
    await campaigns.change_campaign(
        session,
        viewer=viewer,
        campaign_id=campaign_id,
        title=body.title,
        description=body.description,
        deadline=body.deadline,
    )
    return campaign_read(
        await campaigns.view_campaign(session, viewer=viewer, campaign_id=campaign_id)
    )


@router.get("/campaigns/{campaign_id}/ideas", response_model=list[IdeaRead])
async def list_ideas(
    campaign_id: ItemId,
    viewer: Viewer,
    session: Session,
    sort: Annotated[IdeaOrder, Query(description="votes: score (for minus against).")] = (
        IdeaOrder.VOTES
    ),
    status: Annotated[IdeaStatus | None, Query()] = None,
):
    """The campaign's ideas you may read (500 at most)."""
    found = await proposals.list_ideas(
        session, viewer=viewer, campaign_id=campaign_id, order=sort, status=status
    )
    return [idea_read(view) for view in found]


@router.post("/campaigns/{campaign_id}/ideas", response_model=IdeaRead, status_code=201)
async def propose_idea(campaign_id: ItemId, body: IdeaCreate, viewer: Viewer, session: Session):
    """Proposes an idea while the campaign is open."""
    idea = await proposals.propose_idea(
        session,
        viewer=viewer,
        campaign_id=campaign_id,
        title=body.title,
        body=body.body,
        level=body.level,
    )
    return idea_read(await proposals.view_idea(session, viewer=viewer, idea_id=idea.post_id))


@router.get("/ideas/{idea_id}", response_model=IdeaRead)
async def read_idea(idea_id: ItemId, viewer: Viewer, session: Session):
    return idea_read(await proposals.view_idea(session, viewer=viewer, idea_id=idea_id))


@router.patch("/ideas/{idea_id}", response_model=IdeaRead)
async def retitle_idea(idea_id: ItemId, body: IdeaUpdate, viewer: Viewer, session: Session):
    """Changes the idea's title (its author, the space's moderators, administrators)."""
    await proposals.retitle_idea(session, viewer=viewer, idea_id=idea_id, title=body.title)
    return idea_read(await proposals.view_idea(session, viewer=viewer, idea_id=idea_id))


@router.put("/ideas/{idea_id}/vote", response_model=IdeaRead)
async def vote_on_idea(idea_id: ItemId, body: VoteWrite, viewer: Viewer, session: Session):
    """Your vote, for or against, until the campaign's deadline (then 409)."""
    view = await votes.vote_on_idea(session, viewer=viewer, idea_id=idea_id, choice=body.choice)
    return idea_read(view)


@router.delete("/ideas/{idea_id}/vote", response_model=IdeaRead)
async def withdraw_vote(idea_id: ItemId, viewer: Viewer, session: Session):
    return idea_read(await votes.vote_on_idea(session, viewer=viewer, idea_id=idea_id, choice=None))


@router.get("/ideas/{idea_id}/steps", response_model=list[StepRead])
async def list_steps(idea_id: ItemId, viewer: Viewer, session: Session):
    """The idea's workflow so far, the first step first."""
    found = await workflow.show_steps(session, viewer=viewer, idea_id=idea_id)
    return [
        StepRead(
            from_status=view.step.from_status,
            to_status=view.step.to_status,
            reason=view.step.reason,
            actor=UserPublic.model_validate(view.actor) if view.actor else None,
            created_at=view.step.created_at,
        )
        for view in found
    ]


@router.post("/ideas/{idea_id}/status", response_model=IdeaRead)
async def move_idea(idea_id: ItemId, body: MoveWrite, viewer: Viewer, session: Session):
    """Moves the idea one step (the space's owners and moderators,
    administrators): new → under_review → accepted | declined; accepted →
    implemented. Another move answers 409 ``invalid_transition``."""
    await workflow.move_idea(
        session, viewer=viewer, idea_id=idea_id, status=body.status, reason=body.reason
    )
    return idea_read(await proposals.view_idea(session, viewer=viewer, idea_id=idea_id))


@router.post("/ideas/{idea_id}/project", response_model=ProjectRead, status_code=201)
async def accept_idea_as_project(
    idea_id: ItemId,
    body: ProjectWrite,
    viewer: Viewer,
    session: Session,
    settings: AppSettings,
):
    """Accepts the idea (if under review) and makes it a project space you own,
    its supporters (author, those who voted for it) invited."""
    _idea, space = await projects.accept_idea_as_project(
        session,
        viewer=viewer,
        idea_id=idea_id,
        reason=body.reason,
        settings=settings,
        visibility=body.visibility,
    )
    view = await proposals.view_idea(session, viewer=viewer, idea_id=idea_id)
    return ProjectRead(idea=idea_read(view), space=space_ref(space))
