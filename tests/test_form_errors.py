"""A refused form of the web UI comes back as its own page: what was typed kept,
each message next to its field in the page's language, the refusal's status,
and the bell's unread count as on any page (app/web/form_errors.py)."""

import re

from app.levels import Language

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
