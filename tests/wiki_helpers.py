"""Small helpers shared by the wiki's tests: its paths, creating and saving
pages through the API, the 409 of a stale save, and what a reader catches up
on (not factories: those live in tests/factories.py)."""

import httpx

from app.services import activity

API = "/api/v1"
PAGES = f"{API}/wiki/pages"
SEARCH = f"{API}/wiki/search"
PREVIEW = f"{API}/wiki/preview"
TEMPLATES = f"{API}/wiki/templates"
EVENTS = f"{API}/events"
NOTIFICATIONS = f"{API}/notifications"


def pages_of(space_id: int | None = None) -> str:
    """The list (GET) and creation (POST) path of a wiki: the company's or a space's."""
    return PAGES if space_id is None else f"{API}/spaces/{space_id}/wiki/pages"


def bin_of(space_id: int | None = None) -> str:
    return f"{API}/wiki/deleted" if space_id is None else f"{API}/spaces/{space_id}/wiki/deleted"


async def create_page(
    client: httpx.AsyncClient,
    title: str,
    body: str = "",
    *,
    space_id: int | None = None,
    **fields,
) -> dict:
    """POST that must succeed; the page as the API returns it."""
    response = await client.post(pages_of(space_id), json={"title": title, "body": body, **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def save_page(client: httpx.AsyncClient, page: dict, **fields) -> dict:
    """PUT based on the page's revision as given (unless ``base_revision`` is),
    that must succeed; the page as saved."""
    fields.setdefault("base_revision", page["revision"])
    response = await client.put(f"{PAGES}/{page['id']}", json=fields)
    assert response.status_code == 200, response.text
    return response.json()


async def read_page(client: httpx.AsyncClient, page_id: int) -> dict:
    response = await client.get(f"{PAGES}/{page_id}")
    assert response.status_code == 200, response.text
    return response.json()


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def edit_conflict(response: httpx.Response) -> dict:
    """The 409 of a stale save: the documented error shape plus what the
    editor needs to merge. Returns the error."""
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert list(response.json()) == ["error"]
    assert sorted(error) == ["code", "current", "diff", "merged", "message"], error
    assert error["code"] == "edit_conflict" and error["message"]
    assert sorted(error["current"]) == ["author", "body", "revision", "saved_at", "title"]
    # Both null when the base is a revision the saver may not read.
    assert (error["diff"] is None) == (error["merged"] is None), error
    assert error["merged"] is None or sorted(error["merged"]) == ["body", "clean"]
    return error


async def catch_up(client: httpx.AsyncClient, since: int = 0) -> list[dict]:
    """Every event a reconnecting client is given after ``since``."""
    found: list[dict] = []
    for _ in range(100):
        response = await client.get(EVENTS, params={"since": since})
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["items"]
        since = page["last_id"]
        if not page["more"]:
            return found
    raise AssertionError("the pages never ended")


async def newest_event_id(session) -> int:
    """Where a client that has seen everything so far would catch up from."""
    return await activity.last_event_id(session)


def wikilink(href: str, label: str, *, missing: bool = False) -> str:
    """A ``[[link]]`` as a reader's HTML holds it: red (``missing``) when the
    page does not exist for them."""
    css = "wikilink missing" if missing else "wikilink"
    return f'<a href="{href}" class="{css}" rel="nofollow noopener">{label}</a>'
