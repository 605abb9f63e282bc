"""Pages of idea campaigns (they mirror app/api/ideas.py): ``campaigns``, a
space's campaigns, a campaign's ideas as a list or a board, and the forms that
open a campaign and propose an idea; ``idea``, an idea's page with its votes,
its workflow and the forms of its space's moderators."""

from fastapi import APIRouter

from app.web.ideas import campaigns, idea

router = APIRouter(include_in_schema=False)
for part in (campaigns, idea):
    router.include_router(part.router)
