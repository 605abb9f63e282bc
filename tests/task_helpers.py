"""Small helpers shared by the tasks' tests."""

import httpx

TASKS = "/api/v1/tasks"
MY_TASKS = "/api/v1/me/tasks"


def board(space_id: int) -> str:
    return f"/api/v1/spaces/{space_id}/tasks"


def progress_of(space_id: int) -> str:
    return f"/api/v1/spaces/{space_id}/progress"


async def add(client: httpx.AsyncClient, space_id: int, title: str = "Rédiger le cahier", **fields):
    """POST /spaces/{id}/tasks that must succeed; the task as the API returns it."""
    response = await client.post(board(space_id), json={"title": title, **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def titles(client: httpx.AsyncClient, path: str, **params) -> list[str]:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()]


async def move(client: httpx.AsyncClient, task_id: int, status: str, index: int) -> dict:
    response = await client.post(f"{TASKS}/{task_id}/move", json={"status": status, "index": index})
    assert response.status_code == 200, response.text
    return response.json()
