"""Administration pages: accounts (kind, role, clearance, active state, creation,
offboarding, a contractor's sponsor and end of access) and the charter (the audit
log is in audit.py). The services check that the viewer
is an administrator; so does every page here before showing anything."""

from datetime import UTC, datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request

from app.access import check_admin
from app.api.deps import Address, ItemId, Session, Viewer
from app.api.pagination import decode_id_cursor, next_id_cursor
from app.dates import start_of_day
from app.errors import Invalid
from app.i18n import _
from app.levels import AccountKind, Language, Level, Role
from app.models import User
from app.schemas.common import Email
from app.services import accounts, audit, charter, identity, people
from app.web.form_errors import FailedForm, form_page
from app.web.routes import render, see_other
from app.web.stream_shared import row_id

router = APIRouter(include_in_schema=False)

USERS_PAGE = 50


async def _users_page(
    request: Request,
    session,
    viewer: User,
    *,
    q: str = "",
    cursor: str | None = None,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    values: dict | None = None,
):
    found = await accounts.list_accounts(
        session,
        viewer=viewer,
        limit=USERS_PAGE + 1,
        after_id=decode_id_cursor(cursor),
        query=q.strip() or None,
    )
    return render(
        request,
        "admin/users.html",
        status_code=status_code,
        users=found[:USERS_PAGE],
        access_state=partial(accounts.access_end_state, now=datetime.now(UTC)),
        next_cursor=next_id_cursor(list(found), USERS_PAGE),
        q=q,
        done=done,
        error=error,
        values=values or {"kind": AccountKind.EMPLOYEE, "role": Role.MEMBER},
    )


@router.get("/admin/users")
async def users_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    q: Annotated[str, Query(max_length=100)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
):
    return await _users_page(request, session, viewer, q=q, cursor=cursor, done=done)


# The refusals of the new account's form that are about one of its fields.
NEW_USER_FIELDS = {
    "email_taken": "email",
    "handle_taken": "display_name",
    "weak_password": "password",
    "invalid_password": "password",
    "external_clearance": "clearance",
}


async def _users_again(request: Request, session, viewer: User, failed: FailedForm):
    """The accounts' page, the new account's form showing what was sent (never
    the password) and each message by its field."""
    fields = ("email", "display_name", "kind", "role", "clearance", "language")
    return await _users_page(
        request,
        session,
        viewer,
        error=failed.message,
        status_code=failed.status,
        values=failed.over(dict.fromkeys(fields, "")),
    )


@router.post("/admin/users")
@form_page(_users_again, fields=NEW_USER_FIELDS)
async def create_user(
    request: Request,
    viewer: Viewer,
    session: Session,
    address: Address,
    email: Annotated[Email, Form()],
    display_name: Annotated[str, Form(min_length=1, max_length=120)],
    password: Annotated[str, Form(max_length=256)],
    kind: Annotated[AccountKind, Form()] = AccountKind.EMPLOYEE,
    role: Annotated[Role, Form()] = Role.MEMBER,
    clearance: Annotated[str, Form(max_length=20)] = "",
    language: Annotated[Language, Form()] = Language.FR,
):
    check_admin(viewer)
    fields = {
        "email": email,
        "display_name": display_name,
        "kind": kind,
        "role": role,
        # Left empty: the kind's default (internal for employees, public for externals).
        "clearance": Level(clearance) if clearance in Level._value2member_map_ else None,
        "language": language,
    }
    user = await accounts.create_account(
        session, **fields, password=password, actor=viewer, address=address
    )
    return see_other(f"/admin/users/{user.id}?done=created")


async def _user_page(
    request: Request,
    session,
    viewer: User,
    user_id: ItemId,
    *,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
):
    user = await accounts.access_account(session, viewer=viewer, user_id=user_id)
    sponsor = (
        await accounts.access_account(session, viewer=viewer, user_id=user.sponsor_id)
        if user.sponsor_id is not None
        else None
    )
    manager = (
        await accounts.access_account(session, viewer=viewer, user_id=user.manager_id)
        if user.manager_id is not None
        else None
    )
    return render(
        request,
        "admin/user.html",
        status_code=status_code,
        person=user,
        sponsor=sponsor,
        manager=manager,
        access_state=accounts.access_end_state(user, now=datetime.now(UTC)),
        last_sign_in=await audit.last_sign_in(session, viewer=viewer, user_id=user.id),
        identities=await identity.links_of(session, viewer=viewer, user_id=user.id),
        done=done,
        error=error,
    )


@router.get("/admin/users/{user_id}")
async def user_page(
    request: Request,
    user_id: ItemId,
    viewer: Viewer,
    session: Session,
    done: Annotated[str | None, Query(max_length=20)] = None,
):
    return await _user_page(request, session, viewer, user_id, done=done)


# The refusals of the account form that are about one of its fields.
USER_FIELDS = {"external_clearance": "clearance", "invalid_date": "access_ends_on"}


async def _user_again(request: Request, session, viewer: User, failed: FailedForm):
    """The account's page; the refused form shows what was sent and each message
    by its field (admin/user.html), a refusal of no one field above it."""
    user_id = row_id(request.path_params["user_id"])
    return await _user_page(
        request, session, viewer, user_id, error=failed.message, status_code=failed.status
    )


@router.post("/admin/users/{user_id}")
@form_page(_user_again, fields=USER_FIELDS)
async def update_user(
    request: Request,
    user_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    kind: Annotated[AccountKind, Form()],
    role: Annotated[Role, Form()],
    clearance: Annotated[Level, Form()],
    is_active: Annotated[bool, Form()] = False,
    access_ends_on: Annotated[str, Form(max_length=10)] = "",
):
    """The service refuses to clear an external account above public: its reason
    is shown on the form."""
    changes = {"kind": kind, "role": role, "clearance": clearance, "is_active": is_active}
    if access_ends_on:
        changes["access_ends_at"] = start_of_day(access_ends_on)
    await accounts.update_account(
        session, viewer=viewer, user_id=user_id, changes=changes, address=address
    )
    return see_other(f"/admin/users/{user_id}?done=saved")


# The refusals of the organisational profile's form that are about one of its fields.
PROFILE_FIELDS = {
    "own_manager": "manager",
    "invalid_manager": "manager",
    "manager_cycle": "manager",
    "invalid_year": "joined_year",
    "invalid_years": "left_year",
}


@router.post("/admin/users/{user_id}/profile")
@form_page(_user_again, fields=PROFILE_FIELDS)
async def set_organisational_fields(
    request: Request,
    user_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    job_title: Annotated[str, Form(max_length=120)] = "",
    department: Annotated[str, Form(max_length=120)] = "",
    site: Annotated[str, Form(max_length=120)] = "",
    manager: Annotated[str, Form(max_length=41)] = "",
    organisation: Annotated[str | None, Form(max_length=160)] = None,
    joined_year: Annotated[str | None, Form(max_length=4)] = None,
    left_year: Annotated[str | None, Form(max_length=4)] = None,
):
    """Title, department, site, manager (by @handle), and for an external their
    organisation and years (fields the form shows them only: left out, kept):
    what the person may not set themselves."""
    changes = {
        "job_title": job_title,
        "department": department,
        "site": site,
        "manager_id": await people.manager_by_handle(session, viewer=viewer, handle=manager),
    }
    if organisation is not None:
        changes["organisation"] = organisation
    for field, year in (("joined_year", joined_year), ("left_year", left_year)):
        if year is not None:
            changes[field] = people.year_of(year)
    await people.set_organisational_fields(
        session, viewer=viewer, user_id=user_id, changes=changes, address=address
    )
    return see_other(f"/admin/users/{user_id}?done=saved")


@router.post("/admin/users/{user_id}/offboard")
@form_page(_user_again, fields={"confirmation_required": "confirm"})
async def offboard_user(
    request: Request,
    user_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    confirm: Annotated[bool, Form()] = False,
):
    """Offboarding is not undone by a click: the form asks for a ticked confirmation."""
    check_admin(viewer)
    if not confirm:
        raise Invalid(
            _("Tick the confirmation box to offboard this person."), code="confirmation_required"
        )
    await accounts.offboard_member(session, viewer=viewer, user_id=user_id, address=address)
    return see_other(f"/admin/users/{user_id}?done=offboarded")


@router.get("/admin/charter")
async def charter_form(
    request: Request,
    viewer: Viewer,
    session: Session,
    done: Annotated[str | None, Query(max_length=20)] = None,
):
    check_admin(viewer)
    return render(
        request, "admin/charter.html", charter_text=await charter.read_charter(session), done=done
    )


async def _charter_again(request: Request, session, viewer: User, failed: FailedForm):
    """The charter's form refused: the text as it was typed."""
    return render(request, "admin/charter.html", charter_text=failed.values.get("text", ""))


@router.post("/admin/charter")
@form_page(_charter_again)
async def save_charter(
    viewer: Viewer,
    session: Session,
    address: Address,
    text: Annotated[str, Form(min_length=10, max_length=20000)],
):
    await charter.set_charter(session, viewer=viewer, text=text, address=address)
    return see_other("/admin/charter?done=saved")
