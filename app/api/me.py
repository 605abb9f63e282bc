"""The signed-in person: profile, preferences, password and access tokens."""

from fastapi import APIRouter, Response

from app.api.deps import Address, AppSettings, ItemId, RequiredAuth, Session, Viewer
from app.schemas.account import (
    MeRead,
    PasswordChange,
    PreferencesUpdate,
    TokenCreate,
    TokenCreated,
    TokenRead,
)
from app.services import accounts, sessions

router = APIRouter(prefix="/me", tags=["session"])


@router.get("", response_model=MeRead)
async def read_me(viewer: Viewer):
    return viewer


@router.patch("", response_model=MeRead)
async def update_me(body: PreferencesUpdate, viewer: Viewer, session: Session):
    accounts.change_preferences(viewer, language=body.language, display_name=body.display_name)
    await session.flush()
    return viewer


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
