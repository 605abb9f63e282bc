"""Outgoing webhooks against a real HTTP server started here: signed per
Standard Webhooks (checked by the `standardwebhooks` package), retried,
disabled after failures with their creator told, refused at private
addresses, and sending only what the hook may read when it is sent."""

import json

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from app.config import Settings
from app.errors import Invalid
from app.levels import Level, Role
from app.models import (
    Activity,
    DeliveryStatus,
    Membership,
    Notification,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from app.services.webhooks import outgoing
from app.services.webhooks.delivering import deliver_webhooks
from app.services.webhooks.targets import resolve_target
from tests.webhook_receiver import webhook_receiver

EVERYTHING = list(WebhookEvent)


def hook_settings(settings: Settings, **changes) -> Settings:
    """The suite's settings, with localhost allowed and retries at once."""
    fields = {
        "database_url": settings.database_url,
        "var_dir": settings.var_dir,
        "secret_key": settings.secret_key,
        "public_url": settings.public_url,
        "webhook_allowed_hosts": "localhost",
        "webhook_retry_seconds": 0,
        "webhook_disable_after_failures": 3,
        "webhook_max_attempts": 10,
        "webhook_timeout_seconds": 5,
    }
    return Settings(**(fields | changes), _env_file=None)


@pytest.fixture(scope="module")
def receiver():
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def received(receiver):
    """The module's server, emptied for this test."""
    receiver.received.clear()
    receiver.statuses.clear()
    receiver.always = None
    return receiver


async def subscribe(session, settings, *, viewer, space, url, level=Level.PUBLIC, events=None):
    hook = await outgoing.create_hook(
        session,
        viewer=viewer,
        space_id=space.id if space else None,
        url=url,
        events=events or EVERYTHING,
        level=level,
        settings=settings,
    )
    await session.commit()
    return hook


async def space_with_hook(make, session, received):
    """Settings for a local receiver, an owner, their space, and its hook there."""
    settings = hook_settings(make.app.state.settings)
    owner = await make.user()
    space = await make.space(owner=owner)
    hook = await subscribe(session, settings, viewer=owner, space=space, url=received.url())
    return settings, owner, space, hook


async def post(client, space, body: str, level: str = "public", **fields) -> int:
    response = await client.post(
        "/api/v1/posts",
        json={"space_id": space.id if space else None, "body": body, "level": level, **fields},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def deliveries(session, hook) -> list[WebhookDelivery]:
    hook_id = hook.id
    return list(
        await session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == hook_id)
            .order_by(WebhookDelivery.id)
            .execution_options(populate_existing=True)
        )
    )


async def test_a_post_is_sent_signed_as_standard_webhooks_verify(db, make, session, received):
    settings, owner, space, hook = await space_with_hook(make, session, received)
    writer = await make.bearer(owner)

    post_id = await post(writer, space, f"Hello **hooks** @{owner.handle}")
    assert await deliver_webhooks(db, settings) == 1

    [sent] = received.received
    payload = Verifier(hook.secret).verify(sent.body, sent.headers)
    assert payload["type"] == "post.created"
    assert payload["data"]["post"]["id"] == post_id
    assert payload["data"]["post"]["body"] == f"Hello **hooks** @{owner.handle}"
    # Its links lead back to Ruche from the other system (the mention's, here).
    site = payload["data"]["post"]["url"].removesuffix(f"/posts/{post_id}")
    assert f'href="{site}/people/{owner.handle.lower()}"' in payload["data"]["post"]["body_html"]
    assert payload["data"]["post"]["author"]["id"] == owner.id
    assert sent.headers["host"] == f"localhost:{received.port}"
    assert sent.path == "/hook"
    # A signature made with another secret does not verify.
    with pytest.raises(WebhookVerificationError):
        Verifier("whsec_" + "A" * 32).verify(sent.body, sent.headers)
    [logged] = await deliveries(session, hook)
    assert (logged.status, logged.attempts, logged.response_status) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    assert logged.response_ms is not None
    # Nothing is sent twice.
    assert await deliver_webhooks(db, settings) == 0
    assert len(received.received) == 1


async def test_a_failed_attempt_is_retried_with_the_same_id(db, make, session, received):
    settings, owner, space, hook = await space_with_hook(make, session, received)
    await post(await make.bearer(owner), space, "Retry me")
    received.answer(500)

    await deliver_webhooks(db, settings)
    [pending] = await deliveries(session, hook)
    assert (pending.status, pending.attempts, pending.error) == (
        DeliveryStatus.PENDING,
        1,
        "HTTP 500",
    )
    await deliver_webhooks(db, settings)

    [delivered] = await deliveries(session, hook)
    assert (delivered.status, delivered.attempts) == (DeliveryStatus.DELIVERED, 2)
    first, second = received.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert (await session.get(Webhook, hook.id, populate_existing=True)).failures_in_a_row == 0


async def test_repeated_failures_disable_the_hook_and_tell_its_creator(db, make, session, received):
    settings, owner, space, hook = await space_with_hook(make, session, received)
    await post(await make.bearer(owner), space, "Nobody listens")
    received.answer(always=503)

    for _ in range(4):
        await deliver_webhooks(db, settings)

    assert len(received.received) == 3  # the fourth round sent nothing
    disabled = await session.get(Webhook, hook.id, populate_existing=True)
    assert disabled.is_enabled is False and disabled.disabled_at is not None
    told = list(await session.scalars(select(Notification).where(Notification.user_id == owner.id)))
    assert [(n.kind, n.data["webhook_id"]) for n in told] == [("webhook_disabled", hook.id)]


async def test_a_hook_gets_only_what_its_level_audience_and_container_allow(
    db, make, session, received
):
    settings = hook_settings(make.app.state.settings)
    owner = await make.user(clearance="confidential")
    colleague = await make.user()
    space = await make.space(owner=owner, members=[colleague])
    other_space = await make.space(owner=owner)
    hook = await subscribe(session, settings, viewer=owner, space=space, url=received.url())
    company_hook = await subscribe(
        session,
        settings,
        viewer=await make.user(role=Role.ADMIN),
        space=None,
        url=received.url("localhost", "/company"),
    )
    writer = await make.bearer(owner)

    public = await post(writer, space, "public")
    await post(writer, space, "internal", level="internal")
    await post(writer, space, "narrowed", audience=[colleague.id])
    await post(writer, other_space, "elsewhere")
    company = await post(writer, None, "company")
    raised = await post(writer, space, "raised after")
    response = await writer.patch(f"/api/v1/posts/{raised}", json={"level": "confidential"})
    assert response.status_code == 200, response.text

    await deliver_webhooks(db, settings)

    sent = {(each.path, each.body.decode()) for each in received.received}
    bodies = " ".join(body for _path, body in sent)
    for hidden in ("internal", "narrowed", "elsewhere", "raised after"):
        assert hidden not in bodies
    paths = sorted(path for path, _body in sent)
    assert paths == ["/company", "/hook"]
    assert f'"id":{public}' in next(body for path, body in sent if path == "/hook")
    assert f'"id":{company}' in next(body for path, body in sent if path == "/company")
    logged = await deliveries(session, hook)
    # What it could never read is not even queued; what it could read when the
    # event happened but not when its turn came is withheld, not sent.
    assert [each.status.value for each in logged] == ["delivered", "withheld"]
    assert len(await deliveries(session, company_hook)) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
        "http://localhost/hook",
        "ftp://example.test/hook",
        "http://user:pass@1.1.1.1/hook",
    ],
)
async def test_private_addresses_are_refused(make, url):
    settings = hook_settings(make.app.state.settings, webhook_allowed_hosts="")
    with pytest.raises(Invalid) as refused:
        await resolve_target(url, settings)
    assert refused.value.code == "webhook_target"


async def test_an_allowed_host_alone_may_be_private(make):
    settings = hook_settings(make.app.state.settings, webhook_allowed_hosts="localhost")
    target = await resolve_target("http://localhost:8080/x?y=1", settings)
    assert target.path == "/x?y=1" and target.port == 8080
    with pytest.raises(Invalid):
        await resolve_target("http://127.0.0.1:8080/x", settings)
    assert (await resolve_target("https://1.1.1.1/x", settings)).port == 443


async def test_the_address_is_checked_again_at_each_delivery(db, make, session, received):
    settings, owner, space, hook = await space_with_hook(make, session, received)
    await post(await make.bearer(owner), space, "After the allowance ended")

    await deliver_webhooks(db, hook_settings(settings, webhook_allowed_hosts=""))

    assert received.received == []
    [refused] = await deliveries(session, hook)
    assert refused.status is DeliveryStatus.PENDING
    assert "private network" in refused.error or "réseau privé" in refused.error


async def test_a_space_owner_may_not_let_a_hook_read_above_internal(make, session):
    settings = hook_settings(make.app.state.settings)
    owner = await make.user(clearance="secret")
    space = await make.space(owner=owner)
    with pytest.raises(Exception) as refused:
        await subscribe(
            session,
            settings,
            viewer=owner,
            space=space,
            url="https://1.1.1.1/",
            level=Level.CONFIDENTIAL,
        )
    assert refused.value.code == "hook_level"
    admin = await make.user(role=Role.ADMIN, clearance="confidential")
    allowed = await subscribe(
        session,
        settings,
        viewer=admin,
        space=space,
        url="https://1.1.1.1/",
        level=Level.CONFIDENTIAL,
    )
    assert allowed.level is Level.CONFIDENTIAL


async def test_a_hook_log_keeps_its_newest_deliveries(db, make, session, received):
    settings, owner, space, hook = await space_with_hook(make, session, received)
    writer = await make.bearer(owner)
    for number in range(3):
        await post(writer, space, f"post {number}")

    await deliver_webhooks(db, hook_settings(settings, webhook_log_size=2))

    assert len(received.received) == 3
    kept = await deliveries(session, hook)
    assert [each.status for each in kept] == [DeliveryStatus.DELIVERED] * 2
    # The newest two: the first post's delivery is the one gone.
    first_post = await session.scalar(
        select(Activity.id)
        .where(Activity.kind == "post.created")
        .order_by(Activity.id.desc())
        .limit(3)
        .offset(2)
    )
    assert first_post not in {each.activity_id for each in kept}


async def test_a_hooks_creator_who_leaves_takes_it_down_until_someone_answers_for_it(
    db, make, session, received
):
    """Offboarded, the owner who made a hook no longer has it send the space's
    content to an address of their choosing; an administrator who enables it
    again answers for it from then on."""
    settings, owner, space, hook = await space_with_hook(make, session, received)
    admin = await make.user(role=Role.ADMIN)
    colleague = await make.user()
    session.add(Membership(space_id=space.id, user_id=colleague.id))
    await session.commit()
    admin_client = await make.bearer(admin, scopes=("admin",))
    offboarded = await admin_client.post(f"/api/v1/admin/users/{owner.id}/offboard")
    assert offboarded.status_code == 200, offboarded.text
    await post(await make.bearer(colleague), space, "Après son départ")
    assert await deliver_webhooks(db, settings) == 0
    assert received.received == []

    await session.refresh(hook)  # the API offboarded them in its own session
    assert not hook.is_enabled
    await outgoing.change_hook(
        session, viewer=admin, hook_id=hook.id, settings=settings, is_enabled=True
    )
    await session.commit()
    await session.refresh(hook)
    assert hook.is_enabled and hook.created_by_id == admin.id
    await post(await make.bearer(colleague), space, "Repris en main")
    assert await deliver_webhooks(db, settings) == 1


async def test_a_space_hook_is_told_of_the_tasks_it_may_read(db, make, session, received):
    """Tasks are in the activity log: a project's hook gets each task added and
    moved, as the task stands when it is sent — never one above its level, nor
    one narrowed to an audience."""
    settings = hook_settings(make.app.state.settings)
    owner = await make.user()
    space = await make.space(owner=owner, kind="project")
    await subscribe(session, settings, viewer=owner, space=space, url=received.url())
    writer = await make.bearer(owner)
    made = {}
    for title, level, audience in (
        ("Tâche publique", "public", None),
        ("Tâche interne", "internal", None),
        ("Tâche restreinte", "public", [owner.id]),
    ):
        response = await writer.post(
            f"/api/v1/spaces/{space.id}/tasks",
            json={"title": title, "level": level, "audience": audience},
        )
        assert response.status_code == 201, response.text
        made[title] = response.json()["id"]
        moved = await writer.post(
            f"/api/v1/tasks/{made[title]}/move", json={"status": "doing", "index": 0}
        )
        assert moved.status_code == 200, moved.text

    assert await deliver_webhooks(db, settings) == 2
    # Sent side by side: in either order.
    payloads = {json.loads(each.body)["type"]: json.loads(each.body) for each in received.received}
    assert {kind: p["data"]["task"]["id"] for kind, p in payloads.items()} == {
        "task.created": made["Tâche publique"],
        "task.moved": made["Tâche publique"],
    }
    task = payloads["task.moved"]["data"]["task"]
    assert (task["title"], task["status"], task["level"]) == ("Tâche publique", "doing", "public")
    assert task["url"].endswith(f"/tasks/{made['Tâche publique']}")
    bodies = " ".join(each.body.decode() for each in received.received)
    assert "Tâche interne" not in bodies and "Tâche restreinte" not in bodies
