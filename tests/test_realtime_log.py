"""The activity log, in process: events recorded with the change, announced only
after the transaction commits (and never when it rolls back), and
``GET /api/v1/events?since=`` catching a reader up exactly once each, filtered
by the policy as things stand now."""

import asyncio
import json

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocketState

from app.access import can_see_event, load_reader
from app.api.deps import Session, Viewer
from app.api.live import _send
from app.errors import Invalid
from app.levels import Level
from app.main import create_app
from app.models import Activity, Post, User
from app.realtime.broker import announce_commits
from app.realtime.events import record_event
from app.realtime.hub import CLOSE_OVERFLOW, QUEUE_SIZE, Connection
from app.schemas.common import MAX_ID
from app.services import posts
from app.services.content import item_ref
from tests.stream_helpers import person, publish

EVENTS = "/api/v1/events"
POSTS = "/api/v1/posts"


async def activity_rows(session: AsyncSession, **where) -> list[Activity]:
    statement = select(Activity).execution_options(populate_existing=True).order_by(Activity.id)
    for column, value in where.items():
        statement = statement.where(getattr(Activity, column) == value)
    return list(await session.scalars(statement))


async def db_count(db) -> int:
    async with db.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Activity))


async def catch_up(client: httpx.AsyncClient, since: int = 0, **params) -> tuple[list[dict], int]:
    """Every page from ``since`` on, as a reconnecting client asks for them."""
    found: list[dict] = []
    for _ in range(100):
        response = await client.get(EVENTS, params={"since": since, **params})
        assert response.status_code == 200, response.text
        page = response.json()
        assert all(item["id"] > since for item in page["items"])
        found += page["items"]
        assert page["last_id"] >= since
        since = page["last_id"]
        if not page["more"]:
            return found, since
    raise AssertionError("the pages never ended")


def of_post(events: list[dict], post_id: int) -> list[dict]:
    return [event for event in events if event["post_id"] == post_id]


# --- recorded with the change, announced after commit ------------------------------


async def test_publishing_records_one_row_and_announces_it_after_commit(
    make, session, heard, monkeypatch
):
    author, client = await person(make)
    broker = heard.broker
    steps: list[str] = []
    commit, publish_now = AsyncSession.commit, broker.publish

    async def logged_commit(self):
        await commit(self)
        steps.append("commit")

    async def logged_publish(event):
        steps.append(f"publish {event.kind}")
        await publish_now(event)

    monkeypatch.setattr(AsyncSession, "commit", logged_commit)
    monkeypatch.setattr(broker, "publish", logged_publish)

    post = await publish(client, "Un billet qui se voit")

    rows = await activity_rows(session, post_id=post["id"])
    assert [row.kind for row in rows] == ["post.created"]
    assert (rows[0].level, rows[0].author_id, rows[0].space_id) == (
        Level.INTERNAL,
        author.id,
        None,
    )
    # Then, on its own, the token's first use is noted (last_used_at).
    assert steps == ["commit", "publish post.created", "commit"]
    events = await heard.settled()
    assert [(event.id, event.kind, event.post_id) for event in events] == [
        (rows[0].id, "post.created", post["id"])
    ]
    assert events[0].level == "internal" and events[0].author_id == author.id


async def test_nothing_is_announced_inside_the_transaction(db, make, heard):
    author = await make.user()

    async with db.transaction() as session:
        viewer = await session.get(User, author.id)
        published = await posts.publish_post(session, viewer=viewer, body="Pas encore")
        assert await heard.settled() == []

    events = await heard.settled()
    assert [(event.kind, event.post_id) for event in events] == [
        ("post.created", published.post.id)
    ]


async def test_a_rolled_back_transaction_announces_nothing_and_keeps_no_row(db, make, heard):
    author = await make.user()
    before = await db_count(db)

    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            viewer = await session.get(User, author.id)
            await posts.publish_post(session, viewer=viewer, body="Jamais")
            raise RuntimeError("changed my mind")

    # The next transaction of the same kind announces its own event only.
    async with db.transaction() as session:
        viewer = await session.get(User, author.id)
        kept = await posts.publish_post(session, viewer=viewer, body="Celui-ci")

    events = await heard.settled()
    assert [(event.kind, event.post_id) for event in events] == [("post.created", kept.post.id)]
    assert await db_count(db) == before + 1


async def test_a_session_rolled_back_then_committed_announces_only_what_followed(db, make, heard):
    author = await make.user()
    async with db.sessionmaker() as session:
        viewer = await session.get(User, author.id)
        await posts.publish_post(session, viewer=viewer, body="Annulé")
        await db.rollback(session)
        await session.refresh(viewer)
        kept = await posts.publish_post(session, viewer=viewer, body="Gardé")
        await db.commit(session)

    events = await heard.settled()
    assert [(event.kind, event.post_id) for event in events] == [("post.created", kept.post.id)]


async def test_a_refused_request_announces_nothing_and_leaves_no_row(make, session, heard):
    _author, client = await person(make)
    before = len(await activity_rows(session))

    # The post is written (flushed), then its audience names nobody known: 422.
    response = await client.post(POSTS, json={"body": "Refusé", "audience": [MAX_ID]})

    assert response.status_code == 422, response.text
    assert await session.scalar(select(Post.id).where(Post.body == "Refusé")) is None
    assert len(await activity_rows(session)) == before
    assert await heard.settled() == []


async def test_a_request_failing_after_recording_its_event_announces_nothing(
    settings, db, make, session, heard
):
    """The event is recorded, then the route fails: the pending event is dropped
    with the rollback, and the next request announces only its own."""
    app = create_app(settings, database=db)
    announce_commits(db, heard.broker)  # create_app gave the database a broker of its own

    @app.post("/api/v1/_publish_then_fail", status_code=201)
    async def publish_then_fail(viewer: Viewer, session: Session, fail: bool = True):
        published = await posts.publish_post(session, viewer=viewer, body="Écrit puis refusé")
        if fail:
            raise Invalid("refused after writing", code="refused")
        return {"id": published.post.id}

    bearer = (await make.bearer(await make.user())).headers["Authorization"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": bearer},
    ) as client:
        before = len(await activity_rows(session))

        refused = await client.post("/api/v1/_publish_then_fail")

        assert refused.status_code == 422, refused.text
        assert len(await activity_rows(session)) == before
        assert await heard.settled() == []

        kept = await client.post("/api/v1/_publish_then_fail", params={"fail": "false"})

        assert kept.status_code == 201, kept.text
        events = await heard.settled()
        assert [(event.kind, event.post_id) for event in events] == [
            ("post.created", kept.json()["id"])
        ]
        assert len(await activity_rows(session)) == before + 1


# --- catching up ------------------------------------------------------------------


async def test_a_reader_who_missed_1000_events_gets_each_exactly_once_in_order(
    db, make, session, heard
):
    """1,000 events the reader may see, interleaved with 500 about a post above
    their clearance; the last event of all is one they may not see."""
    author = await make.user(clearance="confidential")
    _reader, client = await person(make)
    visible = await make.post(author=author, level="internal")
    hidden = await make.post(author=author, level="confidential")
    seen_ref, hidden_ref = await item_ref(session, visible), await item_ref(session, hidden)
    start = (await client.get(EVENTS)).json()["last_id"]

    expected: list[Activity] = []
    for n in range(1000):
        activity = await record_event(
            session, kind="reaction.changed", item=seen_ref, post_id=visible.id, n=n
        )
        expected.append(activity)
        if n % 2:
            await record_event(
                session, kind="reaction.changed", item=hidden_ref, post_id=hidden.id, n=n
            )
    await db.commit(session)
    expected_ids = [activity.id for activity in expected]
    newest = (await activity_rows(session))[-1].id
    assert newest > expected_ids[-1]

    for limit in (100, 1000):
        found, last_id = await catch_up(client, start, limit=limit)

        assert [event["id"] for event in found] == expected_ids
        assert [event["payload"]["n"] for event in found] == list(range(1000))
        assert {event["post_id"] for event in found} == {visible.id}
        # Nothing more to ask for: the last id skips the hidden tail too.
        assert last_id == newest

    # Asked again from the end: nothing, and the same last id.
    again = (await client.get(EVENTS, params={"since": newest})).json()
    assert again == {"items": [], "last_id": newest, "more": False}
    # All 1,500 were announced once each, in order.
    announced = [event.id for event in await heard.settled()]
    assert len(announced) == 1500 and announced == sorted(set(announced))


async def test_a_reader_below_the_level_gets_nothing_of_the_item(make):
    _writer, writer_client = await person(make, clearance="confidential")
    _cleared, cleared_client = await person(make, clearance="confidential")
    _reader, reader_client = await person(make)  # internal
    start = (await reader_client.get(EVENTS)).json()["last_id"]

    secret = await publish(writer_client, "Confidentiel", level="confidential")
    await cleared_client.put(f"{POSTS}/{secret['id']}/reactions/like")
    ordinary = await publish(writer_client, "Interne")

    reader_events, _ = await catch_up(reader_client, start)
    cleared_events, _ = await catch_up(cleared_client, start)
    assert of_post(reader_events, secret["id"]) == []
    assert [e["kind"] for e in of_post(reader_events, ordinary["id"])] == ["post.created"]
    assert [e["kind"] for e in of_post(cleared_events, secret["id"])] == [
        "post.created",
        "reaction.changed",
    ]


async def test_a_reader_outside_a_private_space_gets_nothing_of_its_items(make):
    owner, owner_client = await person(make)
    member, member_client = await person(make)
    _outsider, outsider_client = await person(make)
    space = await make.space(owner=owner, visibility="private", members=[member])
    start = (await outsider_client.get(EVENTS)).json()["last_id"]

    post = await publish(owner_client, "Entre nous", space_id=space.id)
    response = await member_client.post(f"{POSTS}/{post['id']}/comments", json={"body": "Oui"})
    assert response.status_code == 201, response.text
    renamed = await owner_client.patch(f"/api/v1/spaces/{space.id}", json={"name": "Renamed"})
    assert renamed.status_code == 200, renamed.text

    outsider_events, _ = await catch_up(outsider_client, start)
    member_events, _ = await catch_up(member_client, start)
    assert [e for e in outsider_events if e["space_id"] == space.id] == []
    assert of_post(outsider_events, post["id"]) == []
    kinds = [e["kind"] for e in member_events if e["space_id"] == space.id]
    assert kinds[:2] == ["post.created", "comment.created"] and "space.changed" in kinds


async def test_a_reader_outside_the_audience_gets_nothing_of_the_item(make):
    _author, author_client = await person(make)
    named, named_client = await person(make)
    _other, other_client = await person(make)
    start = (await other_client.get(EVENTS)).json()["last_id"]

    post = await publish(author_client, "Pour toi", audience=[named.id])
    await named_client.put(f"{POSTS}/{post['id']}/reactions/like")

    for client, expected in (
        (other_client, []),
        (named_client, ["post.created", "reaction.changed"]),
        (author_client, ["post.created", "reaction.changed"]),
    ):
        events, _ = await catch_up(client, start)
        assert [e["kind"] for e in of_post(events, post["id"]) if e["user_id"] is None] == expected


async def test_a_notification_event_is_seen_by_its_recipient_only(make):
    author, author_client = await person(make)
    _commenter, commenter_client = await person(make)
    _bystander, bystander_client = await person(make)
    start = (await bystander_client.get(EVENTS)).json()["last_id"]

    post = await publish(author_client, "Des avis ?")
    response = await commenter_client.post(f"{POSTS}/{post['id']}/comments", json={"body": "Oui"})
    assert response.status_code == 201, response.text

    def notifications(events):
        return [e for e in events if e["kind"] == "notification.created"]

    told = notifications((await catch_up(author_client, start))[0])
    assert [(e["user_id"], e["payload"]["notification"]) for e in told] == [(author.id, "reply")]
    for client in (commenter_client, bystander_client):
        events, _ = await catch_up(client, start)
        assert notifications(events) == []
        # They do see the post and the comment themselves.
        assert [e["kind"] for e in of_post(events, post["id"])] == [
            "post.created",
            "comment.created",
        ]


async def test_raising_a_posts_level_hides_its_earlier_events(make):
    _author, author_client = await person(make, clearance="confidential")
    _reader, reader_client = await person(make)
    start = (await reader_client.get(EVENTS)).json()["last_id"]
    post = await publish(author_client, "Interne pour l'instant")
    await reader_client.put(f"{POSTS}/{post['id']}/reactions/like")
    before, _ = await catch_up(reader_client, start)
    assert [e["kind"] for e in of_post(before, post["id"])] == [
        "post.created",
        "reaction.changed",
    ]

    raised = await author_client.patch(f"{POSTS}/{post['id']}", json={"level": "confidential"})
    assert raised.status_code == 200, raised.text

    after, _ = await catch_up(reader_client, start)
    assert of_post(after, post["id"]) == []
    author_events, _ = await catch_up(author_client, start)
    assert [e["kind"] for e in of_post(author_events, post["id"]) if e["user_id"] is None] == [
        "post.created",
        "reaction.changed",
        "post.edited",
    ]


async def test_events_carry_no_body_level_or_audience(make):
    _author, author_client = await person(make)
    named, named_client = await person(make)
    start = (await named_client.get(EVENTS)).json()["last_id"]

    await publish(author_client, "Texte-marqueur-unique", audience=[named.id])

    response = await named_client.get(EVENTS, params={"since": start})
    assert "Texte-marqueur-unique" not in response.text
    for event in response.json()["items"]:
        assert set(event) == {
            "id",
            "kind",
            "space_id",
            "post_id",
            "page_id",
            "calendar_event_id",
            "task_id",
            "user_id",
            "payload",
        }
        assert not {"level", "audience", "body"} & set(event["payload"])


async def test_catch_up_needs_a_reader_and_a_valid_since(client, make):
    response = await client.get(EVENTS, params={"since": 0})
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "not_authenticated"

    _reader, reader_client = await person(make)
    for since in ("-1", "abc", str(MAX_ID + 1), "1.5"):
        response = await reader_client.get(EVENTS, params={"since": since})
        assert response.status_code == 422, (since, response.text)
        assert response.json()["error"]["code"] == "invalid"
    for limit in ("0", "1001"):
        response = await reader_client.get(EVENTS, params={"limit": limit})
        assert response.status_code == 422, (limit, response.text)


# --- the hub's backpressure ---------------------------------------------------------


class SlowSocket:
    """What the sender writes to: it never blocks, it only records."""

    def __init__(self):
        self.client_state = WebSocketState.CONNECTED
        self.sent: list[str] = []
        self.closed_with: int | None = None

    async def send_text(self, text: str) -> None:
        self.sent.append(text)

    async def close(self, code: int = 1000) -> None:
        self.closed_with = code
        self.client_state = WebSocketState.DISCONNECTED


async def test_a_connection_whose_queue_overflows_is_closed_not_waited_for(make, session):
    user = await make.user()
    socket = SlowSocket()
    connection = Connection(
        websocket=socket,
        reader=await load_reader(session, user),
        user=user,
        session_id=None,
        token_id=None,
    )
    for n in range(QUEUE_SIZE):
        connection.offer({"type": "pong", "n": n})
    assert connection.closing is None

    # The sender could not run meanwhile: the client is that slow.
    connection.offer({"type": "pong", "n": QUEUE_SIZE})
    connection.offer({"type": "pong", "n": QUEUE_SIZE + 1})

    assert connection.closing == CLOSE_OVERFLOW
    await asyncio.wait_for(_send(connection), 2)  # it ends; it does not wait forever
    assert socket.closed_with == CLOSE_OVERFLOW
    sent = [json.loads(text)["n"] for text in socket.sent]
    assert sent == list(range(len(sent)))  # no gap before the close: catch-up resumes there


# --- the live predicate and the catch-up agree ----------------------------------------


async def test_what_a_socket_is_sent_is_what_the_catch_up_returns(make, session, heard):
    """For every reader, the events the hub would let through (app/access.py's
    can_see_event) are exactly those GET /events returns, when nothing changed since."""
    owner, owner_client = await person(make, clearance="confidential")
    member, member_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    _employee, employee_client = await person(make)
    _cleared, cleared_client = await person(make, clearance="confidential")
    _outsider_contractor, outsider_contractor_client = await person(make, kind="contractor")
    spaces = [
        await make.space(owner=owner, visibility=visibility, members=[member])
        for visibility in ("open", "private", "secret")
    ]
    spaces.append(
        await make.space(
            owner=owner, visibility="private", allows_externals=True, members=[contractor]
        )
    )
    readers = [
        owner_client,
        member_client,
        contractor_client,
        employee_client,
        cleared_client,
        outsider_contractor_client,
    ]
    start = (await owner_client.get(EVENTS)).json()["last_id"]

    for space in [None, *spaces]:
        where = {"space_id": space.id} if space else {}
        for fields in ({"level": "public"}, {"level": "confidential"}, {"audience": [member.id]}):
            post = await publish(owner_client, "Bonjour", **where, **fields)
            for client in (member_client, contractor_client):
                await client.put(f"{POSTS}/{post['id']}/reactions/like")
                await client.post(f"{POSTS}/{post['id']}/comments", json={"body": "Vu"})
        if space is not None:
            renamed = await owner_client.patch(
                f"/api/v1/spaces/{space.id}", json={"name": f"Renamed {space.id}"}
            )
            assert renamed.status_code == 200, renamed.text

    heard_events = await heard.settled()
    kinds = {event.kind for event in heard_events}
    assert {"post.created", "comment.created", "reaction.changed", "space.changed"} <= kinds
    assert "notification.created" in kinds
    for client in readers:
        me = (await client.get("/api/v1/me")).json()
        reader = await load_reader(session, await session.get(User, me["id"]))
        caught_up, _ = await catch_up(client, start)
        live = [event.id for event in heard_events if can_see_event(reader, event.ref())]
        caught_ids = [event["id"] for event in caught_up]
        differing = [
            (event.kind, event.space_id, event.space_visibility, event.level)
            for event in heard_events
            if (event.id in live) != (event.id in caught_ids)
        ]
        assert caught_ids == live, (me["kind"], me["clearance"], differing)
