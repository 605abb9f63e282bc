"""Suggestions while writing: "@" offers only people who may read what is being
written and whom the writer may know of; "#" offers only hashtags carried by
posts the writer may read. Each refusal (a person who could not read, a tag of
a hidden post) is tested where it would leak."""

from app.models import User
from tests.helpers import expect_error
from tests.stream_helpers import person, publish

MENTIONS = "/api/v1/mentions/suggestions"
HASHTAGS = "/api/v1/hashtags/suggestions"


async def suggested(client, **params) -> list[int]:
    response = await client.get(MENTIONS, params=params)
    assert response.status_code == 200, response.text
    fields = ["avatar_url", "display_name", "handle", "id", "kind"]
    assert all(sorted(item) == fields for item in response.json())
    return [item["id"] for item in response.json()]


async def tags(client, q: str = "") -> list[str]:
    response = await client.get(HASHTAGS, params={"q": q})
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()]


def ids(*people: User) -> set[int]:
    return {someone.id for someone in people}


# --- "@": who may read the post being written ---------------------------------


async def test_a_secret_space_offers_its_members_only(make):
    writer, client = await person(make)
    member = await make.user()
    outsider = await make.user(clearance="secret", role="admin")
    board = await make.space(owner=writer, visibility="secret", members=[member])

    found = set(await suggested(client, space_id=board.id))

    assert found == ids(member)
    assert outsider.id not in found and writer.id not in found


async def test_a_level_offers_only_those_cleared_for_it(make):
    _writer, client = await person(make, clearance="confidential")
    cleared = await make.user(clearance="confidential")
    not_cleared = await make.user(clearance="internal")
    contractor = await make.user(kind="contractor")

    confidential = set(await suggested(client, level="confidential"))
    internal = set(await suggested(client, level="internal"))
    public = set(await suggested(client, level="public"))
    by_default = set(await suggested(client))  # the company stream's default: internal

    assert confidential == ids(cleared)
    assert internal == by_default == ids(cleared, not_cleared)
    assert public == ids(cleared, not_cleared, contractor)


async def test_a_contractor_is_never_offered_for_an_internal_post_of_their_space(make):
    writer, client = await person(make)
    contractor = await make.user(kind="contractor")
    colleague = await make.user()
    space = await make.space(
        owner=writer, allows_externals=True, members=[contractor, colleague], visibility="private"
    )
    outsider = await make.user()

    internal = set(await suggested(client, space_id=space.id, level="internal"))
    public = set(await suggested(client, space_id=space.id, level="public"))

    assert internal == ids(colleague)
    assert public == ids(colleague, contractor)
    assert outsider.id not in internal | public


async def test_an_open_space_offers_every_employee_and_its_external_members(make):
    writer, client = await person(make)
    employee = await make.user()
    member_contractor = await make.user(kind="contractor")
    other_contractor = await make.user(kind="contractor")
    space = await make.space(allows_externals=True, members=[member_contractor])

    found = set(await suggested(client, space_id=space.id, level="public"))

    assert ids(employee, member_contractor) <= found
    assert other_contractor.id not in found and writer.id not in found


async def test_an_audience_narrows_the_suggestions_to_it(make):
    _writer, client = await person(make)
    chosen = await make.user()
    await make.user()

    found = await suggested(client, audience=[chosen.id])

    assert found == [chosen.id]


async def test_a_comment_offers_the_readers_of_its_post(make):
    writer, client = await person(make)
    member = await make.user()
    outsider = await make.user()
    space = await make.space(owner=writer, visibility="private", members=[member])
    in_space = await make.post(author=writer, space=space)
    # Narrowed to the writer: its readers are the writer and its author.
    narrowed = await make.post(author=member, audience=[writer])

    in_space_found = set(await suggested(client, post_id=in_space.id))
    narrowed_found = set(await suggested(client, post_id=narrowed.id))
    # With a post, the place and level given are not the post's: ignored.
    ignored = set(await suggested(client, post_id=in_space.id, level="public"))

    assert in_space_found == ignored == ids(member)
    assert narrowed_found == ids(member)  # the viewer is never offered
    assert outsider.id not in in_space_found | narrowed_found


async def test_a_contractor_is_offered_only_people_they_may_know_of(make):
    contractor, client = await person(make, kind="contractor")
    teammate = await make.user(display_name="Alice Teammate")
    stranger = await make.user(display_name="Alice Stranger")
    await make.space(owner=teammate, allows_externals=True, members=[contractor])

    found = set(await suggested(client, q="alice", level="public"))

    # The stranger may read a public post of the company stream, but the
    # contractor may not know of them: an account they may not know of is absent.
    assert found == ids(teammate)
    assert stranger.id not in found


async def test_the_query_matches_a_name_or_a_handle_and_at_most_8_come(make):
    _writer, client = await person(make)
    matching = [await make.user(display_name=f"Zoé Martin {n}") for n in range(10)]
    other = await make.user(display_name="Paul Durand")
    inactive = await make.user(display_name="Zoé Ancienne", is_active=False)

    by_name = await suggested(client, q="zoé mar")
    by_handle = await suggested(client, q=f"@{other.handle}")

    assert len(by_name) == 8 and set(by_name) <= ids(*matching)
    assert by_handle == [other.id]
    assert inactive.id not in await suggested(client, q="Ancienne")


async def test_a_place_or_level_the_writer_may_not_write_in_is_refused(make):
    writer, client = await person(make)
    owner = await make.user()
    secret = await make.space(owner=owner, visibility="secret")
    private = await make.space(owner=owner, visibility="private")
    archived = await make.space(owner=writer, is_archived=True)
    hidden_post = await make.post(author=owner, space=secret)

    expect_error(await client.get(MENTIONS, params={"space_id": secret.id}), 404, "not_found")
    expect_error(await client.get(MENTIONS, params={"space_id": private.id}), 403, "not_member")
    expect_error(
        await client.get(MENTIONS, params={"space_id": archived.id}), 409, "space_archived"
    )
    expect_error(await client.get(MENTIONS, params={"level": "secret"}), 403, "write_up")
    expect_error(await client.get(MENTIONS, params={"post_id": hidden_post.id}), 404, "not_found")
    expect_error(await client.get(MENTIONS, params={"level": "top"}), 422)
    expect_error(await client.get(MENTIONS, params={"q": "x" * 101}), 422)


async def test_suggestions_need_a_signed_in_person(client):
    expect_error(await client.get(MENTIONS), 401)
    expect_error(await client.get(HASHTAGS), 401)


# --- "#": hashtags of posts the writer may read ---------------------------------


async def test_a_hashtag_used_only_in_a_hidden_post_is_never_offered(make):
    _writer, client = await person(make)
    board_member, board_client = await person(make, clearance="confidential")
    board = await make.space(owner=board_member, visibility="secret")
    await publish(board_client, "Rachat en cours #projetsecret", space_id=board.id)
    await publish(board_client, "Chiffres #projetconfidentiel", level="confidential")
    await publish(board_client, "Pour tous #projetpublic")

    offered = await tags(client, "projet")

    assert offered == ["projetpublic"]
    assert await tags(board_client, "#projet") == [
        "projetconfidentiel",
        "projetpublic",
        "projetsecret",
    ]


async def test_hashtags_follow_their_posts_deletion_and_the_reader_s_kind(make):
    _writer, client = await person(make)
    _contractor, contractor_client = await person(make, kind="contractor")
    gone = await publish(client, "Bientôt effacé #éphémère")
    await publish(client, "Interne #atelier")
    await publish(client, "Public #atelierouvert", level="public")
    assert (await client.delete(f"/api/v1/posts/{gone['id']}")).status_code == 204

    assert await tags(client, "É") == []
    assert await tags(client, "atel") == ["atelier", "atelierouvert"]
    assert await tags(contractor_client, "atel") == ["atelierouvert"]
    assert await tags(contractor_client, "") == ["atelierouvert"]
