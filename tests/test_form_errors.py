"""A refused form of the web UI comes back as its own page: what was typed kept,
each message next to its field in the page's language, the refusal's status,
and the bell's unread count as on any page (app/web/form_errors.py)."""

import re

from app.levels import Language, Role
from app.models import Notification

SPACE_FORM = {
    "name": "Atelier des ruches",
    "objective": "court",  # under the 10 characters an objective needs
    "description": "Une description gardée",
    "kind": "team",
    "visibility": "private",
    "default_level": "internal",
    "allows_externals": "true",
}


def field_error(html: str, name: str) -> str:
    """The message shown for a field, and that the field points at it."""
    found = re.search(rf'<p class="field-error" id="error-{name}">([^<]*)</p>', html)
    assert found, f"no message for {name}"
    return found.group(1)


async def test_a_refused_new_space_keeps_what_was_typed_with_the_message_in_french(
    make, browser_of
):
    client, csrf = await browser_of(await make.user(language=Language.FR))

    page = await client.post("/spaces/new", data={**SPACE_FORM, "csrf_token": csrf})

    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert field_error(html, "objective") == "Trop court\u202f: au moins 10 caractères."
    assert re.search(
        r'<textarea id="space-objective"[^>]*'
        r'aria-describedby="space-objective-help error-objective" aria-invalid="true" autofocus>'
        r"court</textarea>",
        html,
    )
    assert 'value="Atelier des ruches"' in html
    assert "Une description gardée" in html
    assert re.search(r'id="space-kind-team" name="kind" value="team" checked', html)
    assert re.search(r'id="space-externals" name="allows_externals" value="true" checked', html)


async def test_a_refused_comment_keeps_its_text_under_its_own_form(make, browser_of):
    author = await make.user(language=Language.EN)
    post = await make.post(author=author)
    client, csrf = await browser_of(author)

    page = await client.post(f"/posts/{post.id}/comments", data={"body": "   ", "csrf_token": csrf})

    assert page.status_code == 422
    assert field_error(page.text, "body") == "Write something before sending."
    assert re.search(r'<textarea id="comment-body"[^>]*aria-invalid="true" autofocus>', page.text)
    # The other forms of the page (the post's own edit form) show nothing of it.
    assert page.text.count('class="field-error"') == 1


async def test_the_composer_keeps_the_poll_that_was_refused_with_the_reason_beside_it(
    make, browser_of
):
    author = await make.user(language=Language.FR)
    client, csrf = await browser_of(author)

    page = await client.post(
        "/posts",
        data={
            "csrf_token": csrf,
            "body": "Quel jour pour la réunion ?",
            "kind": "poll",
            "poll_options": "Lundi",  # one option: a poll needs two
            "level": "internal",
        },
    )

    assert page.status_code == 422
    assert field_error(page.text, "poll_options") == ("Un sondage a de 2 à 10 choix non vides.")
    assert "Quel jour pour la réunion ?</textarea>" in page.text
    assert re.search(r'<option id="composer-kind-poll" value="poll"[^>]* selected>', page.text)
    assert re.search(r'name="poll_options"[^>]*aria-invalid="true" autofocus>Lundi<', page.text)


async def test_a_refused_wiki_page_keeps_its_text_and_says_why_in_english(make, browser_of):
    writer = await make.user(language=Language.EN)
    client, csrf = await browser_of(writer)

    page = await client.post(
        "/wiki/new",
        data={
            "csrf_token": csrf,
            "title": "T" * 1001,
            "body": "Le texte à garder",
            "intent": "save",
        },
    )

    assert page.status_code == 422
    assert field_error(page.text, "title") == "Too long: at most 1000 characters."
    assert "Le texte à garder</textarea>" in page.text


async def test_settings_forms_keep_what_was_typed_but_never_a_password(make, browser_of):
    user = await make.user(language=Language.EN)
    client, csrf = await browser_of(user)

    token = await client.post("/settings/tokens", data={"csrf_token": csrf, "name": ""})
    password = await client.post(
        "/settings/password",
        data={
            "csrf_token": csrf,
            "current_password": "wrong one!",
            "new_password": "long enough 1",
        },
    )

    assert token.status_code == 422
    assert field_error(token.text, "name") == "This field is required."
    assert password.status_code == 422
    assert field_error(password.text, "current_password") == "The current password is wrong."
    assert "wrong one!" not in password.text and "long enough 1" not in password.text
    # Only the refused form shows a message.
    assert password.text.count('class="field-error"') == 1


async def test_the_charter_editor_keeps_the_text_refused_in_french(make, browser_of):
    admin = await make.user(role=Role.ADMIN, language=Language.FR)
    client, csrf = await browser_of(admin)

    page = await client.post("/admin/charter", data={"csrf_token": csrf, "text": "Trop bref"})

    assert page.status_code == 422
    assert field_error(page.text, "text") == "Trop court\u202f: au moins 10 caractères."
    assert ">Trop bref</textarea>" in page.text


async def test_a_folder_name_refused_stays_in_its_field(make, browser_of):
    owner = await make.user(language=Language.EN)
    space = await make.space(owner=owner)
    client, csrf = await browser_of(owner)

    page = await client.post(
        f"/spaces/{space.id}/folders", data={"csrf_token": csrf, "name": "a/b"}
    )

    assert page.status_code == 422
    assert "may not hold" in field_error(page.text, "name")
    assert re.search(r'id="folder-name"[^>]*value="a/b"', page.text)


async def test_an_expired_sign_in_form_keeps_the_e_mail(client):
    page = await client.post(
        "/login",
        data={"email": "lea@example.test", "password": "secret", "csrf_token": "old"},
        headers={"Accept": "text/html", "Accept-Language": "en"},
    )

    assert page.status_code == 403
    assert "The form has expired; reload the page and try again." in page.text
    assert 'value="lea@example.test"' in page.text
    assert "secret" not in page.text
    # A fresh token comes with the form, so sending it again works.
    assert "ruche_login_csrf" in page.headers["set-cookie"]


async def test_the_bell_keeps_its_count_on_a_refused_form(make, browser_of, session):
    user = await make.user(language=Language.EN)
    session.add(Notification(user_id=user.id, kind="mention", data={}))
    await session.commit()
    client, csrf = await browser_of(user)

    page = await client.post("/settings/tokens", data={"csrf_token": csrf, "name": ""})

    assert page.status_code == 422
    assert re.search(r"data-unread\s*>1<", page.text)


async def test_no_live_connection_where_the_viewer_cannot_be_live(make, browser_of):
    """The websocket refuses an external account before it accepts the charter:
    its pages open no connection, so never say "live updates paused"; an error
    page neither."""
    newcomer = await make.user(kind="contractor", charter_accepted=False)
    member = await make.user()
    newcomer_client, _csrf = await browser_of(newcomer)
    member_client, _csrf = await browser_of(member)

    charter = await newcomer_client.get("/charter")
    missing = await member_client.get("/posts/999999999")
    home = await member_client.get("/")

    assert charter.status_code == 200 and missing.status_code == 404
    for page in (charter, missing):
        assert "/static/js/live.js" not in page.text
        assert "data-live-state" not in page.text
    assert "/static/js/live.js" in home.text and "data-live-state" in home.text
