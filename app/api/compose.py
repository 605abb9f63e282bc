"""Suggestions while writing: the people an "@" may name and the hashtags a "#"
may complete, each only among what the writer may know of (services/compose.py,
on the rules of app/access.py)."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import Session, Viewer
from app.levels import Level
from app.schemas.account import UserPublic
from app.schemas.common import MAX_AUDIENCE, MAX_ID, RowId
from app.schemas.post import HashtagSuggestion
from app.services import compose

router = APIRouter(tags=["stream"])

Typed = Annotated[str, Query(max_length=100, description="What follows the “@” or “#” so far.")]


@router.get("/mentions/suggestions", response_model=list[UserPublic])
async def mention_suggestions(
    viewer: Viewer,
    session: Session,
    q: Typed = "",
    space_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="The post's space (none: the company stream)."),
    ] = None,
    level: Annotated[
        Level | None, Query(description="The post's level (none: the place's default).")
    ] = None,
    audience: Annotated[
        list[RowId] | None,
        Query(max_length=MAX_AUDIENCE, description="The post's audience, when it has one."),
    ] = None,
    post_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="For a comment: its post (the rest is then ignored)."),
    ] = None,
):
    """Up to 8 people who may read the post being written (or, with ``post_id``,
    the post commented on) and whom you may know of: a person who could not
    read it is never suggested."""
    people = await compose.mention_suggestions(
        session,
        viewer=viewer,
        query=q,
        space_id=space_id,
        level=level,
        audience=audience,
        post_id=post_id,
    )
    return [UserPublic.model_validate(person) for person in people]


@router.get("/hashtags/suggestions", response_model=list[HashtagSuggestion])
async def hashtag_suggestions(viewer: Viewer, session: Session, q: Typed = ""):
    """Up to 8 hashtags starting with ``q``, carried by posts you may read."""
    names = await compose.hashtag_suggestions(session, viewer=viewer, query=q)
    return [HashtagSuggestion(name=name) for name in names]
