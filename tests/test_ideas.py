"""Idea campaigns through the API: campaigns in innovation spaces only, ideas
as posts of their campaign, votes until the deadline, the workflow with its
reasons and history, the notifications it sends, accepting an idea as a
project, and who may read, count, vote or move what."""

from datetime import timedelta

from sqlalchemy import func, select, update

from app.models import AuditEvent, IdeaCampaign, IdeaVote, RateLimitHit, VoteChoice
from app.models.base import utcnow
from app.services.invitations import INVITATIONS_PER_HOUR
from tests.helpers import expect_error
from tests.idea_helpers import CAMPAIGNS, IDEAS, move, open_campaign, propose
from tests.stream_helpers import person

NOTIFICATIONS = "/api/v1/notifications"


async def innovation(make, clearance=None, **fields):
    """An innovation space, its owner (a moderator of it) and a bearer client."""
    owner, client = await person(make, clearance=clearance)
    space = await make.space(owner=owner, kind="innovation", **fields)
    return space, owner, client


async def test_a_campaign_is_opened_in_an_innovation_space_only(make):
    space, owner, client = await innovation(make)
    campaign = await open_campaign(client, space.id, description="Le *bilan* carbone")
    assert campaign["status"] == "open" and campaign["idea_count"] == 0
    assert campaign["description_html"] == "<p>Le <em>bilan</em> carbone</p>\n"
    assert campaign["space"]["id"] == space.id and campaign["level"] == "internal"
    listed = await client.get(f"/api/v1/spaces/{space.id}/campaigns")
    assert [c["id"] for c in listed.json()] == [campaign["id"]]

    project = await make.space(owner=owner)
    refused = await client.post(
        f"/api/v1/spaces/{project.id}/campaigns",
        json={"title": "Q", "deadline": campaign["deadline"]},
    )
    expect_error(refused, 422, "not_innovation_space")
    past = (utcnow() - timedelta(hours=1)).isoformat()
    refused = await client.post(
        f"/api/v1/spaces/{space.id}/campaigns", json={"title": "Q", "deadline": past}
    )
    expect_error(refused, 422, "deadline_passed")


async def test_only_moderators_open_and_change_campaigns(make):
    member, member_client = await person(make)
    space, _owner, client = await innovation(make, members=[member])
    refused = await member_client.post(
        f"/api/v1/spaces/{space.id}/campaigns", json={"title": "Q", "deadline": "2030-01-01T00:00Z"}
    )
    expect_error(refused, 403, "forbidden")
    campaign = await open_campaign(client, space.id)
    changed = await client.patch(f"{CAMPAIGNS}/{campaign['id']}", json={"title": "Autre ?"})
    assert changed.status_code == 200 and changed.json()["title"] == "Autre ?"
    # Its level and audience never change: the policy reads its ideas knowing
    # so (app/access.py, ``_readable_campaign_of_idea``).
    kept = await client.patch(
        f"{CAMPAIGNS}/{campaign['id']}", json={"level": "public", "audience": [member.id]}
    )
    assert kept.json()["level"] == campaign["level"] and kept.json().get("audience") is None
    refused = await member_client.patch(f"{CAMPAIGNS}/{campaign['id']}", json={"title": "X"})
    expect_error(refused, 403, "forbidden")


async def test_ideas_are_posts_of_their_campaign_with_votes_sorted(make):
    voters = [await person(make) for _ in range(3)]
    space, _owner, client = await innovation(make, members=[user for user, _c in voters])
    campaign = await open_campaign(client, space.id)
    first = await propose(voters[0][1], campaign["id"], title="Vélos")
    second = await propose(voters[1][1], campaign["id"], title="Trains")
    assert (
        first["status"] == "new"
        and first["body_html"] == "<p>Moins de <strong>trains</strong>.</p>\n"
    )

    for _user, voter in voters:
        assert (
            await voter.put(f"{IDEAS}/{second['id']}/vote", json={"choice": "for"})
        ).status_code == 200
    answered = await voters[2][1].put(f"{IDEAS}/{first['id']}/vote", json={"choice": "against"})
    assert answered.json()["votes_against"] == 1 and answered.json()["my_vote"] == "against"
    # Changed, then withdrawn: one vote per person.
    changed = await voters[2][1].put(f"{IDEAS}/{first['id']}/vote", json={"choice": "for"})
    assert (changed.json()["votes_for"], changed.json()["votes_against"]) == (1, 0)
    withdrawn = await voters[2][1].delete(f"{IDEAS}/{first['id']}/vote")
    assert withdrawn.json()["votes_for"] == 0 and withdrawn.json()["my_vote"] is None

    by_votes = (await client.get(f"{CAMPAIGNS}/{campaign['id']}/ideas")).json()
    assert [(i["title"], i["votes_for"]) for i in by_votes] == [("Trains", 3), ("Vélos", 0)]
    recent = (await client.get(f"{CAMPAIGNS}/{campaign['id']}/ideas?sort=recent")).json()
    assert [i["title"] for i in recent] == ["Trains", "Vélos"]
    assert (await client.get(f"{CAMPAIGNS}/{campaign['id']}")).json()["idea_count"] == 2

    # An idea is a post: it is in the space's stream, takes comments and reactions.
    stream = (await client.get(f"/api/v1/spaces/{space.id}/posts")).json()["items"]
    assert {p["id"] for p in stream} >= {first["id"], second["id"]}
    comment = await client.post(f"/api/v1/posts/{first['id']}/comments", json={"body": "Oui"})
    assert comment.status_code == 201
    reacted = await client.put(f"/api/v1/posts/{first['id']}/reactions/like")
    assert reacted.status_code in (200, 204)


async def test_an_idea_is_never_below_its_campaign(make):
    space, _owner, client = await innovation(make, clearance="confidential")
    campaign = await open_campaign(client, space.id, level="confidential")
    idea = await client.post(
        f"{CAMPAIGNS}/{campaign['id']}/ideas", json={"title": "T", "level": "internal"}
    )
    expect_error(idea, 422, "write_down")
    default = await propose(client, campaign["id"])
    assert default["level"] == "confidential"
    lowered = await client.patch(f"/api/v1/posts/{default['id']}", json={"level": "internal"})
    expect_error(lowered, 422, "write_down")


async def test_votes_and_ideas_close_at_the_deadline(make, session):
    member, member_client = await person(make)
    space, _owner, client = await innovation(make, members=[member])
    campaign = await open_campaign(client, space.id)
    idea = await propose(member_client, campaign["id"])
    await session.execute(
        update(IdeaCampaign)
        .where(IdeaCampaign.id == campaign["id"])
        .values(deadline=utcnow() - timedelta(minutes=1))
    )
    await session.commit()
    shown = await client.get(f"{CAMPAIGNS}/{campaign['id']}")
    assert shown.json()["status"] == "closed"
    expect_error(
        await member_client.put(f"{IDEAS}/{idea['id']}/vote", json={"choice": "for"}),
        409,
        "campaign_closed",
    )
    expect_error(await member_client.delete(f"{IDEAS}/{idea['id']}/vote"), 409, "campaign_closed")
    refused = await member_client.post(f"{CAMPAIGNS}/{campaign['id']}/ideas", json={"title": "T"})
    expect_error(refused, 409, "campaign_closed")
    # The workflow goes on after the deadline.
    assert (await move(client, idea["id"], "under_review")).status_code == 200


async def test_the_workflow_keeps_its_steps_and_tells_author_and_voters(make):
    author, author_client = await person(make)
    voter, voter_client = await person(make)
    member, member_client = await person(make)
    space, owner, client = await innovation(make, members=[author, voter, member])
    campaign = await open_campaign(client, space.id)
    idea = await propose(author_client, campaign["id"])
    await voter_client.put(f"{IDEAS}/{idea['id']}/vote", json={"choice": "against"})

    expect_error(await move(member_client, idea["id"], "under_review"), 403, "forbidden")
    expect_error(await move(client, idea["id"], "accepted"), 409, "invalid_transition")
    blank = await client.post(
        f"{IDEAS}/{idea['id']}/status", json={"status": "under_review", "reason": " "}
    )
    expect_error(blank, 422, None)
    assert (await move(client, idea["id"], "under_review", "À l'étude")).status_code == 200
    moved = await move(client, idea["id"], "declined", "Trop cher")
    assert moved.json()["status"] == "declined"
    expect_error(await move(client, idea["id"], "implemented"), 409, "invalid_transition")

    steps = (await member_client.get(f"{IDEAS}/{idea['id']}/steps")).json()
    assert [(s["from_status"], s["to_status"], s["reason"]) for s in steps] == [
        ("new", "under_review", "À l'étude"),
        ("under_review", "declined", "Trop cher"),
    ]
    assert steps[0]["actor"]["id"] == owner.id
    for told_client in (author_client, voter_client):
        told = (await told_client.get(NOTIFICATIONS)).json()["items"]
        assert [n["kind"] for n in told if n["kind"] == "idea_moved"] == ["idea_moved"] * 2
    member_told = (await member_client.get(NOTIFICATIONS)).json()["items"]
    assert not [n for n in member_told if n["kind"] == "idea_moved"]


async def test_accepting_an_idea_makes_a_project_with_its_supporters_invited(make, session):
    author, author_client = await person(make)
    supporter, supporter_client = await person(make)
    opponent, opponent_client = await person(make)
    await make.user()  # an employee outside the private space
    space, owner, client = await innovation(
        make, members=[author, supporter, opponent], visibility="private"
    )
    campaign = await open_campaign(client, space.id)
    idea = await propose(author_client, campaign["id"], title="Un atelier vélo")
    await supporter_client.put(f"{IDEAS}/{idea['id']}/vote", json={"choice": "for"})
    await opponent_client.put(f"{IDEAS}/{idea['id']}/vote", json={"choice": "against"})
    refused = await client.post(f"{IDEAS}/{idea['id']}/project", json={"reason": "Oui"})
    # The idea's readers are the private space's members: a private space, listed
    # to every employee, would tell them of it.
    expect_error(refused, 422, "project_widens_readers")
    assert (await move(client, idea["id"], "under_review")).status_code == 200
    made = await client.post(
        f"{IDEAS}/{idea['id']}/project", json={"reason": "Adopté", "visibility": "secret"}
    )
    assert made.status_code == 201, made.text
    project = made.json()["space"]
    assert made.json()["idea"]["status"] == "accepted"
    assert made.json()["idea"]["project_space_id"] == project["id"]
    detail = (await client.get(f"/api/v1/spaces/{project['id']}")).json()
    assert detail["kind"] == "project" and detail["objective"] == "Un atelier vélo"
    assert f"/ideas/{idea['id']}" in detail["description"]
    invited = (await client.get(f"/api/v1/spaces/{project['id']}/invitations")).json()
    assert sorted(i["invitee_id"] for i in invited) == sorted([author.id, supporter.id])
    again = await client.post(f"{IDEAS}/{idea['id']}/project", json={"reason": "Encore"})
    expect_error(again, 409, "already_project")
    del owner, session


async def test_an_idea_with_more_supporters_than_an_hours_invitations_becomes_a_project(
    make, session
):
    """Sixty supporters, a moderator whose hourly invitations are used up: the
    decision invites them all, each audited, and counts none against the limit."""
    supporters = [await make.user() for _ in range(60)]
    space, owner, client = await innovation(make, members=supporters, visibility="private")
    campaign = await open_campaign(client, space.id)
    idea = await propose(client, campaign["id"], title="Un atelier vélo")
    session.add_all(
        IdeaVote(post_id=idea["id"], user_id=user.id, choice=VoteChoice.FOR, voted_at=utcnow())
        for user in supporters
    )
    session.add_all(
        RateLimitHit(bucket="invitation", key=str(owner.id)) for _ in range(INVITATIONS_PER_HOUR)
    )
    await session.commit()
    assert (await move(client, idea["id"], "under_review")).status_code == 200
    made = await client.post(
        f"{IDEAS}/{idea['id']}/project", json={"reason": "Adopté", "visibility": "secret"}
    )
    assert made.status_code == 201, made.text
    project = made.json()["space"]["id"]
    invited = (await client.get(f"/api/v1/spaces/{project}/invitations")).json()
    assert sorted(i["invitee_id"] for i in invited) == sorted(u.id for u in supporters)
    audited = await session.scalar(
        select(func.count()).where(
            AuditEvent.action == "invitation.created", AuditEvent.actor_id == owner.id
        )
    )
    assert audited == 60
    hits = await session.scalar(
        select(func.count()).where(
            RateLimitHit.bucket == "invitation", RateLimitHit.key == str(owner.id)
        )
    )
    assert hits == INVITATIONS_PER_HOUR
    # The moderator's own invitations stay limited.
    refused = await client.post(
        f"/api/v1/spaces/{project}/invitations", json={"user_id": (await make.user()).id}
    )
    expect_error(refused, 429, "rate_limited")


async def test_nothing_of_a_campaign_reaches_who_may_not_read_it(make, session):
    """A contractor of the space (public only) and an employee outside the
    audience of a narrowed campaign: 404 on every path, nothing in lists,
    counts or notifications."""
    contractor, contractor_client = await person(make, kind="contractor")
    insider, insider_client = await person(make)
    outsider, outsider_client = await person(make)
    space, owner, client = await innovation(
        make, members=[contractor, insider, outsider], allows_externals=True
    )
    public = await open_campaign(client, space.id, level="public")
    narrowed = await open_campaign(client, space.id, audience=[insider.id])
    public_idea = await propose(client, public["id"], level="public", title="Ouverte")
    internal_idea = await propose(client, public["id"], title="Interne")
    hidden_idea = await propose(insider_client, narrowed["id"], title="Cachée")
    await contractor_client.put(f"{IDEAS}/{public_idea['id']}/vote", json={"choice": "for"})

    # The contractor: the public campaign and idea, nothing internal.
    listed = (await contractor_client.get(f"/api/v1/spaces/{space.id}/campaigns")).json()
    assert [c["id"] for c in listed] == [public["id"]] and listed[0]["idea_count"] == 1
    ideas = (await contractor_client.get(f"{CAMPAIGNS}/{public['id']}/ideas")).json()
    assert [i["id"] for i in ideas] == [public_idea["id"]]
    for path in (
        f"{CAMPAIGNS}/{narrowed['id']}",
        f"{CAMPAIGNS}/{narrowed['id']}/ideas",
        f"{IDEAS}/{internal_idea['id']}",
        f"{IDEAS}/{internal_idea['id']}/steps",
        f"/api/v1/posts/{internal_idea['id']}",
        f"/api/v1/posts/{hidden_idea['id']}",
    ):
        expect_error(await contractor_client.get(path), 404, "not_found")
    expect_error(
        await contractor_client.put(f"{IDEAS}/{internal_idea['id']}/vote", json={"choice": "for"}),
        404,
        "not_found",
    )
    # The employee outside the narrowed campaign's audience: its idea is hidden
    # from them although the idea itself names no audience.
    for path in (
        f"{CAMPAIGNS}/{narrowed['id']}",
        f"{IDEAS}/{hidden_idea['id']}",
        f"/api/v1/posts/{hidden_idea['id']}",
    ):
        expect_error(await outsider_client.get(path), 404, "not_found")
    expect_error(
        await outsider_client.put(f"{IDEAS}/{hidden_idea['id']}/vote", json={"choice": "for"}),
        404,
        "not_found",
    )
    stream = (await outsider_client.get(f"/api/v1/spaces/{space.id}/posts")).json()["items"]
    assert hidden_idea["id"] not in {p["id"] for p in stream}
    found = await insider_client.get(f"{CAMPAIGNS}/{narrowed['id']}/ideas")
    assert [i["id"] for i in found.json()] == [hidden_idea["id"]]

    # A notification of a move reaches a voter who may read the idea, and stops
    # showing once they may not.
    assert (await move(client, public_idea["id"], "under_review")).status_code == 200
    told = (await contractor_client.get(NOTIFICATIONS)).json()["items"]
    assert [n["post_id"] for n in told if n["kind"] == "idea_moved"] == [public_idea["id"]]
    raised = await client.patch(f"/api/v1/posts/{public_idea['id']}", json={"level": "internal"})
    assert raised.status_code == 200
    told = (await contractor_client.get(NOTIFICATIONS)).json()["items"]
    assert not [n for n in told if n["kind"] == "idea_moved"]
    expect_error(await contractor_client.get(f"{IDEAS}/{public_idea['id']}"), 404, "not_found")
    listed = (await contractor_client.get(f"/api/v1/spaces/{space.id}/campaigns")).json()
    assert [c["id"] for c in listed] == [public["id"]] and listed[0]["idea_count"] == 0
    del owner, outsider


async def test_an_ideas_title_is_changed_by_its_author_and_moderators(make):
    """Its author and the space's moderators change an idea's title; another
    member is refused (403); a reader below the idea's level finds nothing (404).
    Search finds it by its new title, not its old one."""
    author, author_client = await person(make)
    other, other_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space, _owner, client = await innovation(
        make, members=[author, other, contractor], allows_externals=True
    )
    campaign = await open_campaign(client, space.id, level="public")
    idea = await propose(author_client, campaign["id"], title="Covoiturage")
    path = f"{IDEAS}/{idea['id']}"
    changed = await author_client.patch(path, json={"title": "Plus de visios"})
    assert changed.status_code == 200 and changed.json()["title"] == "Plus de visios"
    changed = await client.patch(path, json={"title": "Des visios"})
    assert changed.status_code == 200 and changed.json()["title"] == "Des visios"
    expect_error(await other_client.patch(path, json={"title": "X"}), 403, "forbidden")
    expect_error(await contractor_client.patch(path, json={"title": "X"}), 404, "not_found")
    expect_error(await author_client.patch(path, json={"title": " "}), 422)
    assert (await other_client.get(path)).json()["title"] == "Des visios"
    # The search index follows (app.search.indexing: an idea's title is in its post's entry).
    for words, found in (("visios", [idea["id"]]), ("covoiturage", [])):
        response = await other_client.get("/api/v1/search", params={"q": words})
        assert [item["id"] for item in response.json()["items"]] == found, words
