"""THE confidentiality policy: the only place where Ruche decides who may read
what, and the only module that compares levels.
"""

from app.errors import Invalid
from app.i18n import _
from app.levels import AccountKind, Level

# External accounts (alumni, contractors) never read above this level.
EXTERNAL_CLEARANCE_CAP = Level.PUBLIC


def check_clearance_allowed(kind: AccountKind, clearance: Level) -> None:
    """Externals are capped: the system refuses to raise them, whoever asks."""
    if kind.is_external and clearance.rank > EXTERNAL_CLEARANCE_CAP.rank:
        raise Invalid(
            _("External accounts (alumni, contractors) cannot be cleared above public."),
            code="external_clearance",
        )


def default_clearance(kind: AccountKind) -> Level:
    return EXTERNAL_CLEARANCE_CAP if kind.is_external else Level.INTERNAL
