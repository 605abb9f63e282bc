"""Pages of mail: the one-click unsubscribe a mail links to (no session
needed: the link is signed for its person and kind), and the
administrators' page of the mail server (its state, a test mail)."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request

from app.access import check_admin
from app.api.deps import AppSettings, Session, Viewer
from app.i18n import current_language
from app.mail.compose import MailWriter
from app.mail.smtp import describe_mail_setup, send_messages
from app.models.mail import DIGEST_MAIL
from app.services.mail import choices
from app.web.form_errors import FailedForm, form_page, page_again
from app.web.routes import render, see_other

router = APIRouter(include_in_schema=False)

# A signed [user id, kind]: a few dozen characters.
UnsubscribeToken = Annotated[str, Path(max_length=200)]


async def _unsubscribe_page(request: Request, session, token: str, *, confirmed: bool):
    """Asks to confirm, or (``confirmed``) unsubscribes and says so, in the
    language of the person the link names."""
    user, scope = await choices.access_unsubscribe(
        session, settings=request.app.state.settings, token=token
    )
    if confirmed:
        await choices.unsubscribe(session, user=user, scope=scope)
    current_language.set(user.language)
    return render(
        request,
        "unsubscribe.html",
        token=token,
        is_digest=scope == DIGEST_MAIL,
        kind=scope,
        done=confirmed,
    )


@router.get("/mail/unsubscribe/{token}")
async def unsubscribe_form(request: Request, token: UnsubscribeToken, session: Session):
    """A GET changes nothing (mail scanners follow links): it asks to confirm."""
    return await _unsubscribe_page(request, session, token, confirmed=False)


async def _unsubscribe_again(request: Request, session, _viewer, _failed: FailedForm):
    return await _unsubscribe_page(request, session, request.path_params["token"], confirmed=False)


@router.post("/mail/unsubscribe/{token}")
@form_page(_unsubscribe_again, public=True)
async def unsubscribe(request: Request, token: UnsubscribeToken, session: Session):
    """RFC 8058: the mail client posts ``List-Unsubscribe=One-Click`` here, with
    no cookie and no form token (the signed link is the authority); the
    confirm page's button posts the same."""
    return await _unsubscribe_page(request, session, token, confirmed=True)


# --- administrators ----------------------------------------------------------------


@router.get("/admin/mail")
async def mail_admin_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    done: Annotated[str | None, Query(max_length=20)] = None,
    failure: Annotated[str | None, Query(max_length=100)] = None,
):
    check_admin(viewer)
    settings = request.app.state.settings
    return render(
        request,
        "admin/mail.html",
        mail_enabled=settings.mail_enabled,
        mail_setup=describe_mail_setup(settings),
        settings=settings,
        done=done,
        failure=failure,
    )


@router.post("/admin/mail/test")
@form_page(page_again(mail_admin_page))
async def send_test_mail(viewer: Viewer, session: Session, settings: AppSettings):
    """Sent at once, not through the outbox: the administrator sees the server's
    answer on the page."""
    check_admin(viewer)
    if not settings.mail_enabled:
        return see_other("/admin/mail?done=off")
    message = MailWriter(session, settings).test_message(viewer)
    failure = (await send_messages(settings, {0: message}))[0]
    if failure is not None:
        return see_other("/admin/mail?" + urlencode({"done": "failed", "failure": str(failure)}))
    return see_other("/admin/mail?done=sent")
