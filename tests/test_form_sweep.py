"""Every form of the web UI, refused, comes back as its own page: the sweep
enumerates the POST routes of the pages and sends each the one refusal every
form can meet, an expired anti-forgery token. Each must answer its form's page
(app/web/form_errors.py) in the reader's language with a 403 — never the bare
error page nor JSON. The refusals of each form's own fields are in
test_form_errors.py."""

import re

from fastapi.routing import APIRoute, iter_route_contexts

from app.levels import Language, Role
from tests.api_helpers import BROWSER
from tests.calendar_helpers import event_body
from tests.file_helpers import pdf
from tests.space_helpers import token_of

EXPIRED_FR = "Le formulaire a expiré\u202f; rechargez la page et réessayez."
# Forms used before sign-in: sent by someone with no session.
PUBLIC = {"/login", "/invitations/{token}"}
# Forms with no anti-forgery token by design: a mail client posts the one-click
# unsubscribe (RFC 8058) with no cookie; the signed link is the authority
# (tests/test_mail.py).
TOKENLESS = {"/mail/unsubscribe/{token}"}


def page_forms(app) -> list[str]:
    """The path of every POST route of the pages (the API's are JSON)."""
    return sorted(
        {
            context.path
            for context in iter_route_contexts(app.routes)
            if isinstance(context.route, APIRoute)
            and "POST" in context.route.methods
            and not context.path.startswith(("/api/", "/scim/"))
            and context.path not in TOKENLESS
        }
    )


async def world(make, client, csrf: str, admin) -> dict[str, str]:
    """One of everything a form's path names, made by ``admin`` through the API."""
    api = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    space = await make.space(owner=admin, allows_externals=True)
    post = await make.post(author=admin, space=space)
    other = await make.user()

    async def made(path: str, **body) -> dict:
        response = await client.post(f"/api/v1{path}", headers=api, **body)
        assert response.status_code == 201, response.text
        return response.json()

    comment = await made(f"/posts/{post.id}/comments", json={"body": "Un commentaire"})
    company_page = await made("/wiki/pages", json={"title": "Accueil", "body": "Texte"})
    space_page = await made(f"/spaces/{space.id}/wiki/pages", json={"title": "Projet", "body": "x"})
    folder = await made(f"/spaces/{space.id}/folders", json={"name": "Dossier", "parent_id": None})
    document = await made(
        f"/spaces/{space.id}/files", files={"file": ("plan.pdf", pdf(), "application/pdf")}
    )
    event = await made("/calendar/events", json=event_body(space_id=space.id))
    task = await made(f"/spaces/{space.id}/tasks", json={"title": "Une tâche"})
    item = await made(f"/tasks/{task['id']}/checklist", json={"text": "Un élément"})
    lab = await make.space(owner=admin, kind="innovation")
    campaign = await made(
        f"/spaces/{lab.id}/campaigns", json={"title": "Idées ?", "deadline": "2099-01-01T00:00Z"}
    )
    idea = await made(f"/campaigns/{campaign['id']}/ideas", json={"title": "Une idée"})
    webhook = await made(
        f"/spaces/{space.id}/webhooks",
        json={"url": "https://1.1.1.1/ruche", "events": ["post.created"]},
    )
    incoming = await made(f"/spaces/{space.id}/incoming-webhooks", json={"name": "Robot"})
    invitation = await made(
        f"/spaces/{space.id}/invitations",
        json={"email": "invite@example.test", "external_kind": "alumni"},
    )
    return {
        "space_id": str(space.id),
        "post_id": str(post.id),
        "comment_id": str(comment["id"]),
        "user_id": str(other.id),
        "folder_id": str(folder["id"]),
        "document_id": str(document["id"]),
        "company_page_id": str(company_page["id"]),
        "space_page_id": str(space_page["id"]),
        "event_id": str(event["id"]),
        "task_id": str(task["id"]),
        "item_id": str(item["checklist"][0]["id"]),
        "campaign_id": str(campaign["id"]),
        "idea_id": str(idea["id"]),
        "webhook_id": str(webhook["id"]),
        "hook_id": str(incoming["id"]),
        "token": token_of(invitation["accept_url"]),
        "handle": admin.handle,
        "name": "ruche",
        "number": "1",
        # Forms whose page does not depend on the id (the refusal comes first).
        "invitation_id": "1",
        "token_id": "1",
        "request_id": "1",
        "client_id": "1",
        "group_id": "1",
    }


def filled(path: str, names: dict[str, str]) -> str:
    page_id = names[
        "space_page_id" if path.startswith("/spaces/{space_id}/wiki") else "company_page_id"
    ]
    return re.sub(
        r"\{(\w+)\}", lambda found: page_id if found[1] == "page_id" else names[found[1]], path
    )


async def test_every_form_refused_for_an_expired_token_answers_its_page_in_french(make, app):
    admin = await make.user(role=Role.ADMIN, language=Language.FR)
    client = await make.signed_in(admin)
    csrf = client.headers.pop("X-CSRF-Token")
    names = await world(make, client, csrf, admin)
    anonymous = make.client()
    forms = page_forms(app)
    assert len(forms) > 50  # the sweep sees the pages' forms

    answered = {}
    for path in forms:
        sender = anonymous if path in PUBLIC else client
        response = await sender.post(
            filled(path, names),
            # The fields a form checks before its token (an invitation's acceptance).
            data={"csrf_token": "expired", "display_name": "Léa", "password": "x" * 12},
            headers={**BROWSER, "Accept-Language": "fr"},
        )
        answered[path] = (
            response.status_code,
            response.headers.get("content-type", "").split(";")[0],
            EXPIRED_FR in response.text,
            "<h1>403</h1>" in response.text,  # the bare error page
        )

    expected = {path: (403, "text/html", True, False) for path in forms}
    assert answered == expected
