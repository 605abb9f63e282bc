"""The index follows what the services write, in the same transaction: posts,
polls, comments, files and profiles written through the API are found at once,
and changes of text, level, audience or a deletion show in the next request."""

from sqlalchemy import select

from app.levels import Level
from app.models import Idea, ProfileTag, SearchEntry, TagKind
from app.search.indexing import rebuild
from app.search.scope import ANYWHERE, scope_of
from tests.file_helpers import pdf, png, uploaded
from tests.idea_helpers import open_campaign, propose
from tests.stream_helpers import POSTS, comment_on, person, publish


async def search(client, q: str, **params) -> dict:
    response = await client.get("/api/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()


def ids(found: dict) -> list[tuple[str, int]]:
    return [(item["type"], item["id"]) for item in found["items"]]


def nothing(found: dict) -> bool:
    facets = found["facets"]
    return found["items"] == [] and facets["total"] == 0 and facets["types"] == []


async def entry_id(session, kind: str, item_id: int) -> int | None:
    return await session.scalar(
        select(SearchEntry.id).where(SearchEntry.kind == kind, SearchEntry.item_id == item_id)
    )


async def test_an_edited_then_deleted_post(make, session):
    _author, client = await person(make)
    post = await publish(client, "Réunion budgétaire jeudi")
    assert ids(await search(client, "budgetaire")) == [("post", post["id"])]
    first = await entry_id(session, "post", post["id"])
    response = await client.patch(f"{POSTS}/{post['id']}", json={"body": "Réunion annulée"})
    assert response.status_code == 200, response.text
    assert ids(await search(client, "budgetaire")) == []
    assert ids(await search(client, "annulee")) == [("post", post["id"])]
    assert await entry_id(session, "post", post["id"]) == first  # updated in place
    assert (await client.delete(f"{POSTS}/{post['id']}")).status_code == 204
    found = await search(client, "reunion")
    assert ids(found) == [] and found["facets"]["total"] == 0


async def test_poll_options_and_comments_are_searched(make):
    _author, client = await person(make)
    poll = await publish(
        client, "Déjeuner vendredi ?", kind="poll", poll={"options": ["Pizza", "Sushis"]}
    )
    assert ids(await search(client, "sushi")) == [("post", poll["id"])]
    comment = await comment_on(client, poll["id"], "Plutôt des crêpes")
    assert ids(await search(client, "crepe")) == [("comment", comment["id"])]


async def test_an_audience_hides_the_post_and_its_comments(make):
    _author, client = await person(make)
    _reader, reader_client = await person(make)
    other, _ = await person(make)
    post = await publish(client, "Lancement orbital")
    comment = await comment_on(client, post["id"], "Orbital encore")
    found = await search(reader_client, "orbital")
    assert ids(found) == [("comment", comment["id"]), ("post", post["id"])]
    response = await client.patch(f"{POSTS}/{post['id']}", json={"audience": [other.id]})
    assert response.status_code == 200, response.text
    found = await search(reader_client, "orbital")
    assert ids(found) == [] and found["facets"]["types"] == []


async def test_a_raised_post_leaves_results_suggestions_and_counts(make):
    _author, client = await person(make)
    _contractor, outside = await person(make, kind="contractor")
    post = await publish(client, "Parlons #satellites ce soir", level="public")
    found = await search(outside, "satellites")
    assert ids(found) == [("post", post["id"])]
    assert found["facets"]["types"] == [{"type": "post", "count": 1}]
    offered = await outside.get("/api/v1/search/suggestions", params={"q": "#sat"})
    assert offered.json()["hashtags"] == ["satellites"]
    response = await client.patch(f"{POSTS}/{post['id']}", json={"level": "internal"})
    assert response.status_code == 200, response.text
    found = await search(outside, "satellites")
    assert ids(found) == [] and found["facets"] == {
        "total": 0,
        "capped": False,
        "types": [],
        "spaces": [],
    }
    offered = await outside.get("/api/v1/search/suggestions", params={"q": "#sat"})
    assert offered.json()["hashtags"] == []


async def test_a_file_is_found_by_name_by_whoever_may_read_it(make):
    _author, client = await person(make)
    _reader, reader_client = await person(make)
    stored = await uploaded(client, pdf(), "Rapport-annuel.pdf")
    assert ids(await search(client, "rapport")) == [("file", stored["id"])]
    assert ids(await search(reader_client, "rapport")) == []
    post = await publish(client, "Le bilan", attachments=[stored["id"]])
    assert ids(await search(reader_client, "rapports")) == [("file", stored["id"])]
    assert (await client.delete(f"{POSTS}/{post['id']}")).status_code == 204
    assert ids(await search(reader_client, "rapport")) == []


async def test_a_photo_is_never_indexed(make, session):
    """The search's rule of files leaves photos out (access.readable_files,
    avatars=False), which holds only while the index has none."""
    _person, client = await person(make)
    response = await client.put(
        "/api/v1/me/avatar", files={"file": ("Portrait.png", png(), "image/png")}
    )
    assert response.status_code == 200, response.text
    stored = await uploaded(client, png(), "Portrait-equipe.png")
    files = select(SearchEntry).where(SearchEntry.kind == "file")
    assert [entry.item_id for entry in await session.scalars(files)] == [stored["id"]]
    assert ids(await search(client, "portrait")) == [("file", stored["id"])]


async def test_profile_tags_reindex_their_person(make, session):
    expert, client = await person(make, display_name="Ada Lovelace")
    assert ids(await search(client, "kubernetes")) == []
    tag = ProfileTag(user_id=expert.id, kind=TagKind.SKILL, key="kubernetes", name="Kubernetes")
    session.add(tag)
    await session.commit()
    assert ids(await search(client, "kubernetes")) == [("person", expert.id)]
    assert ids(await search(client, "lovelace", type="person")) == [("person", expert.id)]
    await session.delete(tag)
    await session.commit()
    assert ids(await search(client, "kubernetes")) == []
    expert.bio = "Pionnière du calcul"
    await session.commit()
    assert ids(await search(client, "pionniere")) == [("person", expert.id)]


async def test_a_lowered_post_reaches_an_external_with_its_comments_at_once(make, session):
    """An external's search asks the index for their scopes (app.search.scope):
    a post lowered to public takes its comments' entries along in the same
    transaction, or the comments would stay hidden from them."""
    _author, client = await person(make)
    _contractor, outside = await person(make, kind="contractor")
    post = await publish(client, "Calendrier des astreintes", level="internal")
    comment = await comment_on(client, post["id"], "Astreintes validées")
    assert ids(await search(outside, "astreinte")) == []
    response = await client.patch(f"{POSTS}/{post['id']}", json={"level": "public"})
    assert response.status_code == 200, response.text
    found = await search(outside, "astreinte")
    assert ids(found) == [("comment", comment["id"]), ("post", post["id"])]
    assert found["facets"]["total"] == 2
    for kind, item_id in (("post", post["id"]), ("comment", comment["id"])):
        scope = await session.scalar(
            select(SearchEntry.scope).where(
                SearchEntry.kind == kind, SearchEntry.item_id == item_id
            )
        )
        assert scope == scope_of(None, Level.PUBLIC)


async def test_a_scope_is_not_a_word_anyone_can_search(make):
    _author, client = await person(make)
    _contractor, outside = await person(make, kind="contractor")
    await publish(client, "Ouvert à tous", level="public")
    for word in (ANYWHERE, scope_of(None, Level.PUBLIC)):
        assert ids(await search(client, word)) == []
        assert ids(await search(outside, word)) == []


async def test_an_idea_is_found_by_its_title_by_its_campaigns_readers_alone(make, session):
    """An idea's title is in its post's entry from the proposal on, follows a
    change of the title in the same transaction, and survives a rebuild; a
    reader of the space outside its campaign's audience finds nothing of it."""
    insider, insider_client = await person(make)
    outsider, outsider_client = await person(make)
    owner, client = await person(make)
    space = await make.space(owner=owner, kind="innovation", members=[insider, outsider])
    narrowed = await open_campaign(client, space.id, audience=[insider.id])
    everyone = await open_campaign(client, space.id)
    hidden = await propose(
        insider_client, narrowed["id"], title="Hydroponie au sixième", body="Des salades."
    )
    shown = await propose(client, everyone["id"], title="Compost collectif", body="Moins de pertes")
    assert ids(await search(insider_client, "hydroponie")) == [("post", hidden["id"])]
    assert ids(await search(outsider_client, "compost")) == [("post", shown["id"])]
    for words in ("hydroponie", "salades", "hydroponie salades"):
        assert nothing(await search(outsider_client, words))
        assert nothing(await search(outsider_client, words, space_id=space.id))

    first = await entry_id(session, "post", shown["id"])
    idea = await session.get(Idea, shown["id"])
    idea.title = "Jardin partagé"
    await session.commit()
    assert ids(await search(outsider_client, "compost")) == []
    assert ids(await search(outsider_client, "jardin partage")) == [("post", shown["id"])]
    assert await entry_id(session, "post", shown["id"]) == first  # updated in place

    await session.run_sync(lambda sync: rebuild(sync.connection()))
    await session.commit()
    assert ids(await search(outsider_client, "jardin")) == [("post", shown["id"])]
    assert ids(await search(insider_client, "hydroponie")) == [("post", hidden["id"])]
    assert nothing(await search(outsider_client, "hydroponie"))
