"""Pages of idea campaigns (they mirror app/api/ideas.py): ``campaigns``, a
space's campaigns, a campaign's ideas as a list or a board, and the forms that
open a campaign and propose an idea; ``campaign_edit``, the form that changes
a campaign and the button that closes it; ``idea``, an idea's page with its
votes, its workflow, the form that changes its title and the forms of its
space's moderators."""

from fastapi import APIRouter

from app.web.ideas import campaign_edit, campaigns, idea

router = APIRouter(include_in_schema=False)
for part in (campaigns, campaign_edit, idea):
    router.include_router(part.router)
