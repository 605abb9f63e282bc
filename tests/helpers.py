"""What every API test checks the same way."""

import httpx


def expect_error(
    response: httpx.Response, status: int, code: str | None = None, *, sent=None
) -> dict:
    """The documented error shape ``{"error": {"code", "message"}}`` with ``status``,
    and nothing else; returns the error. ``sent``: what the request carried, shown
    when the check fails."""
    assert response.status_code == status, (sent, response.text)
    assert response.headers["content-type"].startswith("application/json"), sent
    body = response.json()
    assert list(body) == ["error"], (sent, body)
    assert sorted(body["error"]) == ["code", "message"], (sent, body)
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], (sent, body)
    if code is not None:
        assert body["error"]["code"] == code, (sent, body)
    return body["error"]
