"""The same write sent several times at once (a double click, two tabs, a retry):
each request in its own transaction on its own connection, on SQLite and
PostgreSQL. One row is kept and every request answers as if it had been alone:
never a 500 from the unique key that decided."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from app.models import Follow, Hashtag, PostHashtag, PostReaction
from tests.own_site import Site, own_site
from tests.stream_helpers import POSTS

AT_ONCE = 6


@pytest.fixture(scope="module")
async def site(tmp_path_factory) -> AsyncIterator[Site]:
    async with own_site(tmp_path_factory.mktemp("write-races")) as site:
        yield site


async def count(site: Site, model, *conditions) -> int:
    [(total,)] = await site.rows(select(func.count()).select_from(model).where(*conditions))
    return total


async def test_one_reaction_sent_at_once_several_times_is_kept_once(site):
    _author_id, author = await site.person()
    _fan_id, fan = await site.person()
    post = (await author.post(POSTS, json={"body": "Nouvelle cafétéria"})).json()

    answers = await asyncio.gather(
        *(fan.put(f"{POSTS}/{post['id']}/reactions/like") for _ in range(AT_ONCE))
    )

    assert {answer.status_code for answer in answers} == {204}, [a.text for a in answers]
    assert await count(site, PostReaction, PostReaction.post_id == post["id"]) == 1
    shown = (await fan.get(f"{POSTS}/{post['id']}")).json()
    assert (shown["reactions"], shown["my_reactions"]) == ({"like": 1}, ["like"])


async def test_posts_bringing_one_new_hashtag_at_once_share_one_tag(site):
    tag = f"lancement{uuid.uuid4().hex[:8]}"
    writers = [await site.person() for _ in range(AT_ONCE)]

    answers = await asyncio.gather(
        *(client.post(POSTS, json={"body": f"Go #{tag}"}) for _user_id, client in writers)
    )

    assert {answer.status_code for answer in answers} == {201}, [a.text for a in answers]
    [(tag_id,)] = await site.rows(select(Hashtag.id).where(Hashtag.name == tag))
    linked = await site.rows(select(PostHashtag.post_id).where(PostHashtag.hashtag_id == tag_id))
    assert sorted(post_id for (post_id,) in linked) == sorted(a.json()["id"] for a in answers)


async def test_following_a_new_hashtag_several_times_at_once_follows_it_once(site):
    tag = f"veille{uuid.uuid4().hex[:8]}"
    follower_id, follower = await site.person()

    answers = await asyncio.gather(
        *(follower.put(f"/api/v1/follows/hashtags/{tag}") for _ in range(AT_ONCE))
    )

    assert {answer.status_code for answer in answers} == {204}, [a.text for a in answers]
    assert await count(site, Hashtag, Hashtag.name == tag) == 1
    assert await count(site, Follow, Follow.user_id == follower_id) == 1
    assert (await follower.get("/api/v1/follows")).json()["hashtags"] == [tag]
