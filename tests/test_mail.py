"""Mail against a real SMTP server (aiosmtpd, started here): what is sent, in
whose language, with which headers; decided by the policy when it is sent,
not when it was written; nothing lost while the server is down, nothing sent
twice by two workers."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from app.db import Database
from app.levels import Level
from app.mail.delivery import deliver_mail
from app.models import (
    CalendarEvent,
    Digest,
    MailSettings,
    Membership,
    Notification,
    OutboxMail,
    Post,
    SpaceRole,
    WikiPage,
)
from app.models.base import utcnow
from app.services.mail.digests import period_of
from app.services.mail.outbox import queue_mail
from tests.calendar_helpers import plan
from tests.helpers import expect_error
from tests.mail_server import MailServer, html_of, text_of
from tests.own_site import own_site
from tests.stream_helpers import NOTIFICATIONS, POSTS, comment_on, person, publish


@pytest.fixture(scope="module")
def server():
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(server, settings):
    server.take()
    return server.settings_for(settings)


async def deliver(db, mail_settings) -> int:
    return await deliver_mail(db, mail_settings)


async def outbox(session, **where) -> list[OutboxMail]:
    query = select(OutboxMail).order_by(OutboxMail.id).execution_options(populate_existing=True)
    for name, value in where.items():
        query = query.where(getattr(OutboxMail, name) == value)
    return list(await session.scalars(query))


# --- what a notification mail holds --------------------------------------------------


async def test_a_mention_and_a_reply_are_mailed_in_the_readers_language_on_one_thread(
    make, db, session, server, mail_settings
):
    _author, client = await person(make, display_name="Alice Autrice")
    reader, reader_client = await person(make, language="en")
    post = await publish(client, f"Public news SUNFLOWER for @{reader.handle}", level="public")
    comment = await comment_on(reader_client, post["id"], "Thanks")
    await comment_on(client, post["id"], "You are welcome", parent_id=comment["id"])

    # The reader's two, and the author's (the reader's comment replied to them).
    assert await deliver(db, mail_settings) == 3
    mails = {
        message["Subject"]: (to, message) for to, message in server.take() if to == [reader.email]
    }
    mention = mails["Alice Autrice mentioned you in a post."][1]
    reply = mails["Alice Autrice replied to you."][1]
    assert [to for to, _message in mails.values()] == [[reader.email]] * 2
    assert mention["Content-Language"] == "en"
    assert mention["From"] == "Ruche <ruche@example.test>"
    # Public: its words travel; the link leads to the post.
    assert "SUNFLOWER" in text_of(mention) and "SUNFLOWER" in html_of(mention)
    # Its links lead back to Ruche from the mailbox (the mention's, here).
    assert f'href="http://testserver/people/{reader.handle.lower()}"' in html_of(mention)
    assert f"http://testserver/posts/{post['id']}" in text_of(mention)
    # One thread: both name the post as their root; each has its own id.
    root = f"<post-{post['id']}@testserver>"
    assert mention["In-Reply-To"] == reply["In-Reply-To"] == root
    assert mention["References"] == reply["References"] == root
    assert mention["Message-ID"] != reply["Message-ID"]
    assert mention["List-Unsubscribe"].startswith("<http://testserver/mail/unsubscribe/")
    assert mention["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [mail.state for mail in await outbox(session, user_id=reader.id)] == ["sent", "sent"]


async def test_above_public_a_mail_holds_a_title_and_a_link_only(make, db, server, mail_settings):
    _author, client = await person(make)
    reader, _reader_client = await person(make)
    post = await publish(client, f"Marges TOPSECRETWORD @{reader.handle}", level="internal")

    assert await deliver(db, mail_settings) == 1
    [(_to, mail)] = server.take()
    assert mail["Content-Language"] == "fr"
    assert "TOPSECRETWORD" not in mail.as_string()
    assert f"http://testserver/posts/{post['id']}" in text_of(mail)

    # Unless the company says its mail may carry it.
    await publish(client, f"Marges TOPSECRETWORD encore @{reader.handle}", level="internal")
    included = mail_settings.model_copy(update={"mail_includes_content": True})
    assert await deliver(db, included) == 1
    [(_to, mail)] = server.take()
    assert "TOPSECRETWORD" in text_of(mail)


async def test_a_mention_on_a_post_raised_to_internal_is_not_mailed_to_a_contractor(
    make, db, session, server, mail_settings
):
    author, client = await person(make)
    contractor, _c = await person(make, kind="contractor")
    space = await make.space(owner=author, visibility="private", allows_externals=True)
    session.add(Membership(space_id=space.id, user_id=contractor.id, role=SpaceRole.MEMBER))
    await session.commit()
    post = await publish(
        client, f"Planning PUBLICWORD @{contractor.handle}", level="public", space_id=space.id
    )
    assert len(await outbox(session, user_id=contractor.id, state="pending")) == 1

    raised = await client.patch(f"{POSTS}/{post['id']}", json={"level": "internal"})
    assert raised.status_code == 200, raised.text
    assert await deliver(db, mail_settings) == 0
    assert server.take() == []
    assert [mail.state for mail in await outbox(session, user_id=contractor.id)] == ["dropped"]


# --- choices -------------------------------------------------------------------------


async def test_the_channel_of_each_kind_is_chosen_and_the_old_shape_still_works(make, db):
    _reader, client = await person(make)
    defaults = (await client.get(f"{NOTIFICATIONS}/preferences")).json()
    assert defaults["channels"]["mention"] == "both"
    assert defaults["channels"]["reaction"] == "app"
    assert defaults["digest"] == "none"

    changed = await client.patch(
        f"{NOTIFICATIONS}/preferences",
        json={"channels": {"mention": "mail", "reply": "none"}, "digest": "weekly"},
    )
    assert changed.status_code == 200, changed.text
    # The first shape: kinds on or off in the app, the mail side kept.
    old = await client.patch(f"{NOTIFICATIONS}/preferences", json={"kinds": {"reply": True}})
    shown = old.json()
    assert shown["channels"]["mention"] == "mail" and shown["kinds"]["mention"] is False
    assert shown["channels"]["reply"] == "app" and shown["digest"] == "weekly"
    expect_error(
        await client.patch(f"{NOTIFICATIONS}/preferences", json={"channels": {"mention": "fax"}}),
        422,
    )


async def test_mail_only_is_mailed_and_not_rung(make, db, session, server, mail_settings):
    _author, client = await person(make)
    reader, reader_client = await person(make)
    await reader_client.patch(
        f"{NOTIFICATIONS}/preferences", json={"channels": {"mention": "mail"}}
    )
    await publish(client, f"Bonjour @{reader.handle}")
    told = (await reader_client.get(NOTIFICATIONS)).json()
    assert told["unread_count"] == 0 and told["items"][0]["read_at"] is not None
    assert await deliver(db, mail_settings) == 1
    server.take()

    await reader_client.patch(
        f"{NOTIFICATIONS}/preferences", json={"channels": {"mention": "none"}}
    )
    await publish(client, f"Encore @{reader.handle}")
    assert await deliver(db, mail_settings) == 0
    assert len((await reader_client.get(NOTIFICATIONS)).json()["items"]) == 1


async def test_one_click_unsubscribe_works_without_a_session(
    make, db, app, session, server, mail_settings
):
    _author, client = await person(make)
    reader, reader_client = await person(make, language="en")
    await publish(client, f"Bonjour @{reader.handle}")
    await deliver(db, mail_settings)
    [(_to, mail)] = server.take()
    link = mail["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as anonymous:
        # A GET (a scanner following the link) only asks.
        confirm = await anonymous.get(link)
        assert confirm.status_code == 200 and "Unsubscribe" in confirm.text
        channels = (await reader_client.get(f"{NOTIFICATIONS}/preferences")).json()["channels"]
        assert channels["mention"] == "both"
        # The mail client's POST (RFC 8058), no cookie, no form token.
        done = await anonymous.post(link, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200, done.text
        forged = await anonymous.post(link[:-3] + "abc", data={"List-Unsubscribe": "One-Click"})
        assert forged.status_code == 404
    channels = (await reader_client.get(f"{NOTIFICATIONS}/preferences")).json()["channels"]
    assert channels["mention"] == "app" and channels["reply"] == "both"


async def test_offboarding_drops_pending_mail_and_ends_every_choice(
    make, db, session, server, mail_settings
):
    admin = await make.user(role="admin")
    admin_client = await make.bearer(admin, scopes=("read", "write", "admin"))
    _author, client = await person(make)
    leaver, leaver_client = await person(make)
    await leaver_client.patch(f"{NOTIFICATIONS}/preferences", json={"digest": "daily"})
    await publish(client, f"Bonjour @{leaver.handle}")

    offboarded = await admin_client.post(f"/api/v1/admin/users/{leaver.id}/offboard")
    assert offboarded.status_code == 200, offboarded.text
    assert await deliver(db, mail_settings) == 0
    assert [mail.state for mail in await outbox(session, user_id=leaver.id)] == ["dropped"]
    assert (await session.get(MailSettings, leaver.id)).digest == "none"
    await publish(client, f"Encore @{leaver.handle}")
    assert await outbox(session, user_id=leaver.id, state="pending") == []


# --- digests -------------------------------------------------------------------------


async def test_a_digest_holds_only_what_its_reader_may_read_now(
    make, db, session, server, mail_settings
):
    author, client = await person(make, display_name="Bruno Auteur")
    employee, employee_client = await person(make, language="en")
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(
        owner=author, visibility="private", allows_externals=True, members=[employee]
    )
    session.add(Membership(space_id=space.id, user_id=contractor.id, role=SpaceRole.MEMBER))
    await session.commit()
    for who in (employee_client, contractor_client):
        await who.patch(f"{NOTIFICATIONS}/preferences", json={"digest": "daily"})
    posts = [
        await publish(client, "PUBLICSPACEWORD", level="public", space_id=space.id),
        await publish(client, "INTERNALSPACEWORD", level="internal", space_id=space.id),
        await publish(client, "INTERNALSTREAMWORD", level="internal"),
    ]
    period = period_of(Digest.DAILY, now=utcnow(), settings=mail_settings)
    await session.execute(
        update(Post)
        .where(Post.id.in_([post["id"] for post in posts]))
        .values(created_at=period.since + timedelta(hours=1))
    )
    await session.commit()

    await deliver(db, mail_settings)
    digests = {to[0]: message for to, message in server.take()}
    employee_mail, contractor_mail = digests[employee.email], digests[contractor.email]
    assert employee_mail["Subject"] == "What happened in your spaces"
    assert contractor_mail["Content-Language"] == "fr"
    # The employee reads all three (internal ones by title and link only).
    for post in posts:
        assert f"/posts/{post['id']}" in text_of(employee_mail)
    assert "PUBLICSPACEWORD" in text_of(employee_mail)
    assert "INTERNALSPACEWORD" not in employee_mail.as_string()
    # The contractor's holds nothing internal, not even its link.
    assert f"/posts/{posts[0]['id']}" in text_of(contractor_mail)
    for post in posts[1:]:
        assert f"/posts/{post['id']}" not in contractor_mail.as_string()
    # Once per period.
    assert await deliver(db, mail_settings) == 0
    assert server.take() == []


async def test_a_digest_tells_of_wiki_pages_saved_and_events_planned_its_reader_may_read(
    make, db, session, server, mail_settings
):
    """Not posts alone: the pages saved and the events planned in the period
    by others, each read through the policy — a contractor's digest names no
    internal one, not even by its link; a period with only those is mailed."""
    author, client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor", language="en")
    space = await make.space(owner=author, allows_externals=True, name="Projet Azur")
    session.add(Membership(space_id=space.id, user_id=contractor.id, role=SpaceRole.MEMBER))
    await session.commit()
    await contractor_client.patch(f"{NOTIFICATIONS}/preferences", json={"digest": "daily"})
    pages, events = {}, {}
    for level in ("public", "internal"):
        page = await client.post(
            f"/api/v1/spaces/{space.id}/wiki/pages",
            json={"title": f"Page {level}", "body": "Texte", "level": level},
        )
        assert page.status_code == 201, page.text
        pages[level] = page.json()["id"]
        events[level] = (
            await plan(client, title=f"Réunion {level}", space_id=space.id, level=level)
        )["id"]
    # The contractor's own page: not news to them.
    own = await contractor_client.post(
        f"/api/v1/spaces/{space.id}/wiki/pages",
        json={"title": "Ma page", "body": "Texte", "level": "public"},
    )
    assert own.status_code == 201, own.text
    period = period_of(Digest.DAILY, now=utcnow(), settings=mail_settings)
    moment = period.since + timedelta(hours=1)
    await session.execute(
        update(WikiPage).where(WikiPage.space_id == space.id).values(updated_at=moment)
    )
    await session.execute(
        update(CalendarEvent).where(CalendarEvent.space_id == space.id).values(created_at=moment)
    )
    await session.commit()

    await deliver(db, mail_settings)
    [(to, mail)] = server.take()
    assert to == [contractor.email]
    text = text_of(mail)
    assert "Wiki pages saved" in text and "Events planned" in text
    assert "Page public" in text and "Réunion public" in text
    assert f"/calendar/events/{events['public']}" in text
    assert "Dec 10, 2026" in text  # the event's start, in the reader's language
    everything = mail.as_string()
    for hidden in (
        "Page internal",
        "Réunion internal",
        "Ma page",
        f"/calendar/events/{events['internal']}",
    ):
        assert hidden not in everything


# --- the mail server down, two workers ------------------------------------------------


async def test_a_mail_server_down_delays_mail_and_loses_none(
    make, db, session, server, mail_settings
):
    _author, client = await person(make)
    reader, _reader_client = await person(make)
    server.stop()
    try:
        await publish(client, f"Bonjour @{reader.handle}")
        assert await deliver(db, mail_settings) == 0
        [waiting] = await outbox(session, user_id=reader.id)
        assert (waiting.state, waiting.attempts) == ("pending", 1)
        assert waiting.due_at > utcnow() and waiting.last_error
        # Not due yet: the next round leaves it alone.
        assert await deliver(db, mail_settings) == 0
        assert (await outbox(session, user_id=reader.id))[0].attempts == 1
    finally:
        server.start()
    await session.execute(update(OutboxMail).values(due_at=utcnow()))
    await session.commit()
    assert await deliver(db, mail_settings) == 1
    assert await deliver(db, mail_settings) == 0
    assert [to for to, _message in server.take()] == [[reader.email]]


@pytest.mark.parametrize("rounds", [3])
async def test_two_workers_send_each_mail_and_each_digest_once(tmp_path_factory, server, rounds):
    server.take()
    async with own_site(tmp_path_factory.mktemp("mail-workers")) as site:
        settings = server.settings_for(site.app.state.settings)
        people = [await site.person() for _ in range(12)]
        async with site.database.transaction() as session:
            author_id = people[0][0]
            post = Post(
                author_id=author_id, body="Bonjour", body_html="<p>Bonjour</p>", level=Level.PUBLIC
            )
            session.add(post)
            await session.flush()
            for user_id, _client in people[1:]:
                notification = Notification(
                    user_id=user_id, kind="reply", actor_id=author_id, post_id=post.id, data={}
                )
                session.add(notification)
                await session.flush()
                queue_mail(session, kind="reply", user_id=user_id, notification_id=notification.id)
                session.add(MailSettings(user_id=user_id, digest="daily"))
            period = period_of(Digest.DAILY, now=utcnow(), settings=settings)
            post.created_at = period.since + timedelta(hours=1)
        other = Database(site.app.state.settings)
        try:
            for _ in range(rounds):
                await asyncio.gather(
                    deliver_mail(site.database, settings), deliver_mail(other, settings)
                )
        finally:
            await other.dispose()
        received = [(to[0], message["Subject"]) for to, message in server.take()]
        assert len(received) == 2 * 11
        assert len(set(received)) == len(received)


# --- invitations, the administrators' page ---------------------------------------------


async def test_an_invitation_by_email_is_mailed_and_its_link_still_shown(
    make, db, session, server, mail_settings
):
    owner, client = await person(make, display_name="Olga Owner", language="en")
    space = await make.space(owner=owner, allows_externals=True, name="Projet Azur")
    issued = await client.post(
        f"/api/v1/spaces/{space.id}/invitations",
        json={"email": "camille@partner.example.com", "external_kind": "alumni"},
    )
    assert issued.status_code == 201, issued.text
    link = issued.json()["accept_url"]

    assert await deliver(db, mail_settings) == 1
    [(to, mail)] = server.take()
    assert to == ["camille@partner.example.com"]
    assert mail["Subject"] == "Olga Owner invites you to join Projet Azur on Ruche"
    assert link in text_of(mail) and link in html_of(mail)
    assert "List-Unsubscribe" not in mail
    # Its secret was kept only until it left.
    [sent] = await outbox(session, kind="email_invitation")
    assert sent.state == "sent" and sent.data == {}


async def test_an_invitation_by_email_is_mailed_in_the_language_its_inviter_chose(
    make, db, server, mail_settings
):
    """The invitee has no account, so no language of their own: the inviter
    says which (their own by default); an account's invitation is its own."""
    owner, client = await person(make, display_name="Olga Owner", language="en")
    space = await make.space(owner=owner, allows_externals=True, name="Projet Azur")
    for address, language in (
        ("camille@partner.example.com", "fr"),
        ("dan@partner.example.com", None),
    ):
        issued = await client.post(
            f"/api/v1/spaces/{space.id}/invitations",
            json={"email": address, "external_kind": "alumni"}
            | ({"language": language} if language else {}),
        )
        assert issued.status_code == 201, issued.text
    assert await deliver(db, mail_settings) == 2
    subjects = {to[0]: mail["Subject"] for to, mail in server.take()}
    assert subjects == {
        "camille@partner.example.com": "Olga Owner vous invite à rejoindre Projet Azur sur Ruche",
        "dan@partner.example.com": "Olga Owner invites you to join Projet Azur on Ruche",
    }
    member = await make.user()
    refused = await client.post(
        f"/api/v1/spaces/{space.id}/invitations", json={"user_id": member.id, "language": "fr"}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "language_for_account"


async def test_the_admin_page_tells_the_mail_state_and_sends_a_test_mail(
    make, app, browser_of, server, mail_settings
):
    admin = await make.user(role="admin", language="en")
    browser, csrf = await browser_of(admin)
    off = await browser.get("/admin/mail")
    assert "Mail is off" in off.text

    app.state.settings, kept = mail_settings, app.state.settings
    try:
        page = await browser.get("/admin/mail")
        assert f"127.0.0.1:{server.port}" in page.text
        sent = await browser.post("/admin/mail/test", data={"csrf_token": csrf})
        assert sent.status_code == 303 and sent.headers["location"] == "/admin/mail?done=sent"
        # Without the form's token: refused, nothing sent.
        forged = await browser.post("/admin/mail/test", data={})
        assert forged.status_code == 403
    finally:
        app.state.settings = kept
    [(to, mail)] = server.take()
    assert to == [admin.email] and mail["Subject"] == "Ruche can send mail"
    member, member_csrf = await browser_of(await make.user())
    refused = await member.post("/admin/mail/test", data={"csrf_token": member_csrf})
    assert refused.status_code == 403
