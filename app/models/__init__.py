"""All tables, imported here so that Alembic and the app see one metadata."""

from app.models.audit import AuditEvent
from app.models.auth import AccessToken, RateLimitHit, UserSession
from app.models.base import Base
from app.models.content import Content, Post
from app.models.notification import Notification
from app.models.site import SiteSetting
from app.models.space import (
    Invitation,
    InvitationStatus,
    JoinRequest,
    Membership,
    RequestStatus,
    Space,
    SpaceKind,
    SpaceRole,
    Visibility,
)
from app.models.user import User

__all__ = [
    "AccessToken",
    "AuditEvent",
    "Base",
    "Content",
    "Invitation",
    "InvitationStatus",
    "JoinRequest",
    "Membership",
    "Notification",
    "Post",
    "RateLimitHit",
    "RequestStatus",
    "SiteSetting",
    "Space",
    "SpaceKind",
    "SpaceRole",
    "User",
    "UserSession",
    "Visibility",
]
