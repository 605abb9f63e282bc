"""The idea campaigns' pages, in process: a space's campaigns and the form that
opens one, a campaign's ideas as a list and a board, proposing an idea, voting
without scripts, the moderator's form that moves an idea (a refusal shown on
the page), and who sees what (a hidden idea is not found, as a missing one).
Forms do nothing without the session's anti-forgery token."""

from datetime import timedelta

from sqlalchemy import select

from app.models import Idea, IdeaCampaign, IdeaStatus, IdeaVote
from app.models.base import utcnow
from app.services.ideas import campaigns, proposals
from tests.test_web_pages import audit as csp_audit
from tests.test_web_spaces import alert


async def campaign_with_idea(session, make, others=(), **space_fields):
    owner = await make.user(language="en")
    member = await make.user(language="en")
    space = await make.space(
        owner=owner, kind="innovation", members=[member, *others], **space_fields
    )
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


async def test_a_moderator_changes_and_closes_a_campaign(make, browser_of, session):
    owner, member, _space, campaign, _idea = await campaign_with_idea(session, make)
    path = f"/campaigns/{campaign.id}"
    mine, csrf = await browser_of(owner)
    assert f'href="{path}/edit"' in (await mine.get(path)).text
    page = await mine.get(f"{path}/edit")
    assert page.status_code == 200 and 'value="How to travel less?"' in page.text
    assert csp_audit(page.text).problems == []
    form = {"title": "How to fly less?", "description": "By *train*", "deadline_day": "2030-01-01"}
    forged = await mine.post(f"{path}/edit", data=form)
    assert forged.status_code == 403
    refused = await mine.post(f"{path}/edit", data={**form, "title": "", "csrf_token": csrf})
    assert refused.status_code == 422 and "By *train*" in refused.text
    assert 'aria-invalid="true"' in refused.text
    changed = await mine.post(f"{path}/edit", data={**form, "csrf_token": csrf})
    assert changed.status_code == 303 and changed.headers["location"] == f"{path}?done=changed"
    shown = await mine.get(changed.headers["location"])
    assert "How to fly less?" in shown.text and "<em>train</em>" in shown.text
    assert "The campaign is changed." in shown.text

    # A member who does not moderate the space: no link, the form refused (403).
    theirs, their_csrf = await browser_of(member)
    assert f'href="{path}/edit"' not in (await theirs.get(path)).text
    assert (await theirs.get(f"{path}/edit")).status_code == 403
    for action in ("edit", "close"):
        refused = await theirs.post(f"{path}/{action}", data={**form, "csrf_token": their_csrf})
        assert refused.status_code == 403, action

    assert (await mine.post(f"{path}/close")).status_code == 403
    closed = await mine.post(f"{path}/close", data={"csrf_token": csrf})
    assert closed.status_code == 303
    stored = await session.scalar(
        select(IdeaCampaign)
        .where(IdeaCampaign.id == campaign.id)
        .execution_options(populate_existing=True)
    )
    assert stored.title == "How to fly less?" and stored.deadline <= utcnow()
    assert "Propose an idea" not in (await theirs.get(path)).text


async def test_an_idea_is_retitled_by_its_author_not_by_another_member(make, browser_of, session):
    other = await make.user(language="en")
    owner, member, _space, campaign, idea = await campaign_with_idea(
        session, make, others=[other], visibility="private"
    )
    path = f"/ideas/{idea.post_id}"
    theirs, their_csrf = await browser_of(member)
    assert "Change the title" in (await theirs.get(path)).text
    assert (await theirs.post(f"{path}/title", data={"title": "Calls"})).status_code == 403
    refused = await theirs.post(f"{path}/title", data={"title": " ", "csrf_token": their_csrf})
    assert refused.status_code == 422 and "Change the title" in refused.text
    retitled = await theirs.post(
        f"{path}/title", data={"title": "Video calls first", "csrf_token": their_csrf}
    )
    assert retitled.status_code == 303
    assert "Video calls first" in (await theirs.get(path)).text
    mine, _csrf = await browser_of(owner)
    assert "Change the title" in (await mine.get(path)).text

    others, other_csrf = await browser_of(other)
    assert "Change the title" not in (await others.get(path)).text
    refused = await others.post(f"{path}/title", data={"title": "Mine", "csrf_token": other_csrf})
    assert refused.status_code == 403
    outsider, outsider_csrf = await browser_of(await make.user(language="en"))
    hidden = await outsider.post(f"{path}/title", data={"title": "X", "csrf_token": outsider_csrf})
    assert hidden.status_code == 404
    assert (await outsider.get(f"/campaigns/{campaign.id}/edit")).status_code == 404
    closing = await outsider.post(
        f"/campaigns/{campaign.id}/close", data={"csrf_token": outsider_csrf}
    )
    assert closing.status_code == 404
