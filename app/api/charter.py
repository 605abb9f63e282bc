"""The network's charter, which external accounts accept before their first use."""

from fastapi import APIRouter

from app.api.deps import Session, Viewer
from app.schemas.account import MeRead
from app.schemas.admin import CharterRead
from app.services import charter

router = APIRouter(prefix="/charter", tags=["session"])


@router.get("", response_model=CharterRead)
async def read_charter(viewer: Viewer, session: Session):
    return CharterRead(text=await charter.read_charter(session))


@router.post("/accept", response_model=MeRead)
async def accept_charter(viewer: Viewer, session: Session):
    charter.accept_charter(viewer)
    await session.flush()
    return viewer
