"""The audit log page and its CSV export (app/web/audit.py), the account pages'
last sign-in and contractor fields, and the token placeholder of the settings."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape

from sqlalchemy import select

from app.models import AuditEvent
from app.services.audit import record_audit


def rows(html: str) -> list[str]:
    """The sentences of the page, as text."""
    return [
        unescape(re.sub(r"<[^>]+>", "", sentence))
        for sentence in re.findall(r'<p class="audit-sentence">(.*?)</p>', html)
    ]


async def test_the_log_filters_by_person_found_by_name(make, browser_of, session):
    admin = await make.user(role="admin", clearance="secret", language="en")
    marc = await make.user(display_name="Marc Lambert")
    marie = await make.user(display_name="Marie Lamy")
    other = await make.user(display_name="Zoé Autre")
    space = await make.space(owner=admin, name="Atlas")
    for target in (marc, marie, other):
        record_audit(
            session,
            action="membership.added",
            actor=admin,
            target=target,
            space_id=space.id,
            role="member",
        )
    record_audit(session, action="charter.updated", actor=marc)
    await session.commit()
    browser, _csrf = await browser_of(admin)

    one = await browser.get("/admin/audit", params={"who": "lambert"})
    several = await browser.get("/admin/audit", params={"who": "lam"})
    chosen = await browser.get("/admin/audit", params={"who": "Marie Lamy", "person": marie.id})
    nobody = await browser.get("/admin/audit", params={"who": "personne-ici"})

    assert rows(one.text) == [
        "Marc Lambert updated the charter",
        f"{admin.display_name} added Marc Lambert to Atlas",
    ]
    assert len(rows(several.text)) == 3 and "Pick one" in several.text
    assert f"person={marie.id}" in several.text
    assert rows(chosen.text) == [f"{admin.display_name} added Marie Lamy to Atlas"]
    assert "No event matches." in nobody.text and "personne-ici" in nobody.text


async def test_the_log_filters_by_kind_of_action_and_period(make, browser_of, session):
    admin = await make.user(role="admin", clearance="secret", language="en")
    space = await make.space(owner=admin, name="Atlas")
    old = record_audit(
        session, action="space.archived", actor=admin, target_type="space", target_id=space.id
    )
    record_audit(
        session, action="space.unarchived", actor=admin, target_type="space", target_id=space.id
    )
    record_audit(session, action="charter.updated", actor=admin)
    await session.flush()
    old.created_at = datetime(2020, 3, 1, 12, tzinfo=UTC)
    await session.commit()
    browser, _csrf = await browser_of(admin)
    name = admin.display_name

    group = await browser.get("/admin/audit", params={"action": "space"})
    exact = await browser.get("/admin/audit", params={"action": "space.archived"})
    period = await browser.get(
        "/admin/audit", params={"action": "space", "since": "2020-03-01", "until": "2020-03-01"}
    )
    bad = await browser.get("/admin/audit", params={"since": "yesterday"})

    assert rows(group.text) == [f"{name} took Atlas out of the archives", f"{name} archived Atlas"]
    assert rows(exact.text) == [f"{name} archived Atlas"]
    assert rows(period.text) == [f"{name} archived Atlas"]
    assert bad.status_code == 422


async def test_sign_ins_are_hidden_unless_asked_but_failures_show(make, browser_of, client):
    admin = await make.user(role="admin", clearance="secret", language="en")
    await client.post("/api/v1/auth/login", json={"email": admin.email, "password": "wrong!!"})
    browser, _csrf = await browser_of(admin)  # a successful sign-in

    default = await browser.get("/admin/audit", params={"person": admin.id})
    shown = await browser.get("/admin/audit", params={"person": admin.id, "sign_ins": "1"})

    name = admin.display_name
    assert rows(default.text) == [f"Failed sign-in to the account of {name}"]
    assert rows(shown.text) == [f"{name} signed in", f"Failed sign-in to the account of {name}"]


async def test_the_log_pages_through_older_events(make, browser_of, session, monkeypatch):
    from app.web import audit as audit_pages

    monkeypatch.setattr(audit_pages, "AUDIT_PAGE", 2)
    admin = await make.user(role="admin", clearance="secret", language="en")
    for _ in range(3):
        record_audit(session, action="charter.updated", actor=admin)
    await session.commit()
    browser, _csrf = await browser_of(admin)

    first = await browser.get("/admin/audit", params={"action": "charter.updated"})
    older = unescape(re.search(r'href="(/admin/audit\?[^"]+)">Older events', first.text)[1])
    second = await browser.get(older)

    assert len(rows(first.text)) == 2 and len(rows(second.text)) == 1
    assert "action=charter.updated" in older and "Older events" not in second.text


async def test_the_export_is_the_filtered_log_as_safe_csv_and_is_audited(make, browser_of, session):
    admin = await make.user(role="admin", clearance="secret", language="fr")
    sly = await make.user(display_name='=HYPERLINK("http://evil")')
    record_audit(session, action="charter.updated", actor=sly, address="10.0.0.1")
    record_audit(session, action="auth.sign_in", actor=sly, target=sly)
    await session.commit()
    browser, csrf = await browser_of(admin)

    response = await browser.post(
        "/admin/audit/export", data={"csrf_token": csrf, "person": sly.id}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="ruche-audit-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["content-disposition"],
    )
    lines = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert lines[0][:2] == ["Quand (UTC)", "Événement"]
    assert len(lines) == 2  # the sign-in is hidden, as on the page
    assert lines[1][1] == '\'=HYPERLINK("http://evil") a modifié la charte'
    assert lines[1][3:] == ["charter.updated", str(sly.id), "", "10.0.0.1"]
    exported = await session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported"))
    assert exported.actor_id == admin.id and exported.detail["person_ids"] == [sly.id]


async def test_only_administrators_read_or_export_the_log(make, browser_of, client):
    member = await make.user(clearance="secret")
    browser, csrf = await browser_of(member)

    assert (await browser.get("/admin/audit")).status_code == 403
    refused = await browser.post("/admin/audit/export", data={"csrf_token": csrf})
    assert refused.status_code == 403 and "text/csv" not in refused.headers["content-type"]
    admin = await make.user(role="admin")
    admin_browser, _csrf = await browser_of(admin)
    forged = await admin_browser.post("/admin/audit/export", data={})
    assert forged.status_code == 403  # no anti-forgery token
    assert (await client.post("/admin/audit/export")).status_code in (401, 403)


async def test_the_account_page_shows_last_sign_in_sponsor_and_end_of_access(
    make, browser_of, session
):
    admin = await make.user(role="admin", clearance="secret", language="en")
    sponsor = await make.user(display_name="Julien Martin")
    ending = await make.user(kind="contractor", display_name="Marc Lambert")
    ending.sponsor_id = sponsor.id
    ending.access_ends_at = datetime.now(UTC) + timedelta(days=3)
    ended = await make.user(kind="contractor", display_name="Ancien Prestataire")
    ended.access_ends_at = datetime.now(UTC) - timedelta(days=1)
    await session.commit()
    await browser_of(ending)  # signs in: the page shows it
    browser, _csrf = await browser_of(admin)

    page = await browser.get(f"/admin/users/{ending.id}")
    past = await browser.get(f"/admin/users/{ended.id}")
    listed = await browser.get("/admin/users")

    assert f'<a href="/admin/users/{sponsor.id}">Julien Martin</a>' in page.text
    assert "Ends within a week" in page.text
    sign_in = re.search(
        r"<dt>Last sign-in</dt><dd><time datetime=\"([^\"]+)\"[^>]*>[^<]+</time>([^<]+)", page.text
    )
    assert sign_in[1].startswith(datetime.now(UTC).date().isoformat()) and "from " in sign_in[2]
    assert "Ended" in past.text and "none (created without an invitation)" in past.text
    assert "Access ended" in listed.text and "within a week" in listed.text


async def test_an_admin_changes_the_end_of_access_there(make, browser_of, session):
    admin = await make.user(role="admin", clearance="secret")
    contractor = await make.user(kind="contractor")
    browser, csrf = await browser_of(admin)
    form = {"kind": "contractor", "role": "member", "clearance": "public", "is_active": "true"}

    saved = await browser.post(
        f"/admin/users/{contractor.id}",
        data={**form, "access_ends_on": "2031-05-04", "csrf_token": csrf},
    )

    assert saved.status_code == 303
    await session.refresh(contractor)
    assert contractor.access_ends_at == datetime(2031, 5, 4, tzinfo=UTC)


async def test_the_token_placeholder_shows_as_text(make, browser_of):
    for language, word in (("en", "token"), ("fr", "jeton")):
        person = await make.user(language=language)
        browser, _csrf = await browser_of(person)
        page = (await browser.get("/settings")).text
        assert f"<code>Authorization: Bearer &lt;{word}&gt;</code>" in page
