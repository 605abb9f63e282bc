"""The directory of people (filters from its facets), a person's page (profile,
org chart, spaces and posts the viewer may see), editing one's own profile,
and following a person."""

import re
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request

from app.api.deps import Session, Viewer
from app.api.pagination import (
    decode_id_cursor,
    decode_name_cursor,
    next_id_cursor,
    next_name_cursor,
)
from app.errors import Invalid
from app.levels import AccountKind
from app.models import FollowKind, User
from app.models.user import TagKind
from app.services import feed, follows, people
from app.services.people.experts import MAX_TOPIC
from app.services.people.profiles import MAX_BIO, MAX_PHONE
from app.web.form_errors import FailedForm, form_page, page_again
from app.web.routes import render, see_other
from app.web.stream_shared import FEED_PAGE, CursorQuery, Done, back, page_link, show_stream

router = APIRouter(include_in_schema=False)

PEOPLE_PAGE = 30
EXPERTS_SHOWN = 20

Handle = Annotated[str, Path(min_length=1, max_length=40)]
FilterText = Annotated[str, Query(max_length=120)]
# A list of tags as the form takes it: names between commas (or on lines).
TagsText = Annotated[str, Form(max_length=4000)]
TAG_SEPARATOR = re.compile(r"[,\n]")


@router.get("/people")
async def people_directory(
    request: Request,
    viewer: Viewer,
    session: Session,
    q: Annotated[str, Query(max_length=100)] = "",
    skill: Annotated[str, Query(max_length=60)] = "",
    department: FilterText = "",
    site: FilterText = "",
    kind: Annotated[AccountKind | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
):
    """Everyone the viewer may know of, by name: all active accounts for
    employees; for externals, the people of their spaces and the authors of what
    they may read (the service applies the policy, to the counts too)."""
    filters = people.DirectoryFilters(
        query=q.strip() or None,
        skill=skill.strip() or None,
        department=department or None,
        site=site or None,
        kind=kind,
    )
    found = await people.list_people(
        session,
        viewer=viewer,
        limit=PEOPLE_PAGE + 1,
        after=decode_name_cursor(cursor),
        filters=filters,
    )
    next_cursor = next_name_cursor(found, PEOPLE_PAGE, "display_name")
    shown = found[:PEOPLE_PAGE]
    tags = await people.tags_of(session, [person.id for person in shown])
    chosen = {"q": q, "skill": skill, "department": department, "site": site, "kind": kind}
    return render(
        request,
        "stream/people.html",
        people=shown,
        skills={person.id: tags[person.id][TagKind.SKILL] for person in shown},
        facets=await people.directory_facets(session, viewer=viewer),
        chosen=chosen,
        q=q,
        filtered=any(value for value in chosen.values()),
        next_page=page_link("/people", **chosen, cursor=next_cursor) if next_cursor else None,
    )


@router.get("/experts")
async def experts_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    topic: Annotated[str, Query(max_length=MAX_TOPIC)] = "",
):
    """Who knows about a topic, with the reasons of each person's rank. Not
    under /people/: any word there may be someone's handle."""
    found, error = [], None
    if topic.strip():
        try:
            found = await people.who_knows(session, viewer=viewer, topic=topic, limit=EXPERTS_SHOWN)
        except Invalid as invalid:
            error = invalid.message
    return render(
        request,
        "stream/experts.html",
        topic=topic.strip(),
        experts=found,
        reason_kinds=people.ReasonKind,
        max_topic=MAX_TOPIC,
        error=error,
    )


async def _profile_form(request: Request, session, viewer: User, *, failed: FailedForm | None):
    tags = await people.profile_tags(session, viewer)
    values = {
        "phone": viewer.phone,
        "bio": viewer.bio,
        **{
            field: ", ".join(tag.name for tag in tags[kind])
            for field, kind in people.TAG_FIELDS.items()
        },
    }
    return render(
        request,
        "stream/profile_edit.html",
        values=failed.over(values) if failed else values,
        max_bio=MAX_BIO,
        max_phone=MAX_PHONE,
    )


@router.get("/settings/profile")
async def edit_profile_page(request: Request, viewer: Viewer, session: Session):
    """The viewer's own profile fields; the organisational ones are shown, not
    editable: administrators set them."""
    return await _profile_form(request, session, viewer, failed=None)


async def _profile_again(request: Request, session, viewer: User, failed: FailedForm):
    return await _profile_form(request, session, viewer, failed=failed)


@router.post("/settings/profile")
@form_page(
    _profile_again,
    fields={
        "invalid_phone": "phone",
        "bio_too_long": "bio",
        "invalid_skills": "skills",
        "invalid_interests": "interests",
        "invalid_languages": "languages",
    },
)
async def save_profile(
    viewer: Viewer,
    session: Session,
    phone: Annotated[str, Form(max_length=MAX_PHONE)] = "",
    bio: Annotated[str, Form(max_length=MAX_BIO)] = "",
    skills: TagsText = "",
    interests: TagsText = "",
    languages: TagsText = "",
):
    given = {"skills": skills, "interests": interests, "languages": languages}
    await people.edit_own_profile(
        session,
        viewer=viewer,
        changes={
            "phone": phone,
            "bio": bio,
            **{field: TAG_SEPARATOR.split(text) for field, text in given.items()},
        },
    )
    return see_other(f"/people/{viewer.handle}?done=profile_saved")


@router.get("/people/{handle}")
async def person_page(
    request: Request,
    handle: Handle,
    viewer: Viewer,
    session: Session,
    cursor: CursorQuery = None,
    done: Done = None,
):
    """A person's profile, org chart, spaces and posts, each as far as the
    viewer may know of or read it: where mentions lead, and the directory."""
    person = await people.access_person(session, viewer=viewer, handle=handle)
    found = await feed.stream(
        session,
        viewer=viewer,
        limit=FEED_PAGE + 1,
        before_id=decode_id_cursor(cursor),
        filters=feed.StreamFilters(author_id=person.id),
    )
    next_cursor = next_id_cursor(found, FEED_PAGE)
    followed = await follows.followed_ids(session, viewer=viewer, kind=FollowKind.USER)
    return render(
        request,
        "stream/person.html",
        **await show_stream(session, viewer, found[:FEED_PAGE]),
        person=person,
        tags=await people.profile_tags(session, person),
        tag_kinds=TagKind,
        bio_html=people.bio_html(person),
        chart=await people.org_chart(session, viewer=viewer, person=person),
        spaces=await people.spaces_of(session, viewer=viewer, person=person),
        following=person.id in followed,
        older=page_link(f"/people/{person.handle}", cursor=next_cursor) if next_cursor else None,
        done=done,
    )


@router.post("/people/{handle}/follow")
@form_page(page_again(person_page))
async def follow_person(
    handle: Handle, viewer: Viewer, session: Session, following: Annotated[bool, Form()]
):
    person = await people.access_person(session, viewer=viewer, handle=handle)
    change = follows.follow if following else follows.unfollow
    await change(session, viewer=viewer, kind=FollowKind.USER, target=str(person.id))
    return back(f"/people/{person.handle}", done="followed" if following else "unfollowed")
