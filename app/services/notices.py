"""How a notification reads: its sentence, where it leads and who acted — the
same on the notifications page and in the mail that tells of it
(app/mail/compose.py), so the two never say different things."""

from dataclasses import dataclass
from datetime import date, datetime

from app.dates import format_day, format_moment
from app.i18n import _
from app.i18n import lazy_gettext as _l
from app.labels import idea_status_label, reaction_label
from app.models import ReactionKind
from app.services.notifications import ShownNotification


@dataclass(frozen=True)
class Actor:
    """Who acted, as their avatar shows them."""

    id: int
    display_name: str
    avatar_file_id: int | None


@dataclass(frozen=True)
class Notice:
    """A notification as its reader sees it: a sentence, where it leads, and who
    acted (None: nobody, or a colleague they may not know of)."""

    notification: ShownNotification
    text: str
    link: str | None
    actor: Actor | None


# The sentences of notifications about a calendar event (its title read now).
EVENT_SENTENCES = {
    "event_invitation": _l("%(actor)s invites you to the event “%(title)s”."),
    "event_cancelled": _l("The event “%(title)s” is cancelled."),
    "event_seat": _l("A seat is free for you at the event “%(title)s”: you are going."),
    "event_reminder": _l("The event “%(title)s” starts on %(moment)s."),
}

# The sentences of notifications about a task (its title read now).
TASK_SENTENCES = {
    "task_assigned": _l("%(actor)s assigned you the task “%(title)s”."),
    "task_overdue": _l("The task “%(title)s” is late: it was due on %(date)s."),
}


def describe(notification: ShownNotification) -> Notice:
    """The sentence of a notification, from its kind and the names it carries
    (read when it is shown, only while its reader may see what it is about). The
    person is the one it concerns (a contractor) or else the one who acted."""
    data = notification.data or {}
    names = {
        "actor": data.get("actor_name") or _("A colleague"),
        "person": data.get("user_name") or data.get("actor_name") or _("Someone"),
        "space": data.get("space_name") or _("a space"),
    }
    on_comment = bool(data.get("comment_id"))
    post_link = None
    if notification.post_id is not None:
        post_link = f"/posts/{notification.post_id}"
        if on_comment:
            post_link += f"#comment-{data['comment_id']}"
    space_link = f"/spaces/{data['space_id']}" if data.get("space_id") else None
    kind = notification.kind
    if kind == "mention":
        text = (
            _("%(actor)s mentioned you in a comment.")
            if on_comment
            else _("%(actor)s mentioned you in a post.")
        )
    elif kind == "reply":
        text = _("%(actor)s replied to you.")
    elif kind == "reaction":
        reaction = data.get("reaction", "")
        names["reaction"] = (
            reaction_label(reaction) if reaction in ReactionKind._value2member_map_ else reaction
        )
        text = (
            _("%(actor)s reacted to your comment: %(reaction)s.")
            if on_comment
            else _("%(actor)s reacted to your post: %(reaction)s.")
        )
    elif kind == "announcement":
        text = _("%(actor)s published an announcement: confirm that you have read it.")
    elif kind == "accepted_answer":
        text = _("%(actor)s accepted your answer.")
    elif kind == "invitation":
        text = _("%(actor)s invited you to join %(space)s.")
        space_link = "/spaces"  # where invitations are answered
    elif kind == "invitation_answered":
        text = (
            _("%(person)s accepted your invitation to %(space)s.")
            if data.get("accepted")
            else _("%(person)s declined your invitation to %(space)s.")
        )
    elif kind == "join_request":
        text = _("%(person)s asks to join %(space)s.")
        space_link = f"{space_link}?tab=members" if space_link else None
    elif kind == "join_request_decided":
        text = (
            _("Your request to join %(space)s was approved.")
            if data.get("approved")
            else _("Your request to join %(space)s was declined.")
        )
    elif kind == "contractor_access_ending":
        names["date"] = format_day(datetime.fromisoformat(data["access_ends_at"]))
        text = _("The access of %(person)s, a contractor you sponsor, ends on %(date)s.")
    elif kind == "wiki_page_changed" and notification.page_id is not None:
        names["title"] = data.get("title") or _("a wiki page")
        text = _("%(actor)s changed the wiki page “%(title)s”.")
        space_link = f"/wiki/pages/{notification.page_id}"
    elif kind == "idea_moved" and post_link is not None:
        names["status"] = idea_status_label(data.get("status", "new"))
        text = _("%(actor)s moved an idea you proposed or voted on to “%(status)s”.")
        post_link = f"/ideas/{notification.post_id}"
    elif kind in EVENT_SENTENCES and notification.calendar_event_id is not None:
        names["title"] = data.get("title") or _("an event")
        if data.get("starts_at"):
            names["moment"] = format_moment(datetime.fromisoformat(data["starts_at"]))
        text = str(EVENT_SENTENCES[kind])
        if kind == "event_cancelled" and "moment" in names:  # one date of a recurring one
            text = _("The event “%(title)s” of %(moment)s is cancelled; its other dates stay.")
        space_link = f"/calendar/events/{notification.calendar_event_id}"
    elif kind == "webhook_disabled" and data.get("webhook_id"):
        text = _("A webhook you added failed again and again: it is disabled until you enable it.")
        space_link = f"/webhooks/{data['webhook_id']}"
    elif kind in TASK_SENTENCES and notification.task_id is not None:
        names["title"] = data.get("title") or _("a task")
        if data.get("due_on"):
            names["date"] = format_day(date.fromisoformat(data["due_on"]))
        text = str(TASK_SENTENCES[kind])
        space_link = f"/tasks/{notification.task_id}"
    else:
        text = _("Something happened that concerns you.")
    actor = None
    if notification.actor_id is not None and data.get("actor_name"):
        actor = Actor(notification.actor_id, data["actor_name"], notification.actor_avatar_file_id)
    return Notice(
        notification=notification, text=text % names, link=post_link or space_link, actor=actor
    )
