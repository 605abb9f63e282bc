"""The administration page of provisioning: a client made from it shows its
token once and works at /scim/v2; a group is linked to a space from it."""

import re

from app.levels import Role
from tests.scim.helpers import GROUP, user_body


async def test_an_administrator_makes_a_client_and_links_a_group(make, browser_of):
    admin = await make.user(role=Role.ADMIN, language="en")
    space = await make.space(owner=admin, name="Atlas")
    browser, csrf = await browser_of(admin)
    made = await browser.post(
        "/admin/scim/clients",
        data={"csrf_token": csrf, "name": "entra", "default_kind": "contractor"},
    )
    assert made.status_code == 200
    token = re.search(r"ruche_scim_[A-Za-z0-9_-]+", made.text).group(0)
    assert "shown this once" in made.text
    page = await browser.get("/admin/scim")
    assert "entra" in page.text and token not in page.text

    idp = make.client(Authorization=f"Bearer {token}")
    person = await idp.post("/scim/v2/Users", json=user_body("c@vendor.example.com"))
    group = await idp.post(
        "/scim/v2/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Vendors",
            "members": [{"value": person.json()["id"]}],
        },
    )
    linked = await browser.post(
        f"/admin/scim/groups/{group.json()['id']}/space",
        data={"csrf_token": csrf, "space_id": str(space.id), "role": "member"},
    )
    assert linked.status_code == 303
    page = await browser.get("/admin/scim")
    assert re.search(rf'<option value="{space.id}" selected>Atlas</option>', page.text)


async def test_the_page_is_for_administrators(make, browser_of):
    member = await make.user()
    browser, _csrf = await browser_of(member)
    assert (await browser.get("/admin/scim")).status_code == 403
