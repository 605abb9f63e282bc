"""The first-run tour: a new account sees it on the first page it opens, once; dismissing
it (a CSRF-protected form) holds for good, on the account; the user menu keeps
it at hand; an external is told they see only public content of their spaces."""

import re

from app.levels import AccountKind
from app.models import User
from app.services.accounts import create_account
from app.services.tour import needs_tour

DIALOG = re.compile(r"<dialog[^>]*data-tour")


async def test_an_account_created_by_the_service_is_shown_the_tour(make, session):
    admin = await make.user(role="admin")
    created = await create_account(
        session, email="nouvelle@example.test", display_name="Nouvelle", password=None, actor=admin
    )
    assert needs_tour(created)


async def test_a_new_account_sees_the_tour_once_and_dismissing_it_holds(make, browser_of, db):
    newcomer = await make.user(language="en", toured=False)
    browser, csrf = await browser_of(newcomer)

    home = await browser.get("/")
    assert home.status_code == 200 and DIALOG.search(home.text)
    assert 'aria-labelledby="tour-title"' in home.text and "/static/js/tour.js" in home.text
    assert 'href="/welcome"' in home.text  # the user menu's way back to it
    # Still shown on the next visit: only dismissing it ends it.
    assert DIALOG.search((await browser.get("/")).text)

    dismissed = await browser.post("/welcome/dismiss", data={"csrf_token": csrf, "next": "/"})
    assert dismissed.status_code == 303 and dismissed.headers["location"] == "/"

    assert not DIALOG.search((await browser.get("/")).text)
    async with db.sessionmaker() as fresh:
        assert (await fresh.get(User, newcomer.id)).tour_seen_at is not None
    # The menu's page shows it again, without a form to dismiss it twice.
    again = await browser.get("/welcome")
    assert again.status_code == 200 and 'id="tour-title"' in again.text
    assert "/welcome/dismiss" not in again.text


async def test_dismissing_needs_the_session_csrf_token(make, browser_of, db):
    newcomer = await make.user(language="en", toured=False)
    browser, _csrf = await browser_of(newcomer)

    for data in ({"next": "/"}, {"csrf_token": "forged", "next": "/"}):
        refused = await browser.post("/welcome/dismiss", data=data)
        assert refused.status_code == 403

    async with db.sessionmaker() as fresh:
        assert (await fresh.get(User, newcomer.id)).tour_seen_at is None
    assert DIALOG.search((await browser.get("/")).text)


async def test_dismissing_leads_back_only_within_ruche(make, browser_of):
    newcomer = await make.user(language="en", toured=False)
    browser, csrf = await browser_of(newcomer)
    answer = await browser.post(
        "/welcome/dismiss", data={"csrf_token": csrf, "next": "https://evil.example/"}
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/")


async def test_the_tour_is_told_for_the_kind_of_account(make, browser_of):
    employee = await make.user(language="en", toured=False)
    contractor = await make.user(language="en", kind=AccountKind.CONTRACTOR, toured=False)

    employee_home = (await (await browser_of(employee))[0].get("/")).text
    contractor_home = (await (await browser_of(contractor))[0].get("/")).text

    assert "data-tour-external" not in employee_home
    assert "Your clearance: Internal" in employee_home
    assert "data-tour-external" in contractor_home
    assert "you see only public content" in contractor_home
    assert "Your clearance" not in contractor_home


async def test_signed_out_the_tour_leads_to_sign_in(make):
    client = make.client(Accept="text/html")
    for answer in (await client.get("/welcome"), await client.post("/welcome/dismiss")):
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


async def test_the_tour_names_every_level_even_to_whom_may_write_only_public(make, browser_of):
    contractor = await make.user(language="en", kind=AccountKind.CONTRACTOR, toured=False)
    home = (await (await browser_of(contractor))[0].get("/")).text
    tour = home[home.index("<dialog") : home.index("</dialog>")]
    for level in ("Public", "Internal", "Confidential", "Secret"):
        assert f">{level}<" in tour, level


async def test_the_tour_meets_a_new_account_wherever_it_lands_but_the_charter(make, browser_of):
    newcomer = await make.user(language="en", toured=False)
    space = await make.space(members=[newcomer])
    external = await make.user(kind="contractor", toured=False, charter_accepted=False)
    browser, _csrf = await browser_of(newcomer)
    external_browser, _csrf = await browser_of(external)

    on_space = await browser.get(f"/spaces/{space.id}")
    on_welcome = await browser.get("/welcome")
    on_missing = await browser.get("/posts/2147483647")
    on_charter = await external_browser.get("/charter")

    assert on_space.status_code == 200 and DIALOG.search(on_space.text)
    # The tour's own page is the tour; an error page and the charter come first.
    assert on_welcome.status_code == 200 and not DIALOG.search(on_welcome.text)
    assert on_missing.status_code == 404 and not DIALOG.search(on_missing.text)
    assert on_charter.status_code == 200 and not DIALOG.search(on_charter.text)
