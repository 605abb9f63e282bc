"""The first-run tour: one screen that tells a new account how Ruche keeps
things confidential and where to start. Shown until the account dismisses
it, then never again by itself (the user menu keeps it at hand); recorded
on the account, so a new browser or device does not show it again."""

from app.models import User
from app.models.base import utcnow


def needs_tour(user: User) -> bool:
    return user.tour_seen_at is None


def dismiss_tour(user: User) -> None:
    """Idempotent: the first dismissal's time stays."""
    if user.tour_seen_at is None:
        user.tour_seen_at = utcnow()
