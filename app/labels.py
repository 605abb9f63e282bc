"""Plain-language names and explanations of levels, kinds and languages, shown
wherever a badge appears."""

from app.i18n import lazy_gettext as _l
from app.levels import AccountKind, Language, Level

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
