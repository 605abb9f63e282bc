"""The websocket at /ws: authenticated by the session cookie or a bearer token
(in the Authorization header, or in the first message; never in the URL, which
logs keep), Origin checked against the page's own host, the public URL and the
allowed origins (no cross-site websocket hijacking), then a subscription to
topics: "home", "notifications", "space:<id>", "post:<id>", "wiki:<page id>",
"calendar:<event id>".

Messages to the client: {"type": "hello", "last_event_id"}, {"type": "event",
"event": {...}}, {"type": "status", "state": "ok"|"degraded"}, {"type": "pong"}.
"""

import asyncio
import contextlib
import json
import re

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocketState

from app.access import load_reader
from app.auth import Auth, authenticate
from app.config import Settings, origin_of
from app.errors import AppError
from app.models import AccessToken, User, UserSession
from app.models.base import utcnow
from app.realtime.hub import CLOSE_SIGNED_OUT, Connection, session_holds, token_holds
from app.services.activity import last_event_id
from app.services.charter import needs_charter
from app.services.sessions import token_for_secret
from app.services.spaces import readable_space_visibilities

router = APIRouter()

CLOSE_POLICY = 1008
AUTH_SECONDS = 5
MAX_TOPICS = 50
TOPIC = re.compile(r"^(home|notifications|(space|post|wiki|calendar):[1-9][0-9]{0,18})$")


@router.websocket("/ws")
async def live(websocket: WebSocket):
    app = websocket.app
    if not _allowed(HTTPConnection(websocket.scope), app.state.settings):
        await websocket.close(code=CLOSE_POLICY)  # before accept: the handshake gets a 403
        return
    connection = await _connect(websocket)
    if connection is None:
        await websocket.close(code=CLOSE_SIGNED_OUT)
        return
    try:
        # The client's messages, until it leaves; each is parsed in _answer's frame,
        # so nothing of it stays with the idle socket.
        while await _answer(connection, await websocket.receive()):
            pass
    finally:
        app.state.hub.remove(connection)
        connection.close(1000)
        if connection.writer is not None:
            with contextlib.suppress(Exception):
                await connection.writer


def _allowed(request: HTTPConnection, settings: Settings) -> bool:
    """From the site's own pages (no cross-site hijacking), and no token in the URL.
    A page's own pages: the origin of the host the browser asked for (same-origin:
    `ruche serve` reached at 127.0.0.1 or localhost, on any port), the public URL's,
    or one of RUCHE_ALLOWED_ORIGINS. A page of another site sends its own origin
    with the host of Ruche: refused. ``request``: a throwaway view of the
    handshake, whose parsed headers the socket does not keep."""
    origin = request.headers.get("origin")
    if origin is None:
        return False
    origin = origin.lower()
    scheme = "https" if request.url.scheme == "wss" else "http"
    same_origin = origin_of(f"{scheme}://{request.headers.get('host', '')}")
    if origin != same_origin and origin not in settings.websocket_origins:
        return False
    return not {"token", "access_token"} & set(request.query_params)


async def _connect(websocket: WebSocket) -> Connection | None:
    """Accepts and signs the socket in, registers it with the hub, then greets it;
    None when it may not stay. One session, two transactions: the second begins once
    the hub knows the connection, so a change committed in between is read there or
    announced to the connection, never missed."""
    database, hub = websocket.app.state.db, websocket.app.state.hub
    async with database.sessionmaker() as session:
        auth = await _authenticate(websocket, session)
        await websocket.accept()
        if auth is None:
            auth = await _first_message_auth(websocket, session)
        if auth is None or needs_charter(auth.user):
            return None
        connection = Connection(
            websocket=websocket,
            reader=None,
            user=auth.user,
            session_id=auth.user_session.id if auth.user_session else None,
            token_id=auth.token.id if auth.token else None,
        )
        hub.add(connection)
        try:
            greeted = await _greet(connection, session)
        except BaseException:
            hub.remove(connection)
            raise
    if not greeted:
        hub.remove(connection)
        return None
    connection.start(_send)
    return connection


async def _authenticate(websocket: WebSocket, session: AsyncSession) -> Auth | None:
    """By the Authorization header or the session cookie; the transaction ends here
    (noting the use), as the first message may take seconds to come."""
    try:
        handshake = HTTPConnection(websocket.scope)  # its parsed cookies are not kept either
        auth = await authenticate(handshake, session, websocket.app.state.settings)
    except AppError:
        auth = None
    await websocket.app.state.db.commit(session)
    return auth


async def _first_message_auth(websocket: WebSocket, session: AsyncSession) -> Auth | None:
    """{"type": "auth", "token": "<personal access token>"} within a few seconds."""
    try:
        message = await asyncio.wait_for(websocket.receive_json(), AUTH_SECONDS)
    except (TimeoutError, ValueError, KeyError, WebSocketDisconnect):
        return None
    if not isinstance(message, dict) or message.get("type") != "auth":
        return None
    token = message.get("token")
    if not isinstance(token, str) or len(token) > 200:
        return None
    found = await token_for_secret(session, token)
    await websocket.app.state.db.commit(session)
    if found is None:
        return None
    user, access_token = found
    return Auth(user=user, token=access_token)


async def _greet(connection: Connection, session: AsyncSession) -> bool:
    """Reads again whether the way in still holds, then the reader and the last
    event id, and says hello; False when the session or token ended meanwhile."""
    user = await _signed_in_user(session, connection)
    if user is None:
        return False
    reader = await load_reader(session, user)
    last_id = await last_event_id(session)
    if connection.reader is None:  # one the hub reloaded meanwhile is newer
        connection.reader = reader
    state = "ok" if connection.websocket.app.state.hub.healthy else "degraded"
    connection.offer({"type": "hello", "last_event_id": last_id, "state": state})
    return True


async def _signed_in_user(session: AsyncSession, connection: Connection) -> User | None:
    """The account, read afresh, while it is active and its session or token holds."""
    now = utcnow()
    query = select(User).where(User.id == connection.user_id, User.is_active)
    if connection.session_id is not None:
        query = query.join(UserSession, UserSession.user_id == User.id).where(
            UserSession.id == connection.session_id, session_holds(now)
        )
    else:
        query = query.join(AccessToken, AccessToken.user_id == User.id).where(
            AccessToken.id == connection.token_id, token_holds(now)
        )
    return await session.scalar(query.execution_options(populate_existing=True))


async def _answer(connection: Connection, message: dict) -> bool:
    """False once the client has left."""
    if message["type"] == "websocket.disconnect":
        return False
    try:
        request = json.loads(message.get("text") or "")
    except ValueError:
        return True
    if not isinstance(request, dict):
        return True
    kind = request.get("type")
    if kind == "ping":
        connection.offer({"type": "pong"})
    elif kind in ("subscribe", "unsubscribe"):
        topics = request.get("topics")
        if isinstance(topics, list):
            await _subscribe(connection, kind, topics)
    return True


async def _subscribe(connection: Connection, kind: str, topics: list) -> None:
    chosen = {t for t in topics[:MAX_TOPICS] if isinstance(t, str) and TOPIC.match(t)}
    if kind == "subscribe":
        chosen = await _readable_topics(connection, chosen)
        connection.topics = frozenset(list(connection.topics | chosen)[:MAX_TOPICS])
    else:
        connection.topics = frozenset(connection.topics - chosen)
    connection.offer({"type": "subscribed", "topics": sorted(connection.topics)})


async def _readable_topics(connection: Connection, topics: set[str]) -> set[str]:
    """A space's topic only for those who may read the space: it also counts them
    as present there, which others of the space see."""
    asked = {int(topic[6:]) for topic in topics if topic.startswith("space:")}
    if not asked:
        return topics
    app = connection.websocket.app
    async with app.state.db.sessionmaker() as session:
        viewer = await session.get(User, connection.user_id)
        allowed = (
            await readable_space_visibilities(session, viewer=viewer, space_ids=asked)
            if viewer
            else {}
        )
    # The hub re-checks presence against the space's visibility as it changes;
    # what it learnt from a space.changed event meanwhile is newer than this read.
    hub = app.state.hub
    for space_id, visibility in allowed.items():
        hub.space_visibility.setdefault(space_id, visibility)
    readable = {s for s in allowed if hub.may_read_space(connection, s)}
    return {t for t in topics if not t.startswith("space:") or int(t[6:]) in readable}


async def _send(connection: Connection, started=None) -> None:
    """The writer task of a connection: finishes a write that had to wait
    (``started``), writes what queued behind it, then hands writing back to
    Connection.offer_text, or closes the socket if the hub asked."""
    websocket = connection.websocket
    try:
        if started is not None:
            await started
        while connection.queue:
            await websocket.send_text(connection.queue.popleft())
    except Exception:
        return  # the socket is gone: the receiving side ends the connection
    if connection.closing is None:
        connection.written()
    elif websocket.client_state is WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            await websocket.close(code=connection.closing)


class LiveSocketRoute:
    """Pure ASGI, around the whole app (``ruche serve`` serves app.cli.served_app):
    /ws goes straight to its endpoint, past FastAPI, Starlette and their
    middlewares, each of which would otherwise hold a coroutine frame (and its
    closures) for the socket's whole life. Anything else goes to the app."""

    def __init__(self, app):
        self.app = app

    def __call__(self, scope, receive, send):
        # Not a coroutine itself: it hands back the one to await, and holds no frame.
        if scope["type"] == "websocket" and scope["path"] == "/ws":
            scope["app"] = self.app
            return live(WebSocket(scope, receive, send))
        return self.app(scope, receive, send)
