"""The vocabulary of confidentiality: levels, account kinds and roles.

Only names live here. Whether a level admits a reader is decided in
``app/access.py`` and nowhere else.
"""

from enum import StrEnum


class Level(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"  # noqa: S105 (a level, not a password)

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @classmethod
    def from_rank(cls, rank: int) -> "Level":
        return _LEVELS[rank]


_LEVELS = list(Level)
_RANKS = {level: rank for rank, level in enumerate(_LEVELS)}


class AccountKind(StrEnum):
    EMPLOYEE = "employee"
    ALUMNI = "alumni"
    CONTRACTOR = "contractor"

    @property
    def is_external(self) -> bool:
        return self is not AccountKind.EMPLOYEE


class Role(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


class Language(StrEnum):
    FR = "fr"
    EN = "en"
