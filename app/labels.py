"""Plain-language names and explanations of levels, account kinds and roles,
space kinds, visibilities and member roles, and languages: shown wherever a
badge appears."""

from babel.numbers import format_decimal

from app.files import kinds
from app.i18n import current_language, ngettext
from app.i18n import lazy_gettext as _l
from app.levels import AccountKind, Language, Level, Role
from app.models import IdeaStatus, NotificationKind, PostKind, ReactionKind, TaskStatus
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


TASK_STATUS_LABELS = {
    TaskStatus.TODO: _l("To do"),
    TaskStatus.DOING: _l("Doing"),
    TaskStatus.DONE: _l("Done"),
}


def task_status_label(status: TaskStatus) -> str:
    return str(TASK_STATUS_LABELS[TaskStatus(status)])


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


# --- the activity stream ------------------------------------------------------

REACTION_LABELS = {
    ReactionKind.LIKE: _l("Like"),
    ReactionKind.CELEBRATE: _l("Celebrate"),
    ReactionKind.SUPPORT: _l("Support"),
    ReactionKind.INSIGHTFUL: _l("Insightful"),
    ReactionKind.CURIOUS: _l("Curious"),
}

# Decoration beside the words, never instead of them.
REACTION_SYMBOLS = {
    ReactionKind.LIKE: "👍",
    ReactionKind.CELEBRATE: "🎉",
    ReactionKind.SUPPORT: "🤝",
    ReactionKind.INSIGHTFUL: "💡",
    ReactionKind.CURIOUS: "🤔",
}

POST_KIND_LABELS = {
    PostKind.ORDINARY: _l("Post"),
    PostKind.QUESTION: _l("Question"),
    PostKind.POLL: _l("Poll"),
    PostKind.ANNOUNCEMENT: _l("Announcement"),
    PostKind.IDEA: _l("Idea"),
}

POST_KIND_HELP = {
    PostKind.ORDINARY: _l("News, an idea, a link: anything worth sharing."),
    PostKind.QUESTION: _l("Ask for help; you will mark the answer that solved it."),
    PostKind.POLL: _l("Let people vote between options."),
    PostKind.ANNOUNCEMENT: _l("Official news that readers confirm they have read."),
    PostKind.IDEA: _l("A proposal in an idea campaign, with its votes and its status."),
}

NOTIFICATION_KIND_LABELS = {
    NotificationKind.MENTION: _l("Someone mentions me"),
    NotificationKind.REPLY: _l("Someone replies to my post or comment"),
    NotificationKind.REACTION: _l("Someone reacts to my post or comment"),
    NotificationKind.ANNOUNCEMENT: _l("An announcement asks me to confirm I read it"),
    NotificationKind.ACCEPTED_ANSWER: _l("My answer is accepted"),
    NotificationKind.INVITATION: _l("I am invited to a space"),
    NotificationKind.INVITATION_ANSWERED: _l("Someone answers my invitation"),
    NotificationKind.JOIN_REQUEST: _l("Someone asks to join a space I manage"),
    NotificationKind.JOIN_REQUEST_DECIDED: _l("My request to join a space is answered"),
    NotificationKind.CONTRACTOR_ACCESS_ENDING: _l("The access of a contractor I sponsor ends soon"),
    NotificationKind.WIKI_PAGE_CHANGED: _l("A wiki page I watch is changed"),
    NotificationKind.EVENT_INVITATION: _l("I am invited to an event"),
    NotificationKind.EVENT_CANCELLED: _l("An event I answered is cancelled"),
    NotificationKind.EVENT_SEAT: _l("A seat I waited for at an event is mine"),
    NotificationKind.EVENT_REMINDER: _l("An event I go to is about to start"),
    NotificationKind.TASK_ASSIGNED: _l("Someone assigns me a task"),
    NotificationKind.TASK_OVERDUE: _l("A task assigned to me is late"),
    NotificationKind.IDEA_MOVED: _l("An idea I proposed or voted on changes status"),
    NotificationKind.WEBHOOK_DISABLED: _l("A webhook I added is disabled after failing"),
}


def reaction_label(kind: ReactionKind | str) -> str:
    return str(REACTION_LABELS[ReactionKind(kind)])


def reaction_symbol(kind: ReactionKind | str) -> str:
    return REACTION_SYMBOLS[ReactionKind(kind)]


def post_kind_label(kind: PostKind) -> str:
    return str(POST_KIND_LABELS[kind])


def post_kind_help(kind: PostKind) -> str:
    return str(POST_KIND_HELP[kind])


IDEA_STATUS_LABELS = {
    IdeaStatus.NEW: _l("New"),
    IdeaStatus.UNDER_REVIEW: _l("Under review"),
    IdeaStatus.ACCEPTED: _l("Accepted"),
    IdeaStatus.DECLINED: _l("Declined"),
    IdeaStatus.IMPLEMENTED: _l("Implemented"),
}


def idea_status_label(status: IdeaStatus | str) -> str:
    return str(IDEA_STATUS_LABELS[IdeaStatus(status)])


def notification_kind_label(kind: NotificationKind | str) -> str:
    return str(NOTIFICATION_KIND_LABELS[NotificationKind(kind)])


DIGEST_LABELS = {
    "none": _l("No digest"),
    "daily": _l("Every morning"),
    "weekly": _l("Every Monday morning"),
}


def digest_label(digest: str) -> str:
    return str(DIGEST_LABELS[digest])


# --- files ----------------------------------------------------------------------

# What a file is, told by a word and a symbol (decoration beside the word).
FILE_KINDS = {
    "image": (_l("Image"), "🖼️"),
    "pdf": (_l("PDF document"), "📕"),
    "text_document": (_l("Text document"), "📝"),
    "spreadsheet": (_l("Spreadsheet"), "📊"),
    "presentation": (_l("Presentation"), "📽️"),
    "archive": (_l("Archive"), "🗜️"),
    "text": (_l("Text"), "📄"),
    "other": (_l("File"), "📎"),
}
_FILE_KIND_BY_EXTENSION = {
    "pdf": "pdf",
    "doc": "text_document",
    "docx": "text_document",
    "odt": "text_document",
    "rtf": "text_document",
    "epub": "text_document",
    "xls": "spreadsheet",
    "xlsx": "spreadsheet",
    "ods": "spreadsheet",
    "ppt": "presentation",
    "pptx": "presentation",
    "odp": "presentation",
    "txt": "text",
    "html": "text",
    "svg": "text",
}
# Sizes as people read them, in powers of ten as the upload limit is given.
FILE_SIZE_UNITS = (
    (10**9, _l("%(size)s GB")),
    (10**6, _l("%(size)s MB")),
    (10**3, _l("%(size)s kB")),
)


def _file_kind(content_type: str) -> str:
    if content_type in kinds.IMAGES:
        return "image"
    if content_type in kinds.ARCHIVES:
        return "archive"
    return _FILE_KIND_BY_EXTENSION.get(kinds.kind_of(content_type).extension, "other")


def file_kind_label(content_type: str) -> str:
    return str(FILE_KINDS[_file_kind(content_type)][0])


def file_kind_symbol(content_type: str) -> str:
    return FILE_KINDS[_file_kind(content_type)][1]


def file_size(size: int) -> str:
    """2,4 Mo in French, 2.4 MB in English: one decimal below ten units."""
    for scale, unit in FILE_SIZE_UNITS:
        # 999,999 bytes read 1 MB, not 1,000 kB.
        if size >= scale - scale // 2000:
            value = size / scale
            shown = format_decimal(
                value, format="#,##0.#" if value < 10 else "#,##0", locale=current_language.get()
            )
            return str(unit) % {"size": shown}
    return ngettext("%(num)d byte", "%(num)d bytes", size) % {"num": size}
