"""All tables, imported here so that Alembic and the app see one metadata."""

from app.models.audit import AuditEvent
from app.models.auth import AccessToken, RateLimitHit, UserSession
from app.models.base import Base
from app.models.user import User

__all__ = ["AccessToken", "AuditEvent", "Base", "RateLimitHit", "User", "UserSession"]
