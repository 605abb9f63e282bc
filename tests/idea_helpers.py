"""Small helpers shared by the idea campaigns' tests."""

from datetime import timedelta

import httpx

from app.models.base import utcnow

CAMPAIGNS = "/api/v1/campaigns"
IDEAS = "/api/v1/ideas"


def later(days: int = 14) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


async def open_campaign(client: httpx.AsyncClient, space_id: int, **fields) -> dict:
    """POST /spaces/{id}/campaigns that must succeed; the campaign as answered."""
    body = {"title": "Comment réduire nos déplacements ?", "deadline": later(), **fields}
    response = await client.post(f"/api/v1/spaces/{space_id}/campaigns", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def propose(client: httpx.AsyncClient, campaign_id: int, **fields) -> dict:
    body = {"title": "Des visioconférences", "body": "Moins de **trains**.", **fields}
    response = await client.post(f"{CAMPAIGNS}/{campaign_id}/ideas", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def move(client: httpx.AsyncClient, idea_id: int, status: str, reason: str = "Parce que"):
    return await client.post(f"{IDEAS}/{idea_id}/status", json={"status": status, "reason": reason})
