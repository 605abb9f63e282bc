"""A person's profile and who may change what in it: the person edits their
own phone, bio, skills, interests and languages (their photo has its own
service, files/avatars.py); administrators (later the directory sync) set the
organisational fields. The rule is here, not in the routes, so that the API,
the pages and the tests meet the same refusals."""

import re
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_admin
from app.errors import Forbidden, Invalid
from app.i18n import _
from app.levels import AccountKind
from app.markdown import render
from app.models import User
from app.models.user import ProfileTag, TagKind
from app.search.text import fold
from app.services.accounts import access_account
from app.services.audit import record_audit

# What the person sets, and what administrators set.
OWN_FIELDS = ("phone", "bio", "skills", "interests", "languages")
ORGANISATIONAL_FIELDS = (
    "job_title",
    "department",
    "site",
    "manager_id",
    "organisation",
    "joined_year",
    "left_year",
)
TAG_FIELDS = {"skills": TagKind.SKILL, "interests": TagKind.INTEREST, "languages": TagKind.LANGUAGE}
# The columns' lengths (app/models/user.py), and bounds of our own.
MAX_TAG = 60
MAX_TAGS = 30
MAX_PHONE = 40
MAX_BIO = 5000
MAX_TEXT_FIELD = {"job_title": 120, "department": 120, "site": 120, "organisation": 160}
FIRST_YEAR, LAST_YEAR = 1900, 2100
# Digits, spaces and what telephone numbers are written with (the API document
# states the same pattern).
PHONE_PATTERN = r"^ *\+?[0-9 ().\-/]*$"
PHONE = re.compile(PHONE_PATTERN)
# A chain longer than this is not an organisation but a fault: stop walking.
MAX_CHAIN = 100


def clean_tags(kind: TagKind, names: Iterable[str]) -> list[tuple[str, str]]:
    """(key, name) pairs: each name trimmed, its inner spaces collapsed, the
    blank ones dropped, one per folded key (the first written wins)."""
    found: dict[str, str] = {}
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > MAX_TAG:
            raise _tag_refusal(kind, _("At most %(n)d characters a name.") % {"n": MAX_TAG})
        found.setdefault(fold(name)[:MAX_TAG], name)
    if len(found) > MAX_TAGS:
        raise _tag_refusal(kind, _("At most %(n)d names.") % {"n": MAX_TAGS})
    return list(found.items())


def _tag_refusal(kind: TagKind, message: str) -> Invalid:
    """A refused list, by a code that names it (a form shows the message beside it)."""
    if kind is TagKind.SKILL:
        return Invalid(message, code="invalid_skills")
    if kind is TagKind.INTEREST:
        return Invalid(message, code="invalid_interests")
    return Invalid(message, code="invalid_languages")


async def profile_tags(session: AsyncSession, user: User) -> dict[TagKind, list[ProfileTag]]:
    rows = await session.scalars(
        select(ProfileTag).where(ProfileTag.user_id == user.id).order_by(ProfileTag.key)
    )
    found: dict[TagKind, list[ProfileTag]] = {kind: [] for kind in TagKind}
    for tag in rows:
        found[tag.kind].append(tag)
    return found


def bio_html(person: User) -> str:
    """The bio as a page shows it: Markdown rendered, then sanitised (nh3), as a
    post's body is."""
    return render(person.bio).html if person.bio else ""


async def _replace_tags(session: AsyncSession, user: User, kind: TagKind, names: list[str]):
    tags = clean_tags(kind, names)
    await session.execute(
        delete(ProfileTag).where(ProfileTag.user_id == user.id, ProfileTag.kind == kind)
    )
    session.add_all(ProfileTag(user_id=user.id, kind=kind, key=k, name=n) for k, n in tags)


def _clean_phone(phone: str) -> str:
    if len(phone) > MAX_PHONE or not PHONE.fullmatch(phone):
        raise Invalid(
            _("A phone number has digits, spaces, and + ( ) . - / only."), code="invalid_phone"
        )
    return " ".join(phone.split())


async def edit_own_profile(session: AsyncSession, *, viewer: User, changes: dict) -> User:
    """The viewer's own phone, bio, skills, interests and languages (a list of
    names each, replacing the former one). An organisational field among the
    changes is refused with nothing written: administrators set those."""
    refused = sorted(set(changes) - set(OWN_FIELDS))
    if refused:
        raise Forbidden(
            _("Your organisation's administrators set these fields: %(fields)s.")
            % {"fields": ", ".join(refused)},
            code="organisational_field",
        )
    if not viewer.is_active:
        raise Forbidden()
    if "phone" in changes:
        viewer.phone = _clean_phone(changes["phone"])
    if "bio" in changes:
        if len(changes["bio"]) > MAX_BIO:
            raise Invalid(
                _("The presentation has at most %(n)d characters.") % {"n": MAX_BIO},
                code="bio_too_long",
            )
        viewer.bio = changes["bio"].strip()
    for field, kind in TAG_FIELDS.items():
        if field in changes:
            await _replace_tags(session, viewer, kind, changes[field])
    await session.flush()
    return viewer


async def check_manager(session: AsyncSession, *, person: User, manager_id: int) -> User:
    """The manager an administrator gives ``person``: an existing, active
    employee, not the person, and not someone who reports to them already
    (directly or not), which would close a loop in the org chart."""
    if manager_id == person.id:
        raise Invalid(_("Nobody is their own manager."), code="own_manager")
    manager = await session.get(User, manager_id)
    if manager is None or not manager.is_active or manager.kind is not AccountKind.EMPLOYEE:
        raise Invalid(_("The manager must be an active employee."), code="invalid_manager")
    above, steps = manager.manager_id, 0
    while above is not None and steps < MAX_CHAIN:
        if above == person.id:
            raise Invalid(
                _("%(name)s already reports to this person: that would make a loop.")
                % {"name": manager.display_name},
                code="manager_cycle",
            )
        above = await session.scalar(select(User.manager_id).where(User.id == above))
        steps += 1
    return manager


async def manager_by_handle(session: AsyncSession, *, viewer: User, handle: str) -> int | None:
    """The id of the account an administrator names as a manager by its @handle
    (the form's way); blank: no manager."""
    check_admin(viewer)
    handle = handle.strip().lstrip("@").lower()
    if not handle:
        return None
    found = await session.scalar(select(User.id).where(User.handle == handle))
    if found is None:
        raise Invalid(_("No account has this @handle."), code="invalid_manager")
    return found


def _clean_text(field: str, value: str) -> str:
    value = " ".join(value.split())
    if len(value) > MAX_TEXT_FIELD[field]:
        raise Invalid(_("This text is too long."), code="too_long")
    return value


def year_of(text: str) -> int | None:
    """A year as a form gives it: blank, none."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise Invalid(
            _("A year between %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="invalid_year",
        )
    return int(text)


def _check_years(joined: int | None, left: int | None) -> None:
    for year in (joined, left):
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            raise Invalid(
                _("A year between %(first)d and %(last)d.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
                code="invalid_year",
            )
    if joined is not None and left is not None and left < joined:
        raise Invalid(
            _("The year they left comes before the year they joined."), code="invalid_years"
        )


async def set_organisational_fields(
    session: AsyncSession,
    *,
    viewer: User,
    user_id: int,
    changes: dict,
    address: str | None = None,
) -> User:
    """An administrator sets a person's job title, department, site, manager
    (None: none), organisation and years; audited as ``account.profile_changed``
    with what each field was and became."""
    check_admin(viewer)
    person = await access_account(session, viewer=viewer, user_id=user_id)
    unknown = sorted(set(changes) - set(ORGANISATIONAL_FIELDS))
    if unknown:
        raise Invalid(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    cleaned = dict(changes)
    for field in MAX_TEXT_FIELD:
        if cleaned.get(field) is not None:
            cleaned[field] = _clean_text(field, cleaned[field])
        elif field in cleaned:
            cleaned[field] = ""
    if cleaned.get("manager_id") is not None:
        await check_manager(session, person=person, manager_id=cleaned["manager_id"])
    _check_years(
        cleaned.get("joined_year", person.joined_year), cleaned.get("left_year", person.left_year)
    )
    before = {field: getattr(person, field) for field in cleaned}
    for field, value in cleaned.items():
        setattr(person, field, value)
    after = {field: getattr(person, field) for field in cleaned}
    changed = [field for field in cleaned if before[field] != after[field]]
    if changed:
        record_audit(
            session,
            action="account.profile_changed",
            actor=viewer,
            target=person,
            address=address,
            before={field: before[field] for field in changed},
            after={field: after[field] for field in changed},
        )
    await session.flush()
    return person
