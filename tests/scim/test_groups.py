"""SCIM Groups, and the spaces an administrator links them to: members follow,
and provisioning takes back only the memberships it granted."""

from sqlalchemy import select

from app.levels import AccountKind, Role
from app.models import Membership, SpaceRole
from tests.scim.helpers import GROUP, patch_body, scim_client, user_body


async def _roles(make, space) -> dict[int, SpaceRole]:
    rows = await make.session.execute(
        select(Membership.user_id, Membership.role).where(Membership.space_id == space.id)
    )
    return dict(rows.all())


async def test_a_linked_group_brings_its_members_into_the_space_and_out_again(make):
    admin = await make.user(role=Role.ADMIN)
    idp = await scim_client(make, admin)
    ids = []
    for name in ("ann", "bob", "cat"):
        created = await idp.post("/scim/v2/Users", json=user_body(f"{name}@example.com"))
        ids.append(int(created.json()["id"]))
    ann, bob, cat = ids
    # Bob was a moderator of the space before any group: his place is his own.
    space = await make.space(owner=admin)
    make.session.add(Membership(space_id=space.id, user_id=bob, role=SpaceRole.MODERATOR))
    await make.session.commit()

    group = await idp.post(
        "/scim/v2/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Engineering",
            "members": [{"value": str(ann)}, {"value": str(bob)}],
        },
    )
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    assert sorted(m["value"] for m in group.json()["members"]) == [str(ann), str(bob)]

    admin_api = await make.bearer(admin, scopes=("read", "write", "admin"))
    linked = await admin_api.put(
        f"/api/v1/admin/scim/groups/{group_id}/space", json={"space_id": space.id, "role": "member"}
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["members"] == 2
    roles = await _roles(make, space)
    assert roles[ann] is SpaceRole.MEMBER and roles[bob] is SpaceRole.MODERATOR

    added = await idp.patch(
        f"/scim/v2/Groups/{group_id}",
        json=patch_body({"op": "add", "path": "members", "value": [{"value": str(cat)}]}),
    )
    assert added.status_code == 200, added.text
    assert cat in await _roles(make, space)

    removed = await idp.patch(
        f"/scim/v2/Groups/{group_id}",
        json=patch_body(
            {"op": "remove", "path": f'members[value eq "{ann}"]'},
            {"op": "remove", "path": f'members[value eq "{bob}"]'},
        ),
    )
    assert removed.status_code == 200, removed.text
    roles = await _roles(make, space)
    assert ann not in roles  # provisioning granted it, provisioning took it back
    assert roles[bob] is SpaceRole.MODERATOR  # his own place stays
    assert cat in roles

    found = await idp.get("/scim/v2/Groups", params={"filter": f'members eq "{cat}"'})
    assert [g["id"] for g in found.json()["Resources"]] == [group_id]

    assert (await idp.delete(f"/scim/v2/Groups/{group_id}")).status_code == 204
    roles = await _roles(make, space)
    assert cat not in roles and bob in roles and admin.id in roles


async def test_a_space_closed_to_externals_stays_closed(make):
    admin = await make.user(role=Role.ADMIN)
    idp = await scim_client(make, admin, name="vendors", kind=AccountKind.CONTRACTOR)
    contractor = await idp.post("/scim/v2/Users", json=user_body("c@vendor.example.com"))
    space = await make.space(owner=admin, allows_externals=False)
    group = await idp.post(
        "/scim/v2/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Vendors",
            "members": [{"value": contractor.json()["id"]}],
        },
    )
    admin_api = await make.bearer(admin, scopes=("read", "write", "admin"))
    linked = await admin_api.put(
        f"/api/v1/admin/scim/groups/{group.json()['id']}/space", json={"space_id": space.id}
    )
    assert linked.status_code == 200
    assert int(contractor.json()["id"]) not in await _roles(make, space)


async def test_members_must_be_users_of_the_client(make):
    admin = await make.user(role=Role.ADMIN)
    stranger = await make.user()
    idp = await scim_client(make, admin)
    refused = await idp.post(
        "/scim/v2/Groups",
        json={"schemas": [GROUP], "displayName": "X", "members": [{"value": str(stranger.id)}]},
    )
    assert (refused.status_code, refused.json()["scimType"]) == (400, "invalidValue")
