"""SCIM Users: creation, filters, sorting and pages, PATCH, ETags, and what
deactivation does to the person."""

from sqlalchemy import select

from app.levels import AccountKind, Level, Role
from app.models import AuditEvent, IdentityLink, User
from tests.scim.helpers import ENTERPRISE, SCIM, patch_body, scim_client, user_body


async def test_create_read_and_the_account_behind(make):
    admin = await make.user(role=Role.ADMIN)
    idp = await scim_client(make, admin)
    response = await idp.post(
        "/scim/v2/Users",
        json=user_body(
            "Ada.Lovelace@Example.com",
            externalId="aad-1",
            name={"givenName": "Ada", "familyName": "Lovelace"},
            title="Analyst",
            emails=[{"value": "ada@example.com", "type": "work", "primary": True}],
            phoneNumbers=[{"value": "+33 1 23", "type": "work"}],
            **{ENTERPRISE: {"department": "Maths"}},
        ),
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == SCIM
    body = response.json()
    assert body["userName"] == "ada.lovelace@example.com"
    assert body["displayName"] == "Ada Lovelace"
    assert body["active"] is True
    assert body[ENTERPRISE] == {"department": "Maths"}
    assert response.headers["ETag"] == body["meta"]["version"]
    assert response.headers["Location"] == body["meta"]["location"]
    user = await make.session.get(User, int(body["id"]))
    await make.session.refresh(user)
    assert (user.kind, user.job_title, user.phone) == (AccountKind.EMPLOYEE, "Analyst", "+33 1 23")
    link = await make.session.scalar(select(IdentityLink).where(IdentityLink.user_id == user.id))
    assert (link.provider, link.subject) == ("scim:entra", "aad-1")
    again = await idp.post("/scim/v2/Users", json=user_body("ada.lovelace@example.com"))
    assert again.status_code == 409
    assert again.json()["scimType"] == "uniqueness"
    assert again.headers["content-type"] == SCIM


async def test_kind_comes_from_the_client_never_from_the_payload(make):
    admin = await make.user(role=Role.ADMIN)
    idp = await scim_client(make, admin, name="vendors", kind=AccountKind.CONTRACTOR)
    refused = await idp.post(
        "/scim/v2/Users", json=user_body("c@vendor.example.com", kind="employee")
    )
    assert (refused.status_code, refused.json()["scimType"]) == (400, "invalidSyntax")
    body = user_body("c@vendor.example.com", userType="Employee", roles=[{"value": "admin"}])
    response = await idp.post("/scim/v2/Users", json=body)
    user = await make.session.get(User, int(response.json()["id"]))
    assert (user.kind, user.role, user.clearance) == (
        AccountKind.CONTRACTOR,
        Role.MEMBER,
        Level.PUBLIC,
    )


async def test_filters_sorting_and_pages(make):
    admin = await make.user(role=Role.ADMIN)
    idp = await scim_client(make, admin)
    for given, family in [("Ann", "Zed"), ("Bob", "Young"), ("Anton", "Xu"), ("Carl", "Wu")]:
        created = await idp.post(
            "/scim/v2/Users",
            json=user_body(
                f"{given.lower()}@example.com",
                externalId=f"ext-{given}",
                name={"givenName": given, "familyName": family},
            ),
        )
        assert created.status_code == 201

    async def names(**params):
        response = await idp.get("/scim/v2/Users", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        return body["totalResults"], [r["name"]["givenName"] for r in body["Resources"]]

    assert await names(filter='userName eq "BOB@example.com"') == (1, ["Bob"])
    assert await names(filter='name.givenName sw "an"', sortBy="name.givenName") == (
        2,
        ["Ann", "Anton"],
    )
    assert await names(filter='userName co "r" or externalId eq "ext-Bob"') == (2, ["Bob", "Carl"])
    assert await names(filter='name.givenName sw "A" and not (name.familyName eq "Xu")') == (
        1,
        ["Ann"],
    )
    assert await names(filter='externalId eq "EXT-BOB"') == (0, [])  # caseExact
    assert await names(
        sortBy="name.familyName", sortOrder="descending", startIndex="2", count="2"
    ) == (4, ["Bob", "Anton"])
    assert await names(count="0") == (4, [])
    assert await names(filter="active eq true") == (4, ["Ann", "Bob", "Anton", "Carl"])

    bad = await idp.get("/scim/v2/Users", params={"filter": 'userName eq "x" and'})
    assert (bad.status_code, bad.json()["scimType"]) == (400, "invalidFilter")
    unknown = await idp.get("/scim/v2/Users", params={"filter": 'nickName eq "x"'})
    assert (unknown.status_code, unknown.json()["scimType"]) == (400, "invalidFilter")

    search = await idp.post(
        "/scim/v2/Users/.search",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'name.familyName ew "u"',
            "attributes": ["userName"],
        },
    )
    assert search.status_code == 200
    assert [r.get("name") for r in search.json()["Resources"]] == [None, None]
    assert sorted(r["userName"] for r in search.json()["Resources"]) == [
        "anton@example.com",
        "carl@example.com",
    ]


async def test_patch_paths_and_etags(make):
    admin = await make.user(role=Role.ADMIN)
    boss = None
    idp = await scim_client(make, admin)
    boss = (await idp.post("/scim/v2/Users", json=user_body("boss@example.com"))).json()
    created = await idp.post(
        "/scim/v2/Users",
        json=user_body(
            "p@example.com",
            emails=[
                {"value": "p@example.com", "type": "work", "primary": True},
                {"value": "p@home.example.com", "type": "home"},
            ],
        ),
    )
    user_id, version = created.json()["id"], created.headers["ETag"]
    response = await idp.patch(
        f"/scim/v2/Users/{user_id}",
        json=patch_body(
            {"op": "replace", "path": 'emails[type eq "home"].value', "value": "p@new.example.com"},
            {"op": "add", "path": f"{ENTERPRISE}:department", "value": "Sales"},
            {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": boss["id"]}},
            {"op": "replace", "value": {"title": "Lead", "displayName": "P. Person"}},
        ),
        headers={"If-Match": version},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [e["value"] for e in body["emails"]] == ["p@example.com", "p@new.example.com"]
    assert body[ENTERPRISE]["department"] == "Sales"
    assert body[ENTERPRISE]["manager"]["value"] == boss["id"]
    assert (body["title"], body["displayName"]) == ("Lead", "P. Person")
    assert response.headers["ETag"] != version
    user = await make.session.get(User, int(user_id))
    await make.session.refresh(user)
    assert (user.department, user.manager_id, user.job_title) == ("Sales", int(boss["id"]), "Lead")

    stale = await idp.patch(
        f"/scim/v2/Users/{user_id}",
        json=patch_body({"op": "remove", "path": "title"}),
        headers={"If-Match": version},
    )
    assert stale.status_code == 412
    assert stale.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    current = response.headers["ETag"]
    unchanged = await idp.get(f"/scim/v2/Users/{user_id}", headers={"If-None-Match": current})
    assert unchanged.status_code == 304
    removed = await idp.patch(
        f"/scim/v2/Users/{user_id}",
        json=patch_body(
            {"op": "remove", "path": "title"},
            {"op": "remove", "path": 'emails[type eq "home"]'},
        ),
        headers={"If-Match": current},
    )
    assert removed.status_code == 200, removed.text
    assert "title" not in removed.json()
    assert [e["value"] for e in removed.json()["emails"]] == ["p@example.com"]
    wrong = await idp.patch(
        f"/scim/v2/Users/{user_id}", json=patch_body({"op": "replace", "path": "id", "value": "9"})
    )
    assert wrong.status_code == 400
    assert wrong.json()["scimType"] == "mutability"
    put = await idp.put(
        f"/scim/v2/Users/{user_id}",
        json=user_body("p@example.com", displayName="Put"),
        headers={"If-Match": '"nope"'},
    )
    assert put.status_code == 412


async def test_deactivation_offboards_and_reactivation_gives_back_only_the_kind(make):
    admin = await make.user(role=Role.ADMIN)
    idp = await scim_client(make, admin)
    created = (await idp.post("/scim/v2/Users", json=user_body("leaver@example.com"))).json()
    user = await make.session.get(User, int(created["id"]))
    user.role, user.clearance = Role.ADMIN, Level.SECRET
    await make.session.commit()
    person = await make.bearer(user)
    assert (await person.get("/api/v1/me")).status_code == 200

    off = await idp.patch(
        f"/scim/v2/Users/{created['id']}",
        json=patch_body({"op": "replace", "path": "active", "value": False}),
    )
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False
    await make.session.refresh(user)
    assert (user.kind, user.role, user.clearance) == (AccountKind.ALUMNI, Role.MEMBER, Level.PUBLIC)
    assert (await person.get("/api/v1/me")).status_code == 401  # its token ended

    on = await idp.patch(
        f"/scim/v2/Users/{created['id']}",
        json=patch_body({"op": "replace", "value": {"active": True}}),
    )
    assert on.json()["active"] is True
    await make.session.refresh(user)
    assert (user.kind, user.role, user.clearance) == (
        AccountKind.EMPLOYEE,
        Role.MEMBER,
        Level.INTERNAL,
    )
    actions = (
        await make.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == user.id).order_by(AuditEvent.id)
        )
    ).all()
    assert "account.offboarded" in actions
    assert actions[-1] == "scim.user_updated"
    assert "scim.user_deactivated" in actions and "scim.user_reactivated" in actions


async def test_delete_offboards_keeps_the_account_and_its_writing(make):
    admin = await make.user(role=Role.ADMIN)
    idp = await scim_client(make, admin, name="okta", kind=AccountKind.CONTRACTOR)
    created = (await idp.post("/scim/v2/Users", json=user_body("temp@vendor.example.com"))).json()
    user = await make.session.get(User, int(created["id"]))
    post = await make.post(author=user, body="still here")
    gone = await idp.delete(f"/scim/v2/Users/{created['id']}")
    assert gone.status_code == 204
    assert (await idp.get(f"/scim/v2/Users/{created['id']}")).status_code == 404
    await make.session.refresh(user)
    assert user.kind is AccountKind.CONTRACTOR
    assert user.access_ends_at is not None
    await make.session.refresh(post)
    assert post.body == "still here"


async def test_an_existing_account_is_adopted_not_duplicated(make):
    admin = await make.user(role=Role.ADMIN)
    existing = await make.user(email="already@example.com")
    idp = await scim_client(make, admin)
    response = await idp.post(
        "/scim/v2/Users", json=user_body("already@example.com", externalId="x1")
    )
    assert response.status_code == 201
    assert response.json()["id"] == str(existing.id)
