"""From what the directory says (reading.py) to Ruche's accounts: one plan of
changes, computed from reads only, then applied unless it is a dry run. The
same plan is what a dry run shows and what a real run writes to the audit log.

People are matched by their identity link ("ldap:<directory>", entryUUID or
objectGUID); an entry not linked yet is linked to the account that has its
e-mail address, else gets a new account (docs/directory.md says why matching by
address is sound here)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.levels import AccountKind
from app.models import IdentityLink, Membership, Space, SpaceRole, User
from app.models.directory import DirectoryDeparture, DirectoryGrant
from app.models.user import normalise_email
from app.services.accounts import (
    create_account,
    deactivate_account,
    longest_standing_admin,
    offboard,
)
from app.services.audit import record_audit
from app.services.directory.reading import DirectoryError, DirectoryPerson, DirectorySnapshot
from app.services.memberships import add_member, end_membership

# The profile fields the directory fills (the manager apart).
PROFILE_FIELDS = ("display_name", "email", "job_title", "department", "site", "phone")
# A directory can name its people only: these are never blanked by it.
REQUIRED_FIELDS = {"display_name", "email"}
# Addresses looked up in one statement, under every database's parameter limit.
CHUNK = 500


@dataclass
class Change:
    """One change of a sync. ``action`` is one of create, link, update, manager,
    offboard, end_access, returned, withdrawn, grant, revoke, skipped."""

    action: str
    person: str  # as shown: "Name <address>"
    subject: str | None = None
    user: User | None = None
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    space: Space | None = None
    role: SpaceRole | None = None
    manager_subject: str | None = None
    note: str = ""

    def as_record(self) -> dict[str, Any]:
        """What the run keeps and the audit log says: names, never objects."""
        record = {"action": self.action, "person": self.person}
        if self.user is not None and self.user.id is not None:
            record["user_id"] = self.user.id
        for key in ("subject", "before", "after", "note"):
            if getattr(self, key):
                record[key] = getattr(self, key)
        if self.space is not None:
            record |= {"space_id": self.space.id, "space": self.space.name}
        if self.role is not None:
            record["role"] = self.role.value
        return record


def label(fields: dict[str, str], user: User | None = None) -> str:
    name = fields.get("display_name") or (user.display_name if user else "")
    email = fields.get("email") or (user.email if user else "")
    return f"{name} <{email}>" if name else f"<{email}>"


async def sync_directory(
    session: AsyncSession,
    *,
    settings: Settings,
    snapshot: DirectorySnapshot,
    dry_run: bool,
    now: datetime,
) -> list[Change]:
    changes = await plan_changes(session, settings=settings, snapshot=snapshot)
    if not dry_run:
        await apply_changes(session, settings=settings, changes=changes, now=now)
    return changes


async def plan_changes(
    session: AsyncSession, *, settings: Settings, snapshot: DirectorySnapshot
) -> list[Change]:
    if not snapshot.people:
        # A wrong base DN or filter must not offboard the whole company.
        raise DirectoryError("the directory answered nobody: nothing was changed")
    planner = _Planner(session, settings, snapshot)
    await planner.load()
    for person in snapshot.people:
        await planner.plan_person(person)
    planner.plan_removed()
    if settings.ldap_attribute_map.get("manager"):
        planner.plan_managers()
    await planner.plan_groups()
    return planner.changes


class _Planner:
    def __init__(self, session: AsyncSession, settings: Settings, snapshot: DirectorySnapshot):
        self.session, self.settings, self.snapshot = session, settings, snapshot
        self.changes: list[Change] = []
        # The directory's subject -> its account, once linked (or to be linked).
        self.user_of: dict[str, User] = {}
        self.new_subjects: set[str] = set()
        self.person_of = {person.subject: person for person in snapshot.people}

    async def load(self) -> None:
        rows = await self.session.execute(
            select(IdentityLink.subject, User)
            .join(User, User.id == IdentityLink.user_id)
            .where(IdentityLink.provider == self.settings.ldap_provider)
        )
        self.linked = {subject: user for subject, user in rows.all()}
        self.linked_ids = {user.id for user in self.linked.values()}
        addresses = [
            normalise_email(person.fields["email"])
            for person in self.snapshot.people
            if person.subject not in self.linked and person.fields.get("email")
        ]
        self.by_email = {user.email: user for user in await self._users_by_email(addresses)}
        self.departures = {
            departure.user_id: departure
            for departure in await self.session.scalars(
                select(DirectoryDeparture).where(
                    DirectoryDeparture.directory == self.settings.ldap_name
                )
            )
        }
        self.new_emails: set[str] = set()

    async def _users_by_email(self, addresses: list[str]) -> list[User]:
        found = []
        for start in range(0, len(addresses), CHUNK):
            chunk = addresses[start : start + CHUNK]
            found += (await self.session.scalars(select(User).where(User.email.in_(chunk)))).all()
        return found

    def add(self, change: Change) -> None:
        self.changes.append(change)

    async def plan_person(self, person: DirectoryPerson) -> None:
        user = self.linked.get(person.subject)
        if user is None:
            user = self._match_by_email(person)
            if user is None:
                return
        self.user_of[person.subject] = user
        departure = self.departures.get(user.id)
        if not person.enabled:
            self._plan_departure(user, departure)
            return
        await self._plan_profile(person, user)
        if departure is not None and departure.returned_at is None:
            self.add(Change("returned", label(person.fields, user), person.subject, user))

    def _match_by_email(self, person: DirectoryPerson) -> User | None:
        """Only an enabled entry is matched by its address: a former employee's
        disabled entry often keeps the address a returning or new one now uses."""
        if not person.enabled:
            return None
        email = normalise_email(person.fields.get("email", ""))
        candidate = self.by_email.get(email)
        shown = label(person.fields)
        if candidate is not None and candidate.id in self.linked_ids:
            self.add(Change("skipped", shown, person.subject, note="email_linked_elsewhere"))
            return None
        if candidate is not None:
            self.linked_ids.add(candidate.id)
            self.add(Change("link", shown, person.subject, candidate))
            return candidate
        if not email or email in self.new_emails:
            note = "no_email" if not email else "duplicate_email"
            self.add(Change("skipped", shown, person.subject, note=note))
            return None
        self.new_emails.add(email)
        self.new_subjects.add(person.subject)
        self.add(Change("create", shown, person.subject, after=dict(person.fields)))
        return None

    async def _plan_profile(self, person: DirectoryPerson, user: User) -> None:
        before, after = {}, {}
        mapped = self.settings.ldap_attribute_map
        for name in PROFILE_FIELDS:
            if not mapped.get(name):
                continue
            value = person.fields.get(name, "")
            if name == "email":
                value = normalise_email(value)
            if (name in REQUIRED_FIELDS and not value) or getattr(user, name) == value:
                continue
            if name == "email" and await self._email_taken(value, user):
                self.add(
                    Change(
                        "skipped",
                        label(person.fields, user),
                        person.subject,
                        user,
                        note="email_taken",
                    )
                )
                continue
            before[name], after[name] = getattr(user, name), value
        if after:
            self.add(
                Change("update", label(person.fields, user), person.subject, user, before, after)
            )

    async def _email_taken(self, email: str, user: User) -> bool:
        return bool(
            await self.session.scalar(
                select(User.id).where(User.email == email, User.id != user.id)
            )
        )

    def _plan_departure(self, user: User, departure: DirectoryDeparture | None) -> None:
        shown = label({}, user)
        if user.is_active and user.kind is AccountKind.EMPLOYEE:
            self.add(Change("offboard", shown, user=user))
        elif user.is_active and user.kind is AccountKind.CONTRACTOR:
            self.add(Change("end_access", shown, user=user))
        elif departure is not None and departure.returned_at is not None:
            # Back, then gone again before anyone decided: nothing left to decide.
            self.add(Change("withdrawn", shown, user=user))

    def plan_removed(self) -> None:
        listed = {person.subject for person in self.snapshot.people}
        for subject, user in self.linked.items():
            if subject not in listed:
                self._plan_departure(user, self.departures.get(user.id))

    def plan_managers(self) -> None:
        subject_at = {person.dn: person.subject for person in self.snapshot.people}
        known = self.user_of.keys() | self.new_subjects
        for person in self.snapshot.people:
            if not person.enabled or person.subject not in known:
                continue
            if person.manager_dn is None:
                manager_subject = None
            elif person.manager_dn in subject_at:
                manager_subject = subject_at[person.manager_dn]
            else:
                continue  # a manager outside the synced branches: left as it is
            user = self.user_of.get(person.subject)
            manager = self.user_of.get(manager_subject) if manager_subject else None
            if user is None and manager_subject is None:
                continue  # a new account has no manager yet
            if (
                user is not None
                and manager_subject not in self.new_subjects
                and user.manager_id == (manager.id if manager else None)
            ):
                continue
            self.add(
                Change(
                    "manager",
                    label(person.fields, user),
                    person.subject,
                    user,
                    before={"manager_id": user.manager_id} if user else {},
                    after={"manager": self._shown(manager_subject)} if manager_subject else {},
                    manager_subject=manager_subject,
                )
            )

    def _shown(self, subject: str) -> str:
        return label(self.person_of[subject].fields, self.user_of.get(subject))

    async def plan_groups(self) -> None:
        """Members of a mapped group join its space; those the sync let in and who
        left every group of that space leave it. A space one of whose groups
        could not be read loses nobody this time."""
        spaces = await self._mapped_spaces()
        subject_at = {p.dn: p for p in self.snapshot.people if p.enabled}
        wanted: dict[int, dict[str, SpaceRole]] = {space_id: {} for space_id in spaces}
        unsure = set()
        for group_dn, mapping in self.settings.ldap_groups.items():
            if mapping.space_id not in spaces:
                continue
            if group_dn in self.snapshot.missing_groups:
                unsure.add(mapping.space_id)
                continue
            role = SpaceRole(mapping.role)
            for member_dn in self.snapshot.groups.get(group_dn, ()):
                person = subject_at.get(member_dn)
                if person is None:
                    continue
                held = wanted[mapping.space_id].get(person.subject)
                if held is not SpaceRole.MODERATOR:  # of two groups, the higher role
                    wanted[mapping.space_id][person.subject] = role
        members = await self._memberships(spaces)
        for space_id, roles in wanted.items():
            for subject, role in roles.items():
                user = self.user_of.get(subject)
                if user is not None and (
                    (space_id, user.id) in members or not self._may_be_granted(user)
                ):
                    continue
                if user is None and subject not in self.new_subjects:
                    continue
                self.add(
                    Change(
                        "grant",
                        self._shown(subject),
                        subject,
                        user,
                        space=spaces[space_id],
                        role=role,
                    )
                )
        subject_of_user = {user.id: subject for subject, user in self.user_of.items()}
        grants = await self.session.scalars(
            select(DirectoryGrant).where(DirectoryGrant.directory == self.settings.ldap_name)
        )
        for grant in grants:
            subject = subject_of_user.get(grant.user_id)
            if grant.space_id in unsure or subject in wanted.get(grant.space_id, {}):
                continue
            user = await self.session.get(User, grant.user_id)
            space = spaces.get(grant.space_id) or await self.session.get(Space, grant.space_id)
            self.add(Change("revoke", label({}, user), subject, user, space=space, role=grant.role))

    def _may_be_granted(self, user: User) -> bool:
        """The directory lists the company's employees: an account it made
        external (or an administrator did) is not let into spaces by it."""
        return user.is_active and user.kind is AccountKind.EMPLOYEE

    async def _mapped_spaces(self) -> dict[int, Space]:
        space_ids = {mapping.space_id for mapping in self.settings.ldap_groups.values()}
        found = await self.session.scalars(select(Space).where(Space.id.in_(space_ids)))
        spaces = {space.id: space for space in found}
        for space_id in sorted(space_ids - spaces.keys()):
            self.add(Change("skipped", "", note="space_missing", after={"space_id": space_id}))
        return spaces

    async def _memberships(self, spaces: Iterable[int]) -> set[tuple[int, int]]:
        rows = await self.session.execute(
            select(Membership.space_id, Membership.user_id).where(
                Membership.space_id.in_(list(spaces))
            )
        )
        return {(space_id, user_id) for space_id, user_id in rows.all()}


async def apply_changes(
    session: AsyncSession, *, settings: Settings, changes: list[Change], now: datetime
) -> None:
    """In the plan's order: accounts first, so that managers and memberships
    find the accounts just created."""
    successor = await longest_standing_admin(session)
    created: dict[str, User] = {}
    for change in sorted(changes, key=lambda change: ORDER[change.action]):
        if change.user is None and change.subject in created:
            change.user = created[change.subject]
        await APPLY[change.action](session, settings, change, now, successor, created)
    await session.flush()


def _audit(session: AsyncSession, settings: Settings, change: Change, *, action: str) -> None:
    """For the changes no other service writes to the audit log (accounts created,
    offboardings, memberships are logged by theirs, the sync as their actor)."""
    shown = {k: v for k, v in change.as_record().items() if k not in ("action", "user_id")}
    record_audit(
        session,
        action=action,
        actor=None,
        target=change.user,
        directory=settings.ldap_name,
        **shown,
    )


async def _create(session, settings, change, now, successor, created) -> None:
    fields = change.after
    user = await create_account(
        session,
        email=fields["email"],
        display_name=fields.get("display_name") or fields["email"],
        password=None,
    )
    for name in PROFILE_FIELDS:
        if name not in REQUIRED_FIELDS and fields.get(name):
            setattr(user, name, fields[name])
    session.add(
        IdentityLink(provider=settings.ldap_provider, subject=change.subject, user_id=user.id)
    )
    created[change.subject] = change.user = user


async def _link(session, settings, change, now, successor, created) -> None:
    session.add(
        IdentityLink(
            provider=settings.ldap_provider, subject=change.subject, user_id=change.user.id
        )
    )
    _audit(session, settings, change, action="directory.linked")


async def _update(session, settings, change, now, successor, created) -> None:
    for name, value in change.after.items():
        setattr(change.user, name, value)
    _audit(session, settings, change, action="directory.profile_updated")


async def _manager(session, settings, change, now, successor, created) -> None:
    await session.flush()
    manager = None
    if change.manager_subject is not None:
        manager = created.get(change.manager_subject) or await _linked_user(
            session, settings, change.manager_subject
        )
    change.user.manager_id = manager.id if manager else None
    _audit(session, settings, change, action="directory.manager_changed")


async def _linked_user(session, settings, subject: str) -> User | None:
    return await session.scalar(
        select(User)
        .join(IdentityLink, IdentityLink.user_id == User.id)
        .where(IdentityLink.provider == settings.ldap_provider, IdentityLink.subject == subject)
    )


async def _offboard(session, settings, change, now, successor, created) -> None:
    former_kind = change.user.kind
    await offboard(session, user=change.user, actor=None, successor=successor, source="directory")
    await _record_departure(session, settings, change.user, former_kind, now)


async def _end_access(session, settings, change, now, successor, created) -> None:
    await deactivate_account(session, user=change.user)
    record_audit(
        session, action="account.access_ended", actor=None, target=change.user, source="directory"
    )
    await _record_departure(session, settings, change.user, AccountKind.CONTRACTOR, now)


async def _record_departure(session, settings, user: User, former_kind, now: datetime) -> None:
    departure = await session.get(DirectoryDeparture, (settings.ldap_name, user.id))
    if departure is None:
        departure = DirectoryDeparture(directory=settings.ldap_name, user_id=user.id)
        session.add(departure)
    departure.former_kind, departure.departed_at, departure.returned_at = former_kind, now, None


async def _returned(session, settings, change, now, successor, created) -> None:
    departure = await session.get(DirectoryDeparture, (settings.ldap_name, change.user.id))
    departure.returned_at = now
    _audit(session, settings, change, action="directory.returned")


async def _withdrawn(session, settings, change, now, successor, created) -> None:
    departure = await session.get(DirectoryDeparture, (settings.ldap_name, change.user.id))
    departure.returned_at = None
    _audit(session, settings, change, action="directory.withdrawn")


async def _grant(session, settings, change, now, successor, created) -> None:
    await add_member(session, space=change.space, user=change.user, role=change.role, actor=None)
    session.add(
        DirectoryGrant(
            directory=settings.ldap_name,
            space_id=change.space.id,
            user_id=change.user.id,
            role=change.role,
        )
    )


async def _revoke(session, settings, change, now, successor, created) -> None:
    """An owner stays: someone made them one since, a person's decision."""
    grant = await session.get(DirectoryGrant, (settings.ldap_name, change.space.id, change.user.id))
    await session.delete(grant)
    membership = await session.get(Membership, (change.space.id, change.user.id))
    if membership is not None and membership.role is not SpaceRole.OWNER:
        await end_membership(
            session,
            membership,
            actor=None,
            target=change.user,
            action="membership.removed",
            address=None,
        )


async def _skipped(session, settings, change, now, successor, created) -> None:
    """Shown in the run's changes, for an administrator to fix in the directory."""


APPLY = {
    "create": _create,
    "link": _link,
    "update": _update,
    "offboard": _offboard,
    "end_access": _end_access,
    "returned": _returned,
    "withdrawn": _withdrawn,
    "manager": _manager,
    "grant": _grant,
    "revoke": _revoke,
    "skipped": _skipped,
}
ORDER = {action: rank for rank, action in enumerate(APPLY)}
