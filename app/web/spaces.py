"""Pages of spaces: the directory, creating a space, a space's page with its tabs,
and what owners and moderators do there (members, join requests, invitations,
settings). Each form calls one service; a refused form shows its page again
(app/web/form_errors.py)."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request

from app.api.deps import Address, AppSettings, ItemId, Session, Viewer
from app.api.pagination import decode_name_cursor, next_name_cursor
from app.dates import start_of_day
from app.errors import Forbidden
from app.i18n import _
from app.levels import AccountKind, Language, Level
from app.models import JoinRequest, SpaceKind, SpaceRole, User, Visibility
from app.schemas.common import Email
from app.services import invitations, memberships, spaces
from app.services.tasks.progress import space_progress
from app.web.form_errors import FailedForm, form_page
from app.web.routes import render, see_other
from app.web.stream_shared import row_id, space_stream_tab, unreachable_handles

router = APIRouter(include_in_schema=False)

DIRECTORY_PAGE = 30
MEMBERS_PAGE = 50

Name = Annotated[str, Form(min_length=2, max_length=120)]
Objective = Annotated[str, Form(min_length=10, max_length=2000)]
Description = Annotated[str, Form(max_length=5000)]
Identifier = Annotated[str, Form(min_length=1, max_length=254)]


def _directory_link(*, q: str, kind: SpaceKind | None, mine: bool, cursor: str) -> str:
    query = {"q": q, "kind": kind.value if kind else "", "mine": "true" if mine else ""}
    return "/spaces?" + urlencode({**{k: v for k, v in query.items() if v}, "cursor": cursor})


@router.get("/spaces")
async def directory(
    request: Request,
    viewer: Viewer,
    session: Session,
    kind: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    mine: bool = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
):
    return await directory_page(
        request, session, viewer, kind=kind, q=q, mine=mine, cursor=cursor, done=done
    )


async def directory_page(
    request: Request,
    session,
    viewer: User,
    *,
    kind: str = "",
    q: str = "",
    mine: bool = False,
    cursor: str | None = None,
    done: str | None = None,
):
    """Open and private spaces (and one's own secret ones) for employees; only
    their own spaces for externals: the service applies the policy. Also the
    page of a refused answer to an invitation."""
    space_kind = SpaceKind(kind) if kind in SpaceKind._value2member_map_ else None
    found = await spaces.list_spaces(
        session,
        viewer=viewer,
        limit=DIRECTORY_PAGE + 1,
        after=decode_name_cursor(cursor),
        kind=space_kind,
        query=q.strip() or None,
        mine=mine,
    )
    page = found[:DIRECTORY_PAGE]
    next_cursor = next_name_cursor(found, DIRECTORY_PAGE, "name")
    return render(
        request,
        "spaces/directory.html",
        spaces=page,
        roles=await spaces.roles_of(session, viewer=viewer, space_ids=[s.id for s in page]),
        requested=await memberships.requested_space_ids(session, viewer=viewer),
        invitations=await invitations.my_invitations(session, viewer=viewer),
        kind=space_kind,
        q=q,
        mine=mine,
        next_page=_directory_link(q=q, kind=space_kind, mine=mine, cursor=next_cursor)
        if next_cursor
        else None,
        done=done,
    )


def _space_form_values(**values) -> dict:
    defaults = {
        "name": "",
        "objective": "",
        "description": "",
        "kind": SpaceKind.PROJECT,
        "visibility": Visibility.OPEN,
        "allows_externals": False,
        "default_level": Level.INTERNAL,
    }
    return {**defaults, **values}


def _check_may_create(viewer: User) -> None:
    if not spaces.may_create_space(viewer):
        raise Forbidden(_("External accounts cannot create spaces."), code="external")


@router.get("/spaces/new")
async def new_space_form(request: Request, viewer: Viewer):
    _check_may_create(viewer)
    return render(request, "spaces/new.html", values=_space_form_values(), error=None)


async def _new_space_again(request: Request, session, viewer: User, failed: FailedForm):
    return render(
        request,
        "spaces/new.html",
        values=failed.over(_space_form_values()),
    )


# Where a refusal of the space's fields is shown (both the creation and the settings form).
SPACE_FIELDS = {"name_taken": "name", "externals_present": "allows_externals"}


@router.post("/spaces/new")
@form_page(_new_space_again, fields=SPACE_FIELDS)
async def create_space(
    request: Request,
    viewer: Viewer,
    session: Session,
    address: Address,
    name: Name,
    objective: Objective,
    kind: Annotated[SpaceKind, Form()],
    visibility: Annotated[Visibility, Form()],
    default_level: Annotated[Level, Form()],
    description: Description = "",
    allows_externals: Annotated[bool, Form()] = False,
):
    space = await spaces.create_space(
        session,
        viewer=viewer,
        name=name,
        objective=objective,
        description=description,
        kind=kind,
        visibility=visibility,
        allows_externals=allows_externals,
        default_level=default_level,
        address=address,
    )
    return see_other(f"/spaces/{space.id}?tab=about&done=created")


def space_tabs(view: spaces.SpaceView) -> list[str]:
    """The tabs of a space's page. The wiki's, for those who read the space,
    leads to the wiki's own pages (/spaces/{id}/wiki)."""
    wiki = ["wiki"] if view.can_read_content else []
    return ["stream", *wiki, "members", "about"] + (["settings"] if view.can_manage else [])


async def _space_page(
    request: Request,
    session,
    viewer: User,
    space_id: ItemId,
    *,
    tab: str = "",
    after: int | None = None,
    cursor: str | None = None,
    done: str | None = None,
    unreachable: str | None = None,
    **extra,
):
    """A space's page on one of its tabs; also the page of a refused form, with
    what was sent and why it was refused."""
    view = await spaces.view_space(session, viewer=viewer, space_id=space_id)
    tabs = space_tabs(view)
    if tab not in tabs or tab == "wiki":
        tab = "stream" if view.can_read_content else "about"
    members, next_after, join_requests, pending = [], None, [], []
    if tab == "members" and view.can_read_content:
        rows = await memberships.list_members(
            session, viewer=viewer, space_id=space_id, limit=MEMBERS_PAGE + 1, after_id=after
        )
        members = rows[:MEMBERS_PAGE]
        next_after = members[-1][1].id if len(rows) > MEMBERS_PAGE else None
    if tab == "members" and view.can_manage:
        join_requests = await memberships.list_join_requests(
            session, viewer=viewer, space_id=space_id
        )
        pending = await invitations.list_pending_invitations(
            session, viewer=viewer, space_id=space_id
        )
    stream = {}
    if tab == "stream" and view.can_read_content:
        stream = await space_stream_tab(session, viewer, view, cursor=cursor)
    progress = None
    if view.can_read_content and view.space.kind is SpaceKind.PROJECT:
        progress = await space_progress(session, viewer=viewer, space_id=space_id)
    requested = view.role is None and space_id in await memberships.requested_space_ids(
        session, viewer=viewer
    )
    return render(
        request,
        "spaces/space.html",
        view=view,
        space=view.space,
        tab=tab,
        tabs=tabs,
        members=members,
        next_after=next_after,
        join_requests=join_requests,
        pending_invitations=pending,
        requested=requested,
        done=done,
        today=datetime.now(UTC).date(),
        last_access_day=datetime.now(UTC).date() + timedelta(days=invitations.MAX_CONTRACT_DAYS),
        unreachable=unreachable_handles(unreachable),
        progress=progress,
        **stream,
        **extra,
    )


@router.get("/spaces/{space_id}")
async def space_page(
    request: Request,
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    tab: Annotated[str, Query(max_length=20)] = "",
    after: int | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
    unreachable: Annotated[str | None, Query(max_length=900)] = None,
):
    if tab == "wiki":
        return see_other(f"/spaces/{space_id}/wiki")
    return await _space_page(
        request,
        session,
        viewer,
        space_id,
        tab=tab,
        after=after,
        cursor=cursor,
        done=done,
        unreachable=unreachable,
    )


def _on_tab(tab: str):
    """The page of a space's form: the space's page on the form's tab."""

    async def again(request: Request, session, viewer: User, failed: FailedForm):
        space_id = row_id(request.path_params["space_id"])
        # The settings form shows what was sent in place of the space's fields.
        extra = {"space_values": failed.over(_space_form_values())} if tab == "settings" else {}
        return await _space_page(request, session, viewer, space_id, tab=tab, **extra)

    return again


# Which field a refusal of the members tab's forms is about.
MEMBER_FIELDS = {
    "unknown_account": "identifier",
    "already_member": "identifier",
    "already_invited": "identifier",
    "account_inactive": "identifier",
}
INVITE_FIELDS = {
    "already_member": "email",
    "already_invited": "email",
    "external_kind_required": "external_kind",
    "access_end_required": "access_ends_on",
    "access_end_too_far": "access_ends_on",
    "invalid_date": "access_ends_on",
}


@router.post("/spaces/{space_id}/join")
@form_page(_on_tab("stream"))
async def join_space(
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    message: Annotated[str, Form(max_length=500)] = "",
):
    """Joins an open space at once; asks to join a private one."""
    outcome = await memberships.join_space(
        session, viewer=viewer, space_id=space_id, message=message, address=address
    )
    done = "requested" if isinstance(outcome, JoinRequest) else "joined"
    return see_other(f"/spaces/{space_id}?done={done}")


@router.post("/spaces/{space_id}/leave")
@form_page(_on_tab("about"))
async def leave_space(space_id: ItemId, viewer: Viewer, session: Session, address: Address):
    await memberships.leave_space(session, viewer=viewer, space_id=space_id, address=address)
    return see_other("/spaces?done=left")


@router.post("/spaces/{space_id}/members")
@form_page(_on_tab("members"), fields=MEMBER_FIELDS)
async def add_member(
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    identifier: Identifier,
    role: Annotated[SpaceRole, Form()] = SpaceRole.MEMBER,
):
    await memberships.add_member_by_identifier(
        session,
        viewer=viewer,
        space_id=space_id,
        identifier=identifier,
        role=role,
        address=address,
    )
    return _done(space_id, tab="members", done="added")


def _done(space_id: int, *, tab: str, done: str):
    """After a manager's form: back to the tab with a notice."""
    return see_other(f"/spaces/{space_id}?tab={tab}&done={done}")


@router.post("/spaces/{space_id}/members/{user_id}/role")
@form_page(_on_tab("members"))
async def change_role(
    space_id: ItemId,
    user_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    role: Annotated[SpaceRole, Form()],
):
    await memberships.change_role(
        session, viewer=viewer, space_id=space_id, user_id=user_id, role=role, address=address
    )
    return _done(space_id, tab="members", done="role")


@router.post("/spaces/{space_id}/members/{user_id}/remove")
@form_page(_on_tab("members"))
async def remove_member(
    space_id: ItemId, user_id: ItemId, viewer: Viewer, session: Session, address: Address
):
    await memberships.remove_member(
        session, viewer=viewer, space_id=space_id, user_id=user_id, address=address
    )
    return _done(space_id, tab="members", done="removed")


@router.post("/spaces/{space_id}/ownership")
@form_page(_on_tab("members"))
async def transfer_ownership(
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    user_id: Annotated[int, Form()],
):
    await memberships.transfer_ownership(
        session, viewer=viewer, space_id=space_id, user_id=user_id, address=address
    )
    return _done(space_id, tab="members", done="transferred")


@router.post("/spaces/{space_id}/requests/{request_id}")
@form_page(_on_tab("members"))
async def decide_join_request(
    space_id: ItemId,
    request_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    decision: Annotated[Literal["approve", "decline"], Form()],
):
    await memberships.decide_join_request(
        session,
        viewer=viewer,
        space_id=space_id,
        request_id=request_id,
        approve=decision == "approve",
        address=address,
    )
    done = "approved" if decision == "approve" else "declined"
    return _done(space_id, tab="members", done=done)


@router.post("/spaces/{space_id}/invitations")
@form_page(_on_tab("members"), fields=MEMBER_FIELDS)
async def invite_account(
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    settings: AppSettings,
    address: Address,
    identifier: Identifier,
):
    """Invites an existing account; it answers from its own directory page."""
    await invitations.invite_by_identifier(
        session,
        viewer=viewer,
        space_id=space_id,
        settings=settings,
        identifier=identifier,
        address=address,
    )
    return _done(space_id, tab="members", done="invited")


@router.post("/spaces/{space_id}/invitations/email")
@form_page(_on_tab("members"), fields=INVITE_FIELDS)
async def invite_by_email(
    request: Request,
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    settings: AppSettings,
    address: Address,
    email: Annotated[Email, Form()],
    external_kind: Annotated[AccountKind, Form()],
    language: Annotated[Language | None, Form()] = None,
    access_ends_on: Annotated[str, Form(max_length=10)] = "",
):
    """Invites someone with no account yet as alumni or contractor; the acceptance
    link is shown this once, for the inviter to send."""
    access_ends_at = start_of_day(access_ends_on)
    if external_kind is not AccountKind.CONTRACTOR:
        access_ends_at = None  # only contractors' access has an end date
    issued = await invitations.invite(
        session,
        viewer=viewer,
        space_id=space_id,
        settings=settings,
        email=email,
        external_kind=external_kind,
        access_ends_at=access_ends_at,
        language=language,
        address=address,
    )
    return await _space_page(
        request,
        session,
        viewer,
        space_id,
        tab="members",
        new_invitation=issued.invitation,
        new_invitation_url=issued.accept_url,
        mail_enabled=request.app.state.settings.mail_enabled,
    )


@router.post("/spaces/{space_id}/invitations/{invitation_id}/revoke")
@form_page(_on_tab("members"))
async def revoke_invitation(
    space_id: ItemId, invitation_id: ItemId, viewer: Viewer, session: Session, address: Address
):
    await invitations.revoke_invitation(
        session, viewer=viewer, space_id=space_id, invitation_id=invitation_id, address=address
    )
    return _done(space_id, tab="members", done="revoked")


@router.post("/spaces/{space_id}/settings")
@form_page(_on_tab("settings"), fields=SPACE_FIELDS)
async def save_settings(
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    name: Name,
    objective: Objective,
    kind: Annotated[SpaceKind, Form()],
    visibility: Annotated[Visibility, Form()],
    default_level: Annotated[Level, Form()],
    description: Description = "",
    allows_externals: Annotated[bool, Form()] = False,
):
    changes = {
        "name": name,
        "objective": objective,
        "description": description,
        "kind": kind,
        "visibility": visibility,
        "allows_externals": allows_externals,
        "default_level": default_level,
    }
    await spaces.update_space(
        session, viewer=viewer, space_id=space_id, changes=changes, address=address
    )
    return _done(space_id, tab="settings", done="saved")


@router.post("/spaces/{space_id}/archive")
@form_page(_on_tab("settings"))
async def archive_space(
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    archived: Annotated[bool, Form()],
):
    """Archiving makes a finished project read-only; unarchiving opens it again."""
    await spaces.update_space(
        session,
        viewer=viewer,
        space_id=space_id,
        changes={"is_archived": archived},
        address=address,
    )
    return _done(space_id, tab="settings", done="archived" if archived else "unarchived")
