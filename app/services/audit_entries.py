"""The audit log told in sentences: "Julien Martin invited Marc Lambert to Atlas".

The log stores codes and ids (``membership.added``, target user 12, space 6);
administrators read people and spaces. Every action code the application
records has a sentence here, and a test fails when a new code has none. A
person or space named by an event is shown by name with a link while it
exists; a space the administrator may not know of (a secret space they are
not a member of, as ``access.visible_spaces`` says) is named only by its
visibility, and a deleted one neutrally."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import labels
from app.access import check_admin, visible_spaces
from app.dates import format_day
from app.i18n import gettext
from app.i18n import lazy_gettext as _l
from app.levels import AccountKind, Level, Role
from app.models import AccessToken, AuditEvent, Invitation, Space, User
from app.models.space import SpaceRole, Visibility

# One template per action code, or per variant of one ("code/variant", chosen by
# VARIANTS below). Placeholders: actor, target (a person), space, name, email.
SENTENCES = {
    "account.created": _l("%(actor)s created the account of %(target)s"),
    "account.updated": _l("%(actor)s changed the account of %(target)s"),
    "account.profile_changed": _l("%(actor)s changed the organisational profile of %(target)s"),
    "account.password_changed": _l("%(actor)s changed their password"),
    "account.offboarded": _l("%(actor)s offboarded %(target)s"),
    "account.access_ended": _l("The access of %(target)s ended on its planned date"),
    "auth.sign_in": _l("%(actor)s signed in"),
    "auth.sign_in_failed": _l("Failed sign-in to the account of %(target)s"),
    "auth.sign_in_failed/unknown": _l("Failed sign-in with an unknown address, %(email)s"),
    "identity.linked": _l("%(target)s's account was linked to their identity at %(name)s"),
    "identity.linked/created": _l(
        "The account of %(target)s was created at their first sign-in through %(name)s"
    ),
    "token.created": _l("%(actor)s created the access token %(name)s"),
    "token.revoked": _l("%(actor)s revoked the access token %(name)s"),
    "space.created": _l("%(actor)s created the space %(space)s"),
    "space.visibility_changed": _l("%(actor)s changed the visibility of %(space)s"),
    "space.archived": _l("%(actor)s archived %(space)s"),
    "space.unarchived": _l("%(actor)s took %(space)s out of the archives"),
    "space.ownership_transferred": _l("%(actor)s handed the ownership of %(space)s to %(target)s"),
    "space.ownership_transferred/offboarding": _l(
        "%(target)s became an owner of %(space)s, its last owner having been offboarded"
    ),
    "invitation.created": _l("%(actor)s invited %(target)s to %(space)s"),
    "invitation.created/email": _l("%(actor)s invited %(email)s to %(space)s"),
    "invitation.revoked": _l("%(actor)s withdrew an invitation to %(space)s"),
    "invitation.revoked/person": _l("%(actor)s withdrew the invitation of %(target)s to %(space)s"),
    "invitation.revoked/email": _l("%(actor)s withdrew the invitation of %(email)s to %(space)s"),
    "invitation.accepted": _l("%(actor)s accepted the invitation to %(space)s"),
    "invitation.declined": _l("%(actor)s declined the invitation to %(space)s"),
    "membership.added": _l("%(actor)s added %(target)s to %(space)s"),
    "membership.added/self": _l("%(actor)s joined %(space)s"),
    "membership.removed": _l("%(actor)s removed %(target)s from %(space)s"),
    "membership.left": _l("%(actor)s left %(space)s"),
    "membership.role_changed": _l("%(actor)s changed the role of %(target)s in %(space)s"),
    "charter.updated": _l("%(actor)s updated the charter"),
    "directory.synced": _l("%(actor)s synced the directory"),
    "directory.linked": _l("The account of %(target)s was linked to their directory entry"),
    "directory.profile_updated": _l("The directory updated the profile of %(target)s"),
    "directory.manager_changed": _l("The directory changed the manager of %(target)s"),
    "directory.returned": _l("%(target)s is enabled again in the directory"),
    "directory.withdrawn": _l("%(target)s was disabled again in the directory"),
    "directory.return_decided": _l("%(actor)s decided on the return of %(target)s"),
    "audit.exported": _l("%(actor)s exported the audit log"),
    "account.offboarded/scim": _l("%(client)s offboarded %(target)s"),
    "membership.removed/scim": _l("%(client)s removed %(target)s from %(space)s"),
    "scim.client_created": _l("%(actor)s created the SCIM client %(name)s"),
    "scim.client_revoked": _l("%(actor)s revoked the SCIM client %(name)s"),
    "scim.token_rotated": _l("%(actor)s gave the SCIM client %(name)s a new token"),
    "scim.user_created": _l("%(client)s created the account of %(target)s"),
    "scim.user_adopted": _l("%(client)s took on the existing account of %(target)s"),
    "scim.user_updated": _l("%(client)s changed the account of %(target)s"),
    "scim.user_deactivated": _l("%(client)s deactivated %(target)s"),
    "scim.user_reactivated": _l("%(client)s re-activated %(target)s"),
    "scim.user_deleted": _l("%(client)s stopped provisioning %(target)s"),
    "scim.group_created": _l("%(client)s created the group %(name)s"),
    "scim.group_updated": _l("%(client)s changed the group %(name)s"),
    "scim.group_deleted": _l("%(client)s deleted the group %(name)s"),
    "scim.group_linked": _l("%(actor)s changed the space the group %(name)s leads to"),
    "scim.space_granted": _l("%(client)s added %(target)s to %(space)s through a group"),
    "scim.space_refused": _l("%(client)s could not add %(target)s to %(space)s"),
}
# A code recorded by something this module does not know yet (a newer version's
# log read by an older one): still told, by its code.
UNKNOWN = _l("%(actor)s: %(action)s")

# Each chooses from the event and whom it concerns: a person's id, or an e-mail.
VARIANTS: dict[str, Callable[[AuditEvent, int | None, str | None], str | None]] = {
    "auth.sign_in_failed": lambda e, person, email: "unknown" if person is None else None,
    "space.ownership_transferred": lambda e, person, email: (
        "offboarding" if e.detail.get("reason") == "offboarding" else None
    ),
    "invitation.created": lambda e, person, email: "email" if person is None else None,
    "invitation.revoked": lambda e, person, email: (
        "person" if person is not None else "email" if email else None
    ),
    "membership.added": lambda e, person, email: "self" if e.actor_id == person else None,
    "identity.linked": lambda e, person, email: "created" if e.detail.get("created") else None,
    "account.offboarded": lambda e, person, email: "scim" if e.detail.get("client") else None,
    "membership.removed": lambda e, person, email: "scim" if e.detail.get("client") else None,
}

# What the action filter offers: kinds of actions, each a code prefix.
ACTION_GROUPS = {
    "account": _l("Accounts"),
    "auth": _l("Sign-ins"),
    "identity": _l("Company identities"),
    "token": _l("Access tokens"),
    "space": _l("Spaces"),
    "invitation": _l("Invitations"),
    "membership": _l("Memberships"),
    "scim": _l("Provisioning (SCIM)"),
    "charter": _l("Charter"),
    "directory": _l("Directory"),
    "audit": _l("Audit log"),
}
ACTION_LABELS = {
    "account.created": _l("Account created"),
    "account.updated": _l("Account changed"),
    "account.profile_changed": _l("Organisational profile changed"),
    "account.password_changed": _l("Password changed"),
    "account.offboarded": _l("Offboarding"),
    "account.access_ended": _l("Contractor's access ended"),
    "auth.sign_in": _l("Sign-in"),
    "auth.sign_in_failed": _l("Failed sign-in"),
    "identity.linked": _l("Company identity linked"),
    "token.created": _l("Access token created"),
    "token.revoked": _l("Access token revoked"),
    "space.created": _l("Space created"),
    "space.visibility_changed": _l("Visibility changed"),
    "space.archived": _l("Space archived"),
    "space.unarchived": _l("Space taken out of the archives"),
    "space.ownership_transferred": _l("Ownership handed over"),
    "invitation.created": _l("Invitation sent"),
    "invitation.revoked": _l("Invitation withdrawn"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.declined": _l("Invitation declined"),
    "membership.added": _l("Member added"),
    "membership.removed": _l("Member removed"),
    "membership.left": _l("Member left"),
    "membership.role_changed": _l("Member's role changed"),
    "charter.updated": _l("Charter updated"),
    "directory.synced": _l("Directory synced"),
    "directory.linked": _l("Linked to the directory"),
    "directory.profile_updated": _l("Profile updated by the directory"),
    "directory.manager_changed": _l("Manager changed by the directory"),
    "directory.returned": _l("Enabled again in the directory"),
    "directory.withdrawn": _l("Disabled again in the directory"),
    "directory.return_decided": _l("Decision on a return"),
    "audit.exported": _l("Audit log exported"),
    "scim.client_created": _l("SCIM client created"),
    "scim.client_revoked": _l("SCIM client revoked"),
    "scim.token_rotated": _l("SCIM token replaced"),
    "scim.user_created": _l("Account provisioned"),
    "scim.user_adopted": _l("Existing account taken on"),
    "scim.user_updated": _l("Provisioned account changed"),
    "scim.user_deactivated": _l("Provisioned account deactivated"),
    "scim.user_reactivated": _l("Provisioned account re-activated"),
    "scim.user_deleted": _l("Provisioning stopped"),
    "scim.group_created": _l("Group provisioned"),
    "scim.group_updated": _l("Group changed"),
    "scim.group_deleted": _l("Group deleted"),
    "scim.group_linked": _l("Group linked to a space"),
    "scim.space_granted": _l("Space joined through a group"),
    "scim.space_refused": _l("Space refused to a group member"),
}


def action_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The action filter's options: (group, its label, [(code, its label)])."""
    return [
        (
            group,
            str(label),
            [
                (code, str(name))
                for code, name in ACTION_LABELS.items()
                if code.split(".", 1)[0] == group
            ],
        )
        for group, label in ACTION_GROUPS.items()
    ]


@dataclass(frozen=True)
class Ref:
    """A person or space in a sentence: its name, and its page while it exists."""

    label: str
    url: str | None = None

    def html(self) -> Markup:
        if self.url is None:
            return escape(self.label)
        return Markup('<a href="{}">{}</a>').format(self.url, self.label)


@dataclass
class Entry:
    event: AuditEvent
    key: str  # the sentence's key in SENTENCES
    template: str
    refs: dict[str, Ref]
    details: list[str] = field(default_factory=list)

    def text(self) -> str:
        return self.template % {key: ref.label for key, ref in self.refs.items()}

    def html(self) -> Markup:
        return escape(self.template) % {key: ref.html() for key, ref in self.refs.items()}


@dataclass
class Names:
    """The people, spaces, tokens and invitations a page of events names, loaded
    in one go."""

    people: dict[int, User]
    spaces: dict[int, tuple[str, bool]]  # name, and whether the viewer may know of it
    tokens: dict[int, str]
    invitations: dict[int, tuple[int | None, str | None]]  # invitee, or e-mail invited

    def person(self, user_id: int | None, *, nobody: str) -> Ref:
        if user_id is None:
            return Ref(nobody)
        user = self.people.get(user_id)
        if user is None:
            return Ref(gettext("a deleted account"))
        return Ref(user.display_name, f"/admin/users/{user.id}")

    def space(self, space_id: int | None) -> Ref:
        if space_id is None or space_id not in self.spaces:
            return Ref(gettext("a deleted space"))
        name, visible = self.spaces[space_id]
        if not visible:
            return Ref(gettext("a secret space you are not a member of"))
        return Ref(name, f"/spaces/{space_id}")

    def space_names(self, space_ids: Iterable[int]) -> str:
        return ", ".join(self.space(space_id).label for space_id in space_ids)


def _space_id(event: AuditEvent) -> int | None:
    if event.target_type == "space":
        return event.target_id
    return event.detail.get("space_id")


def _person_id(event: AuditEvent) -> int | None:
    if event.target_type == "user":
        return event.target_id
    return event.detail.get("new_owner_id")


def _managers_named(event: AuditEvent) -> list[int]:
    """The managers a change of organisational profile names, before and after."""
    states = (event.detail.get("before"), event.detail.get("after"))
    return [s["manager_id"] for s in states if isinstance(s, dict) and s.get("manager_id")]


def _concerned(event: AuditEvent, names: Names) -> tuple[int | None, str | None]:
    """Whom the event concerns: a person's id, or an e-mail without an account
    (an invitation's, read from the invitation when the event names only it)."""
    if event.target_type == "invitation":
        return names.invitations.get(event.target_id, (None, None))
    return _person_id(event), event.detail.get("email")


async def load_names(session: AsyncSession, *, viewer: User, events: list[AuditEvent]) -> Names:
    check_admin(viewer)
    people = {e.actor_id for e in events} | {_person_id(e) for e in events}
    spaces = {_space_id(e) for e in events}
    for event in events:
        spaces |= set(event.detail.get("ended_space_ids") or ())
        people |= set(event.detail.get("person_ids") or ())
        people |= set(_managers_named(event))
    tokens = {e.target_id for e in events if e.target_type == "token"}
    invitations = {e.target_id for e in events if e.target_type == "invitation"}
    names = Names({}, {}, {}, {})
    if invitations:
        rows = await session.execute(
            select(Invitation.id, Invitation.invitee_id, Invitation.email).where(
                Invitation.id.in_(invitations)
            )
        )
        names.invitations = {row[0]: (row[1], row[2]) for row in rows}
        people |= {invitee for invitee, _email in names.invitations.values()}
    people.discard(None)
    spaces.discard(None)
    tokens.discard(None)
    if people:
        found = await session.scalars(select(User).where(User.id.in_(people)))
        names.people = {user.id: user for user in found}
    if spaces:
        visible = case((visible_spaces(viewer), True), else_=False)
        rows = await session.execute(
            select(Space.id, Space.name, visible).where(Space.id.in_(spaces))
        )
        names.spaces = {row[0]: (row[1], bool(row[2])) for row in rows}
    if tokens:
        rows = await session.execute(
            select(AccessToken.id, AccessToken.name).where(AccessToken.id.in_(tokens))
        )
        names.tokens = {row[0]: row[1] for row in rows}
    return names


def _quoted(text: str) -> str:
    return gettext("“%(text)s”") % {"text": text}


def _value(key: str, value: Any) -> str:
    """One recorded value in words: a level, a kind, a role, a date..."""
    if value is None or value == "":
        return gettext("none")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if key.endswith("_ids") and isinstance(value, list):
        return ", ".join(f"#{each}" for each in value)
    enums = {
        "clearance": (Level, labels.level_label),
        "kind": (AccountKind, labels.kind_label),
        "external_kind": (AccountKind, labels.kind_label),
        "default_kind": (AccountKind, labels.kind_label),
        "visibility": (Visibility, labels.visibility_label),
    }
    if key in enums:
        enum, label = enums[key]
        if value in enum._value2member_map_:
            return label(enum(value))
    if key == "role":
        if value in Role._value2member_map_:
            return labels.role_label(Role(value))
        if value in SpaceRole._value2member_map_:
            return labels.space_role_label(SpaceRole(value))
    if key.endswith("_at") and isinstance(value, str):
        return format_day(datetime.fromisoformat(value))
    if key == "actions":
        return str(ACTION_LABELS.get(value) or ACTION_GROUPS.get(value) or value)
    if key == "sign_ins":
        return gettext("yes")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


FIELD_NAMES = {
    "kind": _l("Kind"),
    "role": _l("Role"),
    "clearance": _l("Clearance"),
    "is_active": _l("Active"),
    "access_ends_at": _l("Access ends"),
    "stopped_webhook_ids": _l("Webhooks stopped"),
    "stopped_incoming_hook_ids": _l("Incoming webhooks stopped"),
    "visibility": _l("Visibility"),
    "external_kind": _l("Invited as"),
    "scopes": _l("Rights"),
    "actions": _l("Action"),
    "since": _l("From"),
    "until": _l("To (included)"),
    "sign_ins": _l("Successful sign-ins included"),
    "person_ids": _l("People"),
    "job_title": _l("Job title"),
    "department": _l("Department"),
    "site": _l("Site"),
    "manager_id": _l("Manager"),
    "organisation": _l("Organisation"),
    "joined_year": _l("Joined in"),
    "left_year": _l("Left in"),
    "provider": _l("Identity provider"),
    "subject": _l("Identifier there"),
    "default_kind": _l("Accounts it creates"),
    "changed": _l("Changed"),
}
# Recorded to link events together, or said by the sentence already (an
# e-mail: by the person it names, or by itself).
UNSAID = {
    "space_id",
    "invitation_id",
    "new_owner_id",
    "name",
    "email",
    "reason",
    "created",
    "client",
    "group_id",
}


def _change(key: str, before: Any, after: Any, names: Names) -> str:
    def said(value: Any) -> str:
        if key == "manager_id" and value is not None:
            return names.person(value, nobody="").label
        return _value(key, value)

    return gettext("%(field)s: %(before)s → %(after)s") % {
        "field": str(FIELD_NAMES.get(key, key)),
        "before": said(before),
        "after": said(after),
    }


def _details(event: AuditEvent, names: Names) -> list[str]:
    detail = dict(event.detail)
    lines = []
    before, after = detail.pop("before", None), detail.pop("after", None)
    if isinstance(after, dict):  # several fields of an account
        lines += [
            _change(key, (before or {}).get(key), value, names) for key, value in after.items()
        ]
    elif after is not None:  # one value: a visibility, a member's role
        key = "visibility" if event.action.startswith("space.") else "role"
        lines.append(_change(key, before, after, names))
    elif isinstance(before, dict):  # what an offboarded account was
        lines.append(
            gettext("Before: %(state)s")
            % {"state": ", ".join(_value(key, value) for key, value in before.items())}
        )
    ended = detail.pop("ended_space_ids", None)
    if ended:
        lines.append(
            gettext("Left the spaces closed to externals: %(spaces)s")
            % {"spaces": names.space_names(ended)}
        )
    people = detail.pop("person_ids", None)
    if people:
        lines.append(
            gettext("%(field)s: %(value)s")
            % {
                "field": str(FIELD_NAMES["person_ids"]),
                "value": ", ".join(names.person(user_id, nobody="").label for user_id in people),
            }
        )
    for key, value in detail.items():
        if value is None or key in UNSAID:
            continue
        lines.append(
            gettext("%(field)s: %(value)s")
            % {"field": str(FIELD_NAMES.get(key, key)), "value": _value(key, value)}
        )
    return lines


def describe(event: AuditEvent, names: Names) -> Entry:
    person_id, email = _concerned(event, names)
    choose = VARIANTS.get(event.action)
    variant = choose(event, person_id, email) if choose else None
    key = f"{event.action}/{variant}" if variant else event.action
    # A token's name: as recorded at its creation, else as the token row keeps it.
    name = event.detail.get("name") or (
        names.tokens.get(event.target_id) if event.target_type == "token" else None
    )
    refs = {
        "actor": names.person(event.actor_id, nobody="Ruche"),
        "target": names.person(person_id, nobody=gettext("someone")),
        "space": names.space(_space_id(event)),
        "name": Ref(_quoted(name) if name else gettext("(name unknown)")),
        "email": Ref(email or ""),
        "action": Ref(event.action),
        # The identity provider that provisioned, for the scim.* codes.
        "client": Ref(_quoted(event.detail.get("client") or "SCIM")),
    }
    template = SENTENCES.get(key, UNKNOWN)
    return Entry(event, key, str(template), refs, _details(event, names))


async def describe_all(
    session: AsyncSession, *, viewer: User, events: list[AuditEvent]
) -> list[Entry]:
    names = await load_names(session, viewer=viewer, events=events)
    return [describe(event, names) for event in events]
