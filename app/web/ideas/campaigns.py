"""A space's campaigns, with the form that opens one (its moderators); a
campaign's ideas sorted by votes, recency or status, or as a board of one
column per status, with the form that proposes one while it is open. The
deadline is a day, the campaign closing at its end in Paris time."""

from collections.abc import Awaitable
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from app.api.deps import ItemId, Session, Viewer
from app.api.ideas import campaign_read, idea_read
from app.errors import Conflict, Forbidden
from app.models import IdeaStatus, User
from app.models.base import utcnow
from app.schemas.ideas import CampaignCreate, IdeaCreate
from app.services import compose
from app.services.calendar.occurrences import zone
from app.services.ideas import campaigns, proposals
from app.services.ideas.proposals import IdeaOrder
from app.services.posts import check_may_moderate_in
from app.services.spaces import view_space
from app.web.calendar.zones import DEFAULT_ZONE
from app.web.form_errors import FailedForm, form_page
from app.web.forms import parsed, stream_form
from app.web.routes import render, see_other

router = APIRouter()

CAMPAIGN_FIELDS = {"deadline_passed": "deadline_day", "write_up": "level"}
IDEA_DEFAULTS = {"title": "", "body": "", "level": ""}
IDEA_FIELDS = {"write_down": "level", "write_up": "level", "blank": "title"}


def day_end(day: date) -> datetime:
    """The instant a campaign whose last day is ``day`` closes: its end in Paris."""
    return datetime.combine(day + timedelta(days=1), time(), zone(DEFAULT_ZONE))


def last_day(deadline: datetime) -> date:
    """The day a form shows for a deadline: the last one on which it is open."""
    return (deadline.astimezone(zone(DEFAULT_ZONE)) - timedelta(days=1)).date()


class CampaignForm(BaseModel):
    """The form's fields: the API's campaign, its deadline a day."""

    model_config = ConfigDict(extra="ignore")

    title: str = ""
    description: str = ""
    deadline_day: date
    level: str = ""

    def campaign(self) -> CampaignCreate:
        return CampaignCreate.model_validate(
            {
                "title": self.title,
                "description": self.description,
                "deadline": day_end(self.deadline_day).isoformat(),
                "level": self.level or None,
            }
        )


def _may_moderate(viewer: User, view) -> bool:
    try:
        check_may_moderate_in(viewer, view.space, view.role)
    except Forbidden:
        return False
    return not view.space.is_archived


async def allowed(check: Awaitable[None]) -> bool:
    """Whether a ``check_may_*`` of the services lets the viewer through: the
    pages show a form only to those whom its route would not refuse."""
    try:
        await check
    except (Forbidden, Conflict):
        return False
    return True


async def show_campaigns(request: Request, session, viewer: User, space_id: int, **context):
    view = await view_space(session, viewer=viewer, space_id=space_id)
    found = await campaigns.space_campaigns(session, viewer=viewer, space_id=space_id)
    values = {
        "title": "",
        "description": "",
        "deadline_day": (utcnow() + timedelta(days=30)).date().isoformat(),
        "level": view.space.default_level.value,
    }
    failed = context.pop("failed", None)
    if failed is not None:
        values = failed.over(values)
    return render(
        request,
        "ideas/campaigns.html",
        space=view.space,
        campaigns=[campaign_read(c) for c in found],
        may_open=view.space.kind.value == "innovation" and _may_moderate(viewer, view),
        levels=compose.writable_levels(viewer),
        values=values,
        **context,
    )


@router.get("/spaces/{space_id}/campaigns")
async def campaigns_page(request: Request, space_id: ItemId, viewer: Viewer, session: Session):
    return await show_campaigns(request, session, viewer, space_id)


async def _campaigns_again(request: Request, session, viewer: User, failed: FailedForm):
    space_id = int(request.path_params["space_id"])
    return await show_campaigns(request, session, viewer, space_id, failed=failed)


@router.post("/spaces/{space_id}/campaigns")
@form_page(_campaigns_again, fields=CAMPAIGN_FIELDS)
async def open_campaign(request: Request, space_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        written = parsed(received, CampaignForm).campaign()
    campaign = await campaigns.open_campaign(
        session,
        viewer=viewer,
        space_id=space_id,
        title=written.title,
        description=written.description,
        deadline=written.deadline,
        level=written.level,
    )
    return see_other(f"/campaigns/{campaign.id}?done=opened")


async def show_campaign(
    request: Request,
    session,
    viewer: User,
    campaign_id: int,
    *,
    template: str = "ideas/campaign.html",
    order: IdeaOrder = IdeaOrder.VOTES,
    status: IdeaStatus | None = None,
    failed: FailedForm | None = None,
    **context,
):
    view = await campaigns.view_campaign(session, viewer=viewer, campaign_id=campaign_id)
    found = await proposals.list_ideas(
        session, viewer=viewer, campaign_id=campaign_id, order=order, status=status
    )
    campaign = campaign_read(view)
    return render(
        request,
        template,
        campaign=campaign,
        ideas=[idea_read(i) for i in found],
        order=order.value,
        status=status.value if status else "",
        orders=list(IdeaOrder),
        deadline_day=last_day(campaign.deadline),
        may_change=await allowed(campaigns.check_may_change(session, viewer, view.campaign)),
        levels=compose.writable_levels(viewer),
        values=failed.over(IDEA_DEFAULTS) if failed else IDEA_DEFAULTS,
        **context,
    )


@router.get("/campaigns/{campaign_id}")
async def campaign_page(
    request: Request,
    campaign_id: ItemId,
    viewer: Viewer,
    session: Session,
    sort: Annotated[IdeaOrder, Query()] = IdeaOrder.VOTES,
    status: Annotated[IdeaStatus | None, Query()] = None,
    done: Annotated[str, Query(max_length=20)] = "",
):
    return await show_campaign(
        request, session, viewer, campaign_id, order=sort, status=status, done=done
    )


@router.get("/campaigns/{campaign_id}/board")
async def board_page(request: Request, campaign_id: ItemId, viewer: Viewer, session: Session):
    """The campaign's ideas in one column per status, the most voted first."""
    return await show_campaign(request, session, viewer, campaign_id, template="ideas/board.html")


async def _campaign_again(request: Request, session, viewer: User, failed: FailedForm):
    campaign_id = int(request.path_params["campaign_id"])
    return await show_campaign(request, session, viewer, campaign_id, failed=failed)


@router.post("/campaigns/{campaign_id}/ideas")
@form_page(_campaign_again, fields=IDEA_FIELDS)
async def propose_idea(request: Request, campaign_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        written = parsed(received, IdeaCreate)
    idea = await proposals.propose_idea(
        session,
        viewer=viewer,
        campaign_id=campaign_id,
        title=written.title,
        body=written.body,
        level=written.level,
    )
    return see_other(f"/ideas/{idea.post_id}?done=proposed")
