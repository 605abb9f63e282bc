"""Votes on one idea sent at once, each request in its own transaction on its
own connection, on SQLite and PostgreSQL: each person is counted once, a
person voting several times at once keeps one vote, and no request fails.

The service takes an idea's votes one at a time (its row locked on
PostgreSQL; SQLite has one writer): without that, two first votes of one
person both insert and one fails on the primary key."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from app.models import IdeaVote
from tests.idea_helpers import CAMPAIGNS, IDEAS, later
from tests.own_site import Site, own_site

PEOPLE = 8


@pytest.fixture(scope="module")
async def site(tmp_path_factory) -> AsyncIterator[Site]:
    async with own_site(tmp_path_factory.mktemp("idea-races")) as site:
        yield site


async def proposed(site: Site) -> int:
    """An idea in a campaign of an open innovation space, by an administrator."""
    _admin_id, admin = await site.person(role="admin")
    space = await admin.post(
        "/api/v1/spaces",
        json={
            "name": f"Innovation {uuid.uuid4().hex[:8]}",
            "objective": "Des idées pour demain",
            "kind": "innovation",
            "visibility": "open",
        },
    )
    assert space.status_code == 201, space.text
    campaign = await admin.post(
        f"/api/v1/spaces/{space.json()['id']}/campaigns",
        json={"title": "Quoi ?", "deadline": later(), "level": "public"},
    )
    assert campaign.status_code == 201, campaign.text
    idea = await admin.post(
        f"{CAMPAIGNS}/{campaign.json()['id']}/ideas", json={"title": "Ceci", "level": "public"}
    )
    assert idea.status_code == 201, idea.text
    return idea.json()["id"]


async def at_once(requests) -> list[httpx.Response]:
    responses = await asyncio.gather(*requests)
    assert {response.status_code for response in responses} == {200}, [
        response.text for response in responses
    ]
    return responses


async def stored_votes(site: Site, idea_id: int) -> list[tuple[int, str]]:
    return await site.rows(
        select(IdeaVote.user_id, IdeaVote.choice)
        .where(IdeaVote.post_id == idea_id)
        .order_by(IdeaVote.user_id)
    )


async def test_many_people_voting_at_once_count_once_each(site):
    idea_id = await proposed(site)
    people = [await site.person() for _ in range(PEOPLE)]

    await at_once(
        client.put(f"{IDEAS}/{idea_id}/vote", json={"choice": "for" if n % 3 else "against"})
        for n, (_user_id, client) in enumerate(people)
    )

    stored = await stored_votes(site, idea_id)
    assert [user_id for user_id, _choice in stored] == sorted(u for u, _c in people)
    shown = (await people[0][1].get(f"{IDEAS}/{idea_id}")).json()
    against = len(range(0, PEOPLE, 3))
    assert (shown["votes_for"], shown["votes_against"]) == (PEOPLE - against, against)


async def test_one_person_voting_several_times_at_once_keeps_one_vote(site):
    idea_id = await proposed(site)
    _user_id, client = await site.person()

    await at_once(
        [
            *(
                client.put(f"{IDEAS}/{idea_id}/vote", json={"choice": choice})
                for choice in ["for", "against", "for", "for", "against"]
            ),
            client.delete(f"{IDEAS}/{idea_id}/vote"),
            client.put(f"{IDEAS}/{idea_id}/vote", json={"choice": "for"}),
        ]
    )

    stored = await stored_votes(site, idea_id)
    assert len(stored) <= 1
    shown = (await client.get(f"{IDEAS}/{idea_id}")).json()
    assert shown["votes_for"] + shown["votes_against"] == len(stored)
    assert shown["my_vote"] == (stored[0][1] if stored else None)
