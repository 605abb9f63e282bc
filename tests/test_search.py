"""Search through the API, on whichever database the suite runs on: the same
cases, the same exact answers on SQLite and PostgreSQL."""

from datetime import timedelta

from sqlalchemy import func, select

from app.levels import Level
from app.models import Comment, Hashtag, PostHashtag, SearchEntry, Visibility, WikiPage
from app.models.base import utcnow
from app.search import engine
from app.search.backends import BODY_BAND, TITLE_BAND
from app.search.engine import Filters, readers_scopes, statement
from app.search.indexing import rebuild
from app.search.query import parse
from tests.helpers import expect_error


async def found(client, q, **params) -> list[tuple[str, int]]:
    response = await client.get("/api/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [(item["type"], item["id"]) for item in response.json()["items"]]


async def test_accents_and_stems_in_both_languages(make):
    reader = await make.user()
    team = await make.post(author=reader, body="Notre équipe prépare le développement.")
    english = await make.post(author=reader, body="The teams are shipping the release.")
    await make.post(author=reader, body="Rien à voir ici.")
    async with await make.bearer(reader) as client:
        for q in ("equipe", "équipes", "EQUIPE", "developpement", "développements"):
            assert await found(client, q) == [("post", team.id)], q
        assert await found(client, "team") == [("post", english.id)]
        assert await found(client, "teams release") == [("post", english.id)]
        assert await found(client, "teams absent") == []


async def test_phrases_exclusions_and_snippets(make):
    reader = await make.user()
    ordered = await make.post(author=reader, body="Mise en production vendredi soir.")
    scattered = await make.post(author=reader, body="La production est mise en pause.")
    async with await make.bearer(reader) as client:
        assert await found(client, '"mise en production"') == [("post", ordered.id)]
        assert await found(client, "production") == [
            ("post", scattered.id),
            ("post", ordered.id),
        ]
        assert await found(client, "production -pause") == [("post", ordered.id)]
        response = await client.get("/api/v1/search", params={"q": "productions -vendredi"})
        item = response.json()["items"][0]
        assert item["snippet"] == "La <mark>production</mark> est mise en pause."
    await make.post(author=reader, body="Un <script> dans la production")
    async with await make.bearer(reader) as client:
        response = await client.get("/api/v1/search", params={"q": "production"})
        assert response.json()["items"][0]["snippet"] == (
            "Un &lt;script&gt; dans la <mark>production</mark>"
        )
    # Each pair of the phrase is in it (mise en, en production), not the phrase.
    await make.post(author=reader, body="Mise en place, puis en production.")
    async with await make.bearer(reader) as client:
        assert await found(client, '"mise en production"') == [("post", ordered.id)]


async def test_titles_rank_first_then_newest(make, session):
    reader = await make.user()
    older = await make.post(author=reader, body="Le kubernetes de la prod")
    space = await make.space(owner=reader, name="Kubernetes guild")
    newer = await make.post(author=reader, body="Encore kubernetes")
    async with await make.bearer(reader) as client:
        assert await found(client, "kubernetes") == [
            ("space", space.id),
            ("post", newer.id),
            ("post", older.id),
        ]
        # An edit keeps the entry's place: it does not come first.
        older.body = "Le kubernetes de la prod, corrigé"
        await session.commit()
        assert (await found(client, "kubernetes"))[1:] == [("post", newer.id), ("post", older.id)]


async def test_hashtags_authors_and_filters(make, session):
    alice = await make.user()
    bob = await make.user()
    space = await make.space(owner=alice, members=[bob])
    tagged = await make.post(author=alice, body="Réunion #infra demain", space=space)
    tag = Hashtag(name="infra")
    session.add(tag)
    await session.flush()
    session.add(PostHashtag(post_id=tagged.id, hashtag_id=tag.id))
    await session.commit()
    public = await make.post(author=bob, body="Réunion publique", level=Level.PUBLIC)
    async with await make.bearer(alice) as client:
        assert await found(client, "#infra") == [("post", tagged.id)]
        assert await found(client, "réunion #infra") == [("post", tagged.id)]
        assert await found(client, f"réunion @{bob.handle}") == [("post", public.id)]
        assert await found(client, "réunion", author=str(alice.id)) == [("post", tagged.id)]
        assert await found(client, "réunion", author=bob.handle) == [("post", public.id)]
        assert await found(client, "réunion", space=space.id) == [("post", tagged.id)]
        assert await found(client, "réunion", level="public") == [("post", public.id)]
        assert await found(client, "réunion", type=["space", "person"]) == []
        assert await found(client, "réunion", type=["post"]) == [
            ("post", public.id),
            ("post", tagged.id),
        ]
        since = (utcnow() - timedelta(hours=1)).isoformat()
        assert len(await found(client, "réunion", **{"from": since})) == 2
        assert await found(client, "réunion", to="2000-01-01T00:00:00Z") == []


async def test_facets_count_what_the_viewer_may_read(make):
    reader = await make.user()
    space = await make.space(owner=reader, name="Atelier")
    post = await make.post(author=reader, body="atelier du jeudi", space=space)
    await make.post(author=reader, body="un autre atelier", space=space)
    await make.post(author=reader, body="atelier sans espace")
    async with await make.bearer(reader) as client:
        response = await client.get("/api/v1/search", params={"q": "atelier", "type": "post"})
        facets = response.json()["facets"]
        assert facets["total"] == 3 and not facets["capped"]
        assert {t["type"]: t["count"] for t in facets["types"]} == {"post": 3, "space": 1}
        assert facets["spaces"] == [{"id": space.id, "name": "Atelier", "count": 2}]
        assert post.id in [item["id"] for item in response.json()["items"]]


async def test_facets_of_a_whole_page_are_those_counted_apart(make, monkeypatch):
    """A page that holds every hit is counted from its hits
    (``engine.whole_search``); a page with a next one counts the matches under
    the policy in a statement of its own. Both say the same, and neither counts
    what the viewer may not read."""
    reader = await make.user()
    space = await make.space(owner=reader, name="Atelier")
    await make.post(author=reader, body="atelier du jeudi", space=space)
    await make.post(author=reader, body="un autre atelier", space=space)
    await make.post(author=reader, body="atelier sans espace")
    stranger = await make.user()
    hidden = await make.space(owner=stranger, visibility=Visibility.SECRET, name="Atelier secret")
    await make.post(author=stranger, body="atelier caché", space=hidden)
    expected = {
        "total": 4,
        "capped": False,
        "types": {"post": 3, "space": 1},
        "spaces": [{"id": space.id, "name": "Atelier", "count": 3}],
    }

    def counts(facets):
        return {**facets, "types": {t["type"]: t["count"] for t in facets["types"]}}

    async with await make.bearer(reader) as client:
        whole = (await client.get("/api/v1/search", params={"q": "atelier"})).json()
        assert whole["next_cursor"] is None and len(whole["items"]) == 4
        first = (await client.get("/api/v1/search", params={"q": "atelier", "limit": 1})).json()
        assert first["next_cursor"] is not None
        assert counts(whole["facets"]) == counts(first["facets"]) == expected
        monkeypatch.setattr("app.search.engine.COUNT_CAP", 2)
        first = (await client.get("/api/v1/search", params={"q": "atelier", "limit": 1})).json()
        assert first["facets"]["total"] == 2 and first["facets"]["capped"]


async def test_counts_read_range_by_range_keep_the_newest_matches(make, monkeypatch, session):
    """PostgreSQL counts a phrase's matches range of entry ids by range
    (``backends.Postgres.in_ranges``): with ranges of 2, 4, 8... entries the
    matches fall in several, and the counts are still of the newest, under
    the policy. SQLite walks its index as before: the same answers."""
    monkeypatch.setattr("app.search.backends.COUNT_RANGE", 2)
    reader = await make.user()
    older = await make.space(owner=reader, name="Ancien atelier")
    newer = await make.space(owner=reader, name="Nouvel atelier")
    stranger = await make.user()
    hidden = await make.space(owner=stranger, visibility=Visibility.SECRET)
    posts = []
    for n in range(4):
        posts.append(await make.post(author=reader, body=f"revue de code {n}", space=older))
        posts.append(await make.post(author=stranger, body="revue de code cachée", space=hidden))
    for n in range(3):
        posts.append(
            await make.post(author=reader, body=f"la revue de code du jour {n}", space=newer)
        )
    await make.post(author=reader, body="le code de revue, pas la phrase", space=newer)
    entries = await session.scalars(
        select(SearchEntry.id).where(
            SearchEntry.kind == "post", SearchEntry.item_id.in_([post.id for post in posts])
        )
    )
    newest = await session.scalar(select(func.max(SearchEntry.id)))
    # Range n holds the ids 2 × (2^n - 1) to 2 × (2^(n+1) - 1) - 1 below the newest.
    assert len({(newest - entry_id + 2).bit_length() for entry_id in entries}) >= 3
    phrase = '"revue de code"'
    floor = await engine.facets(
        session, viewer=reader, query=parse(phrase), filters=Filters(), policy=False
    )
    assert (floor.total, floor.capped) == (11, False)

    async def counted(client):
        page = (await client.get("/api/v1/search", params={"q": phrase, "limit": 1})).json()
        assert page["next_cursor"] is not None
        found = page["facets"]
        spaces = [(space["id"], space["count"]) for space in found["spaces"]]
        return found["total"], found["capped"], spaces

    async with await make.bearer(reader) as client:
        assert await counted(client) == (7, False, [(older.id, 4), (newer.id, 3)])
        monkeypatch.setattr("app.search.engine.COUNT_CAP", 3)
        assert await counted(client) == (3, True, [(newer.id, 3)])


async def test_pages_stay_stable_while_posts_arrive(make):
    reader = await make.user()
    posts = [await make.post(author=reader, body=f"sujet numéro {n}") for n in range(7)]
    seen = []
    async with await make.bearer(reader) as client:
        params = {"q": "sujet", "limit": 3}
        while True:
            page = (await client.get("/api/v1/search", params=params)).json()
            seen.extend(item["id"] for item in page["items"])
            await make.post(author=reader, body="sujet tout neuf")
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
    assert seen == [post.id for post in reversed(posts)]


async def test_a_raised_post_disappears_for_a_contractor_at_once(make, session):
    contractor = await make.user(kind="contractor")
    post = await make.post(author=await make.user(), body="Sujet confidentiel", level="public")
    async with await make.bearer(contractor) as client:
        assert await found(client, "confidentiel") == [("post", post.id)]
        post.level = Level.INTERNAL
        await session.commit()
        response = await client.get("/api/v1/search", params={"q": "confidentiel"})
        assert response.json()["items"] == []
        assert response.json()["facets"] == {
            "total": 0,
            "capped": False,
            "types": [],
            "spaces": [],
        }


async def test_audience_deletion_and_secret_spaces(make, session):
    reader = await make.user()
    other = await make.user()
    owner = await make.user()
    narrowed = await make.post(author=owner, body="pour toi seulement", audience=[other])
    secret = await make.space(owner=owner, visibility=Visibility.SECRET, name="Projet pomme")
    in_secret = await make.post(author=owner, body="pomme cachée", space=secret)
    visible = await make.post(author=reader, body="une pomme visible")
    comment = Comment(
        post_id=visible.id, author_id=reader.id, body="commentaire pomme", body_html=""
    )
    session.add(comment)
    await session.commit()
    async with await make.bearer(reader) as client:
        assert await found(client, "seulement") == []
        assert await found(client, "pomme") == [("comment", comment.id), ("post", visible.id)]
        suggestions = (await client.get("/api/v1/search/suggestions", params={"q": "pom"})).json()
        assert suggestions["spaces"] == []
        comment.deleted_at = utcnow()
        await session.commit()
        assert await found(client, "pomme") == [("post", visible.id)]
        visible.deleted_at = utcnow()
        await session.commit()
        assert await found(client, "pomme") == []
    async with await make.bearer(owner) as client:
        assert await found(client, "pomme") == [("space", secret.id), ("post", in_secret.id)]
        assert await found(client, "seulement") == [("post", narrowed.id)]


async def test_a_page_above_clearance_and_unknown_people_are_not_found(make, session):
    employee = await make.user()
    contractor = await make.user(kind="contractor", display_name="Zoé Contractante")
    stranger = await make.user(display_name="Zébulon Inconnu")
    page = WikiPage(
        title="Plan secret",
        slug="plan",
        body="le plan",
        level=Level.CONFIDENTIAL,
        author_id=stranger.id,
        updated_at=utcnow(),
    )
    session.add(page)
    await session.commit()
    async with await make.bearer(employee) as client:
        assert await found(client, "plan") == []
        assert await found(client, "zebulon") == [("person", stranger.id)]
    async with await make.bearer(contractor) as client:
        assert await found(client, "zebulon") == []
        assert (await client.get("/api/v1/search/suggestions", params={"q": "zeb"})).json()[
            "people"
        ] == []
        assert await found(client, "zoe") == [("person", contractor.id)]


async def test_suggestions_offer_names_and_readable_hashtags(make, session):
    reader = await make.user(display_name="Marguerite Duras")
    space = await make.space(owner=reader, name="Marketing digital")
    post = await make.post(author=reader, body="#marque")
    tag = Hashtag(name="marque")
    session.add(tag)
    await session.flush()
    session.add(PostHashtag(post_id=post.id, hashtag_id=tag.id))
    await session.commit()
    contractor = await make.user(kind="contractor")
    async with await make.bearer(reader) as client:
        answer = (await client.get("/api/v1/search/suggestions", params={"q": "mar"})).json()
        assert [p["id"] for p in answer["people"]] == [reader.id]
        assert [s["id"] for s in answer["spaces"]] == [space.id]
        assert answer["hashtags"] == ["marque"]
    post.level = Level.CONFIDENTIAL
    await session.commit()
    async with await make.bearer(contractor) as client:
        answer = (await client.get("/api/v1/search/suggestions", params={"q": "mar"})).json()
        assert answer == {"people": [], "spaces": [], "pages": [], "hashtags": []}


async def test_bad_input(make):
    reader = await make.user()
    async with await make.bearer(reader) as client:
        for params, code in (
            ({"q": "  "}, "empty_query"),
            ({"q": "-seul"}, "empty_query"),
            ({"q": " ".join(["mot"] * 13)}, "query_too_long"),
            ({"q": "x", "cursor": "bm9u"}, "invalid_cursor"),
            ({"q": "x", "cursor": "WzIsIDFd"}, "invalid_cursor"),
            ({"q": "x", "type": "poste"}, "invalid"),
            (
                {"q": "x", "from": "2026-02-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
                "invalid_dates",
            ),
        ):
            response = await client.get("/api/v1/search", params=params)
            expect_error(response, 422, code)
        response = await client.get("/api/v1/search", params={"q": "x", "from": "hier"})
        assert response.status_code == 422


async def test_reindex_rebuilds_an_equal_index(make, session):
    author = await make.user()
    await make.space(owner=author, name="Équipe projet")
    await make.post(author=author, body="Premier message")

    async def index():
        rows = await session.execute(
            select(
                SearchEntry.kind,
                SearchEntry.item_id,
                SearchEntry.title_terms,
                SearchEntry.body_terms,
            ).order_by(SearchEntry.id)
        )
        return [tuple(row) for row in rows]

    before = await index()
    assert ("post",) in [row[:1] for row in before]
    await session.run_sync(lambda sync: rebuild(sync.connection()))
    assert await index() == before


async def test_an_externals_scopes_narrow_nothing_the_policy_allows(make, session):
    """What an external finds with their scopes (app.search.scope) is exactly
    what the policy alone gives them, on every kind: the scopes only spare the
    index's work."""
    owner = await make.user(display_name="Odile Tournesol")
    contractor = await make.user(kind="contractor")
    theirs = await make.space(
        owner=owner, allows_externals=True, members=[contractor], name="Tournesol chez nous"
    )
    other = await make.space(owner=owner, name="Tournesol ailleurs")
    posts = [
        await make.post(author=owner, space=space, level=level, body=f"tournesol {n}")
        for n, (space, level) in enumerate(
            (space, level)
            for space in (None, theirs, other)
            for level in (Level.PUBLIC, Level.INTERNAL)
        )
    ]
    session.add_all(
        Comment(post_id=post.id, author_id=owner.id, body="tournesol encore", body_html="")
        for post in posts
    )
    session.add(
        WikiPage(
            title="Tournesol",
            slug="tournesol",
            body="la page",
            space_id=theirs.id,
            level=Level.PUBLIC,
            author_id=owner.id,
            updated_at=utcnow(),
        )
    )
    await session.commit()
    scopes = await readers_scopes(session, contractor)
    assert scopes is not None and await readers_scopes(session, owner) is None
    query = parse("tournesol")

    async def entries(band, narrowed) -> set[tuple]:
        found = await session.execute(
            statement(
                contractor,
                query,
                Filters(),
                dialect=session.bind.dialect.name,
                band=band,
                limit=100,
                scopes=narrowed,
            )
        )
        return set(found)

    for band in (TITLE_BAND, BODY_BAND):
        assert await entries(band, scopes) == await entries(band, None)
    found_with = await entries(None, scopes)
    assert found_with == await entries(None, None)
    kinds = {kind for _id, kind, _item in found_with}
    # The public posts of the company stream and of their space, their comments,
    # the page, the space and the person who wrote them: and nothing of the other space.
    assert kinds == {"post", "comment", "page", "space", "person"}
    assert len(found_with) == 2 + 2 + 1 + 1 + 1
