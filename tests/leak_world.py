"""A small company for the generic leak test (tests/test_leaks.py), and what
each of its accounts may see of it.

Every name and every text holds unique markers (``zzpost007zz``: letters and
digits only, so they survive slugs, Markdown and HTML escaping unchanged). The
world is built through the public API by its own people, then changed (a level
raised, a member removed, an open space turned secret, a clearance lowered,
someone offboarded). The oracle is computed afterwards from the database rows
that hold each marker and ``app/access.py``'s predicates, never from the
routes under test: a marker may appear in a response only when one of the
rows holding it is something the viewer may read or know of.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import httpx
from sqlalchemy import select

from app.access import (
    ItemRef,
    Reader,
    can_read,
    can_read_container,
    can_see_space,
    knowable_people,
    load_reader,
    read_through,
)
from app.levels import AccountKind, Level, Role
from app.models import (
    CalendarEvent,
    CalendarFeed,
    ChecklistItem,
    Comment,
    CommentVersion,
    FilePurpose,
    Hashtag,
    Idea,
    IdeaCampaign,
    IdeaStep,
    IncomingHook,
    Invitation,
    JoinRequest,
    Membership,
    PollOption,
    Post,
    PostHashtag,
    PostVersion,
    ScimGroup,
    Space,
    SpaceDocument,
    SpaceFolder,
    SpaceRole,
    StoredFile,
    Task,
    User,
    Visibility,
    Webhook,
    WikiPage,
    WikiRevision,
    WikiSlug,
)
from app.models.auth import AccessToken
from app.models.wiki import COMPANY_WIKI
from app.security import hash_secret
from tests.api_helpers import SESSION_COOKIE
from tests.factories import Factories
from tests.file_helpers import png

API = "/api/v1"
MARKER = re.compile(r"zz[a-z]+\d{3}zz")
# The world's events take place in ten days (within every feed), and the
# calendar is read from a month before to two months after.
EVENT_DAY = date.today() + timedelta(days=10)
CALENDAR_FROM = datetime.combine(EVENT_DAY - timedelta(days=30), time(), UTC)
CALENDAR_TO = CALENDAR_FROM + timedelta(days=90)


@dataclass
class Account:
    """A viewer of the sweep: its row, its reader, and its credentials."""

    label: str
    user: User | None  # None: the anonymous visitor
    reader: Reader | None = None
    bearer: str | None = None
    cookie: str | None = None
    csrf: str | None = None
    allowed: frozenset[str] = frozenset()
    known_people: frozenset[int] = frozenset()
    managed_spaces: frozenset[int] = frozenset()
    owned_spaces: frozenset[int] = frozenset()


@dataclass
class World:
    """The company, the oracle's inputs, and each account's view of it."""

    people: dict[str, User] = field(default_factory=dict)
    spaces: dict[str, int] = field(default_factory=dict)
    accounts: list[Account] = field(default_factory=list)
    # Filled from the database once the world is built.
    markers: dict[str, list[tuple]] = field(default_factory=dict)
    space_refs: dict[int, Visibility] = field(default_factory=dict)
    post_refs: dict[int, ItemRef] = field(default_factory=dict)
    comment_posts: dict[int, int] = field(default_factory=dict)
    page_refs: dict[int, ItemRef] = field(default_factory=dict)
    folder_spaces: dict[int, int] = field(default_factory=dict)  # folder -> its space
    # A space's files area: live documents; a deleted one is read by nobody.
    document_refs: dict[int, ItemRef] = field(default_factory=dict)
    deleted_documents: set[int] = field(default_factory=set)
    revisions: dict[int, dict[int, Level]] = field(default_factory=dict)
    slugs: list[tuple[int, str, int]] = field(default_factory=list)  # (wiki, slug, page)
    page_slugs: dict[int, str] = field(default_factory=dict)  # each page's current slug
    hashtags: list[str] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    invitations: dict[int, tuple[int, int | None]] = field(default_factory=dict)
    join_requests: dict[int, tuple[int, int]] = field(default_factory=dict)
    tokens: dict[int, int] = field(default_factory=dict)  # token id -> owner
    # An e-mail invitation's secret and its space: holding it shows the space.
    invitation_tokens: list[tuple[str, int]] = field(default_factory=list)
    # What the world changed after making it: ("post", id), ("page", id), ("space", id).
    changed: set[tuple[str, int]] = field(default_factory=set)
    members: dict[int, set[int]] = field(default_factory=dict)  # space -> its people
    # A file and what it follows: ("post", id), ("comment", id), ("document", id),
    # ("event", id), ("uploader", person) or ("avatar", person; None once replaced).
    file_holders: dict[int, tuple] = field(default_factory=dict)
    file_texts: dict[int, str] = field(default_factory=dict)  # what each file's bytes say
    person_kinds: dict[int, tuple[AccountKind, bool]] = field(default_factory=dict)  # and active
    event_refs: dict[int, ItemRef] = field(default_factory=dict)
    task_refs: dict[int, ItemRef] = field(default_factory=dict)
    checklist_items: dict[int, int] = field(default_factory=dict)  # item -> its task
    # Idea campaigns; their ideas are posts (read through their campaign).
    campaign_refs: dict[int, ItemRef] = field(default_factory=dict)
    idea_ids: list[int] = field(default_factory=list)
    # Every calendar feed's secret ever made, revoked ones too; and, for those
    # that still work, the markers their answer may show.
    feed_tokens: list[str] = field(default_factory=list)
    # SCIM provisioning: clients and groups, which only administrators manage.
    scim_clients: list[int] = field(default_factory=list)
    scim_groups: list[int] = field(default_factory=list)
    live_feeds: dict[str, frozenset[str]] = field(default_factory=dict)
    # Outgoing webhooks (-> their space; None: the company stream's) and
    # incoming ones (-> their space).
    webhooks: dict[int, int | None] = field(default_factory=dict)
    incoming_hooks: dict[int, int] = field(default_factory=dict)

    # --- what an account may see ------------------------------------------------

    def item_visible(self, account: Account, holder: tuple) -> bool:
        reader = account.reader
        if reader is None:
            return False
        kind, key = holder[0], holder[1]
        if kind == "person":
            return key in account.known_people
        if kind == "space":
            return can_see_space(reader, key, self.space_refs[key])
        if kind == "post":
            return can_read(reader, self.post_refs[key])
        if kind == "page":
            return can_read(reader, self.page_refs[key])
        if kind == "event":
            return can_read(reader, self.event_refs[key])
        if kind == "task":
            return can_read(reader, self.task_refs[key])
        if kind == "campaign":
            return can_read(reader, self.campaign_refs[key])
        if kind == "folder":  # seen by whoever reads the space's content
            space = self.folder_spaces[key]
            return can_read_container(reader, space, self.space_refs[space])
        if kind == "document":
            return key not in self.deleted_documents and can_read(reader, self.document_refs[key])
        if kind == "request":  # a join request's message: its author and the space's managers
            space, person = self.join_requests[key]
            return person == reader.user_id or space in account.managed_spaces
        if kind == "file":
            return self.file_readable(account, key)
        if kind == "webhook":  # the company's: administrators; a space's: its owners too
            space = self.webhooks[key]
            if space is not None and space in account.owned_spaces:
                return True
            return account.user.role is Role.ADMIN and (
                space is None or can_see_space(reader, space, self.space_refs[space])
            )
        if kind == "incoming":
            return self.incoming_hooks[key] in account.owned_spaces
        if kind == "revision":
            # A former state: readers of the page cleared for the level it had.
            page = self.page_refs[key]
            return can_read(reader, page) and can_read(reader, replace(page, level=holder[2]))
        raise AssertionError(holder)

    def file_readable(self, account: Account, file_id: int) -> bool:
        """The oracle of ``access.readable_files`` for the files the world holds."""
        reader = account.reader
        if reader is None or not reader.is_active:
            return False
        kind, key = self.file_holders[file_id]
        if kind == "uploader":
            return key == reader.user_id
        if kind == "avatar":
            return key is not None and key in account.known_people
        if kind in ("document", "event"):  # every version of a document, as it
            return self.item_visible(account, (kind, key))
        post = self.comment_posts[key] if kind == "comment" else key
        return can_read(reader, self.post_refs[post])

    def describe(self, marker: str) -> str:
        """What holds a marker, for the report: "person alumni", "space secret_ext"..."""
        people = {user.id: label for label, user in self.people.items()}
        spaces = {space_id: label for label, space_id in self.spaces.items()}
        names = []
        for holder in self.markers.get(marker, [("unknown", marker)]):
            kind, key = holder[0], holder[1]
            label = {"person": people, "space": spaces}.get(kind, {}).get(key, key)
            names.append(f"{kind} {label}" + (f" ({holder[2]})" if len(holder) > 2 else ""))
        return " / ".join(names)

    def markers_of(self, holder: tuple) -> set[str]:
        return {marker for marker, holders in self.markers.items() if holder in holders}

    def allowed_markers(self, account: Account) -> frozenset[str]:
        return frozenset(
            marker
            for marker, holders in self.markers.items()
            if any(self.item_visible(account, holder) for holder in holders)
        )


def scopes_of(user: User) -> tuple[str, ...]:
    return ("read", "write", "admin") if user.role is Role.ADMIN else ("read", "write")


class Builder:
    """Writes the world through the API, as its people would."""

    def __init__(self, session, app):
        self.make = Factories(session, app)
        self.session = session
        self.app = app
        self.world = World()
        self.clients: dict[str, httpx.AsyncClient] = {}
        self._serial = count(1)

    def marker(self, kind: str) -> str:
        return f"zz{kind}{next(self._serial):03d}zz"

    def text(self, kind: str) -> str:
        """Two markers: a search for the first still shows the second if it leaks."""
        return f"{self.marker(kind)} and {self.marker(kind)}"

    async def person(self, label: str, **fields) -> User:
        name = self.marker("person")
        user = await self.make.user(
            display_name=f"Person {name}", email=f"{name}@example.test", **fields
        )
        user.handle = name
        await self.session.commit()
        self.world.people[label] = user
        self.clients[label] = await self.make.bearer(user, scopes=scopes_of(user))
        return user

    async def call(self, label: str, method: str, path: str, expect=(200, 201, 204), **kw):
        response = await self.clients[label].request(method, f"{API}{path}", **kw)
        assert response.status_code in expect, (label, method, path, response.text)
        return response.json() if response.content else None

    async def space(self, label: str, owner: str, *, members=(), **fields) -> int:
        created = await self.call(
            owner,
            "POST",
            "/spaces",
            json={
                "name": f"Space {self.marker('space')}",
                "objective": f"Objective {self.marker('space')}",
                "description": f"About {self.marker('space')}",
                "kind": "project",
                **fields,
            },
        )
        space_id = created["id"]
        for member in members:
            await self.call(
                owner,
                "POST",
                f"/spaces/{space_id}/members",
                json={"user_id": self.world.people[member].id},
            )
        self.world.spaces[label] = space_id
        return space_id

    async def post(self, author: str, *, space: str | None = None, **fields) -> dict:
        body = fields.pop("body", None) or self.text("post")
        return await self.call(
            author,
            "POST",
            "/posts",
            json={
                "body": body,
                "space_id": self.world.spaces[space] if space else None,
                **fields,
            },
        )

    async def comment(self, author: str, post: dict, **fields) -> dict:
        return await self.call(
            author,
            "POST",
            f"/posts/{post['id']}/comments",
            json={"body": self.text("comment"), **fields},
        )

    async def upload(self, label: str) -> int:
        """A text file whose name and bytes hold markers, attached to nothing yet."""
        text = self.text("file")
        response = await self.clients[label].post(
            f"{API}/files", files={"file": (f"notes {self.marker('file')}.txt", text.encode())}
        )
        assert response.status_code == 201, response.text
        file_id = response.json()["id"]
        self.world.file_texts[file_id] = text
        return file_id

    async def avatar(self, label: str) -> None:
        """A photo for a person, its name holding a marker."""
        response = await self.clients[label].put(
            f"{API}/me/avatar", files={"file": (f"face {self.marker('file')}.png", png())}
        )
        assert response.status_code == 200, response.text

    async def react(self, who: str, post: dict, kind: str = "like") -> None:
        await self.call(who, "PUT", f"/posts/{post['id']}/reactions/{kind}")

    async def page(self, author: str, *, space: str | None = None, **fields) -> dict:
        path = f"/spaces/{self.world.spaces[space]}/wiki/pages" if space else "/wiki/pages"
        return await self.call(
            author,
            "POST",
            path,
            json={"title": f"Page {self.marker('title')}", "body": self.text("page"), **fields},
        )

    async def folder(self, author: str, space: str, parent: dict | None = None) -> dict:
        return await self.call(
            author,
            "POST",
            f"/spaces/{self.world.spaces[space]}/folders",
            json={"name": f"Folder {self.marker('folder')}", "parent_id": parent and parent["id"]},
        )

    async def document(self, author: str, space: str, name: str | None = None, **fields) -> dict:
        """A file uploaded into a space's files area (a new version when ``name``
        is a document's), its name holding a marker."""
        fields = {key: str(value) for key, value in fields.items() if value is not None}
        return await self.call(
            author,
            "POST",
            f"/spaces/{self.world.spaces[space]}/files",
            files={"file": (name or f"{self.marker('document')}.txt", b"%PDF-1.4\n%%EOF\n")},
            data=fields,
        )

    def event_body(self, **fields) -> dict:
        """An hour on the world's event day, its title, description and place
        holding markers."""
        return {
            "title": f"Event {self.marker('event')}",
            "description": self.text("event"),
            "place": f"Room {self.marker('event')}",
            "time_zone": "Europe/Paris",
            "start": f"{EVENT_DAY}T09:00",
            "end": f"{EVENT_DAY}T10:00",
            **fields,
        }

    async def event(self, author: str, *, space: str | None = None, **fields) -> dict:
        space_id = self.world.spaces[space] if space else None
        return await self.call(
            author,
            "POST",
            "/calendar/events",
            json={**self.event_body(**fields), "space_id": space_id},
        )

    async def task(self, author: str, space: str, **fields) -> dict:
        """A task of ``space``'s board with a checklist item, each holding markers."""
        task = await self.call(
            author,
            "POST",
            f"/spaces/{self.world.spaces[space]}/tasks",
            json={
                "title": f"Task {self.marker('task')}",
                "description": self.text("task"),
                **fields,
            },
        )
        item = {"text": f"Item {self.marker('task')}"}
        return await self.call(author, "POST", f"/tasks/{task['id']}/checklist", json=item)

    async def answer(self, who: str, event: dict, answer: str) -> None:
        await self.call(
            who, "PUT", f"/calendar/events/{event['id']}/answer", json={"answer": answer}
        )

    async def feed(self, label: str, shows_titles: bool = False) -> None:
        """A calendar feed of ``label``'s (the one they had stops working)."""
        made = await self.call(
            label, "POST", "/me/calendar-feed", json={"shows_titles": shows_titles}
        )
        self.world.feed_tokens.append(made["url"].rsplit("/", 1)[-1])

    async def save(self, author: str, page: dict, **fields) -> dict:
        return await self.call(
            author,
            "PUT",
            f"/wiki/pages/{page['id']}",
            json={"base_revision": page["revision"], **fields},
        )


async def build_world(session, app) -> World:
    b = Builder(session, app)
    w = b.world
    # --- people ---------------------------------------------------------------
    await b.person("admin", role=Role.ADMIN, clearance=Level.SECRET)
    await b.person("employee", clearance=Level.INTERNAL)
    await b.person("confidential", clearance=Level.CONFIDENTIAL)
    await b.person("secret", clearance=Level.SECRET)
    await b.person("lowered", clearance=Level.SECRET)  # lowered to internal below
    await b.person("removed", clearance=Level.CONFIDENTIAL)  # removed from a space below
    await b.person("leaver", clearance=Level.CONFIDENTIAL)  # offboarded below
    await b.person("alumni", kind=AccountKind.ALUMNI)
    await b.person("contractor", kind=AccountKind.CONTRACTOR)
    await b.person("outsider", kind=AccountKind.CONTRACTOR)  # in no space at all
    await b.person("inactive")  # deactivated below
    await b.person("bystander", clearance=Level.CONFIDENTIAL)  # never a viewer
    p = {label: user.id for label, user in w.people.items()}

    # --- spaces of every visibility -------------------------------------------
    await b.space(
        "open_ext",
        "employee",
        visibility="open",
        allows_externals=True,
        default_level="public",
        members=("alumni", "contractor", "confidential"),
    )
    await b.space("turned", "confidential", visibility="open", members=("lowered",))
    await b.space(
        "private", "secret", visibility="private", members=("removed", "confidential", "leaver")
    )
    await b.space(
        "secret", "secret", visibility="secret", members=("lowered", "confidential", "bystander")
    )
    await b.space(
        "secret_ext",
        "secret",
        visibility="secret",
        allows_externals=True,
        default_level="public",
        members=("contractor",),
    )
    await b.space("open_plain", "bystander", visibility="open")
    s = w.spaces

    # --- posts at every level, with and without audience ----------------------
    tag_public, tag_secret = b.marker("tag"), b.marker("tag")
    public = await b.post(
        "employee",
        level="public",
        body=f"{b.text('post')} #{tag_public}",
        attachments=[await b.upload("employee")],
    )
    await b.post("employee", level="internal")
    await b.post("confidential", level="confidential")
    await b.post(
        "secret",
        level="secret",
        body=f"{b.text('post')} #{tag_secret}",
        attachments=[await b.upload("secret")],
    )
    await b.post("employee", level="internal", audience=[p["confidential"]])
    await b.post("employee", level="public", audience=[p["alumni"]])
    await b.post("alumni", level="public", body=f"{b.text('post')} @{w.people['bystander'].handle}")
    # A mention the outsider may not read: nobody tells them.
    await b.post(
        "employee", level="internal", body=f"{b.text('post')} @{w.people['outsider'].handle}"
    )
    raised = await b.post("secret", level="internal", attachments=[await b.upload("secret")])
    raised_comment = await b.comment("employee", raised, attachments=[await b.upload("employee")])
    await b.comment("secret", raised, parent_id=raised_comment["id"])
    await b.react("employee", raised, "celebrate")
    await b.call("secret", "PATCH", f"/posts/{raised['id']}", json={"body": b.text("post")})

    # An open space that lets externals in: a reactor they may not know of.
    in_ext = await b.post("employee", space="open_ext", level="public")
    await b.comment("alumni", in_ext)
    await b.react("admin", in_ext)
    await b.react("bystander", in_ext, "support")
    await b.react("contractor", in_ext)
    await b.post("employee", space="open_ext", level="internal")
    poll = await b.post(
        "employee",
        space="open_ext",
        level="public",
        kind="poll",
        poll={"options": [f"Yes {b.marker('poll')}", f"No {b.marker('poll')}"]},
    )
    await b.call(
        "bystander",
        "POST",
        f"/posts/{poll['id']}/votes",
        json={"option_ids": [poll["poll"]["options"][0]["id"]]},
    )
    announcement = await b.post("employee", space="open_ext", level="public", kind="announcement")
    await b.call("bystander", "POST", f"/posts/{announcement['id']}/confirm")
    question = await b.post("alumni", space="open_ext", level="public", kind="question")
    answer = await b.comment("bystander", question)
    await b.call(
        "alumni", "PUT", f"/posts/{question['id']}/answer", json={"comment_id": answer["id"]}
    )
    comment_in_ext = await b.comment("employee", in_ext)
    await b.call("admin", "PUT", f"/comments/{comment_in_ext['id']}/reactions/insightful")
    await b.post("employee", space="open_ext", level="public", shared_from_id=public["id"])

    # An open space that will turn secret: a non-member employee took part.
    turned = await b.post("confidential", space="turned", level="internal")
    await b.comment("employee", turned)
    await b.react("employee", turned)
    await b.call("employee", "PUT", f"/follows/spaces/{s['turned']}")

    private = await b.post("secret", space="private", level="internal")
    await b.comment("removed", private)
    await b.post("secret", space="private", level="confidential")
    await b.post("leaver", space="private", level="internal")
    await b.call(
        "employee", "POST", f"/spaces/{s['private']}/join", json={"message": b.marker("ask")}
    )

    in_secret = await b.post(
        "secret",
        space="secret",
        level="secret",
        body=f"{b.text('post')} @{w.people['lowered'].handle}",
    )
    await b.react("lowered", in_secret)
    await b.post("lowered", space="secret", level="internal")
    await b.post("confidential", space="secret", level="confidential")

    secret_ext = await b.post(
        "secret", space="secret_ext", level="public", attachments=[await b.upload("secret")]
    )
    await b.comment("contractor", secret_ext, attachments=[await b.upload("contractor")])
    await b.upload("employee")  # never attached: the uploader's alone
    # Photos: the bystander's first one replaced (read by nobody since).
    for label in ("bystander", "bystander", "contractor"):
        await b.avatar(label)
    await b.post("bystander", space="open_plain", level="internal")

    # Follows, invitations (one revoked), a pending one.
    await b.call("employee", "PUT", f"/follows/users/{p['secret']}")
    await b.call("contractor", "PUT", f"/follows/hashtags/{tag_public}")
    await b.call("alumni", "PUT", f"/follows/users/{p['employee']}")
    revoked = await b.call(
        "secret", "POST", f"/spaces/{s['secret_ext']}/invitations", json={"user_id": p["alumni"]}
    )
    await b.call("secret", "DELETE", f"/spaces/{s['secret_ext']}/invitations/{revoked['id']}")
    await b.call(
        "secret", "POST", f"/spaces/{s['private']}/invitations", json={"user_id": p["bystander"]}
    )
    emailed = await b.call(
        "employee",
        "POST",
        f"/spaces/{s['open_ext']}/invitations",
        json={"email": "guest@example.test", "external_kind": "alumni"},
    )
    w.invitation_tokens.append((emailed["accept_url"].rsplit("/", 1)[-1], s["open_ext"]))

    # --- wiki pages: levels, audience, renamed, moved, lowered, raised --------
    root = await b.page("employee", level="public")
    hidden_child = await b.page("confidential", parent_id=root["id"], level="confidential")
    await b.page("employee", parent_id=root["id"], level="public")
    await b.page("employee", level="internal")
    await b.page("employee", level="internal", audience=[p["confidential"]])
    declassified = await b.page("secret", level="secret")
    declassified = await b.save(
        "secret", declassified, title=f"Page {b.marker('title')}", body=b.text("page")
    )
    declassified = await b.save("secret", declassified, level="internal")
    await b.save("employee", declassified, body=b.text("page"))
    classified = await b.page("confidential", level="internal")
    await b.call("employee", "PUT", f"/wiki/pages/{classified['id']}/watch")
    classified = await b.save(
        "confidential", classified, title=f"Page {b.marker('title')}", level="confidential"
    )
    await b.call(
        "confidential", "POST", f"/wiki/pages/{hidden_child['id']}/move", json={"parent_id": None}
    )
    ext_page = await b.page("employee", space="open_ext", level="public")
    await b.call("alumni", "PUT", f"/wiki/pages/{ext_page['id']}/watch")
    ext_page = await b.save("employee", ext_page, body=b.text("page"))
    await b.save("employee", ext_page, level="internal", title=f"Page {b.marker('title')}")
    await b.page("secret", space="secret", level="secret")
    await b.page("secret", space="secret_ext", level="public")
    await b.page("confidential", space="turned", level="internal")
    await b.page("secret", space="private", level="confidential")

    # --- files areas: folders, documents at every level, versions, a deletion --
    shared = await b.folder("employee", "open_ext")
    below = await b.folder("contractor", "open_ext", parent=shared)
    versioned = await b.document("employee", "open_ext", folder_id=shared["id"], level="public")
    await b.document("contractor", "open_ext", versioned["name"], folder_id=shared["id"])
    await b.document("bystander", "open_ext", folder_id=below["id"], level="public")
    await b.document("employee", "open_ext", level="internal")
    gone = await b.document("employee", "open_ext", level="public")
    await b.call("employee", "DELETE", f"/documents/{gone['id']}")
    raised_document = await b.document("confidential", "turned", level="public")
    await b.call(
        "confidential", "PATCH", f"/documents/{raised_document['id']}", json={"level": "internal"}
    )
    in_secret_area = await b.folder("secret", "secret")
    await b.document("secret", "secret", folder_id=in_secret_area["id"], level="secret")
    await b.document("lowered", "secret", level="internal")
    await b.document("secret", "private", level="confidential")
    await b.document("contractor", "secret_ext")

    # --- events: company-wide at every level, in spaces, answered, cancelled ----
    crowded = await b.event("employee", level="public", capacity=1)
    for who, reply in (("contractor", "going"), ("alumni", "maybe"), ("bystander", "going")):
        await b.answer(who, crowded, reply)
    await b.answer("admin", crowded, "declined")
    # By someone an external knows of only through this event.
    await b.event(
        "secret", level="public", video_url=f"https://visio.example.test/{b.marker('event')}"
    )
    await b.event("employee", level="internal")
    await b.event("confidential", level="confidential")
    await b.event("secret", level="secret")
    await b.event("employee", level="internal", audience=[p["confidential"]])
    await b.event("employee", level="public", audience=[p["alumni"]])
    cancelled = await b.event("employee", level="internal")
    await b.call("employee", "POST", f"/calendar/events/{cancelled['id']}/cancel", json={})
    raised_event_body = b.event_body(level="public")
    raised_event = await b.call("employee", "POST", "/calendar/events", json=raised_event_body)
    await b.answer("contractor", raised_event, "going")
    weekly = await b.event(
        "employee",
        space="open_ext",
        level="public",
        recurrence="weekly",
        repeat_until=str(EVENT_DAY + timedelta(days=21)),
    )
    listed = await b.call(
        "employee",
        "GET",
        "/calendar",
        params={"from": CALENDAR_FROM.isoformat(), "to": CALENDAR_TO.isoformat()},
    )
    second = [o["starts_at"] for o in listed if o["event"]["id"] == weekly["id"]][1]
    await b.call(
        "employee", "POST", f"/calendar/events/{weekly['id']}/cancel", json={"occurrence": second}
    )
    for who in ("alumni", "bystander", "contractor"):
        await b.answer(who, weekly, "going")
    # Its file is read as the event is: not by the space's externals.
    internal_event = await b.event(
        "employee", space="open_ext", level="internal", attachments=[await b.upload("employee")]
    )
    # Tasks: a public one the contractor does, linked to an event they may not
    # read; an internal one the confidential employee does.
    await b.task(
        "employee",
        "open_ext",
        level="public",
        assignees=[p["contractor"]],
        due_on=str(date.today() - timedelta(days=1)),
        calendar_event_id=internal_event["id"],
    )
    await b.task("employee", "open_ext", level="internal", assignees=[p["confidential"]])
    turned_event = await b.event("confidential", space="turned", level="internal")

    # --- an idea campaign: public, in an innovation space externals may join,
    # an idea at its level (voted on by the contractor, then moved) and one above.
    await b.space(
        "lab",
        "employee",
        kind="innovation",
        visibility="open",
        allows_externals=True,
        default_level="public",
        members=("contractor",),
    )
    campaign = await b.call(
        "employee",
        "POST",
        f"/spaces/{w.spaces['lab']}/campaigns",
        json={
            "title": f"Campaign {b.marker('campaign')}",
            "description": b.text("campaign"),
            "deadline": "2099-01-01T00:00:00Z",
            "level": "public",
        },
    )
    ideas = f"/campaigns/{campaign['id']}/ideas"
    public_idea = await b.call(
        "employee", "POST", ideas, json={"title": b.text("idea"), "body": b.text("post")}
    )
    await b.call(
        "employee",
        "POST",
        ideas,
        json={"title": b.text("idea"), "body": b.text("post"), "level": "internal"},
    )
    await b.call("contractor", "PUT", f"/ideas/{public_idea['id']}/vote", json={"choice": "for"})
    await b.call(
        "employee",
        "POST",
        f"/ideas/{public_idea['id']}/status",
        json={"status": "under_review", "reason": b.text("reason")},
    )
    await b.answer("employee", turned_event, "going")
    in_private = await b.event("secret", space="private", level="confidential")
    for who in ("removed", "leaver"):
        await b.answer(who, in_private, "maybe")
    await b.event("secret", space="secret", level="secret")
    await b.event("secret", space="secret", level="internal")
    in_secret_ext = await b.event("secret", space="secret_ext", level="public")
    await b.answer("contractor", in_secret_ext, "going")
    # Calendar feeds: some revoked, some of people whose access changes below.
    await b.feed("contractor")
    await b.feed("employee")
    await b.feed("confidential", shows_titles=True)
    await b.feed("lowered", shows_titles=True)
    await b.feed("leaver", shows_titles=True)
    await b.feed("inactive")
    await b.feed("removed")
    await b.feed("removed", shows_titles=True)
    await b.feed("alumni")
    await b.call("alumni", "DELETE", "/me/calendar-feed")

    # --- webhooks: a space's (its owner's), the company's, an incoming one ----
    hook = {"events": ["post.created"], "level": "internal"}
    for author, path in (("secret", f"/spaces/{s['private']}/webhooks"), ("admin", "/webhooks")):
        await b.call(
            author,
            "POST",
            path,
            json={
                **hook,
                "url": f"https://1.1.1.1/{b.marker('hook')}",
                "description": b.text("hook"),
            },
        )
    await b.call(
        "confidential",
        "POST",
        f"/spaces/{s['turned']}/incoming-webhooks",
        json={"name": f"Bot {b.marker('bot')}", "level": "internal"},
    )

    # --- changes of level, membership, visibility, clearance, kind ------------
    await b.call("secret", "PATCH", f"/posts/{raised['id']}", json={"level": "secret"})
    await b.call(
        "employee",
        "PUT",
        f"/calendar/events/{raised_event['id']}",
        json={**raised_event_body, "level": "internal"},
    )
    await b.call("secret", "DELETE", f"/spaces/{s['private']}/members/{p['removed']}")
    await b.call("confidential", "PATCH", f"/spaces/{s['turned']}", json={"visibility": "secret"})
    await b.call("admin", "PATCH", f"/admin/users/{p['lowered']}", json={"clearance": "internal"})
    await b.call("admin", "POST", f"/admin/users/{p['leaver']}/offboard")
    await b.call("admin", "PATCH", f"/admin/users/{p['inactive']}", json={"is_active": False})
    w.changed = {
        ("post", raised["id"]),
        ("event", raised_event["id"]),
        ("space", s["private"]),
        ("space", s["turned"]),
        *(("page", page["id"]) for page in (declassified, classified, hidden_child, ext_page)),
    }

    # --- SCIM provisioning: an identity provider's client and one of its groups
    scim = await b.call("admin", "POST", "/admin/scim/clients", json={"name": "leak-idp"})
    w.scim_clients.append(scim["id"])
    group = ScimGroup(client_id=scim["id"], display_name="Provisioned group")
    session.add(group)
    await session.commit()
    w.scim_groups.append(group.id)

    await read_oracle_inputs(session, w)
    await open_accounts(b, w)
    await read_feeds(session, w)
    return w


# Who reads: every kind of account once (the confidential and secret employees
# write the world; the admin and the removed employee stand for those clearances).
VIEWERS = (
    "admin",
    "employee",
    "lowered",
    "removed",
    "leaver",
    "alumni",
    "contractor",
    "outsider",
    "inactive",
)


async def open_accounts(b: Builder, w: World) -> None:
    """Credentials of each viewer, opened after every change (offboarding ends
    sessions; the leaver accepts the charter again as alumni)."""
    from app.auth import cookie_signer
    from app.services.sessions import open_session

    settings = b.app.state.settings
    for label in VIEWERS:
        user = await b.session.get(User, w.people[label].id, populate_existing=True)
        if not user.is_active:
            # Credentials made before the deactivation, as an attacker would keep them.
            user.is_active = True
        client = await b.make.bearer(user, scopes=scopes_of(user))
        signed_in = await open_session(
            b.session, user=user, settings=settings, address=None, user_agent="leak test"
        )
        if label == "leaver":
            user.charter_accepted_at = user.created_at
        if label == "inactive":
            user.is_active = False
        await b.session.commit()
        account = Account(
            label=label,
            user=user,
            reader=await load_reader(b.session, user),
            bearer=client.headers["Authorization"],
            cookie=f"{SESSION_COOKIE}={cookie_signer(settings).sign(signed_in.secret).decode()}",
            csrf=signed_in.session.csrf_token,
        )
        await client.aclose()
        known = await b.session.scalars(select(User.id).where(knowable_people(user)))
        account.known_people = frozenset(known) if user.is_active else frozenset()
        managed = await b.session.scalars(
            select(Membership.space_id).where(
                Membership.user_id == user.id,
                Membership.role.in_([SpaceRole.OWNER, SpaceRole.MODERATOR]),
            )
        )
        account.managed_spaces = frozenset(managed)
        owned = await b.session.scalars(
            select(Membership.space_id).where(
                Membership.user_id == user.id, Membership.role == SpaceRole.OWNER
            )
        )
        account.owned_spaces = (
            frozenset(owned) if user.is_active and not user.is_external else frozenset()
        )
        account.allowed = w.allowed_markers(account)
        w.accounts.append(account)
    w.accounts.append(Account(label="anonymous", user=None))
    tokens = await b.session.execute(select(AccessToken.id, AccessToken.user_id))
    w.tokens = dict(tokens.all())


async def content_refs(session, w: World, model) -> list[tuple]:
    """Every row of a content ``model`` with what the predicates need of it."""
    audiences = defaultdict(set)
    for content_id, user_id in (await session.execute(select(model.__audience__))).all():
        audiences[content_id].add(user_id)
    return [
        (
            item,
            ItemRef(
                space_id=item.space_id,
                space_visibility=w.space_refs.get(item.space_id),
                level=item.level,
                author_id=item.author_id,
                audience=frozenset(audiences[item.id]) if item.has_audience else None,
            ),
        )
        for item in await session.scalars(select(model))
    ]


async def read_oracle_inputs(session, w: World) -> None:
    """Which rows hold each marker, and what the predicates need of those rows."""
    holders: dict[str, list[tuple]] = defaultdict(list)

    def hold(text: str | None, holder: tuple) -> None:
        for marker in MARKER.findall(text or ""):
            if holder not in holders[marker]:
                holders[marker].append(holder)

    for user in await session.scalars(select(User)):
        w.user_ids.append(user.id)
        w.person_kinds[user.id] = (user.kind, user.is_active)
        for text in (user.display_name, user.handle, user.email):
            hold(text, ("person", user.id))
    for space in await session.scalars(select(Space)):
        w.space_refs[space.id] = space.visibility
        for text in (space.name, space.slug, space.objective, space.description):
            hold(text, ("space", space.id))
    for model, refs, kind in ((Post, w.post_refs, "post"), (WikiPage, w.page_refs, "page")):
        for item, ref in await content_refs(session, w, model):
            refs[item.id] = ref
            if kind == "page":
                w.page_slugs[item.id] = item.slug
            for text in (item.body, getattr(item, "title", ""), getattr(item, "slug", "")):
                hold(text, (kind, item.id))
    for event, ref in await content_refs(session, w, CalendarEvent):
        w.event_refs[event.id] = ref
        for text in (event.title, event.description, event.place, event.video_url):
            hold(text, ("event", event.id))
    for task, ref in await content_refs(session, w, Task):
        w.task_refs[task.id] = ref
        for text in (task.title, task.description):
            hold(text, ("task", task.id))
    for hook in await session.scalars(select(Webhook)):
        w.webhooks[hook.id] = hook.space_id
        for text in (hook.url, hook.description):
            hold(text, ("webhook", hook.id))
    for incoming in await session.scalars(select(IncomingHook)):
        w.incoming_hooks[incoming.id] = incoming.space_id
        hold(incoming.name, ("incoming", incoming.id))
    for item in await session.scalars(select(ChecklistItem)):
        w.checklist_items[item.id] = item.task_id
        hold(item.text, ("task", item.task_id))
    for campaign, ref in await content_refs(session, w, IdeaCampaign):
        w.campaign_refs[campaign.id] = ref
        for text in (campaign.title, campaign.description):
            hold(text, ("campaign", campaign.id))
    for idea in await session.scalars(select(Idea)):
        w.idea_ids.append(idea.post_id)
        w.post_refs[idea.post_id] = read_through(
            w.post_refs[idea.post_id], w.campaign_refs[idea.campaign_id]
        )
        hold(idea.title, ("post", idea.post_id))
    for step in await session.scalars(select(IdeaStep)):
        hold(step.reason, ("post", step.post_id))
    for folder in await session.scalars(select(SpaceFolder)):
        w.folder_spaces[folder.id] = folder.space_id
        hold(folder.name, ("folder", folder.id))
    for document, ref in await content_refs(session, w, SpaceDocument):
        w.document_refs[document.id] = ref
        if document.deleted_at is not None:
            w.deleted_documents.add(document.id)
        hold(document.name, ("document", document.id))
    for version in await session.scalars(select(PostVersion)):
        hold(version.body, ("post", version.post_id))
    for comment in await session.scalars(select(Comment)):
        w.comment_posts[comment.id] = comment.post_id
        hold(comment.body, ("post", comment.post_id))
    rows = await session.execute(
        select(CommentVersion.body, Comment.post_id).join(
            Comment, Comment.id == CommentVersion.comment_id
        )
    )
    for body, post_id in rows.all():
        hold(body, ("post", post_id))
    avatars = dict((await session.execute(select(User.avatar_file_id, User.id))).tuples().all())
    for file in await session.scalars(select(StoredFile)):
        if file.purpose is FilePurpose.AVATAR:
            w.file_holders[file.id] = ("avatar", avatars.get(file.id))
        elif file.comment_id is not None:
            w.file_holders[file.id] = ("comment", file.comment_id)
        elif file.post_id is not None:
            w.file_holders[file.id] = ("post", file.post_id)
        elif file.document_id is not None:
            w.file_holders[file.id] = ("document", file.document_id)
        elif file.calendar_event_id is not None:
            w.file_holders[file.id] = ("event", file.calendar_event_id)
        else:
            w.file_holders[file.id] = ("uploader", file.uploader_id)
        # The name shows in the file's record, the bytes in its download.
        for text in (file.name, w.file_texts.get(file.id)):
            hold(text, ("file", file.id))
    for option in await session.scalars(select(PollOption)):
        hold(option.label, ("post", option.post_id))
    for name, post_id in (
        await session.execute(select(Hashtag.name, PostHashtag.post_id).join(PostHashtag))
    ).all():
        w.hashtags.append(name)
        hold(name, ("post", post_id))
    for revision in await session.scalars(select(WikiRevision)):
        w.revisions.setdefault(revision.page_id, {})[revision.number] = revision.level
        for text in (revision.title, revision.body):
            hold(text, ("revision", revision.page_id, revision.level))
    w.slugs = [
        tuple(row)
        for row in (
            await session.execute(select(WikiSlug.wiki, WikiSlug.slug, WikiSlug.page_id))
        ).all()
    ]
    w.invitations = {
        row.id: (row.space_id, row.invitee_id)
        for row in (
            await session.execute(select(Invitation.id, Invitation.space_id, Invitation.invitee_id))
        ).all()
    }
    for space_id, user_id in (
        await session.execute(select(Membership.space_id, Membership.user_id))
    ).all():
        w.members.setdefault(space_id, set()).add(user_id)
    for request in await session.scalars(select(JoinRequest)):
        w.join_requests[request.id] = (request.space_id, request.user_id)
        hold(request.message, ("request", request.id))
    w.hashtags = sorted(set(w.hashtags))
    w.markers = dict(holders)
    assert COMPANY_WIKI == 0


async def read_feeds(session, w: World) -> None:
    """What each calendar feed that still works may show: the events its owner
    may read now, and, above public, only if they chose to see titles there;
    never a person (who answers, who planned). A revoked feed, or one whose
    owner was deactivated, works no more."""
    feeds = {
        feed.token_hash: feed
        for feed in await session.scalars(
            select(CalendarFeed).join(User, User.id == CalendarFeed.user_id).where(User.is_active)
        )
    }
    for token in w.feed_tokens:
        feed = feeds.get(hash_secret(token))
        if feed is None:
            continue
        owner = await session.get(User, feed.user_id)
        reader = await load_reader(session, owner)
        w.live_feeds[token] = frozenset(
            marker
            for marker, holders in w.markers.items()
            for kind, key, *_rest in holders
            if kind == "event"
            and can_read(reader, w.event_refs[key])
            and (feed.shows_titles or w.event_refs[key].level is Level.PUBLIC)
        )
