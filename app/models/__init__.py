"""All tables, imported here so that Alembic and the app see one metadata."""

from app.models.activity import Activity
from app.models.audit import AuditEvent
from app.models.auth import AccessToken, RateLimitHit, UserSession
from app.models.base import Base
from app.models.calendar import (
    CalendarAnswer,
    CalendarEvent,
    CalendarException,
    CalendarFeed,
    Recurrence,
    RsvpAnswer,
)
from app.models.content import Content
from app.models.file import (
    Blob,
    FilePurpose,
    SpaceDocument,
    SpaceFolder,
    StoredFile,
    WikiRevisionFile,
)
from app.models.notification import Notification, NotificationKind
from app.models.post import (
    AnnouncementRead,
    Comment,
    CommentReaction,
    CommentVersion,
    Follow,
    FollowKind,
    Hashtag,
    Mention,
    NotificationPreference,
    PollOption,
    PollVote,
    Post,
    PostHashtag,
    PostKind,
    PostReaction,
    PostVersion,
    ReactionKind,
)
from app.models.search import SearchEntry, SearchKind
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
from app.models.user import ProfileTag, TagKind, User
from app.models.wiki import WikiLink, WikiPage, WikiRevision, WikiSlug, WikiWatch

__all__ = [
    "AccessToken",
    "Activity",
    "AnnouncementRead",
    "AuditEvent",
    "Base",
    "Blob",
    "CalendarAnswer",
    "CalendarEvent",
    "CalendarException",
    "CalendarFeed",
    "Comment",
    "CommentReaction",
    "CommentVersion",
    "Content",
    "FilePurpose",
    "Follow",
    "FollowKind",
    "Hashtag",
    "Invitation",
    "InvitationStatus",
    "JoinRequest",
    "Membership",
    "Mention",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "PollOption",
    "PollVote",
    "Post",
    "PostHashtag",
    "PostKind",
    "PostReaction",
    "PostVersion",
    "ProfileTag",
    "RateLimitHit",
    "ReactionKind",
    "Recurrence",
    "RequestStatus",
    "RsvpAnswer",
    "SearchEntry",
    "SearchKind",
    "SiteSetting",
    "Space",
    "SpaceDocument",
    "SpaceFolder",
    "SpaceKind",
    "SpaceRole",
    "StoredFile",
    "TagKind",
    "User",
    "UserSession",
    "Visibility",
    "WikiLink",
    "WikiPage",
    "WikiRevision",
    "WikiRevisionFile",
    "WikiSlug",
    "WikiWatch",
]
