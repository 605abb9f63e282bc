"""The pages of webhooks, in English and without scripts: a space's owner adds
an outgoing hook and sees its secret once, its page and log; an incoming
hook's URL is shown once; anyone else finds no such page."""

from app.levels import Role
from app.models import Membership, SpaceRole
from tests.test_web_pages import audit as csp_audit


async def test_an_owner_manages_the_space_webhooks_from_pages(make, browser_of):
    owner = await make.user(language="en")
    member = await make.user(language="en")
    space = await make.space(owner=owner, members=[member])
    mine, csrf = await browser_of(owner)

    page = await mine.get(f"/spaces/{space.id}/webhooks")
    assert page.status_code == 200 and "Add an outgoing webhook" in page.text
    assert csp_audit(page.text).problems == []
    refused = await mine.post(
        f"/spaces/{space.id}/webhooks",
        data={"url": "http://10.0.0.8/x", "events": "post.created", "csrf_token": csrf},
    )
    assert refused.status_code == 422 and "private network" in refused.text
    assert 'value="http://10.0.0.8/x"' in refused.text
    created = await mine.post(
        f"/spaces/{space.id}/webhooks",
        data={
            "url": "https://1.1.1.1/ruche",
            "description": "CI",
            "events": ["post.created", "member.joined"],
            "level": "internal",
            "csrf_token": csrf,
        },
    )
    assert created.status_code == 200 and "whsec_" in created.text
    listed = await mine.get(f"/spaces/{space.id}/webhooks")
    assert "CI" in listed.text and "whsec_" not in listed.text
    hook_path = listed.text.split('href="/webhooks/')[1].split('"')[0]
    hook_page = await mine.get(f"/webhooks/{hook_path}")
    assert hook_page.status_code == 200 and "Deliveries" in hook_page.text
    disabled = await mine.post(
        f"/webhooks/{hook_path}/enable", data={"enabled": "false", "csrf_token": csrf}
    )
    assert disabled.status_code == 303
    assert "This webhook is disabled" in (await mine.get(f"/webhooks/{hook_path}")).text

    incoming = await mine.post(
        f"/spaces/{space.id}/incoming-webhooks",
        data={"name": "Deploy bot", "level": "public", "csrf_token": csrf},
    )
    assert incoming.status_code == 200 and "/api/v1/hooks/" in incoming.text
    assert "Deploy bot" in (await mine.get(f"/spaces/{space.id}/webhooks")).text

    theirs, _their_csrf = await browser_of(member)
    for path in (f"/spaces/{space.id}/webhooks", f"/webhooks/{hook_path}", "/admin/webhooks"):
        assert (await theirs.get(path)).status_code == 404, path

    admin, _admin_csrf = await browser_of(await make.user(role=Role.ADMIN, language="en"))
    company = await admin.get("/admin/webhooks")
    assert company.status_code == 200 and "Webhooks of the company stream" in company.text
    # An administrator sees the space's outgoing hooks, not its incoming ones' list.
    theirs_too = await admin.get(f"/spaces/{space.id}/webhooks")
    assert "CI" in theirs_too.text and "Deploy bot" not in theirs_too.text


async def test_an_incoming_hook_its_creator_left_shows_stopped_until_a_new_url(
    make, session, browser_of
):
    owner = await make.user(language="en")
    creator = await make.user(language="en")
    space = await make.space(owner=owner)
    session.add(Membership(space_id=space.id, user_id=creator.id, role=SpaceRole.OWNER))
    await session.commit()
    theirs, their_csrf = await browser_of(creator)
    made = await theirs.post(
        f"/spaces/{space.id}/incoming-webhooks",
        data={"name": "Deploy bot", "level": "public", "csrf_token": their_csrf},
    )
    assert made.status_code == 200 and "/api/v1/hooks/" in made.text
    admin = await make.bearer(await make.user(role=Role.ADMIN), scopes=("admin",))
    assert (await admin.post(f"/api/v1/admin/users/{creator.id}/offboard")).status_code == 200

    mine, csrf = await browser_of(owner)
    listed = await mine.get(f"/spaces/{space.id}/webhooks")
    assert "Stopped: the person who made it has left" in listed.text
    hook_id = listed.text.split('action="/incoming-webhooks/')[1].split("/")[0]
    renewed = await mine.post(f"/incoming-webhooks/{hook_id}/url", data={"csrf_token": csrf})
    assert renewed.status_code == 200 and "/api/v1/hooks/" in renewed.text
    listed = await mine.get(f"/spaces/{space.id}/webhooks")
    assert "Deploy bot" in listed.text and "Stopped:" not in listed.text
