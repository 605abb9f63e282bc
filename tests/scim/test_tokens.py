"""Who opens /scim/v2: a SCIM client's token only. That token opens nothing of
/api/v1, a person's token or session opens nothing of /scim/v2, and a client
sees only what it provisions."""

import pytest

from app.levels import Role
from tests.scim.helpers import SCIM, scim_client, user_body


@pytest.mark.parametrize("path", ["/scim/v2/Users", "/scim/v2/ServiceProviderConfig"])
async def test_a_personal_token_or_a_session_opens_nothing(make, path):
    admin = await make.user(role=Role.ADMIN)
    person_token = await make.bearer(admin, scopes=("read", "write", "admin"))
    session = await make.signed_in(admin)
    for client in (person_token, session, make.client()):
        response = await client.get(path)
        assert response.status_code == 401
        assert response.headers["content-type"] == SCIM
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_scim_token_opens_nothing_of_the_api(make):
    admin = await make.user(role=Role.ADMIN)
    idp = await scim_client(make, admin)
    for path in ("/api/v1/me", "/api/v1/admin/users", "/api/v1/feed"):
        assert (await idp.get(path)).status_code == 401


async def test_a_revoked_or_rotated_token_stops_and_clients_see_only_their_own(make):
    admin = await make.user(role=Role.ADMIN)
    someone = await make.user()
    admin_api = await make.bearer(admin, scopes=("read", "write", "admin"))
    created = await admin_api.post("/api/v1/admin/scim/clients", json={"name": "okta"})
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert token.startswith("ruche_scim_")
    idp = make.client(Authorization=f"Bearer {token}")
    mine = await idp.post("/scim/v2/Users", json=user_body("mine@example.com"))
    other = await scim_client(make, admin, name="entra")
    # Another client's user, and an account no client provisions: 404, and absent from lists.
    assert (await other.get(f"/scim/v2/Users/{mine.json()['id']}")).status_code == 404
    assert (await other.get(f"/scim/v2/Users/{someone.id}")).status_code == 404
    assert (await other.get("/scim/v2/Users")).json()["totalResults"] == 0

    client_id = created.json()["id"]
    rotated = await admin_api.post(f"/api/v1/admin/scim/clients/{client_id}/token")
    assert (await idp.get("/scim/v2/Users")).status_code == 401
    idp = make.client(Authorization=f"Bearer {rotated.json()['token']}")
    assert (await idp.get("/scim/v2/Users")).json()["totalResults"] == 1
    assert (await admin_api.delete(f"/api/v1/admin/scim/clients/{client_id}")).status_code == 204
    assert (await idp.get("/scim/v2/Users")).status_code == 401


async def test_only_administrators_manage_clients(make):
    member = await make.user()
    api = await make.signed_in(member)
    assert (await api.get("/api/v1/admin/scim/clients")).status_code == 403
    assert (await api.post("/api/v1/admin/scim/clients", json={"name": "x"})).status_code == 403
