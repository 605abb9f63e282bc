"""A SCIM client of the tests: a token an administrator made, and an httpx
client that sends it, as an identity provider would."""

import httpx

from app.levels import AccountKind
from app.services.scim.clients import create_client

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


async def scim_client(
    make, admin, *, name: str = "entra", kind: AccountKind = AccountKind.EMPLOYEE
) -> httpx.AsyncClient:
    _client, secret = await create_client(make.session, viewer=admin, name=name, default_kind=kind)
    await make.session.commit()
    return make.client(Authorization=f"Bearer {secret}", **{"Content-Type": SCIM})


def user_body(email: str, **more) -> dict:
    return {"schemas": [USER], "userName": email, **more}


def patch_body(*operations: dict) -> dict:
    return {"schemas": [PATCH], "Operations": list(operations)}
