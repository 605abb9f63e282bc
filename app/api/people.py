"""People, for integrations: the directory with its filters and their counts,
one person's profile and org chart, and editing a profile (one's own fields;
an administrator's organisational ones in admin.py). Only whom the caller may
know of shows; anyone else is a 404, as if the account did not exist."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ItemId, Session, Viewer
from app.api.pagination import Cursor, Limit, decode_name_cursor, next_name_cursor
from app.levels import AccountKind
from app.models import User
from app.models.user import TagKind
from app.schemas.account import UserPublic
from app.schemas.common import Page
from app.schemas.people import (
    DirectoryFacets,
    Experts,
    OrgChartRead,
    OwnProfileUpdate,
    PersonCard,
    Profile,
    Tag,
)
from app.services import people
from app.services.people.experts import MAX_TOPIC

router = APIRouter(prefix="/users", tags=["people"])

Text = Annotated[str | None, Query(max_length=120)]


def _tags(found) -> list[Tag]:
    return [Tag(key=tag.key, name=tag.name) for tag in found]


def card(person: User, tags: dict) -> PersonCard:
    found = PersonCard.model_validate(person)
    found.skills = _tags(tags.get(TagKind.SKILL, []))
    return found


async def profile_of(session, viewer: User, person: User) -> Profile:
    tags = await people.profile_tags(session, person)
    manager = await people.visible_manager(session, viewer=viewer, person=person)
    found = Profile.model_validate(person)
    found.skills = _tags(tags[TagKind.SKILL])
    found.interests = _tags(tags[TagKind.INTEREST])
    found.languages = _tags(tags[TagKind.LANGUAGE])
    found.manager = UserPublic.model_validate(manager) if manager else None
    return found


@router.get("", response_model=Page[PersonCard])
async def list_people(
    viewer: Viewer,
    session: Session,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of a name or handle.")] = None,
    skill: Annotated[
        str | None, Query(max_length=60, description="A skill, any case and accents.")
    ] = None,
    department: Text = None,
    site: Text = None,
    kind: AccountKind | None = None,
):
    """Active people the caller may know of, by name; the filters combine."""
    found = await people.list_people(
        session,
        viewer=viewer,
        limit=limit + 1,
        after=decode_name_cursor(cursor),
        filters=people.DirectoryFilters(
            query=q, skill=skill, department=department, site=site, kind=kind
        ),
    )
    tags = await people.tags_of(session, [person.id for person in found[:limit]])
    return Page(
        items=[card(person, tags[person.id]) for person in found[:limit]],
        next_cursor=next_name_cursor(found, limit, "display_name"),
    )


@router.get("/facets", response_model=DirectoryFacets)
async def directory_facets(viewer: Viewer, session: Session):
    """The directory's filters (departments, sites, skills) with how many active
    people each holds, counted over the people the caller may know of only."""
    return await people.directory_facets(session, viewer=viewer)


@router.get("/experts", response_model=Experts)
async def who_knows(
    viewer: Viewer,
    session: Session,
    topic: Annotated[
        str,
        Query(max_length=MAX_TOPIC, description='A word, words, a "phrase" or a #tag.'),
    ],
    limit: Annotated[int, Query(ge=1, le=50, description="People at most (1-50).")] = 10,
):
    """Who knows about ``topic``: active people you may know of, ranked by a
    declared skill and by what they wrote on it that you may read (accepted
    answers, wiki pages, posts, comments, among the newest 500 that match),
    best first, each with the reasons of their score."""
    found = await people.who_knows(session, viewer=viewer, topic=topic, limit=limit)
    tags = await people.tags_of(session, [expert.person.id for expert in found])
    return Experts(
        items=[
            {
                "person": card(expert.person, tags[expert.person.id]),
                "score": expert.score,
                "reasons": [vars(reason) for reason in expert.reasons],
            }
            for expert in found
        ]
    )


@router.patch("/me/profile", response_model=Profile)
async def edit_own_profile(body: OwnProfileUpdate, viewer: Viewer, session: Session):
    """Your phone, presentation (Markdown) and tags. Your photo: PUT /me/avatar."""
    person = await people.edit_own_profile(
        session, viewer=viewer, changes=body.model_dump(exclude_unset=True)
    )
    return await profile_of(session, viewer, person)


@router.get("/{user_id}", response_model=Profile)
async def get_person(user_id: ItemId, viewer: Viewer, session: Session):
    person = await people.access_person(session, viewer=viewer, user_id=user_id)
    return await profile_of(session, viewer, person)


@router.get("/{user_id}/org-chart", response_model=OrgChartRead)
async def get_org_chart(user_id: ItemId, viewer: Viewer, session: Session):
    person = await people.access_person(session, viewer=viewer, user_id=user_id)
    chart = await people.org_chart(session, viewer=viewer, person=person)
    return OrgChartRead.model_validate(chart, from_attributes=True)
