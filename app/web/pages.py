"""The Jinja2 environment, with gettext, and how a page is rendered."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import dates, labels
from app.config import TEMPLATES_DIR
from app.files.images import preview_dimensions
from app.i18n import current_language, gettext, ngettext
from app.levels import AccountKind, Language, Level, Role
from app.models import IdeaStatus, PostKind, ReactionKind
from app.models.space import SpaceKind, SpaceRole, Visibility
from app.services.charter import needs_charter
from app.services.files.uploads import content_url
from app.services.spaces import may_create_space
from app.services.tour import needs_tour
from app.services.wiki.links import page_path
from app.web.theme import Theme, theme_of


def initials(name: str) -> str:
    """What an avatar without a photo shows: the first letter of the first and
    last words of a name ("Chloé Fournier": "CF"), skipping words that start
    with no letter or digit."""
    words = [word for word in name.split() if word[0].isalnum()]
    if not words:
        return "?"
    first, last = words[0], words[-1]
    return (first[0] + (last[0] if len(words) > 1 else "")).upper()


class Pages:
    def __init__(self):
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            auto_reload=False,
        )
        self.env.install_gettext_callables(gettext, ngettext, newstyle=True)
        # Every date or time a page shows goes through app/dates.py.
        self.env.filters.update(when=dates.when, day=dates.day)
        self.env.globals.update(
            levels=list(Level),
            # Every level, where a page's own ``levels`` (those one may write) shadows the above.
            all_levels=list(Level),
            level_label=labels.level_label,
            level_help=labels.level_help,
            kind_label=labels.kind_label,
            language_label=labels.language_label,
            languages=list(Language),
            account_kinds=list(AccountKind),
            roles=list(Role),
            space_kinds=list(SpaceKind),
            visibilities=list(Visibility),
            space_roles=list(SpaceRole),
            kind_help=labels.kind_help,
            role_label=labels.role_label,
            space_kind_label=labels.space_kind_label,
            space_kind_help=labels.space_kind_help,
            visibility_label=labels.visibility_label,
            visibility_help=labels.visibility_help,
            space_role_label=labels.space_role_label,
            space_role_help=labels.space_role_help,
            reaction_kinds=list(ReactionKind),
            reaction_label=labels.reaction_label,
            reaction_symbol=labels.reaction_symbol,
            # The everyday kinds first; announcements are for moderators.
            post_kinds=[PostKind.ORDINARY, PostKind.QUESTION, PostKind.POLL, PostKind.ANNOUNCEMENT],
            post_kind_label=labels.post_kind_label,
            post_kind_help=labels.post_kind_help,
            notification_kind_label=labels.notification_kind_label,
            task_status_label=labels.task_status_label,
            idea_statuses=list(IdeaStatus),
            idea_status_label=labels.idea_status_label,
            page_url=lambda page: page_path(page.space_id, page.slug),
            file_url=content_url,
            file_size=labels.file_size,
            file_kind_label=labels.file_kind_label,
            file_kind_symbol=labels.file_kind_symbol,
            preview_dimensions=preview_dimensions,
            initials=initials,
            when=dates.when,
            day=dates.day,
            # An event's times in a named zone, and a calendar's headings.
            in_zone=dates.in_zone,
            month_name=dates.month_name,
            weekday_name=dates.weekday_name,
            day_name=dates.day_name,
            day_in_grid=dates.day_in_grid,
            themes=list(Theme),
            may_create_space=may_create_space,
            needs_tour=needs_tour,
        )

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
    ) -> HTMLResponse:
        auth = getattr(request.state, "auth", None)
        viewer = auth.user if auth else None
        # A refused form shown again (app/web/form_errors.py): its messages and
        # status, whichever page function draws the page.
        failed = getattr(request.state, "failed_form", None)
        if failed is not None and status_code == 200:
            status_code = failed.status
        html = self.env.get_template(template).render(
            {
                "request": request,
                "viewer": viewer,
                # Live updates only where the websocket lets this viewer in
                # (app/api/live.py): an error page or the charter still to
                # accept opens no connection, so shows no "paused" notice.
                "live": viewer is not None and not needs_charter(viewer),
                "csrf_token": auth.csrf_token if auth else None,
                "lang": current_language.get().value,
                "path": request.url.path,
                # Where a form sends the browser back to, by default: this very page;
                # from a page not found, home, so that a name borne by something the
                # reader may not know of answers exactly as one nobody bears.
                "here": "/"
                if status_code == 404
                else f"{request.url.path}?{request.url.query}"
                if request.url.query
                else request.url.path,
                "unread_count": getattr(request.state, "unread_count", None),
                # The browser's chosen theme, on <html> from the first paint (theme.py).
                "theme": theme_of(request),
                # What the upload forms check before sending a file.
                "max_upload_mb": request.app.state.settings.max_upload_mb,
                # A refused form's messages, by field (app/web/form_errors.py).
                "errors": {},
                "failed_action": None,
                "sent": {},
                **(failed.context() if failed is not None else {}),
                **(context or {}),
            }
        )
        return HTMLResponse(html, status_code=status_code)
