"""Calendar events are found by search like the rest of the content: by their
title and their description, under the policy (container, level, audience) in
results and counts, re-indexed in the transaction that changes them, and
rebuilt by ``ruche reindex``."""

import re

from sqlalchemy import delete, select

from app.levels import Level
from app.models import SearchEntry
from app.search.indexing import rebuild
from app.search.scope import scope_of
from tests.calendar_helpers import EVENTS, event_body, plan
from tests.stream_helpers import person, publish
from tests.test_search_writes import entry_id, ids, search
from tests.test_web_search import facet, results


async def test_an_event_is_found_by_its_title_and_its_description(make):
    planner, client = await person(make)
    space = await make.space(owner=planner)
    event = await plan(
        client,
        space_id=space.id,
        title="Atelier cartographie",
        description="Apportez vos **boussoles**.",
        place="Salle Magellan",
    )
    post = await publish(client, "Compte rendu de l'atelier")
    found = await search(client, "ateliers")
    # Title matches first: the event, then the post holding the word in its body.
    assert ids(found) == [("event", event["id"]), ("post", post["id"])]
    shown = found["items"][0]
    assert shown["title"] == "Atelier cartographie"
    assert shown["url"] == f"/calendar/events/{event['id']}"
    assert shown["space"] == {"id": space.id, "name": space.name}
    assert shown["starts_at"] == event["starts_at"]
    assert shown["cancelled"] is False
    assert shown["level"] == event["level"]
    assert {"type": "event", "count": 1} in found["facets"]["types"]
    described = await search(client, "boussole")
    assert ids(described) == [("event", event["id"])]
    assert "Apportez vos <mark>boussoles</mark>" in described["items"][0]["snippet"]
    assert ids(await search(client, "magellan")) == [("event", event["id"])]
    assert ids(await search(client, "atelier", type="event")) == [("event", event["id"])]
    assert ids(await search(client, "atelier", space=space.id)) == [("event", event["id"])]
    assert ids(await search(client, "atelier", author=planner.handle)) == [
        ("event", event["id"]),
        ("post", post["id"]),
    ]
    # Not offered as one types: suggestions name places to go (engine.SUGGESTED_KINDS).
    offered = (await client.get("/api/v1/search/suggestions", params={"q": "atel"})).json()
    assert "events" not in offered and offered["pages"] == []


async def test_a_changed_then_cancelled_event(make, session):
    _planner, client = await person(make)
    event = await plan(client, title="Revue trimestrielle")
    first = await entry_id(session, "event", event["id"])
    changed = await client.put(
        f"{EVENTS}/{event['id']}", json=event_body(title="Revue annuelle", place="Auditorium")
    )
    assert changed.status_code == 200, changed.text
    assert ids(await search(client, "trimestrielle")) == []
    assert ids(await search(client, "auditorium")) == [("event", event["id"])]
    assert await entry_id(session, "event", event["id"]) == first  # updated in place
    cancelled = await client.post(f"{EVENTS}/{event['id']}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.text
    found = await search(client, "revue")
    assert ids(found) == [("event", event["id"])]
    assert found["items"][0]["cancelled"] is True


async def test_a_contractor_finds_the_public_events_of_their_spaces_alone(make, session):
    owner, client = await person(make)
    contractor, outside = await person(make, kind="contractor")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)
    other = await make.space(owner=owner)
    public = await plan(client, space_id=space.id, level="public", title="Démo chantier")
    await plan(client, space_id=space.id, level="internal", title="Démo chantier interne")
    await plan(client, space_id=other.id, level="public", title="Démo chantier ailleurs")
    found = await search(outside, "chantier")
    assert ids(found) == [("event", public["id"])]
    assert found["facets"]["total"] == 1
    assert found["facets"]["types"] == [{"type": "event", "count": 1}]
    assert found["facets"]["spaces"] == [{"id": space.id, "name": space.name, "count": 1}]
    assert ids(await search(outside, "chantier", level="internal")) == []
    assert len((await search(client, "chantier"))["items"]) == 3

    raised = await client.put(
        f"{EVENTS}/{public['id']}",
        json=event_body(level="internal", title="Démo chantier"),
    )
    assert raised.status_code == 200, raised.text
    found = await search(outside, "chantier")
    assert ids(found) == [] and found["facets"] == {
        "total": 0,
        "capped": False,
        "types": [],
        "spaces": [],
    }
    scope = await session.scalar(
        select(SearchEntry.scope).where(
            SearchEntry.kind == "event", SearchEntry.item_id == public["id"]
        )
    )
    assert scope == scope_of(space.id, Level.INTERNAL)


async def test_an_event_with_an_audience_is_found_by_its_audience_alone(make):
    _planner, client = await person(make)
    invited, invited_client = await person(make)
    _other, other_client = await person(make)
    event = await plan(client, title="Entretien annuel", audience=[invited.id])
    for reader, expected in ((client, 1), (invited_client, 1), (other_client, 0)):
        found = await search(reader, "entretien")
        assert ids(found) == [("event", event["id"])][:expected]
        assert found["facets"]["total"] == expected
    assert ids(await search(other_client, "entretien", type="event")) == []


async def _event_entry(session, event_id: int) -> tuple | None:
    row = (
        await session.execute(
            select(SearchEntry.title_terms, SearchEntry.body_terms, SearchEntry.scope).where(
                SearchEntry.kind == "event", SearchEntry.item_id == event_id
            )
        )
    ).one_or_none()
    return None if row is None else tuple(row)


async def test_reindex_rebuilds_event_entries(make, session):
    planner, client = await person(make)
    space = await make.space(owner=planner)
    event = await plan(client, space_id=space.id, level="public", title="Séminaire", place="Lyon")
    written = await _event_entry(session, event["id"])
    assert written is not None and written[2] == scope_of(space.id, Level.PUBLIC)
    # As a bulk load leaves it: the event, no entry.
    await session.execute(delete(SearchEntry))
    assert ids(await search(client, "seminaire lyon")) == []
    await session.run_sync(lambda sync: rebuild(sync.connection()))
    assert await _event_entry(session, event["id"]) == written
    assert ids(await search(client, "seminaire lyon")) == [("event", event["id"])]


async def test_the_results_page_shows_an_event_in_each_language(make, browser_of):
    planner = await make.user(language="en")
    contractor = await make.user(kind="contractor", language="fr")
    space = await make.space(
        name="Chantier Nord", owner=planner, allows_externals=True, members=[contractor]
    )
    client = await make.bearer(planner)
    event = await plan(
        client, space_id=space.id, level="public", title="Visite du chantier", place="Quai 4"
    )
    hidden = await plan(client, space_id=space.id, level="internal", title="Visite interne")
    cancelled = await client.post(f"{EVENTS}/{event['id']}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.text

    english, _csrf = await browser_of(planner)
    shown = await english.get("/search", params={"q": "visite"})
    assert results(shown.text) == [f"event-{hidden['id']}", f"event-{event['id']}"]
    assert facet(shown.text, "type") == {"event": 2} and ">2 events<" in shown.text
    row = re.search(rf'data-result="event-{event["id"]}".*?</li>', shown.text, re.S)[0]
    assert f'href="/calendar/events/{event["id"]}"' in row
    assert ">Event<" in row and ">Cancelled<" in row and "Starts <time" in row
    assert "Chantier Nord" in row and "Quai 4" in row

    french, _csrf = await browser_of(contractor)
    shown = await french.get("/search", params={"q": "visite"})
    assert results(shown.text) == [f"event-{event['id']}"]
    assert facet(shown.text, "type") == {"event": 1} and ">1 événement<" in shown.text
    assert ">Événement<" in shown.text and ">Annulé<" in shown.text
    assert "Début\u202f: <time" in shown.text and "interne" not in shown.text
    only = await french.get("/search", params={"q": "visite", "type": "event"})
    assert results(only.text) == [f"event-{event['id']}"]
