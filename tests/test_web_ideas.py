"""The idea campaigns' pages, in process: a space's campaigns and the form that
opens one, a campaign's ideas as a list and a board, proposing an idea, voting
without scripts, the moderator's form that moves an idea (a refusal shown on
the page), and who sees what (a hidden idea is not found, as a missing one).
Forms do nothing without the session's anti-forgery token."""

from datetime import timedelta

from sqlalchemy import select

from app.models import Idea, IdeaStatus, IdeaVote
from app.models.base import utcnow
from app.services.ideas import campaigns, proposals
from tests.test_web_pages import audit as csp_audit
from tests.test_web_spaces import alert


async def campaign_with_idea(session, make, **space_fields):
    owner = await make.user(language="en")
    member = await make.user(language="en")
    space = await make.space(owner=owner, kind="innovation", members=[member], **space_fields)
    campaign = await campaigns.open_campaign(
        session,
        viewer=owner,
        space_id=space.id,
        title="How to travel less?",
        description="",
        deadline=utcnow() + timedelta(days=10),
    )
    idea = await proposals.propose_idea(
        session, viewer=member, campaign_id=campaign.id, title="Video calls", body="Fewer *trains*"
    )
    await session.commit()
    return owner, member, space, campaign, idea


async def test_a_moderator_opens_a_campaign_and_a_member_proposes(make, browser_of, session):
    owner = await make.user(language="en")
    member = await make.user(language="en")
    space = await make.space(owner=owner, kind="innovation", members=[member])
    mine, csrf = await browser_of(owner)
    page = await mine.get(f"/spaces/{space.id}/campaigns")
    assert page.status_code == 200 and "Open a campaign" in page.text
    assert csp_audit(page.text).problems == []
    forged = await mine.post(
        f"/spaces/{space.id}/campaigns", data={"title": "Q?", "deadline_day": "2030-01-01"}
    )
    assert forged.status_code == 403
    past = await mine.post(
        f"/spaces/{space.id}/campaigns",
        data={"title": "Q?", "deadline_day": "2020-01-01", "csrf_token": csrf},
    )
    assert past.status_code == 422 and 'value="Q?"' in past.text
    opened = await mine.post(
        f"/spaces/{space.id}/campaigns",
        data={"title": "How to travel less?", "deadline_day": "2030-01-01", "csrf_token": csrf},
    )
    assert opened.status_code == 303
    campaign_path = opened.headers["location"].split("?")[0]

    theirs, their_csrf = await browser_of(member)
    listed = await theirs.get(f"/spaces/{space.id}/campaigns")
    assert "How to travel less?" in listed.text and "Open a campaign" not in listed.text
    proposed = await theirs.post(
        f"{campaign_path}/ideas",
        data={"title": "Video calls", "body": "Fewer trains", "csrf_token": their_csrf},
    )
    assert proposed.status_code == 303 and proposed.headers["location"].startswith("/ideas/")
    shown = await theirs.get(campaign_path)
    assert "Video calls" in shown.text and "Propose an idea" in shown.text
    board = await theirs.get(f"{campaign_path}/board")
    assert board.status_code == 200 and "Under review" in board.text and "Video calls" in board.text
    # The idea is in the space's stream, with its title, status and page.
    stream = await theirs.get(f"/spaces/{space.id}")
    assert "Video calls" in stream.text and 'class="idea-link"' in stream.text
    # The space's page leads to its campaigns.
    assert f"/spaces/{space.id}/campaigns" in (await theirs.get(f"/spaces/{space.id}/wiki")).text


async def test_voting_without_scripts_and_moving_with_a_reason(make, browser_of, session):
    owner, member, _space, _campaign, idea = await campaign_with_idea(session, make)
    theirs, their_csrf = await browser_of(member)
    path = f"/ideas/{idea.post_id}"
    page = await theirs.get(path)
    assert (
        page.status_code == 200 and "Video calls" in page.text and "Move the idea" not in page.text
    )
    voted = await theirs.post(f"{path}/vote", data={"choice": "for", "csrf_token": their_csrf})
    assert voted.status_code == 303
    vote = await session.scalar(
        select(IdeaVote)
        .where(IdeaVote.post_id == idea.post_id)
        .execution_options(populate_existing=True)
    )
    assert vote is not None and vote.user_id == member.id
    withdrawn = await theirs.post(f"{path}/vote", data={"choice": "", "csrf_token": their_csrf})
    assert withdrawn.status_code == 303

    mine, csrf = await browser_of(owner)
    page = await mine.get(path)
    assert "Move the idea" in page.text
    wrong = await mine.post(
        f"{path}/status", data={"status": "accepted", "reason": "Yes", "csrf_token": csrf}
    )
    assert wrong.status_code == 409 and "cannot go from this status" in alert(wrong.text)
    moved = await mine.post(
        f"{path}/status",
        data={"status": "under_review", "reason": "Worth a look", "csrf_token": csrf},
    )
    assert moved.status_code == 303
    page = await theirs.get(path)
    assert "Worth a look" in page.text and "Under review" in page.text
    stored = await session.scalar(
        select(Idea.status)
        .where(Idea.post_id == idea.post_id)
        .execution_options(populate_existing=True)
    )
    assert stored is IdeaStatus.UNDER_REVIEW


async def test_a_hidden_idea_is_not_found(make, browser_of, session):
    _owner, _member, _space, campaign, idea = await campaign_with_idea(
        session, make, visibility="private"
    )
    outsider, csrf = await browser_of(await make.user(language="en"))
    for path in (
        f"/ideas/{idea.post_id}",
        f"/campaigns/{campaign.id}",
        f"/campaigns/{campaign.id}/board",
    ):
        assert (await outsider.get(path)).status_code == 404, path
    voted = await outsider.post(
        f"/ideas/{idea.post_id}/vote", data={"choice": "for", "csrf_token": csrf}
    )
    assert voted.status_code == 404
