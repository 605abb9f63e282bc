"""Dates and times as people read them: the formatter of app/dates.py in both
languages, and every kind of page an employee reaches showing no ISO date in its
text (the exact moment stays in ``<time datetime>``, for machines)."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest

from app.config import PROJECT_ROOT, TEMPLATES_DIR
from app.dates import day, format_day, format_moment, format_relative, format_when, when
from app.i18n import current_language
from app.levels import Language
from app.models import User
from tests.file_helpers import pdf
from tests.stream_helpers import comment_on, publish
from tests.wiki_helpers import create_page, save_page

NOW = datetime(2026, 12, 5, 22, 6, 30, tzinfo=UTC)
NNBSP = "\u202f"


@pytest.fixture
def language():
    """Sets the request's language for a test, as the middleware does."""
    tokens = []

    def use(value: Language) -> None:
        tokens.append(current_language.set(value))

    yield use
    for token in reversed(tokens):
        current_language.reset(token)


@pytest.mark.parametrize(
    ("ago", "french", "english"),
    [
        (timedelta(0), "maintenant", "now"),
        (timedelta(seconds=1), "il y a 1 seconde", "1 second ago"),
        (timedelta(seconds=59), "il y a 59 secondes", "59 seconds ago"),
        # Whole units, never rounded up: 5 min 59 s is 5 minutes, as in the browser.
        (timedelta(minutes=5, seconds=59), "il y a 5 minutes", "5 minutes ago"),
        (timedelta(minutes=1), "il y a 1 minute", "1 minute ago"),
        (timedelta(hours=1, minutes=59), "il y a 1 heure", "1 hour ago"),
        (timedelta(hours=23, minutes=59), "il y a 23 heures", "23 hours ago"),
        (-timedelta(hours=2), "dans 2 heures", "in 2 hours"),
    ],
)
def test_a_recent_moment_reads_relative(language, ago, french, english):
    language(Language.FR)
    assert format_when(NOW - ago, NOW) == format_relative(NOW - ago, NOW) == french
    language(Language.EN)
    assert format_when(NOW - ago, NOW) == english


def test_a_moment_a_day_away_or_more_reads_as_a_date_and_time(language):
    language(Language.FR)
    assert format_when(NOW - timedelta(hours=24), NOW) == "4 déc. 2026, 22:06"
    assert format_when(NOW + timedelta(days=40), NOW) == "14 janv. 2027, 22:06"
    language(Language.EN)
    assert format_when(NOW - timedelta(days=1), NOW) == f"Dec 4, 2026, 10:06{NNBSP}PM"
    assert format_moment(NOW) == f"Dec 5, 2026, 10:06{NNBSP}PM"


def test_a_naive_moment_from_the_database_is_utc(language):
    language(Language.FR)
    assert format_moment(NOW.replace(tzinfo=None)) == "5 déc. 2026, 22:06"


def test_a_day_is_a_calendar_day(language):
    language(Language.FR)
    assert format_day(date(2026, 12, 19)) == "19 déc. 2026"
    assert format_day(date(2026, 12, 19), spelled_out=True) == "19 décembre 2026"
    # Midnight UTC stays its own day, whatever the zone.
    assert format_day(datetime(2026, 12, 19, tzinfo=UTC)) == "19 déc. 2026"
    language(Language.EN)
    assert format_day(date(2026, 12, 19), spelled_out=True) == "December 19, 2026"
    assert str(day(date(2026, 12, 19))) == '<time datetime="2026-12-19">Dec 19, 2026</time>'
    assert day("2026-12-19T00:00:00+00:00") == day(date(2026, 12, 19))


def test_a_moment_in_a_page_keeps_its_exact_value_for_machines(language):
    language(Language.FR)
    html = str(when(NOW - timedelta(minutes=5), NOW))
    assert html == (
        '<time datetime="2026-12-05T22:01:30+00:00" '
        'title="samedi 5 décembre 2026, 22:01:30 TU" data-when>il y a 5 minutes</time>'
    )
    assert when("2026-12-05T22:01:30+00:00", NOW) == html  # as a service's JSON gives it
    assert when(None) == ""


def test_nothing_else_formats_a_date_for_people():
    """No strftime anywhere: a date a person reads comes from app/dates.py (a
    date input's value, for the browser, is ``.isoformat()``)."""
    sources = [*(PROJECT_ROOT / "app").rglob("*.py"), *TEMPLATES_DIR.rglob("*.html")]
    assert [str(path) for path in sources if "strftime" in path.read_text()] == []


# --- the pages ------------------------------------------------------------------

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SCRIPTS = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
TAGS = re.compile(r"<[^>]*>")


def visible_text(html: str) -> str:
    """What a person reads: no script, no tag (so no attribute), entities read."""
    return unescape(TAGS.sub(" ", SCRIPTS.sub(" ", html)))


async def every_kind_of_page(make, session) -> tuple[User, list[str], list[str]]:
    """An administrator employee, the paths of each kind of page that shows a
    date or a time, and of those that show none."""
    admin = await make.user(role="admin", display_name="Chloé Admin")
    colleague = await make.user()
    contractor = await make.user(kind="contractor")
    contractor.access_ends_at = datetime.now(UTC) + timedelta(days=30)
    space = await make.space(owner=admin, members=[colleague], allows_externals=True)
    await session.commit()

    mine = await make.bearer(admin, expires_at=datetime.now(UTC) + timedelta(days=90))
    theirs = await make.bearer(colleague)
    post = await publish(mine, "Le planning du trimestre #planning", space_id=space.id)
    await publish(
        mine,
        "Quel jour pour l'atelier ?",
        kind="poll",
        poll={"options": ["Lundi", "Mardi"], "closes_at": (NOW + timedelta(days=400)).isoformat()},
    )
    await comment_on(theirs, post["id"], "Merci, je regarde.")  # a notification for admin
    edited = await mine.patch(
        f"/api/v1/posts/{post['id']}", json={"body": "Le planning, revu #planning"}
    )
    assert edited.status_code == 200, edited.text
    page = await create_page(mine, "Procédure d'achat", "v1", space_id=space.id)
    await save_page(mine, page, body="v2")
    invited = await mine.post(
        f"/api/v1/spaces/{space.id}/invitations",
        json={
            "email": "prestataire@example.test",
            "external_kind": "contractor",
            "access_ends_at": (datetime.now(UTC) + timedelta(days=60)).isoformat(),
        },
    )
    assert invited.status_code == 201, invited.text
    document = await mine.post(
        f"/api/v1/spaces/{space.id}/files",
        files={"file": ("plan.pdf", pdf(), "application/octet-stream")},
    )
    assert document.status_code == 201, document.text
    wiki = f"/spaces/{space.id}/wiki/{page['slug']}"
    return (
        admin,
        [
            "/",
            f"/spaces/{space.id}",
            f"/spaces/{space.id}?tab=members",
            f"/spaces/{space.id}?tab=about",
            f"/posts/{post['id']}",
            "/hashtags/planning",
            wiki,
            f"{wiki}/history",
            f"{wiki}/revisions/1",
            f"{wiki}/diff?old=1&new=2",
            f"/spaces/{space.id}/wiki",
            "/notifications",
            "/admin/users",
            f"/admin/users/{contractor.id}",
            "/admin/audit",
            "/settings",
            f"/spaces/{space.id}/files",
            f"/spaces/{space.id}/files/{document.json()['id']}",
            "/charter",
            "/search?q=planning",
        ],
        ["/people", f"/people/{colleague.handle}"],
    )


@pytest.mark.parametrize("language_code", ["fr", "en"])
async def test_no_page_shows_an_iso_date(make, session, browser_of, language_code):
    admin, dated, undated = await every_kind_of_page(make, session)
    admin.language = Language(language_code)
    await session.commit()
    browser, _csrf = await browser_of(admin)

    for path in dated + undated:
        response = await browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert ISO_DAY.findall(visible_text(response.text)) == [], path
        assert ("<time datetime=" in response.text) is (path in dated), path
