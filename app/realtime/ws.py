"""The websocket at /ws: authenticated by the session cookie or a bearer token
(in the Authorization header, or in the first message; never in the URL, which
logs keep), Origin checked against the public URL (no cross-site websocket
hijacking), then a subscription to topics: "home", "notifications",
"space:<id>", "post:<id>", "wiki:<page id>".

Messages to the client: {"type": "hello", "last_event_id"}, {"type": "event",
"event": {...}}, {"type": "status", "state": "ok"|"degraded"}, {"type": "pong"}.
"""

import asyncio
import contextlib
import re

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import or_, select
from starlette.websockets import WebSocketState

from app.access import load_reader
from app.api.deps import Auth, authenticate
from app.errors import AppError
from app.i18n import current_language
from app.models import AccessToken, User, UserSession
from app.models.base import utcnow
from app.realtime.hub import CLOSE_SIGNED_OUT, Connection
from app.services.activity import last_event_id
from app.services.charter import needs_charter
from app.services.sessions import token_for_secret
from app.services.spaces import readable_space_ids

router = APIRouter()

CLOSE_POLICY = 1008
AUTH_SECONDS = 5
REVALIDATE_SECONDS = 60
MAX_TOPICS = 50
TOPIC = re.compile(r"^(home|notifications|(space|post|wiki):[1-9][0-9]{0,18})$")


@router.websocket("/ws")
async def live(websocket: WebSocket):
    app = websocket.app
    if websocket.headers.get("origin") != app.state.settings.public_origin:
        await websocket.close(code=CLOSE_POLICY)  # before accept: the handshake gets a 403
        return
    if {"token", "access_token"} & set(websocket.query_params):
        await websocket.close(code=CLOSE_POLICY)
        return
    auth = await _authenticate(websocket)
    if auth is None:
        await websocket.accept()
        auth = await _first_message_auth(websocket)
        if auth is None:
            await websocket.close(code=CLOSE_SIGNED_OUT)
            return
    else:
        await websocket.accept()
    if needs_charter(auth.user):
        await websocket.close(code=CLOSE_SIGNED_OUT)
        return
    current_language.set(auth.user.language)
    connection = await _connect(websocket, auth)
    hub = app.state.hub
    hub.add(connection)
    # Read again once registered: a change that committed between the first read
    # and now was announced before the hub knew this connection.
    await _refresh(connection)
    del auth  # the ORM objects of the sign-in are not kept for the socket's life
    sender = asyncio.create_task(_send(connection))
    try:
        await _receive(connection)
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove(connection)
        connection.close(1000)
        with contextlib.suppress(Exception):
            await sender


async def _authenticate(websocket: WebSocket):
    database = websocket.app.state.db
    async with database.sessionmaker() as session:
        try:
            auth = await authenticate(websocket, session, websocket.app.state.settings)
        except AppError:
            return None
        await database.commit(session)
        return auth


async def _first_message_auth(websocket: WebSocket):
    """{"type": "auth", "token": "<personal access token>"} within a few seconds."""
    try:
        message = await asyncio.wait_for(websocket.receive_json(), AUTH_SECONDS)
    except (TimeoutError, ValueError, WebSocketDisconnect):
        return None
    if not isinstance(message, dict) or message.get("type") != "auth":
        return None
    token = message.get("token")
    if not isinstance(token, str) or len(token) > 200:
        return None
    database = websocket.app.state.db
    async with database.sessionmaker() as session:
        found = await token_for_secret(session, token)
        await database.commit(session)
    if found is None:
        return None
    user, access_token = found
    return Auth(user=user, token=access_token)


async def _connect(websocket: WebSocket, auth) -> Connection:
    database = websocket.app.state.db
    async with database.sessionmaker() as session:
        reader = await load_reader(session, auth.user)
        last_id = await last_event_id(session)
    connection = Connection(
        websocket=websocket,
        reader=reader,
        user=auth.user,
        session_id=auth.user_session.id if auth.user_session else None,
        token_id=auth.token.id if auth.token else None,
    )
    state = "ok" if websocket.app.state.hub.healthy else "degraded"
    connection.offer({"type": "hello", "last_event_id": last_id, "state": state})
    return connection


async def _receive(connection: Connection) -> None:
    websocket = connection.websocket
    while True:
        try:
            message = await websocket.receive_json()
        except ValueError:
            continue
        if not isinstance(message, dict):
            continue
        kind = message.get("type")
        if kind == "ping":
            connection.offer({"type": "pong"})
        elif kind in ("subscribe", "unsubscribe"):
            topics = message.get("topics")
            if not isinstance(topics, list):
                continue
            chosen = {t for t in topics[:MAX_TOPICS] if isinstance(t, str) and TOPIC.match(t)}
            if kind == "subscribe":
                chosen = await _readable_topics(connection, chosen)
                connection.topics = set(list(connection.topics | chosen)[:MAX_TOPICS])
            else:
                connection.topics -= chosen
            connection.offer({"type": "subscribed", "topics": sorted(connection.topics)})


async def _readable_topics(connection: Connection, topics: set[str]) -> set[str]:
    """A space's topic only for those who may read the space: it also counts them
    as present there, which others of the space see."""
    asked = {int(topic[6:]) for topic in topics if topic.startswith("space:")}
    database = connection.websocket.app.state.db
    async with database.sessionmaker() as session:
        allowed = await readable_space_ids(session, viewer=connection.user, space_ids=asked)
    return {t for t in topics if not t.startswith("space:") or int(t[6:]) in allowed}


async def _send(connection: Connection) -> None:
    websocket = connection.websocket
    while True:
        text = await connection.next()
        if text is None:
            break
        try:
            await websocket.send({"type": "websocket.send", "text": text})
        except Exception:
            return
    if websocket.client_state is WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            await websocket.close(code=connection.closing or 1000)


async def _refresh(connection: Connection) -> None:
    database = connection.websocket.app.state.db
    async with database.sessionmaker() as session:
        if not await _still_valid(session, connection):
            connection.close(CLOSE_SIGNED_OUT)
            return
        connection.reader = await load_reader(session, connection.user)


async def _revalidate(connection: Connection) -> None:
    """A session ended or a token revoked elsewhere closes the socket within a minute,
    even when the event announcing it was lost."""
    database = connection.websocket.app.state.db
    while True:
        await asyncio.sleep(REVALIDATE_SECONDS)
        async with database.sessionmaker() as session:
            still = await _still_valid(session, connection)
            await database.commit(session)
        if not still:
            connection.close(CLOSE_SIGNED_OUT)
            return


async def _still_valid(session, connection: Connection) -> bool:
    now = utcnow()
    if connection.session_id is not None:
        alive = select(UserSession.id).where(
            UserSession.id == connection.session_id, UserSession.expires_at > now
        )
    else:
        alive = select(AccessToken.id).where(
            AccessToken.id == connection.token_id,
            AccessToken.revoked_at.is_(None),
            or_(AccessToken.expires_at.is_(None), AccessToken.expires_at > now),
        )
    active = select(User.is_active).where(User.id == connection.reader.user_id)
    return await session.scalar(alive) is not None and bool(await session.scalar(active))


class LiveSocketRoute:
    """Pure ASGI, outermost: /ws goes straight to its endpoint, past FastAPI's
    routing, dependency machinery and the other middlewares, each of which would
    otherwise hold a coroutine frame (and its closures) for the socket's whole life."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and scope["path"] == "/ws":
            await live(WebSocket(scope, receive, send))
            return
        await self.app(scope, receive, send)
