"""Plain-language names and explanations of levels, account kinds and roles,
space kinds, visibilities and member roles, and languages: shown wherever a
badge appears."""

from app.i18n import lazy_gettext as _l
from app.levels import AccountKind, Language, Level, Role
from app.models.space import SpaceKind, SpaceRole, Visibility

LEVEL_LABELS = {
    Level.PUBLIC: _l("Public"),
    Level.INTERNAL: _l("Internal"),
    Level.CONFIDENTIAL: _l("Confidential"),
    Level.SECRET: _l("Secret"),
}

LEVEL_HELP = {
    Level.PUBLIC: _l("Anyone with an account may read it, alumni and contractors included."),
    Level.INTERNAL: _l("Employees only; alumni and contractors never see it."),
    Level.CONFIDENTIAL: _l("Employees cleared for confidential information only."),
    Level.SECRET: _l("Only the few people cleared for secret information."),
}

KIND_LABELS = {
    AccountKind.EMPLOYEE: _l("Employee"),
    AccountKind.ALUMNI: _l("Alumni"),
    AccountKind.CONTRACTOR: _l("Contractor"),
}

LANGUAGE_LABELS = {Language.FR: "Français", Language.EN: "English"}


def level_label(level: Level) -> str:
    return str(LEVEL_LABELS[level])


def level_help(level: Level) -> str:
    return str(LEVEL_HELP[level])


def kind_label(kind: AccountKind) -> str:
    return str(KIND_LABELS[kind])


def language_label(language: Language) -> str:
    return LANGUAGE_LABELS[language]


KIND_HELP = {
    AccountKind.EMPLOYEE: _l("A person of the company: reads what their clearance allows."),
    AccountKind.ALUMNI: _l(
        "A former employee: reads only public content, in the spaces they belong to."
    ),
    AccountKind.CONTRACTOR: _l(
        "An outside contractor sponsored by an employee, until an access end date: "
        "reads only public content, in the spaces they belong to."
    ),
}

ROLE_LABELS = {Role.MEMBER: _l("Member"), Role.ADMIN: _l("Administrator")}

SPACE_KIND_LABELS = {
    SpaceKind.PROJECT: _l("Project"),
    SpaceKind.TEAM: _l("Team"),
    SpaceKind.INNOVATION: _l("Innovation"),
    SpaceKind.COMMUNITY: _l("Community"),
}

SPACE_KIND_HELP = {
    SpaceKind.PROJECT: _l(
        "Work towards a result, with a start and an end; archived when the project is over."
    ),
    SpaceKind.TEAM: _l("The everyday space of a team or a department."),
    SpaceKind.INNOVATION: _l("Ideas and experiments shared across departments."),
    SpaceKind.COMMUNITY: _l("People who share a trade or an interest, whatever their team."),
}

VISIBILITY_LABELS = {
    Visibility.OPEN: _l("Open"),
    Visibility.PRIVATE: _l("Private"),
    Visibility.SECRET: _l("Secret"),
}

VISIBILITY_HELP = {
    Visibility.OPEN: _l(
        "Every employee can find it, read it and join it. Alumni and contractors "
        "see it only if they are members."
    ),
    Visibility.PRIVATE: _l(
        "Listed in the directory for employees, but only members read it. "
        "Joining takes a request that a moderator approves."
    ),
    Visibility.SECRET: _l(
        "Unlisted: only its members know it exists. Joining is by invitation only."
    ),
}

SPACE_ROLE_LABELS = {
    SpaceRole.OWNER: _l("Owner"),
    SpaceRole.MODERATOR: _l("Moderator"),
    SpaceRole.MEMBER: _l("Member"),
}

SPACE_ROLE_HELP = {
    SpaceRole.OWNER: _l(
        "Manages the space, its settings and its members; a space always keeps at least one."
    ),
    SpaceRole.MODERATOR: _l("Manages members, join requests and invitations."),
    SpaceRole.MEMBER: _l("Reads the space and takes part."),
}


def kind_help(kind: AccountKind) -> str:
    return str(KIND_HELP[kind])


def role_label(role: Role) -> str:
    return str(ROLE_LABELS[role])


def space_kind_label(kind: SpaceKind) -> str:
    return str(SPACE_KIND_LABELS[kind])


def space_kind_help(kind: SpaceKind) -> str:
    return str(SPACE_KIND_HELP[kind])


def visibility_label(visibility: Visibility) -> str:
    return str(VISIBILITY_LABELS[visibility])


def visibility_help(visibility: Visibility) -> str:
    return str(VISIBILITY_HELP[visibility])


def space_role_label(role: SpaceRole) -> str:
    return str(SPACE_ROLE_LABELS[role])


def space_role_help(role: SpaceRole) -> str:
    return str(SPACE_ROLE_HELP[role])
