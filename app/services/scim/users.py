"""SCIM Users: the accounts a client provisions, read and written as RFC 7643
User resources with the enterprise extension.

userName is the account's e-mail (sign-in name); externalId lives in
IdentityLink under ``scim:<client>``; the parts of the name and the lists of
addresses and numbers are kept as sent (ScimAccount). The kind of a new account
is the client's, set by an administrator; nothing in a payload sets a kind,
a role or a clearance.

``active``: an employee, or a contractor whose access has not ended, on an
account not deactivated. Setting it false (or DELETE) offboards: an employee
becomes alumni, a contractor's access ends now; sessions and tokens end;
nothing they wrote is touched. Setting it true again restores only the kind
the administrator gave the client, at that kind's default clearance: no role,
no higher clearance and no space left is given back (an administrator decides
those by hand; spaces of linked groups follow the groups).
"""

from datetime import datetime
from typing import Any

from scim2_models import (
    Context,
    Email,
    EnterpriseUser,
    InvalidValueException,
    Manager,
    Name,
    NotFoundException,
    PhoneNumber,
    UniquenessException,
)
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access import default_clearance
from app.levels import AccountKind
from app.models import IdentityLink, ScimAccount, ScimClient, User
from app.models.base import utcnow
from app.models.user import normalise_email
from app.realtime.events import record_event
from app.services import accounts
from app.services.audit import record_audit
from app.services.scim import groups
from app.services.scim.clients import provider_name, steward
from app.services.scim.common import (
    Listing,
    bounded,
    check_if_match,
    list_page,
    stamped,
    validated,
    wanted_after,
)
from app.services.scim.filters import Searchable
from app.services.scim.schema import ENTERPRISE, UserResource


def is_active(user: User, now: datetime) -> bool:
    if not user.is_active:
        return False
    if user.kind is AccountKind.CONTRACTOR:
        return user.access_ends_at is None or user.access_ends_at > now
    return user.kind is AccountKind.EMPLOYEE


def _active_clause(now: datetime):
    return and_(
        User.is_active,
        or_(
            User.kind == AccountKind.EMPLOYEE,
            and_(
                User.kind == AccountKind.CONTRACTOR,
                or_(User.access_ends_at.is_(None), User.access_ends_at > now),
            ),
        ),
    )


def _statement(client: ScimClient):
    link = aliased(IdentityLink)
    statement = (
        select(User, ScimAccount, link.subject)
        .join(ScimAccount, and_(ScimAccount.user_id == User.id, ScimAccount.client_id == client.id))
        .outerjoin(link, and_(link.user_id == User.id, link.provider == provider_name(client)))
    )
    now = utcnow()
    attributes = {
        "id": Searchable(User.id, "id"),
        "username": Searchable(User.email),
        "displayname": Searchable(User.display_name),
        "title": Searchable(User.job_title),
        "externalid": Searchable(link.subject, "exact"),
        "name.givenname": Searchable(ScimAccount.given_name),
        "name.familyname": Searchable(ScimAccount.family_name),
        "name.formatted": Searchable(ScimAccount.formatted_name),
        "active": Searchable(_active_clause(now), "boolean"),
        f"{ENTERPRISE.lower()}:department": Searchable(User.department),
        "meta.created": Searchable(ScimAccount.created_at, "moment"),
        "meta.lastmodified": Searchable(ScimAccount.updated_at, "moment"),
    }
    return statement, attributes


async def _managers(
    session: AsyncSession, client: ScimClient, users: list[User]
) -> dict[int, User]:
    """The managers a client may name: accounts it provisions itself."""
    ids = {user.manager_id for user in users if user.manager_id}
    if not ids:
        return {}
    found = await session.scalars(
        select(User)
        .join(ScimAccount, ScimAccount.user_id == User.id)
        .where(User.id.in_(ids), ScimAccount.client_id == client.id)
    )
    return {manager.id: manager for manager in found}


def _resource(
    base_url: str,
    user: User,
    account: ScimAccount,
    external_id: str | None,
    manager: User | None,
) -> UserResource:
    name = Name(
        formatted=account.formatted_name,
        given_name=account.given_name,
        family_name=account.family_name,
    )
    resource = UserResource(
        id=str(user.id),
        external_id=external_id,
        user_name=user.email,
        name=name if name.model_dump(exclude_none=True) else None,
        display_name=user.display_name,
        title=user.job_title or None,
        active=is_active(user, utcnow()),
        emails=[Email.model_validate(email) for email in account.emails] or None,
        phone_numbers=[PhoneNumber.model_validate(phone) for phone in account.phone_numbers]
        or None,
    )
    if user.department or manager is not None:
        resource[EnterpriseUser] = EnterpriseUser(
            schemas=[ENTERPRISE],
            department=user.department or None,
            manager=Manager(value=str(manager.id), ref=f"{base_url}/Users/{manager.id}")
            if manager is not None
            else None,
        )
    return stamped(
        resource,
        created=account.created_at,
        modified=account.updated_at,
        location=f"{base_url}/Users/{user.id}",
    )


async def list_users(
    session: AsyncSession, *, client: ScimClient, base_url: str, request
) -> tuple[Listing, list[UserResource]]:
    statement, attributes = _statement(client)
    listing = await list_page(
        session, statement, request=request, attributes=attributes, key=User.id
    )
    managers = await _managers(session, client, [row[0] for row in listing.rows])
    resources = [
        _resource(base_url, user, account, external_id, managers.get(user.manager_id))
        for user, account, external_id in listing.rows
    ]
    return listing, resources


async def _provisioned(
    session: AsyncSession, client: ScimClient, user_id: str
) -> tuple[User, ScimAccount, str | None]:
    """The account behind a SCIM id, if this client provisions it: for any other,
    existing or not, 404."""
    if not user_id.isdigit() or int(user_id) > 2**62:
        raise NotFoundException()
    statement, _attributes = _statement(client)
    row = (await session.execute(statement.where(User.id == int(user_id)))).first()
    if row is None:
        raise NotFoundException()
    return row[0], row[1], row[2]


async def read_user(
    session: AsyncSession, *, client: ScimClient, base_url: str, user_id: str
) -> UserResource:
    user, account, external_id = await _provisioned(session, client, user_id)
    managers = await _managers(session, client, [user])
    return _resource(base_url, user, account, external_id, managers.get(user.manager_id))


async def create_user(
    session: AsyncSession,
    *,
    client: ScimClient,
    base_url: str,
    payload: Any,
    address: str | None,
) -> UserResource:
    """A new account of the client's kind; or, for an e-mail that already has an
    account this client does not provision yet, that account, which the client
    takes on (so an identity provider adopts the people Ruche already has)."""
    wanted = validated(UserResource, payload, Context.RESOURCE_CREATION_REQUEST)
    email = _email(wanted.user_name)
    user = await session.scalar(select(User).where(User.email == email))
    if user is not None and await session.get(ScimAccount, (client.id, user.id)) is not None:
        raise UniquenessException(detail="A user with this userName exists.")
    action = "scim.user_adopted"
    if user is None:
        user = await accounts.create_account(
            session,
            email=email,
            display_name=_display_name(wanted),
            password=None,
            kind=client.default_kind,
            address=address,
        )
        action = "scim.user_created"
    account = ScimAccount(client_id=client.id, user_id=user.id, emails=[], phone_numbers=[])
    session.add(account)
    await session.flush()
    before = _resource(base_url, user, account, None, None)
    if wanted.active is None:
        wanted.active = True
    changed = await _apply(session, client, user, account, before, wanted, address)
    record_audit(
        session,
        action=action,
        actor=None,
        target=user,
        address=address,
        client=client.name,
        changed=changed,
    )
    await session.flush()
    return await read_user(session, client=client, base_url=base_url, user_id=str(user.id))


async def change_user(
    session: AsyncSession,
    *,
    client: ScimClient,
    base_url: str,
    user_id: str,
    payload: Any,
    if_match: str | None,
    address: str | None,
    patching: bool,
) -> UserResource:
    """PUT or PATCH: what differs from the current representation is written."""
    current = await read_user(session, client=client, base_url=base_url, user_id=user_id)
    wanted = wanted_after(UserResource, current, payload, if_match=if_match, patching=patching)
    user, account, _external_id = await _provisioned(session, client, current.id)
    changed = await _apply(session, client, user, account, current, wanted, address)
    if changed:
        record_audit(
            session,
            action="scim.user_updated",
            actor=None,
            target=user,
            address=address,
            client=client.name,
            changed=changed,
        )
    await session.flush()
    return await read_user(session, client=client, base_url=base_url, user_id=current.id)


async def delete_user(
    session: AsyncSession,
    *,
    client: ScimClient,
    base_url: str,
    user_id: str,
    if_match: str | None,
    address: str | None,
) -> None:
    """The person is offboarded and the client no longer provisions the account;
    the account and everything it wrote stay."""
    current = await read_user(session, client=client, base_url=base_url, user_id=user_id)
    check_if_match(if_match, current)
    user, account, _external_id = await _provisioned(session, client, user_id)
    if current.active:
        await _deactivate(session, client, user, address)
    await groups.leave_groups(session, client=client, user=user)
    await session.execute(
        delete(IdentityLink).where(
            IdentityLink.provider == provider_name(client), IdentityLink.user_id == user.id
        )
    )
    await session.delete(account)
    record_audit(
        session,
        action="scim.user_deleted",
        actor=None,
        target=user,
        address=address,
        client=client.name,
    )
    await session.flush()


def _email(user_name: str | None) -> str:
    email = normalise_email(user_name or "")
    if not email or len(email) > 254 or any(char.isspace() for char in email):
        raise InvalidValueException(detail="userName is the person's e-mail address.")
    return email


def _display_name(resource: UserResource) -> str:
    name = resource.name
    parts = [name.given_name, name.family_name] if name else []
    return (
        resource.display_name
        or (name.formatted if name else None)
        or " ".join(part for part in parts if part)
        or (resource.user_name or "").split("@", 1)[0]
    ).strip()[:120] or "?"


def _listed(values: list | None) -> list[dict]:
    return [value.model_dump(mode="json", exclude_none=True) for value in values or []]


def _primary(values: list[dict]) -> str:
    chosen = next((value for value in values if value.get("primary")), None)
    return (chosen or (values[0] if values else {})).get("value", "")


async def _apply(
    session: AsyncSession,
    client: ScimClient,
    user: User,
    account: ScimAccount,
    before: UserResource,
    after: UserResource,
    address: str | None,
) -> list[str]:
    """Writes what differs between two representations; returns the attributes
    written, for the audit log."""
    changed = []
    email = _email(after.user_name)
    if email != user.email:
        if await session.scalar(select(User.id).where(User.email == email, User.id != user.id)):
            raise UniquenessException(detail="A user with this userName exists.")
        user.email = email
        changed.append("userName")
    if after.display_name != before.display_name or after.name != before.name:
        user.display_name = bounded(_display_name(after), 120, "displayName")
        name = after.name or Name()
        account.given_name = bounded(name.given_name, 120, "name.givenName")
        account.family_name = bounded(name.family_name, 120, "name.familyName")
        account.formatted_name = bounded(name.formatted, 255, "name.formatted")
        changed.append("name")
    if after.title != before.title:
        user.job_title = bounded(after.title, 120, "title") or ""
        changed.append("title")
    if after.emails != before.emails:
        account.emails = _listed(after.emails)
        changed.append("emails")
    if after.phone_numbers != before.phone_numbers:
        account.phone_numbers = _listed(after.phone_numbers)
        if account.phone_numbers:
            user.phone = bounded(_primary(account.phone_numbers), 40, "phoneNumbers")
        changed.append("phoneNumbers")
    changed += await _apply_enterprise(session, client, user, before, after)
    if after.external_id != before.external_id:
        await _link(session, client, user, bounded(after.external_id, 255, "externalId"))
        changed.append("externalId")
    if after.active is not None and after.active != before.active:
        if after.active:
            await _reactivate(session, client, user, address)
        else:
            await _deactivate(session, client, user, address)
        changed.append("active")
    if changed:
        account.updated_at = utcnow()
        await record_event(session, kind="account.changed", user_id=user.id)
    return changed


async def _apply_enterprise(
    session: AsyncSession,
    client: ScimClient,
    user: User,
    before: UserResource,
    after: UserResource,
) -> list[str]:
    was, now = before[EnterpriseUser] or EnterpriseUser(), after[EnterpriseUser] or EnterpriseUser()
    changed = []
    if now.department != was.department:
        user.department = bounded(now.department, 120, "department") or ""
        changed.append("department")
    was_manager = was.manager.value if was.manager else None
    manager_id = now.manager.value if now.manager else None
    if manager_id != was_manager:
        if manager_id is None:
            user.manager_id = None
        else:
            manager, _account, _external = await _manager(session, client, manager_id)
            if manager.id == user.id:
                raise InvalidValueException(detail="Nobody is their own manager.")
            user.manager_id = manager.id
        changed.append("manager")
    return changed


async def _manager(session: AsyncSession, client: ScimClient, manager_id: str):
    try:
        return await _provisioned(session, client, manager_id)
    except NotFoundException as error:
        raise InvalidValueException(detail="The manager is no user of this client.") from error


async def _link(session: AsyncSession, client: ScimClient, user: User, external_id: str | None):
    provider = provider_name(client)
    link = await session.scalar(
        select(IdentityLink).where(
            IdentityLink.provider == provider, IdentityLink.user_id == user.id
        )
    )
    if external_id is None:
        if link is not None:
            await session.delete(link)
        return
    holder = await session.scalar(
        select(IdentityLink.user_id).where(
            IdentityLink.provider == provider, IdentityLink.subject == external_id
        )
    )
    if holder is not None and holder != user.id:
        raise UniquenessException(detail="Another user has this externalId.")
    if link is None:
        session.add(IdentityLink(provider=provider, subject=external_id, user_id=user.id))
    else:
        link.subject = external_id
    await session.flush()


async def _deactivate(
    session: AsyncSession, client: ScimClient, user: User, address: str | None
) -> None:
    if user.kind is AccountKind.EMPLOYEE and user.is_active:
        await accounts.offboard(
            session,
            user=user,
            actor=None,
            successor=await steward(session, client),
            address=address,
            client=client.name,
        )
    elif user.kind is AccountKind.CONTRACTOR:
        now = utcnow()
        if user.access_ends_at is None or user.access_ends_at > now:
            user.access_ends_at = now
        await accounts.end_access(session, user=user)
    record_audit(
        session,
        action="scim.user_deactivated",
        actor=None,
        target=user,
        address=address,
        client=client.name,
        kind=user.kind.value,
    )


async def _reactivate(
    session: AsyncSession, client: ScimClient, user: User, address: str | None
) -> None:
    """Only the client's kind and that kind's default clearance come back."""
    if user.kind is AccountKind.ALUMNI:
        user.kind = client.default_kind
        user.clearance = default_clearance(client.default_kind)
    if user.kind is AccountKind.CONTRACTOR:
        user.access_ends_at = None
        user.sponsor_warned_at = None
    user.is_active = True
    record_audit(
        session,
        action="scim.user_reactivated",
        actor=None,
        target=user,
        address=address,
        client=client.name,
        kind=user.kind.value,
        clearance=user.clearance.value,
    )
