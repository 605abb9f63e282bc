"""The signed-in person: profile, photo, preferences, password and access tokens."""

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.deps import Address, AppSettings, ItemId, RequiredAuth, Session, Viewer
from app.api.files import file_store, upload_body
from app.config import Settings
from app.files.upload import receive_form
from app.models import User
from app.schemas.account import (
    MeRead,
    PasswordChange,
    PreferencesUpdate,
    TokenCreate,
    TokenCreated,
    TokenRead,
)
from app.services import accounts, sessions
from app.services.files import avatars, uploads

router = APIRouter(prefix="/me", tags=["session"])


@router.get("", response_model=MeRead)
async def read_me(viewer: Viewer):
    return viewer


@router.patch("", response_model=MeRead)
async def update_me(body: PreferencesUpdate, viewer: Viewer, session: Session):
    accounts.change_preferences(viewer, language=body.language, display_name=body.display_name)
    await session.flush()
    return viewer


async def receive_avatar(
    request: Request, *, viewer: User, session: AsyncSession, settings: Settings
) -> User:
    """Reads the form's one file (the field ``file``) off the wire and makes it
    the viewer's photo: for this API and the settings page alike."""
    store = file_store(request)
    async with receive_form(
        request, store, session=session, max_file_bytes=settings.max_upload_bytes, max_files=1
    ) as form:
        return await avatars.set_avatar(
            session,
            viewer=viewer,
            store=store,
            settings=settings,
            received=uploads.the_one_file(form, "file"),
        )


@router.put("/avatar", response_model=MeRead, openapi_extra=upload_body())
async def set_avatar(request: Request, viewer: Viewer, session: Session, settings: AppSettings):
    """Your photo: a JPEG, PNG, WebP or GIF image, cropped to its centred square
    and resized to 256 pixels. The photo it replaces is shown to nobody any more."""
    return await receive_avatar(request, viewer=viewer, session=session, settings=settings)


@router.delete("/avatar", status_code=204, response_class=Response)
async def remove_avatar(viewer: Viewer, session: Session) -> None:
    """Back to your initials on a coloured circle."""
    await avatars.remove_avatar(session, viewer=viewer)


@router.post("/password", status_code=204, response_class=Response)
async def change_password(
    body: PasswordChange, auth: RequiredAuth, session: Session, address: Address
) -> None:
    await accounts.change_password(
        session,
        viewer=auth.user,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_session_id=auth.user_session.id if auth.user_session else None,
        address=address,
    )


@router.get("/tokens", response_model=list[TokenRead])
async def list_tokens(viewer: Viewer, session: Session):
    return await sessions.list_tokens(session, viewer=viewer)


@router.post("/tokens", response_model=TokenCreated, status_code=201)
async def create_token(
    body: TokenCreate, auth: RequiredAuth, session: Session, settings: AppSettings, address: Address
):
    token, secret = await sessions.create_token(
        session,
        viewer=auth.user,
        name=body.name,
        scopes=list(body.scopes),
        expires_at=body.expires_at,
        settings=settings,
        address=address,
        within_scopes=set(auth.token.scopes.split()) if auth.token else None,
    )
    return TokenCreated.model_validate(
        {**TokenRead.model_validate(token).model_dump(), "token": secret}
    )


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
async def revoke_token(
    token_id: ItemId, viewer: Viewer, session: Session, address: Address
) -> None:
    await sessions.revoke_token(session, viewer=viewer, token_id=token_id, address=address)
