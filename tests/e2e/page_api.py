"""The API as a page's own scripts call it, in browser tests: calling it with
the page's session, and making an action's call fail the two ways a live action
can (the connection cut, or the server refusing in the documented error shape)."""

from playwright.async_api import Locator, Page


async def api_call(page: Page, method: str, path: str, data: dict | None = None) -> dict:
    """The API as the page's own scripts call it: the session cookie and the CSRF token."""
    csrf = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = await page.request.fetch(
        f"/api/v1{path}", method=method, data=data, headers={"X-CSRF-Token": csrf}
    )
    assert response.ok, await response.text()
    return await response.json()


async def fail_calls(
    page: Page,
    pattern: str,
    control: Locator,
    failure: str,
    *,
    status: int,
    code: str,
    message: str,
) -> list[str | None]:
    """Calls matching ``pattern`` fail: cut (``failure == "network"``) or refused
    with ``status``, ``code`` and ``message``. Returns the list that receives the control's
    ``aria-busy`` at each call (busy while pending)."""
    busy: list[str | None] = []

    async def fail(route):
        busy.append(await control.get_attribute("aria-busy"))
        if failure == "network":
            await route.abort()
        else:
            await route.fulfill(status=status, json={"error": {"code": code, "message": message}})

    await page.route(pattern, fail)
    return busy
