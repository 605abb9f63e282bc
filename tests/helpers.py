"""What every API test checks the same way, and the profiles tests give people."""

import importlib.util
from types import ModuleType

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import PROJECT_ROOT
from app.models import ProfileTag, TagKind, User
from app.search.text import fold


def load_tool(name: str) -> ModuleType:
    """A script of tools/, loaded from the repository (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expect_error(
    response: httpx.Response, status: int, code: str | None = None, *, sent=None
) -> dict:
    """The documented error shape ``{"error": {"code", "message"}}`` with ``status``,
    and nothing else; returns the error. ``sent``: what the request carried, shown
    when the check fails."""
    assert response.status_code == status, (sent, response.text)
    assert response.headers["content-type"].startswith("application/json"), sent
    body = response.json()
    assert list(body) == ["error"], (sent, body)
    assert sorted(body["error"]) == ["code", "message"], (sent, body)
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], (sent, body)
    if code is not None:
        assert body["error"]["code"] == code, (sent, body)
    return body["error"]


async def with_profile(session: AsyncSession, user: User, *, skills=(), **fields) -> User:
    """``user`` with these profile fields and declared skills, committed."""
    for name, value in fields.items():
        setattr(user, name, value)
    session.add_all(
        ProfileTag(user_id=user.id, kind=TagKind.SKILL, key=fold(s), name=s) for s in skills
    )
    await session.commit()
    return user
