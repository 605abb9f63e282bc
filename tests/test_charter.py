"""The network's charter: an external account accepts it before its first use;
administrators set its text."""

import pytest
from sqlalchemy import select

from app.models import AuditEvent
from tests.helpers import expect_error
from tests.space_helpers import ADMIN_SCOPES, ids

CHARTER = "/api/v1/charter"
ADMIN_CHARTER = "/api/v1/admin/charter"
NEW_TEXT = "Ce qui se dit ici reste ici. What is said here stays here."


@pytest.mark.parametrize("kind", ["contractor", "alumni"])
async def test_an_external_accepts_the_charter_before_anything_else(make, session, kind):
    external = await make.user(kind=kind, charter_accepted=False)
    space = await make.space(allows_externals=True, members=[external])
    client = await make.bearer(external)

    for method, path in [
        ("GET", "/api/v1/spaces"),
        ("GET", f"/api/v1/spaces/{space.id}"),
        ("GET", "/api/v1/notifications"),
        ("GET", "/api/v1/me/invitations"),
        ("POST", f"/api/v1/spaces/{space.id}/leave"),
    ]:
        expect_error(await client.request(method, path), 403, "charter_required")
    # What it may reach: itself, the charter, and accepting it.
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["charter_accepted_at"] is None
    assert (await client.get(CHARTER)).json()["text"]

    response = await client.post(f"{CHARTER}/accept")

    assert response.status_code == 200, response.text
    assert response.json()["charter_accepted_at"] is not None
    assert ids(await client.get("/api/v1/spaces")) == [space.id]
    await session.refresh(external)
    assert external.charter_accepted_at is not None
    # Accepting again changes nothing.
    again = await client.post(f"{CHARTER}/accept")
    assert again.json()["charter_accepted_at"] == response.json()["charter_accepted_at"]


async def test_an_employee_is_not_asked_for_the_charter(make):
    client = await make.bearer(await make.user(charter_accepted=False))
    assert (await client.get("/api/v1/spaces")).status_code == 200


async def test_the_charter_is_read_by_signed_in_people_only(client):
    expect_error(await client.get(CHARTER), 401)
    expect_error(await client.post(f"{CHARTER}/accept"), 401)


async def test_an_admin_sets_the_charter_text(make, session, client):
    admin = await make.user(role="admin")
    admin_client = await make.bearer(admin, scopes=ADMIN_SCOPES)
    reader = await make.bearer(await make.user(kind="contractor", charter_accepted=False))

    response = await admin_client.put(ADMIN_CHARTER, json={"text": NEW_TEXT})

    assert response.status_code == 200, response.text
    assert response.json() == {"text": NEW_TEXT}
    assert (await reader.get(CHARTER)).json() == {"text": NEW_TEXT}
    response = await admin_client.put(ADMIN_CHARTER, json={"text": NEW_TEXT + " Merci."})
    assert (await reader.get(CHARTER)).json()["text"] == NEW_TEXT + " Merci."
    events = (
        await session.scalars(select(AuditEvent).where(AuditEvent.action == "charter.updated"))
    ).all()
    assert [e.actor_id for e in events] == [admin.id, admin.id]


async def test_the_invitation_preview_shows_the_charter_in_force(make, client):
    admin_client = await make.bearer(await make.user(role="admin"), scopes=ADMIN_SCOPES)
    await admin_client.put(ADMIN_CHARTER, json={"text": NEW_TEXT})
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=True)
    issued = await (await make.bearer(owner)).post(
        f"/api/v1/spaces/{space.id}/invitations",
        json={"email": "guest@partner.example.com", "external_kind": "alumni"},
    )
    token = issued.json()["accept_url"].rsplit("/", 1)[-1]

    assert (await client.get(f"/api/v1/invitations/preview/{token}")).json()["charter"] == NEW_TEXT


async def test_only_admins_set_the_charter(make, session, client):
    member = await make.user()
    cookie_client = await make.signed_in(member)

    expect_error(await cookie_client.put(ADMIN_CHARTER, json={"text": NEW_TEXT}), 403, "forbidden")
    # A member's token never carries the admin scope.
    token_client = await make.bearer(member)
    expect_error(await token_client.put(ADMIN_CHARTER, json={"text": NEW_TEXT}), 403)
    expect_error(await client.put(ADMIN_CHARTER, json={"text": NEW_TEXT}), 401)
    assert (await token_client.get(CHARTER)).json()["text"] != NEW_TEXT


async def test_the_charter_text_is_checked(make):
    admin_client = await make.bearer(await make.user(role="admin"), scopes=ADMIN_SCOPES)
    for body in [{"text": "short"}, {"text": "x" * 20001}, {}, {"text": None}]:
        expect_error(await admin_client.put(ADMIN_CHARTER, json=body), 422, sent=body)
    assert (await admin_client.get(CHARTER)).json()["text"] != "short"


async def test_an_offboarded_employee_accepts_the_charter_again(make, session):
    admin_client = await make.bearer(await make.user(role="admin"), scopes=ADMIN_SCOPES)
    leaver = await make.user()
    await admin_client.post(f"/api/v1/admin/users/{leaver.id}/offboard")
    await session.refresh(leaver)
    assert (leaver.kind, leaver.charter_accepted_at) == ("alumni", None)

    client = await make.signed_in(leaver)

    expect_error(await client.get("/api/v1/spaces"), 403, "charter_required")
    assert (await client.post(f"{CHARTER}/accept")).status_code == 200
    assert (await client.get("/api/v1/spaces")).status_code == 200
