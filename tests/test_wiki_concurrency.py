"""No lost update, under real concurrency: many writers save one page at once,
each request in its own transaction on its own connection (not the rolled-back
test transaction the other tests share), on SQLite and on PostgreSQL.

Every save that got a 200 is in the history, in order, each based on the one
before it; every 409 carried the revision that had beaten it; no revision's
text was overwritten; and nothing failed with a 500."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from app.models import WikiPage, WikiRevision
from tests.own_site import Site, own_site
from tests.wiki_helpers import PAGES, edit_conflict

WRITERS = 8
SAVES_EACH = 3


@pytest.fixture(scope="module")
async def site(tmp_path_factory) -> AsyncIterator[Site]:
    async with own_site(tmp_path_factory.mktemp("wiki-concurrency")) as site:
        yield site


async def revisions(site: Site, page_id: int) -> list[tuple]:
    return await site.rows(
        select(WikiRevision.number, WikiRevision.author_id, WikiRevision.body)
        .where(WikiRevision.page_id == page_id)
        .order_by(WikiRevision.number)
    )


async def test_many_writers_at_once_lose_no_save(site):
    creator_id, creator = await site.person()
    writers = [await site.person() for _ in range(WRITERS)]
    response = await creator.post(PAGES, json={"title": "Registre", "body": "Registre\n"})
    assert response.status_code == 201, response.text
    page_id = response.json()["id"]
    accepted: list[tuple[int, int, int, str]] = []  # (number, base, author, body)
    conflicts: list[tuple[int, dict]] = []  # (base, current)

    async def write(user_id: int, client: httpx.AsyncClient) -> None:
        """Adds its own lines one save at a time; after a 409, starts again from
        the current text the answer carried, as an editor merging would."""
        base, body = 1, "Registre\n"
        for n in range(SAVES_EACH):
            line = f"ligne {n} de {user_id}\n"
            while True:
                sent = body + line
                response = await client.put(
                    f"{PAGES}/{page_id}", json={"base_revision": base, "body": sent}
                )
                if response.status_code == 200:
                    saved = response.json()
                    assert saved["body"] == sent
                    accepted.append((saved["revision"], base, user_id, sent))
                    base, body = saved["revision"], sent
                    break
                current = edit_conflict(response)["current"]
                conflicts.append((base, current))
                base, body = current["revision"], current["body"]

    await asyncio.gather(*(write(user_id, client) for user_id, client in writers))

    history = await revisions(site, page_id)
    # Exactly the accepted saves, numbered one after another, each based on
    # the revision just before it: none was saved over another.
    assert len(accepted) == WRITERS * SAVES_EACH
    assert sorted(number for number, *_ in accepted) == list(range(2, len(accepted) + 2))
    assert all(base == number - 1 for number, base, *_ in accepted)
    saves = sorted((number, author, body) for number, _base, author, body in accepted)
    assert history == [(1, creator_id, "Registre\n"), *saves]
    # Each 409 carried a newer revision, as it was stored.
    texts = {number: body for number, _author, body in history}
    assert all(current["revision"] > base for base, current in conflicts)
    assert all(texts[current["revision"]] == current["body"] for _base, current in conflicts)
    # The last text holds every writer's every line, and is the page's.
    page = await site.get(WikiPage, page_id)
    assert (page.revision, page.body) == (history[-1][0], history[-1][2])
    for user_id, _client in writers:
        for n in range(SAVES_EACH):
            assert f"ligne {n} de {user_id}\n" in page.body


async def test_writers_all_based_on_one_revision_have_exactly_one_winner(site):
    _creator_id, creator = await site.person()
    writers = [await site.person() for _ in range(WRITERS)]
    response = await creator.post(PAGES, json={"title": "Course", "body": "départ"})
    page_id = response.json()["id"]

    answers = await asyncio.gather(
        *(
            client.put(
                f"{PAGES}/{page_id}",
                json={"base_revision": 1, "body": f"arrivée de {user_id}", "title": "Course"},
            )
            for user_id, client in writers
        )
    )

    won = [answer for answer in answers if answer.status_code == 200]
    lost = [answer for answer in answers if answer.status_code != 200]
    assert len(won) == 1, [answer.text for answer in answers]
    winner = won[0].json()
    assert winner["revision"] == 2
    for answer in lost:
        error = edit_conflict(answer)
        assert error["current"]["revision"] == 2
        assert error["current"]["body"] == winner["body"]
        assert error["diff"] == [
            {"op": "delete", "text": "départ"},
            {"op": "insert", "text": winner["body"]},
        ]
    history = await revisions(site, page_id)
    assert [(number, body) for number, _author, body in history] == [
        (1, "départ"),
        (2, winner["body"]),
    ]


async def test_pages_created_at_once_under_one_title_get_one_name(site):
    """The slug's unique key decides; the losers get a 409, never a 500."""
    writers = [await site.person() for _ in range(WRITERS)]

    answers = await asyncio.gather(
        *(client.post(PAGES, json={"title": "Même titre"}) for _user_id, client in writers)
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * (WRITERS - 1), [answer.text for answer in answers]
    created = next(answer.json() for answer in answers if answer.status_code == 201)
    assert created["slug"] == "meme-titre"
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] == "title_taken"
            assert answer.json()["error"]["page_id"] == created["id"]
