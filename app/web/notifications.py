"""The notifications page: each notification as a sentence and where it leads,
marking them read, and the preferences of what to be notified of."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from app.api.deps import Session, Viewer
from app.api.pagination import decode_id_cursor, next_id_cursor
from app.labels import digest_label
from app.models import Digest
from app.schemas.common import MAX_ID
from app.services import notifications
from app.services.mail.choices import digest_of, set_digest
from app.services.notices import describe
from app.services.notifications import Channel
from app.web.form_errors import form_page, page_again
from app.web.routes import render
from app.web.stream_shared import CursorQuery, Done, Next, back, page_link

router = APIRouter(include_in_schema=False)

NOTIFICATIONS_PAGE = 30


@router.get("/notifications")
async def notifications_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    cursor: CursorQuery = None,
    done: Done = None,
):
    found = await notifications.list_notifications(
        session, viewer=viewer, limit=NOTIFICATIONS_PAGE + 1, before_id=decode_id_cursor(cursor)
    )
    next_cursor = next_id_cursor(found, NOTIFICATIONS_PAGE)
    return render(
        request,
        "stream/notifications.html",
        notices=[describe(found_one) for found_one in found[:NOTIFICATIONS_PAGE]],
        older=page_link("/notifications", cursor=next_cursor) if next_cursor else None,
        channels=await notifications.channels(session, viewer=viewer),
        digest=await digest_of(session, user_id=viewer.id),
        digest_choices=[(choice, digest_label(choice)) for choice in Digest],
        mail_enabled=request.app.state.settings.mail_enabled,
        done=done,
    )


@router.post("/notifications/read")
@form_page(page_again(notifications_page))
async def mark_notifications_read(
    viewer: Viewer,
    session: Session,
    ids: Annotated[list[int], Form(max_length=500)] = (),
    everything: Annotated[bool, Form()] = False,
    next: Next = "/notifications",
):
    """One (or some) by id, or all of them."""
    await notifications.mark_read(
        session, viewer=viewer, ids=None if everything else [i for i in ids if 1 <= i <= MAX_ID]
    )
    return back(next, done="read")


@router.post("/notifications/preferences")
@form_page(page_again(notifications_page))
async def save_notification_preferences(
    viewer: Viewer,
    session: Session,
    kinds: Annotated[list[str], Form(max_length=50)] = (),
    mail_kinds: Annotated[list[str], Form(max_length=50)] = (),
    mail_choices: Annotated[bool, Form()] = False,
    digest: Annotated[Digest | None, Form()] = None,
):
    """Each kind ticked is on; each kind left unticked is off — in the app, and
    by mail when the form has the mail column (``mail_choices``)."""
    if mail_choices:
        await notifications.set_channels(
            session,
            viewer=viewer,
            changes={
                kind: Channel.of(kind in kinds, kind in mail_kinds) for kind in notifications.KINDS
            },
        )
    else:
        await notifications.set_channels(
            session, viewer=viewer, in_app={kind: kind in kinds for kind in notifications.KINDS}
        )
    if digest is not None:
        await set_digest(session, user_id=viewer.id, digest=digest)
    return back("/notifications", anchor="preferences", done="preferences")
