"""The form that changes a campaign's question, description and last day, and
the button that closes it now, for its space's moderators (the rule of
``campaigns.check_may_change``, as the API). A reader who may not change it is
refused with 403, one who may not read it finds nothing (404)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import ItemId, Session, Viewer
from app.api.ideas import campaign_read
from app.models import User
from app.models.base import utcnow
from app.schemas.ideas import MAX_TEXT, Title
from app.services.ideas import campaigns
from app.web.form_errors import FailedForm, form_page
from app.web.forms import parsed, stream_form
from app.web.ideas.campaigns import day_end, last_day
from app.web.routes import render, see_other

router = APIRouter()

CHANGE_FIELDS = {"blank": "title"}


class CampaignChangeForm(BaseModel):
    """The form's fields: the question, the description (emptied if left
    empty) and the last day on which ideas and votes are taken."""

    model_config = ConfigDict(extra="ignore")

    title: Title
    description: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    deadline_day: date


async def show_change(
    request: Request, session, viewer: User, campaign_id: int, failed: FailedForm | None = None
):
    campaign = await campaigns.access_campaign(session, viewer=viewer, campaign_id=campaign_id)
    await campaigns.check_may_change(session, viewer, campaign)
    view = await campaigns.view_campaign(session, viewer=viewer, campaign_id=campaign_id)
    values = {
        "title": campaign.title,
        "description": campaign.description,
        "deadline_day": last_day(campaign.deadline).isoformat(),
    }
    return render(
        request,
        "ideas/campaign_edit.html",
        campaign=campaign_read(view),
        values=failed.over(values) if failed else values,
    )


@router.get("/campaigns/{campaign_id}/edit")
async def change_page(request: Request, campaign_id: ItemId, viewer: Viewer, session: Session):
    return await show_change(request, session, viewer, campaign_id)


async def _change_again(request: Request, session, viewer: User, failed: FailedForm):
    campaign_id = int(request.path_params["campaign_id"])
    return await show_change(request, session, viewer, campaign_id, failed=failed)


@router.post("/campaigns/{campaign_id}/edit")
@form_page(_change_again, fields=CHANGE_FIELDS)
async def change_campaign(request: Request, campaign_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        written = parsed(received, CampaignChangeForm)
    await campaigns.change_campaign(
        session,
        viewer=viewer,
        campaign_id=campaign_id,
        title=written.title,
        description=written.description,
        deadline=day_end(written.deadline_day),
    )
    return see_other(f"/campaigns/{campaign_id}?done=changed")


@router.post("/campaigns/{campaign_id}/close")
@form_page(_change_again)
async def close_campaign(request: Request, campaign_id: ItemId, viewer: Viewer, session: Session):
    """Closes the campaign now: its deadline becomes this instant."""
    await campaigns.change_campaign(
        session, viewer=viewer, campaign_id=campaign_id, deadline=utcnow()
    )
    return see_other(f"/campaigns/{campaign_id}?done=closed")
