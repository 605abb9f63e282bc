"""The pages of the activity stream, in process: the home feed and its composer,
a post's page and each of its forms, a space's stream, hashtags, people and
notifications. Who sees what (404 for what the viewer may not read), forms that
do nothing without the session's anti-forgery token, refusals shown on the page,
and HTML that obeys the Content-Security-Policy."""

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import func, select

from app.levels import Level
from app.models import (
    AnnouncementRead,
    Comment,
    Follow,
    Notification,
    NotificationPreference,
    PollOption,
    PollVote,
    Post,
    PostKind,
    PostReaction,
    User,
)
from app.services import comments, notifications, posts
from tests.test_web_pages import audit as csp_audit
from tests.test_web_spaces import alert

TEMPLATES = Path(__file__).resolve().parent.parent / "frontend" / "templates"
POST_IDS = re.compile(r'<article class="card post[^"]*" id="post-(\d+)"')


async def publish(session, author: User, body: str = "Bonjour", **options) -> Post:
    """A post written through the service, as the composer does."""
    published = await posts.publish_post(session, viewer=author, body=body, **options)
    await session.commit()
    return published.post


def shown_posts(html: str) -> list[int]:
    return [int(found) for found in POST_IDS.findall(html)]


def location(response) -> tuple[str, dict[str, list[str]], str]:
    """A redirect's path, query and fragment."""
    assert response.status_code == 303, response.text
    target = urlsplit(response.headers["location"])
    return target.path, parse_qs(target.query), target.fragment


async def count(session, model, *conditions) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*conditions))


# --- who sees which page ------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/posts/1", "/hashtags/atlas", "/notifications"])
async def test_stream_pages_send_an_anonymous_browser_to_sign_in(client, path):
    response = await client.get(path, headers={"Accept": "text/html"})

    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


async def test_home_shows_the_feed_the_composer_and_trending_hashtags(make, browser_of, session):
    reader = await make.user(language="en")
    author = await make.user(display_name="Agnès Auteur")
    space = await make.space(members=[reader, author], name="Projet Atlas")
    company = await publish(session, author, "Bienvenue à tous #rentrée")
    in_space = await publish(session, author, "Point **Atlas**", space_id=space.id)
    outsider = await make.user()
    elsewhere = await make.space(owner=outsider, visibility="private", name="Ailleurs")
    private = await publish(session, outsider, "Hors de vue #caché", space_id=elsewhere.id)
    browser, _csrf = await browser_of(reader)

    home = await browser.get("/")

    assert home.status_code == 200
    assert shown_posts(home.text)[:2] == [in_space.id, company.id]
    assert private.id not in shown_posts(home.text)
    assert "<strong>Atlas</strong>" in home.text  # the rendered Markdown
    assert "Agnès Auteur" in home.text and "Projet Atlas" in home.text
    assert 'action="/posts"' in home.text and "data-composer" in home.text
    assert 'href="/hashtags/rentrée"' in home.text  # trending, counted over readable posts
    assert "#caché" not in home.text
    assert "Welcome, " in home.text
    assert csp_audit(home.text).problems == []


async def test_a_post_page_is_not_found_for_those_who_may_not_read_it(make, browser_of, session):
    board_member = await make.user(clearance="confidential")
    board = await make.space(visibility="secret", members=[board_member], name="Comité")
    secret_post = await publish(
        session,
        board_member,
        "Ordre du jour confidentiel",
        space_id=board.id,
        level=Level.CONFIDENTIAL,
    )
    internal_post = await publish(session, board_member, "Pour les salariés")
    employee = await make.user(role="admin", clearance="secret")
    contractor = await make.user(kind="contractor")
    employee_browser, _ = await browser_of(employee)
    contractor_browser, _ = await browser_of(contractor)

    refused = [
        await employee_browser.get(f"/posts/{secret_post.id}"),
        await contractor_browser.get(f"/posts/{secret_post.id}"),
        await contractor_browser.get(f"/posts/{internal_post.id}"),
        await employee_browser.get("/posts/999999999"),
    ]
    allowed = await employee_browser.get(f"/posts/{internal_post.id}")

    assert [page.status_code for page in refused] == [404, 404, 404, 404]
    assert all("Ordre du jour" not in page.text for page in refused)
    assert allowed.status_code == 200
    assert "Pour les salariés" in allowed.text
    assert csp_audit(allowed.text).problems == []


async def test_every_form_needs_the_anti_forgery_token(make, browser_of, session):
    author = await make.user()
    post = await publish(session, author, "Bonjour")
    browser, _csrf = await browser_of(author)
    forms = {
        "/posts": {"body": "Sans jeton", "level": "internal"},
        f"/posts/{post.id}/comments": {"body": "Sans jeton"},
        f"/posts/{post.id}/reactions": {"reaction": "like:on"},
        f"/posts/{post.id}/edit": {"body": "Modifié"},
        f"/posts/{post.id}/delete": {},
        "/notifications/read": {"everything": "true"},
        "/hashtags/atlas/follow": {"following": "true"},
    }

    answers = {
        path: (await browser.post(path, data=data)).status_code for path, data in forms.items()
    }

    assert answers == dict.fromkeys(forms, 403)
    assert await count(session, Post) == 1
    assert await count(session, Comment) == 0
    assert await count(session, PostReaction) == 0
    assert await count(session, Follow) == 0
    await session.refresh(post)
    assert (post.body, post.deleted_at) == ("Bonjour", None)


# --- the composer -------------------------------------------------------------


async def test_the_composer_publishes_and_the_post_appears_in_the_feed(make, browser_of, session):
    author = await make.user(language="en")
    space = await make.space(members=[author], name="Labo")
    browser, csrf = await browser_of(author)

    created = await browser.post(
        "/posts",
        data={
            "body": "Premier essai du **Labo** #idées",
            "space_id": str(space.id),
            "level": "internal",
            "kind": "question",
            "next": "/",
            "csrf_token": csrf,
        },
    )

    path, query, fragment = location(created)
    post = await session.scalar(select(Post).where(Post.author_id == author.id))
    assert (path, query, fragment) == ("/", {"done": ["published"]}, f"post-{post.id}")
    assert (post.space_id, post.level.value, post.kind) == (space.id, "internal", PostKind.QUESTION)
    home = await browser.get(created.headers["location"])
    assert shown_posts(home.text)[0] == post.id
    assert "Your post is published." in home.text
    assert "<strong>Labo</strong>" in home.text


async def test_the_composer_offers_only_what_the_viewer_may_do(make, browser_of):
    employee = await make.user(language="en")  # cleared for internal
    moderated = await make.space(moderators=[employee], name="Moderated", allows_externals=True)
    await make.space(members=[employee], name="Joined")
    await make.space(members=[employee], name="Archived", is_archived=True)
    await make.space(name="Someone else's")
    browser, _csrf = await browser_of(employee)

    home = (await browser.get("/")).text
    picker = re.search(r'<select id="composer-place".*?</select>', home, re.S)[0]

    names = re.findall(r">([^<>]+)</option>", picker)
    assert names == ["Company stream (everyone)", "Joined", "Moderated"]
    assert 'data-externals="true" data-announce="false" selected>Company' in picker
    assert f'value="{moderated.id}" data-default-level="internal" data-externals="true"' in picker
    assert re.findall(r'<option value="(\w+)" data-level', home) == ["public", "internal"]
    assert 'id="composer-kind-announcement"' in home  # offered, for the moderated space only
    # The warning about external readers is always in the page (shown or hidden by script).
    assert "data-external-warning" in home and "Duty of discretion." in home


async def test_a_contractor_composes_public_posts_in_the_company_stream_only(make, browser_of):
    contractor = await make.user(kind="contractor", language="en")
    browser, _csrf = await browser_of(contractor)

    home = (await browser.get("/")).text

    assert re.findall(r'<option value="(\w+)" data-level', home) == ["public"]
    assert 'id="composer-kind-announcement"' not in home
    assert "Duty of discretion." in home


async def test_a_refused_post_comes_back_with_the_reason_and_the_text(make, browser_of, session):
    author = await make.user(language="en")
    browser, csrf = await browser_of(author)

    one_option = await browser.post(
        "/posts",
        data={
            "body": "Quel jour ?",
            "level": "internal",
            "kind": "poll",
            "poll_options": "Lundi",
            "csrf_token": csrf,
        },
    )
    above_clearance = await browser.post(
        "/posts", data={"body": "Secret", "level": "secret", "csrf_token": csrf}
    )
    blank = await browser.post("/posts", data={"body": "   ", "csrf_token": csrf})
    nowhere = await browser.post(
        "/posts", data={"body": "Où ?", "space_id": "²", "csrf_token": csrf}
    )
    announcement = await browser.post(
        "/posts", data={"body": "Annonce", "kind": "announcement", "csrf_token": csrf}
    )

    assert one_option.status_code == 422
    assert alert(one_option.text) == "A poll has from 2 to 10 non-empty options."
    assert ">Quel jour ?</textarea>" in one_option.text
    assert ">Lundi</textarea>" in one_option.text
    assert above_clearance.status_code == 403
    assert "above your own clearance" in alert(above_clearance.text)
    assert blank.status_code == 422
    assert nowhere.status_code == 422 and alert(nowhere.text) == "Choose where to publish."
    assert announcement.status_code == 403
    assert await count(session, Post) == 0


async def test_a_poll_is_published_with_its_options_and_closing_time(make, browser_of, session):
    author = await make.user()
    browser, csrf = await browser_of(author)

    created = await browser.post(
        "/posts",
        data={
            "body": "Quel créneau ?",
            "level": "internal",
            "kind": "poll",
            "poll_options": "12 h\n\n12 h 30\n13 h\n",
            "poll_multiple": "true",
            "poll_closes_at": "2099-06-01T18:00",
            "timezone_offset": "-120",  # a browser in Paris, in summer
            "csrf_token": csrf,
        },
    )

    assert created.status_code == 303
    post = await session.scalar(select(Post).where(Post.author_id == author.id))
    labels = await session.scalars(
        select(PollOption.label).where(PollOption.post_id == post.id).order_by(PollOption.position)
    )
    assert list(labels) == ["12 h", "12 h 30", "13 h"]
    assert post.poll_multiple is True
    assert post.poll_closes_at.isoformat() == "2099-06-01T16:00:00+00:00"


async def test_mentions_that_cannot_read_the_post_are_reported(make, browser_of, session):
    author = await make.user(language="en")
    colleague = await make.user()
    contractor = await make.user(kind="contractor")
    browser, csrf = await browser_of(author)

    created = await browser.post(
        "/posts",
        data={
            "body": f"Merci @{colleague.handle} et @{contractor.handle}",
            "level": "internal",
            "next": "/",
            "csrf_token": csrf,
        },
    )

    _path, query, _fragment = location(created)
    assert query["unreachable"] == [contractor.handle]
    page = await browser.get(created.headers["location"])
    warning = re.search(r'<div class="alert warning" role="alert">(.*?)</div>', page.text, re.S)[1]
    assert "were mentioned but cannot read the post and were not notified" in warning
    assert f"@{contractor.handle}" in warning and colleague.handle not in warning
    told = await session.scalars(select(Notification.user_id).where(Notification.kind == "mention"))
    assert list(told) == [colleague.id]


async def test_a_forged_unreachable_notice_shows_only_handles(make, browser_of):
    author = await make.user(language="en")
    browser, _csrf = await browser_of(author)

    page = await browser.get("/", params={"unreachable": "<script>x</script>,real.one"})

    assert "<script>x" not in page.text
    assert "@real.one" in page.text


# --- a post's forms -----------------------------------------------------------


async def test_comments_and_replies_through_their_forms(make, browser_of, session):
    author = await make.user(language="en")
    reader = await make.user(language="en", display_name="Rémi Lecteur")
    post = await publish(session, author, "Des idées pour la fête ?")
    browser, csrf = await browser_of(reader)

    commented = await browser.post(
        f"/posts/{post.id}/comments", data={"body": "Un **pique-nique**", "csrf_token": csrf}
    )
    comment = await session.scalar(select(Comment).where(Comment.post_id == post.id))
    replied = await browser.post(
        f"/posts/{post.id}/comments",
        data={"body": "Au parc", "parent_id": str(comment.id), "csrf_token": csrf},
    )

    assert location(commented) == (
        f"/posts/{post.id}",
        {"done": ["commented"]},
        f"comment-{comment.id}",
    )
    assert replied.status_code == 303
    page = await browser.get(f"/posts/{post.id}")
    replies = re.search(r'<ol class="replies plain-list">(.*?)</ol>', page.text, re.S)[1]
    assert "Au parc" in replies and "pique-nique" not in replies
    assert "<strong>pique-nique</strong>" in page.text
    assert "2 comments" in page.text
    feed = await browser.get("/")
    assert "pique-nique" in feed.text  # the first comments, under the card
    assert [n.kind for n in await notifications_of(session, author)] == ["reply", "reply"]


async def notifications_of(session, user: User) -> list[Notification]:
    return list(
        await session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


async def test_a_reaction_toggles_through_its_form(make, browser_of, session):
    author = await make.user()
    reader = await make.user(language="en")
    post = await publish(session, author, "Bravo l'équipe")
    browser, csrf = await browser_of(reader)

    on = await browser.post(
        f"/posts/{post.id}/reactions",
        data={"reaction": "celebrate:on", "next": "/", "csrf_token": csrf},
    )
    page = await browser.get("/")
    off = await browser.post(
        f"/posts/{post.id}/reactions",
        data={"reaction": "celebrate:off", "next": "/", "csrf_token": csrf},
    )
    unknown = await browser.post(
        f"/posts/{post.id}/reactions", data={"reaction": "hate:on", "csrf_token": csrf}
    )

    assert location(on) == ("/", {}, f"post-{post.id}")
    assert 'value="celebrate:off" aria-pressed="true"' in page.text
    assert off.status_code == 303
    assert unknown.status_code == 422
    assert await count(session, PostReaction) == 0


async def test_a_comment_reaction_toggles_through_its_form(make, browser_of, session):
    author = await make.user()
    reader = await make.user(language="en")
    post = await publish(session, author, "Bonjour")
    comment, _ = await comments.add_comment(session, viewer=author, post_id=post.id, body="Salut")
    await session.commit()
    browser, csrf = await browser_of(reader)

    reacted = await browser.post(
        f"/comments/{comment.id}/reactions", data={"reaction": "like:on", "csrf_token": csrf}
    )

    assert location(reacted) == (f"/posts/{post.id}", {}, f"comment-{comment.id}")
    page = await browser.get(f"/posts/{post.id}")
    assert 'value="like:off" aria-pressed="true"' in page.text


async def test_voting_in_a_poll_then_seeing_the_results(make, browser_of, session):
    author = await make.user()
    voter = await make.user(language="en")
    poll = await publish(
        session, author, "Quel jour ?", kind=PostKind.POLL, poll=posts.PollSpec(["Lundi", "Mardi"])
    )
    options = list(
        await session.scalars(
            select(PollOption.id).where(PollOption.post_id == poll.id).order_by(PollOption.position)
        )
    )
    browser, csrf = await browser_of(voter)

    before = await browser.get(f"/posts/{poll.id}")
    voted = await browser.post(
        f"/posts/{poll.id}/vote", data={"option_ids": str(options[1]), "csrf_token": csrf}
    )
    after = await browser.get(f"/posts/{poll.id}")
    nothing_chosen = await browser.post(f"/posts/{poll.id}/vote", data={"csrf_token": csrf})

    assert "once you have voted" in before.text and "1 vote" not in before.text
    assert location(voted)[1] == {"done": ["voted"]}
    assert "1 vote" in after.text and "0 votes" in after.text
    assert "Change my vote" in after.text
    assert nothing_chosen.status_code == 422
    assert "Choose one option" in alert(nothing_chosen.text)
    assert await count(session, PollVote) == 1


async def test_confirming_an_announcement_and_who_has_confirmed(make, browser_of, session):
    moderator = await make.user(language="en")
    reader = await make.user(language="en", display_name="Lucie Lectrice")
    late = await make.user(display_name="Théo Tardif")
    space = await make.space(owner=moderator, members=[reader, late])
    announcement = await publish(
        session, moderator, "Déménagement lundi", space_id=space.id, kind=PostKind.ANNOUNCEMENT
    )
    reader_browser, csrf = await browser_of(reader)
    moderator_browser, _ = await browser_of(moderator)

    card = await reader_browser.get("/")
    confirmed = await reader_browser.post(
        f"/posts/{announcement.id}/confirm", data={"next": "/", "csrf_token": csrf}
    )
    again = await reader_browser.get("/")
    author_page = await moderator_browser.get(f"/posts/{announcement.id}")
    reader_page = await reader_browser.get(f"/posts/{announcement.id}")

    assert "I have read this" in card.text
    assert location(confirmed)[1] == {"done": ["confirmed"]}
    assert "You have confirmed that you read this announcement." in again.text
    assert await count(session, AnnouncementRead) == 1
    confirmations = re.search(r'id="confirmations".*?</section>', author_page.text, re.S)[0]
    assert "Confirmed (1)" in confirmations and "Lucie Lectrice" in confirmations
    assert "Not yet (1)" in confirmations and "Théo Tardif" in confirmations
    assert 'id="confirmations"' not in reader_page.text
    assert f'href="/posts/{announcement.id}#confirmations"' not in again.text


async def test_the_questions_author_accepts_an_answer(make, browser_of, session):
    asker = await make.user(language="en")
    helper = await make.user()
    question = await publish(session, asker, "Où est le modèle ?", kind=PostKind.QUESTION)
    answer, _ = await comments.add_comment(
        session, viewer=helper, post_id=question.id, body="Dans l'espace RH"
    )
    await session.commit()
    browser, csrf = await browser_of(asker)
    helper_browser, helper_csrf = await browser_of(helper)

    helper_page = await helper_browser.get(f"/posts/{question.id}")
    refused = await helper_browser.post(
        f"/posts/{question.id}/answer", data={"comment_id": answer.id, "csrf_token": helper_csrf}
    )
    accepted = await browser.post(
        f"/posts/{question.id}/answer", data={"comment_id": answer.id, "csrf_token": csrf}
    )
    page = await browser.get(f"/posts/{question.id}")

    assert "Accept as the answer" not in helper_page.text
    assert refused.status_code == 403
    assert location(accepted) == (
        f"/posts/{question.id}",
        {"done": ["answer"]},
        f"comment-{answer.id}",
    )
    assert "Accepted answer" in page.text and "No longer the accepted answer" in page.text
    await session.refresh(question)
    assert question.accepted_comment_id == answer.id


async def test_the_author_edits_and_the_history_keeps_the_earlier_text(make, browser_of, session):
    author = await make.user(language="en")
    other = await make.user(language="en")
    post = await publish(session, author, "Premire version")
    browser, csrf = await browser_of(author)
    other_browser, other_csrf = await browser_of(other)

    edited = await browser.post(
        f"/posts/{post.id}/edit", data={"body": "Première version", "csrf_token": csrf}
    )
    page = await other_browser.get(f"/posts/{post.id}")
    refused = await other_browser.post(
        f"/posts/{post.id}/edit", data={"body": "Pirate", "csrf_token": other_csrf}
    )

    assert location(edited)[:2] == (f"/posts/{post.id}", {"done": ["edited"]})
    assert "History of edits" in page.text and "Premire version" in page.text
    assert "edited" in page.text
    assert f'action="/posts/{post.id}/edit"' not in page.text
    assert refused.status_code == 403
    assert "Only its author may edit a post." in alert(refused.text)
    await session.refresh(post)
    assert post.body == "Première version"


async def test_moderators_pin_and_delete_members_cannot(make, browser_of, session):
    moderator = await make.user(language="en")
    member = await make.user(language="en")
    space = await make.space(moderators=[moderator], members=[member])
    first = await publish(session, member, "Ancien", space_id=space.id)
    await publish(session, member, "Récent", space_id=space.id)
    moderator_browser, csrf = await browser_of(moderator)
    member_browser, member_csrf = await browser_of(member)

    member_page = await member_browser.get(f"/posts/{first.id}")
    member_pin = await member_browser.post(
        f"/posts/{first.id}/pin", data={"pinned": "true", "csrf_token": member_csrf}
    )
    pinned = await moderator_browser.post(
        f"/posts/{first.id}/pin",
        data={"pinned": "true", "next": f"/spaces/{space.id}", "csrf_token": csrf},
    )
    stream = await member_browser.get(f"/spaces/{space.id}")
    deleted = await moderator_browser.post(
        f"/posts/{first.id}/delete", data={"next": f"/posts/{first.id}", "csrf_token": csrf}
    )
    tombstone = await member_browser.get(f"/posts/{first.id}")

    assert "Pin at the top of the space" not in member_page.text
    assert member_pin.status_code == 403
    assert location(pinned) == (f"/spaces/{space.id}", {"done": ["pinned"]}, f"post-{first.id}")
    assert shown_posts(stream.text)[0] == first.id  # pinned first
    assert "Pinned" in stream.text
    assert deleted.status_code == 303
    assert tombstone.status_code == 200 and "This post was deleted." in tombstone.text
    assert "Ancien" not in tombstone.text


async def test_sharing_never_widens_the_readers_and_says_why(make, browser_of, session):
    member = await make.user(language="en")
    space = await make.space(visibility="private", members=[member], name="Projet privé")
    await make.user()  # an employee outside the space, who reads the company stream
    original = await publish(session, member, "Chiffres du projet", space_id=space.id)
    browser, csrf = await browser_of(member)

    widened = await browser.post(
        f"/posts/{original.id}/share",
        data={"space_id": "", "level": "internal", "csrf_token": csrf},
    )
    lowered = await browser.post(
        f"/posts/{original.id}/share",
        data={"space_id": str(space.id), "level": "public", "csrf_token": csrf},
    )
    shared = await browser.post(
        f"/posts/{original.id}/share",
        data={
            "space_id": str(space.id),
            "level": "internal",
            "body": "À relire",
            "csrf_token": csrf,
        },
    )

    assert widened.status_code == 422
    assert alert(widened.text).startswith("Some readers of this place may not read the original")
    assert lowered.status_code == 422
    assert "less confidential" in alert(lowered.text)
    share_path, query, _fragment = location(shared)
    assert query == {"done": ["shared"]}
    page = await browser.get(share_path)
    assert 'class="shared-post"' in page.text and "Chiffres du projet" in page.text
    assert await count(session, Post) == 2


async def test_comments_are_edited_and_deleted_through_their_forms(make, browser_of, session):
    author = await make.user(language="en")
    commenter = await make.user(language="en")
    space = await make.space(owner=author, members=[commenter])
    post = await publish(session, author, "Ordre du jour", space_id=space.id)
    typo, _ = await comments.add_comment(session, viewer=commenter, post_id=post.id, body="Pemier")
    rude, _ = await comments.add_comment(
        session, viewer=commenter, post_id=post.id, body="Hors sujet"
    )
    await session.commit()
    browser, csrf = await browser_of(commenter)
    owner_browser, owner_csrf = await browser_of(author)

    edited = await browser.post(
        f"/comments/{typo.id}/edit", data={"body": "Premier", "csrf_token": csrf}
    )
    refused = await owner_browser.post(
        f"/comments/{typo.id}/edit", data={"body": "Pirate", "csrf_token": owner_csrf}
    )
    moderated = await owner_browser.post(
        f"/comments/{rude.id}/delete", data={"csrf_token": owner_csrf}
    )
    page = await browser.get(f"/posts/{post.id}")

    assert location(edited) == (f"/posts/{post.id}", {"done": ["edited"]}, f"comment-{typo.id}")
    assert refused.status_code == 403
    assert location(moderated)[1] == {"done": ["comment_deleted"]}
    assert "Premier" in page.text and "(edited)" in page.text
    assert "Hors sujet" not in page.text and "This comment was deleted." in page.text


async def test_the_feed_pages_by_keyset_and_filters_by_kind(make, browser_of, session):
    author = await make.user(language="en")
    older = [await publish(session, author, f"Message {n}") for n in range(21)]
    question = await publish(session, author, "Une question ?", kind=PostKind.QUESTION)
    browser, _csrf = await browser_of(author)

    first = await browser.get("/")
    older_link = unescape(re.search(r'<a class="button" href="([^"]+)">Older posts', first.text)[1])
    second = await browser.get(older_link)
    questions = await browser.get("/", params={"kind": "question", "unanswered": "true"})

    assert shown_posts(first.text) == [question.id, *[p.id for p in reversed(older)][:19]]
    assert shown_posts(second.text) == [older[1].id, older[0].id]
    assert "Older posts" not in second.text
    assert shown_posts(questions.text) == [question.id]
    assert 'option value="question" selected' in questions.text


async def test_the_composer_page_is_preset_to_a_space(make, browser_of):
    member = await make.user(language="en")
    space = await make.space(members=[member], name="Labo")

    browser, _csrf = await browser_of(member)
    page = await browser.get("/posts/new", params={"space_id": space.id})

    assert page.status_code == 200
    assert re.search(rf'<option value="{space.id}"[^>]*selected>Labo</option>', page.text)
    assert csp_audit(page.text).problems == []


# --- a space's stream ---------------------------------------------------------


async def test_a_space_stream_has_its_composer_and_its_posts(make, browser_of, session):
    member = await make.user(language="en")
    space = await make.space(members=[member], allows_externals=True, default_level="public")
    post = await publish(session, member, "Dans l'espace", space_id=space.id)
    await publish(session, member, "Ailleurs")
    browser, csrf = await browser_of(member)

    page = await browser.get(f"/spaces/{space.id}")
    published = await browser.post(
        "/posts",
        data={
            "body": "Depuis l'onglet",
            "space_id": str(space.id),
            "level": "public",
            "next": f"/spaces/{space.id}?tab=stream",
            "csrf_token": csrf,
        },
    )

    assert shown_posts(page.text) == [post.id]
    assert f'name="space_id" value="{space.id}" data-place data-default-level="public"' in page.text
    assert 'data-externals="true"' in page.text
    assert re.search(r'<option value="public" data-level[^>]* selected>', page.text)
    assert csp_audit(page.text).problems == []
    path, query, _ = location(published)
    assert (path, query) == (f"/spaces/{space.id}", {"tab": ["stream"], "done": ["published"]})


async def test_an_archived_space_stream_is_read_only(make, browser_of, session):
    member = await make.user(language="en")
    space = await make.space(members=[member])
    post = await publish(session, member, "Compte rendu final", space_id=space.id)
    space.is_archived = True
    await session.commit()
    browser, csrf = await browser_of(member)

    page = await browser.get(f"/spaces/{space.id}")
    post_page = await browser.get(f"/posts/{post.id}")
    comment = await browser.post(
        f"/posts/{post.id}/comments", data={"body": "Trop tard", "csrf_token": csrf}
    )

    assert "data-composer" not in page.text
    assert "it is read-only" in page.text
    assert shown_posts(page.text) == [post.id]
    assert 'id="comment-form"' not in post_page.text
    assert "disabled" in post_page.text  # the reactions
    assert comment.status_code == 409
    assert "archived" in alert(comment.text)


# --- hashtags and people ------------------------------------------------------


async def test_a_hashtag_page_and_following_it(make, browser_of, session):
    author = await make.user()
    reader = await make.user(language="en")
    tagged = await publish(session, author, "Lancement #Équipe")
    await publish(session, author, "Sans tag")
    browser, csrf = await browser_of(reader)

    page = await browser.get("/hashtags/équipe")
    followed = await browser.post(
        "/hashtags/équipe/follow", data={"following": "true", "csrf_token": csrf}
    )
    after = await browser.get(followed.headers["location"])
    unfollowed = await browser.post(
        "/hashtags/équipe/follow", data={"following": "false", "csrf_token": csrf}
    )

    assert shown_posts(page.text) == [tagged.id]
    assert "Follow #équipe" in page.text
    assert location(followed)[:2] == (f"/hashtags/{quote('équipe')}", {"done": ["followed"]})
    assert "Unfollow #équipe" in after.text
    assert unfollowed.status_code == 303
    assert await count(session, Follow) == 0
    assert (await browser.get("/hashtags/not a tag")).status_code == 404


async def test_mention_links_lead_to_a_person_page(make, browser_of, session):
    author = await make.user(language="en", display_name="Inès Autrice")
    reader = await make.user(language="en")
    confidential = await publish(session, author, "Secret", level=Level.INTERNAL)
    browser, csrf = await browser_of(reader)

    page = await browser.get(f"/people/{author.handle}")
    followed = await browser.post(
        f"/people/{author.handle}/follow", data={"following": "true", "csrf_token": csrf}
    )

    assert page.status_code == 200
    assert "Inès Autrice" in page.text and f"@{author.handle}" in page.text
    assert shown_posts(page.text) == [confidential.id]
    assert location(followed)[:2] == (f"/people/{author.handle}", {"done": ["followed"]})
    assert await count(session, Follow, Follow.user_id == reader.id) == 1
    assert (await browser.get("/people/nobody-here")).status_code == 404


async def test_an_external_sees_only_people_they_share_something_with(make, browser_of, session):
    contractor = await make.user(kind="contractor")
    teammate = await make.user()
    stranger = await make.user()
    await make.space(allows_externals=True, members=[contractor, teammate])
    browser, _csrf = await browser_of(contractor)

    teammate_page = await browser.get(f"/people/{teammate.handle}")
    stranger_page = await browser.get(f"/people/{stranger.handle}")

    assert teammate_page.status_code == 200
    assert stranger_page.status_code == 404


# --- notifications and the bell -----------------------------------------------


async def test_notifications_are_listed_as_sentences_and_marked_read(make, browser_of, session):
    author = await make.user(language="en")
    fan = await make.user(display_name="Fanny Fan")
    post = await publish(session, author, "Bonjour")
    await comments.add_comment(session, viewer=fan, post_id=post.id, body=f"@{author.handle} !")
    await session.commit()
    browser, csrf = await browser_of(author)

    page = await browser.get("/notifications")
    first = await session.scalar(
        select(Notification.id).where(Notification.user_id == author.id).order_by(Notification.id)
    )
    one = await browser.post(
        "/notifications/read",
        data={"ids": str(first), "next": "/notifications", "csrf_token": csrf},
    )
    after_one = await browser.get("/notifications")
    everything = await browser.post(
        "/notifications/read", data={"everything": "true", "csrf_token": csrf}
    )
    after_all = await browser.get("/")

    assert "Fanny Fan mentioned you in a comment." in page.text
    assert "Fanny Fan replied to you." in page.text
    assert f'href="/posts/{post.id}#comment-' in page.text
    assert "data-unread >2</span>" in page.text
    assert "Notifications: 2 unread" in page.text
    assert location(one)[:2] == ("/notifications", {"done": ["read"]})
    assert "data-unread >1</span>" in after_one.text
    assert everything.status_code == 303
    assert "data-unread hidden>0</span>" in after_all.text
    assert await notifications.unread_count(session, viewer=author) == 0
    assert csp_audit(page.text).problems == []


async def test_notification_preferences_are_saved_from_the_form(make, browser_of, session):
    person = await make.user(language="en")
    browser, csrf = await browser_of(person)

    saved = await browser.post(
        "/notifications/preferences",
        data={"kinds": ["mention", "reply"], "csrf_token": csrf},
    )
    page = await browser.get("/notifications")

    assert location(saved) == ("/notifications", {"done": ["preferences"]}, "preferences")
    off = set(
        await session.scalars(
            select(NotificationPreference.kind).where(
                NotificationPreference.user_id == person.id,
                NotificationPreference.enabled.is_(False),
            )
        )
    )
    assert off == set(notifications.KINDS) - {"mention", "reply"}
    assert 'id="preference-mention" name="kinds" value="mention" checked' in page.text
    assert 'id="preference-reaction" name="kinds" value="reaction" >' in page.text


async def test_notifications_of_spaces_read_as_sentences(make, browser_of, session):
    owner = await make.user(language="en")
    space = await make.space(owner=owner, visibility="private", name="Équipe RH")
    asker = await make.user(display_name="Paul Postulant")
    asker_browser, asker_csrf = await browser_of(asker)
    await asker_browser.post(f"/spaces/{space.id}/join", data={"csrf_token": asker_csrf})
    browser, _csrf = await browser_of(owner)

    page = await browser.get("/notifications")

    assert "Paul Postulant asks to join Équipe RH." in unescape(page.text)
    assert f'href="/spaces/{space.id}?tab=members"' in page.text


# --- templates ----------------------------------------------------------------


def test_only_sanitised_bodies_are_marked_safe_in_the_templates():
    """``|safe`` turns autoescaping off: only the services' sanitised Markdown may
    have it (a post's or a comment's body_html, a profile's bio_html, an event's
    description_html, rendered and cleaned by app.markdown like a post's body)."""
    offences = []
    uses = 0
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for expression in re.findall(r"\{\{([^}]*?)\|\s*safe\b", line):
                uses += 1
                if not re.fullmatch(
                    r"\s*([\w.]*\.(body|description)_html|bio_html)\s*", expression
                ):
                    offences.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}")
            if re.search(r"\bmarkup\s*\(|autoescape\s+false", line, re.IGNORECASE):
                offences.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}")
    assert offences == []
    assert uses >= 2  # the scan saw the post's and the comment's bodies


async def test_a_users_html_never_reaches_a_page_unescaped(make, browser_of, session):
    author = await make.user(display_name='<img src=x onerror="alert(1)">')
    post = await publish(session, author, "<script>alert(1)</script> [x](javascript:alert(1)) #tag")
    await comments.add_comment(
        session, viewer=author, post_id=post.id, body="<b onclick='x()'>hi</b>"
    )
    await session.commit()
    reader = await make.user(language="en")
    browser, _csrf = await browser_of(reader)

    pages = [await browser.get("/"), await browser.get(f"/posts/{post.id}")]

    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert csp_audit(page.text).problems == [], csp_audit(page.text).problems
