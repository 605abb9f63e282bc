"""Two workers running delivery rounds at once, each on its own connections
(not the rolled-back test transaction), on SQLite and PostgreSQL: every
event is sent, and none twice."""

import asyncio
from collections import Counter

from sqlalchemy import select

from app.db import Database
from app.levels import Level
from app.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from app.services.webhooks import outgoing
from app.services.webhooks.delivering import deliver_webhooks
from tests.factories import Factories
from tests.own_site import own_site
from tests.test_webhooks import hook_settings
from tests.webhook_receiver import webhook_receiver

POSTS = 12


async def test_two_workers_send_each_delivery_once(tmp_path_factory):
    async with own_site(tmp_path_factory.mktemp("webhook-races")) as site:
        settings = hook_settings(site.app.state.settings)
        with webhook_receiver() as receiver:
            async with site.database.sessionmaker() as session:
                make = Factories(session, site.app)
                owner = await make.user()
                space = await make.space(owner=owner)
                await outgoing.create_hook(
                    session,
                    viewer=owner,
                    space_id=space.id,
                    url=receiver.url(),
                    events=[WebhookEvent.POST_CREATED],
                    level=Level.PUBLIC,
                    settings=settings,
                )
                await session.commit()
                writer = await make.bearer(owner)
            for number in range(POSTS):
                response = await writer.post(
                    "/api/v1/posts",
                    json={"space_id": space.id, "body": f"post {number}", "level": "public"},
                )
                assert response.status_code == 201, response.text

            other = Database(settings)
            try:
                for _ in range(3):
                    await asyncio.gather(
                        deliver_webhooks(site.database, settings), deliver_webhooks(other, settings)
                    )
            finally:
                await other.dispose()

            ids = Counter(each.headers["webhook-id"] for each in receiver.received)
            assert len(ids) == POSTS
            assert set(ids.values()) == {1}
            statuses = await site.rows(select(WebhookDelivery.status, WebhookDelivery.attempts))
            assert set(statuses) == {(DeliveryStatus.DELIVERED, 1)}
