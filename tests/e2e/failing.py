"""Making an action's API call fail in the browser, the two ways a live action
can: the connection cut, or the server refusing in the documented error shape."""

from playwright.async_api import Locator, Page


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
