"""The generic leak test: every route of the app (the OpenAPI document's and
every page's), called as every kind of account in a small company full of
unique markers (tests/leak_world.py), must show no marker of anything the
account may not read or know of, in its body or its headers, and must answer a
hidden id exactly as it answers a missing one (status, body, headers).

Routes are found, not listed. Their path parameters are filled from a table
keyed by parameter name (``single_fillers``; pairs that depend on each other in
``combinations``); a route with a parameter the table does not know fails
``test_reads_leak_nothing`` or ``test_writes_answer_hidden_like_missing``, so a
new route is never left unswept. To fill a new name, add it to
``single_fillers`` with ``ids(kind, keys)`` (or ``Arg`` values whose ``ref``
says what they name, for ``hidden`` to judge). On reads each account tries
every value it may read (the content its markers are looked for in) and one
value of each way of being hidden (``likeness``); on writes one of each way.
A route that reads no credentials (a calendar feed) answers every caller
alike: it is judged by what its request carries alone, whoever sends it.
The world lives in a database of its own: reads run in real transactions,
writes in one rolled back after each request.
All the leaks found are reported at once, grouped by route and kind.
"""

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import TypeAdapter

from app.access import ItemRef, can_read, can_see_space
from app.api.deps import optional_auth
from app.db import Database
from app.levels import Level
from app.models import PostKind, ReactionKind
from app.models.wiki import COMPANY_WIKI
from tests.api_helpers import BROWSER
from tests.leak_world import CALENDAR_FROM, CALENDAR_TO, MARKER, Account, World, build_world
from tests.own_site import Site, own_site

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MISSING_ID = "987654321"
MISSING = {
    "id": MISSING_ID,
    "slug": "no-such-page-here",
    "handle": "nobody-here-at-all",
    "name": "nohashtaghere",
    "number": "999999",
    "token": "x" * 43,
}
# Headers that legitimately differ between two answers of the same kind.
VARYING_HEADERS = {"date", "content-length", "set-cookie"}


@dataclass(frozen=True)
class Arg:
    """A value for a parameter and what it names: (kind, key...), None when it
    names nothing (a missing value, a constant)."""

    value: str
    ref: tuple | None = None


@dataclass(frozen=True)
class Call:
    method: str
    template: str
    page: bool  # a page of the web UI (cookie, browser), else the API (bearer)
    route: APIRoute


@dataclass
class Leak:
    kind: str
    detail: str


# --- the world, once for the module -------------------------------------------


@pytest.fixture(scope="module")
async def leak_world(tmp_path_factory):
    """One world for the whole module, in a database of its own: each read runs
    in its own real transaction, as in production, and each write in one rolled
    back at once, so the world stays as built."""
    async with own_site(tmp_path_factory.mktemp("leaks")) as site:
        async with site.database.sessionmaker() as session:
            world = await build_world(session, site.app)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=site.app, client=("203.0.113.9", 40000)),
            base_url="http://testserver",
        ) as client:
            yield Sweep(site, world, client)


# --- what names what, and who may see it --------------------------------------


def hidden(world: World, account: Account, ref: tuple | None) -> bool:
    """Whether ``ref`` must look missing to ``account``."""
    if ref is None or ref[0] == "invited":  # "invited": a secret that is its own permission
        return False
    if ref[0] == "feed":  # a calendar feed's secret: its owner's, whoever holds it
        return ref[1] not in world.live_feeds
    reader = account.reader
    if reader is None or not reader.is_active:
        return True
    kind, key = ref[0], ref[1]
    if kind == "space":
        return not can_see_space(reader, key, world.space_refs[key])
    if kind == "post":
        return not can_read(reader, world.post_refs[key])
    if kind == "comment":
        return not can_read(reader, world.post_refs[world.comment_posts[key]])
    if kind == "page":
        return not can_read(reader, world.page_refs[key])
    if kind == "event":
        return not can_read(reader, world.event_refs[key])
    if kind == "task":
        return not can_read(reader, world.task_refs[key])
    if kind == "campaign":
        return not can_read(reader, world.campaign_refs[key])
    if kind in ("folder", "document", "webhook", "incoming"):
        return not world.item_visible(account, ref)
    if kind == "person":
        return key not in account.known_people
    if kind == "file":
        return not world.file_readable(account, key)
    if kind == "revision":
        page, number = key, ref[2]
        level = world.revisions.get(page, {}).get(number)
        return level is None or not world.item_visible(account, ("revision", page, level))
    if kind == "slug":
        page = {(wiki, slug): page for wiki, slug, page in world.slugs}.get((key, ref[2]))
        return (
            page is None
            or not can_read(reader, world.page_refs[page])
            or not set(MARKER.findall(ref[2])) <= account.allowed
        )
    if kind == "marker":
        return key not in account.allowed
    if kind == "token":
        return world.tokens[key] != reader.user_id
    if kind == "scim":
        return not account.user.is_admin
    if kind in ("invitation", "request"):
        space, person = (world.invitations if kind == "invitation" else world.join_requests)[key]
        return person != reader.user_id and space not in account.managed_spaces
    raise AssertionError(ref)


def ids(kind: str, keys) -> list[Arg]:
    return [Arg(str(key), (kind, key)) for key in keys] + [Arg(MISSING_ID)]


# The table of path parameters, by name: each names a kind of thing the world
# holds, every one of them, plus a value that names nothing. Parameters that
# depend on another (a slug within its wiki, a revision within its page) are
# filled in ``combinations``.
def single_fillers(world: World) -> dict[str, list[Arg]]:
    return {
        "space_id": ids("space", world.space_refs),
        "post_id": ids("post", world.post_refs),
        "comment_id": ids("comment", world.comment_posts),
        "page_id": ids("page", world.page_refs),
        "event_id": ids("event", world.event_refs),
        "task_id": ids("task", world.task_refs),
        "campaign_id": ids("campaign", world.campaign_refs),
        "idea_id": ids("post", world.idea_ids),
        "file_id": ids("file", world.file_holders),
        "folder_id": ids("folder", world.folder_spaces),
        "document_id": ids("document", world.document_refs),
        "user_id": ids("person", world.user_ids),
        "token_id": ids("token", world.tokens),
        "invitation_id": ids("invitation", world.invitations),
        "request_id": ids("request", world.join_requests),
        "webhook_id": ids("webhook", world.webhooks),
        "hook_id": ids("incoming", world.incoming_hooks),
        # A person by handle and a hashtag by name: the marker they hold.
        "handle": [
            Arg(marker, ("marker", marker))
            for marker in world.markers
            if any(holder[0] == "person" for holder in world.markers[marker])
        ]
        + [Arg(MISSING["handle"])],
        "name": [Arg(tag, ("marker", tag)) for tag in world.hashtags] + [Arg(MISSING["name"])],
        # An invitation's secret: whoever holds it may preview it. A calendar
        # feed's: whoever holds it reads its owner's feed, until it is revoked.
        "token": [Arg(token, ("invited", space)) for token, space in world.invitation_tokens]
        + [Arg(token, ("feed", token)) for token in world.feed_tokens]
        + [Arg(MISSING["token"])],
        # Reactions: the kind is a constant, the item varies.
        "kind": [Arg(ReactionKind.LIKE.value)],
        # SCIM: what administrators manage, and what only a SCIM token opens
        # (/scim/v2 answers 401 to every account's credentials, whatever the id).
        "client_id": ids("scim", world.scim_clients),
        "group_id": ids("scim", world.scim_groups),
        "item_id": ids("scim", world.scim_groups),
        "schema_id": [Arg("urn:ietf:params:scim:schemas:core:2.0:User"), Arg(MISSING["slug"])],
        "type_id": [Arg("User"), Arg(MISSING["slug"])],
    }


def wiki_of(args: dict[str, Arg]) -> int:
    space = args.get("space_id")
    return int(space.value) if space is not None and space.ref else COMPANY_WIKI


def page_of(world: World, args: dict[str, Arg]) -> int | None:
    """The page a combination names, by id or by slug."""
    if "page_id" in args:
        ref = args["page_id"].ref
        return ref[1] if ref else None
    if "slug" in args:
        wiki = wiki_of(args)
        return {(w, s): p for w, s, p in world.slugs}.get((wiki, args["slug"].value))
    return None


def combinations(world: World, names: list[str]) -> tuple[list[dict[str, Arg]], list[str]]:
    """Every combination of values for a route's path parameters, and the names
    no filler knows."""
    singles = single_fillers(world)
    names = set(names)
    groups: list[list[dict[str, Arg]]] = []
    if {"kind", "target"} <= names:  # follows: a person, a space or a hashtag
        groups.append(
            [
                {"kind": Arg(kind), "target": target}
                for kind, fill in (
                    ("users", singles["user_id"]),
                    ("spaces", singles["space_id"]),
                    ("hashtags", singles["name"]),
                )
                for target in fill
            ]
        )
        names -= {"kind", "target"}
    if "slug" in names:  # a slug within its wiki: the company's, or the path's space
        groups.append(slug_combos(world, singles["space_id"] if "space_id" in names else None))
        names -= {"slug", "space_id"}
    if {"space_id", "page_id"} <= names:  # a page of a space's wiki
        groups.append(
            [
                {"space_id": Arg(str(ref.space_id), ("space", ref.space_id)), "page_id": page}
                for page in singles["page_id"]
                if page.ref and (ref := world.page_refs[page.ref[1]]).space_id
            ]
            + [{"space_id": space, "page_id": Arg(MISSING_ID)} for space in singles["space_id"]]
        )
        names -= {"space_id", "page_id"}
    for pair, space_of in spaces_of(world).items():
        if {"space_id", pair} <= names:
            groups.append(within_spaces(singles, pair, space_of))
            names -= {"space_id", pair}
    if {"task_id", "item_id"} <= names:  # an item of a task's checklist
        groups.append(
            [
                {
                    "task_id": Arg(str(task), ("task", task)),
                    "item_id": Arg(str(item), ("task", task)),
                }
                for item, task in world.checklist_items.items()
            ]
            + [{"task_id": task, "item_id": Arg(MISSING_ID)} for task in singles["task_id"]]
        )
        names -= {"task_id", "item_id"}
    numbered = "number" in names
    names.discard("number")
    unknown = sorted(name for name in names if name not in singles)
    for name in sorted(names - set(unknown)):
        groups.append([{name: arg} for arg in singles[name]])
    combos = [
        {key: value for part in parts for key, value in part.items()}
        for parts in itertools.product(*groups)
    ]
    if numbered:  # revisions of the page the combination names
        combos = [
            {**combo, "number": number}
            for combo in combos
            for number in revision_numbers(world, page_of(world, combo), combo)
        ]
    return combos, unknown


def spaces_of(world: World) -> dict[str, dict[int, int]]:
    """What belongs to one space, by parameter name: the space it is in."""
    return {
        "invitation_id": {key: held[0] for key, held in world.invitations.items()},
        "request_id": {key: held[0] for key, held in world.join_requests.items()},
        "document_id": {key: ref.space_id for key, ref in world.document_refs.items()},
        "folder_id": world.folder_spaces,
    }


def within_spaces(
    singles: dict[str, list[Arg]], name: str, space_of: dict[int, int]
) -> list[dict[str, Arg]]:
    """Each thing under its own space and under one other (which must answer as
    if it were missing there), and every space with a missing one: the product
    of every space with every thing would try each way of being hidden once per
    space, to learn nothing more."""
    spaces = [space for space in singles["space_id"] if space.ref]
    combos = []
    for arg in singles[name]:
        if not arg.ref:
            continue
        own = space_of[arg.ref[1]]
        other = next(space for space in spaces if space.ref[1] != own)
        combos.append({"space_id": Arg(str(own), ("space", own)), name: arg})
        combos.append({"space_id": other, name: arg})
    return combos + [{"space_id": space, name: Arg(MISSING_ID)} for space in singles["space_id"]]


def slug_combos(world: World, spaces: list[Arg] | None) -> list[dict[str, Arg]]:
    """Each wiki (the company's when ``spaces`` is None) with every slug it has
    had, one slug of another wiki and a missing one; a missing space with one."""
    combos = []
    for space in spaces or [None]:
        wiki = int(space.value) if space is not None and space.ref else COMPANY_WIKI
        own = sorted(slug for w, slug, _page in world.slugs if w == wiki)
        other = sorted(slug for w, slug, _page in world.slugs if w != wiki)[:1]
        if space is not None and not space.ref:
            own, other = [], sorted(slug for _w, slug, _page in world.slugs)[:1]
        for slug in own + other:
            combos.append({"slug": Arg(slug, ("slug", wiki, slug))})
        combos.append({"slug": Arg(MISSING["slug"])})
        if space is not None:
            for combo in combos[-len(own) - len(other) - 1 :]:
                combo["space_id"] = space
    return combos


def revision_numbers(world: World, page: int | None, combo: dict[str, Arg]) -> list[Arg]:
    """Every revision of the page (and a missing one); through a former slug,
    which only redirects, the first."""
    slug = combo.get("slug")
    if page and slug is not None and world.page_slugs.get(page) != slug.value:
        return [Arg("1", ("revision", page, 1))]
    numbers = world.revisions.get(page, {}) if page else {1: None}
    return [Arg(str(n), ("revision", page, n) if page else None) for n in numbers] + [
        Arg(MISSING["number"])
    ]


# --- query strings ------------------------------------------------------------


def query_variants(world: World, call: Call, names: set[str], combo: dict[str, Arg]):
    """The query strings to try on a GET: none, then one per value of each
    parameter the table knows (lists at their longest, searches for every
    marker at once, filters by every id)."""
    base = {}
    if "limit" in names:
        base["limit"] = Arg("100")
    if "q" in names:
        base["q"] = Arg("zz")  # the start of every marker: every name and text matches
    if "since" in names:
        base["since"] = Arg("0")
    if {"from", "to"} <= names:  # a calendar's period: the world's events
        base["from"] = Arg(CALENDAR_FROM.isoformat())
        base["to"] = Arg(CALENDAR_TO.isoformat())
    yield base
    singles = single_fillers(world)
    filters = {
        "space_id": singles["space_id"],
        # The post a comment is written under (mention suggestions).
        "post_id": singles["post_id"],
        "folder_id": singles["folder_id"],
        "author_id": singles["user_id"],
        "hashtag": singles["name"],
        "kind": [Arg(kind.value) for kind in PostKind] if "/feed" in call.template else [],
        "unanswered": [Arg("true")],
        "to_confirm": [Arg("true")],
        "mine": [Arg("true")],
    }
    for name, values in filters.items():
        if name in names:
            for value in values:
                yield {**base, name: value}
    if {"old", "new"} <= names:
        page = page_of(world, combo)
        numbers = sorted(world.revisions.get(page, {})) if page else []
        for old in numbers[:-1]:
            yield {
                **base,
                "old": Arg(str(old), ("revision", page, old)),
                "new": Arg(str(numbers[-1]), ("revision", page, numbers[-1])),
            }


# --- bodies of writes -----------------------------------------------------------


def sample(schema: dict, defs: dict, name: str = "") -> Any:
    """The smallest value a JSON schema accepts: what a write needs to get past
    validation to the service, where a hidden id must answer as a missing one."""
    if "$ref" in schema:
        return sample(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, name)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            if len(options) < len(schema[key]):
                return None
            return sample(options[0], defs, name)
    if "allOf" in schema:
        return sample(schema["allOf"][0], defs, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            prop: sample(sub, defs, prop)
            for prop, sub in schema.get("properties", {}).items()
            if prop in schema.get("required", ())
        }
    if kind == "array":
        return [sample(schema.get("items", {}), defs, name)] * max(schema.get("minItems", 0), 1)
    if kind == "integer":
        return max(schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1), 1)
    if kind == "boolean":
        return False
    if schema.get("format") == "email":
        return "nobody@example.test"
    if schema.get("format") == "date-time":
        return "2099-01-01T00:00:00Z"
    return "x" * max(schema.get("minLength", 1), 12)


def body_fields(dependant: Dependant):
    stack = [dependant]
    while stack:
        current = stack.pop()
        yield from current.body_params
        stack.extend(current.dependencies)


def write_body(call: Call) -> dict:
    """``json=`` for the API, ``data=`` (with the CSRF field) for a page's form."""
    fields = list(body_fields(call.route.dependant))
    if not call.page:
        if not fields:
            return {}
        (field,) = fields
        schema = TypeAdapter(field.field_info.annotation).json_schema()
        return {"json": sample(schema, schema.get("$defs", {}))}
    form = {}
    for field in fields:
        if not field.field_info.is_required():
            continue
        annotation = field.field_info.annotation
        if field.field_info.metadata:
            annotation = Annotated[(annotation, *field.field_info.metadata)]
        value = sample(TypeAdapter(annotation).json_schema(), {}, field.name)
        form[field.alias] = value if not isinstance(value, bool) else str(value).lower()
    return {"data": form}


# --- the sweep ----------------------------------------------------------------


def routes(app) -> list[Call]:
    """Every route of the app with a method and a path: the API's and the pages'."""
    calls = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            calls.append(Call(method, context.path, not context.path.startswith("/api/"), route))
    return calls


class Sweep:
    def __init__(self, site: Site, world: World, client: httpx.AsyncClient):
        self.site = site
        self.app = site.app
        self.world = world
        self.client = client
        self.leaks: dict[tuple, set[str]] = defaultdict(set)
        self.requests = 0

    async def send(self, account: Account, call: Call, url: str, body: dict) -> httpx.Response:
        headers = dict(BROWSER) if call.page else {}
        if account.user is not None:
            if call.page:
                headers["Cookie"] = account.cookie
                if call.method != "GET":
                    body = {"data": {**body.get("data", {}), "csrf_token": account.csrf}}
            else:
                headers["Authorization"] = account.bearer
        self.client.cookies.clear()
        self.requests += 1
        if call.method == "GET":
            return await self.client.request(call.method, url, headers=headers)
        async with self.site.database.engine.connect() as connection:
            transaction = await connection.begin()
            self.app.state.db = Database(self.app.state.settings, bind=connection)
            try:
                return await self.client.request(call.method, url, headers=headers, **body)
            finally:
                self.app.state.db = self.site.database
                await transaction.rollback()

    def record(self, call: Call, account: Account, kind: str, detail: str) -> None:
        self.leaks[(call.method, call.template, kind)].add(f"{account.label}: {detail}")

    def check_markers(self, call, account, url, response, allowed=None) -> None:
        """``allowed``: the markers the answer may show (``may_show``; by
        default what the account may see), besides those the URL itself holds."""
        shown = response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        allowed = (account.allowed if allowed is None else allowed) | set(MARKER.findall(url))
        for marker in sorted(set(MARKER.findall(shown.lower())) - allowed):
            holders = self.world.markers.get(marker, [("unknown",)])
            what = "/".join(sorted({holder[0] for holder in holders}))
            self.record(call, account, f"shows {what}", f"{marker} ({self.world.describe(marker)})")

    @staticmethod
    def normalised(response: httpx.Response, url: str, args: dict[str, Arg]) -> tuple:
        """What must be equal between a hidden and a missing answer: the request's
        own path and values stand for themselves."""
        path = url.split("?")[0]
        values = sorted({a.value for a in args.values() if len(a.value) > 2}, key=len, reverse=True)

        def clean(text: str) -> str:
            for whole in (url, path):
                for form in (whole, quote(whole, safe=""), quote(whole, safe="/")):
                    text = text.replace(form, "{path}")
            for value in values:
                text = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "{value}", text)
            return text

        headers = sorted(
            (key, clean(value) if key not in VARYING_HEADERS else key.split("=")[0])
            for key, value in response.headers.items()
        )
        cookies = sorted(c.split("=")[0] for c in response.headers.get_list("set-cookie"))
        return response.status_code, headers, cookies, clean(response.text)


def url_of(template: str, args: dict[str, Arg], query: dict[str, Arg]) -> str:
    path = template
    for name, arg in args.items():
        path = path.replace("{" + name + "}", quote(arg.value, safe=""))
    if query:
        path += "?" + urlencode({name: arg.value for name, arg in query.items()})
    return path


# Anonymous and deactivated callers are refused before anything is read: a few
# combinations of each route suffice to see that they are refused alike.
SAMPLED = 3


def asks_who(call: Call) -> bool:
    """Whether a route reads who is asking: every page does (it shows who is
    signed in); an API route as its document's security says. One that does
    not answers every caller alike, credentials or none."""
    if call.page:
        return True
    stack = [call.route.dependant]
    while stack:
        current = stack.pop()
        if current.call is optional_auth:
            return True
        stack.extend(current.dependencies)
    return False


def item_of(world: World, ref: tuple) -> tuple[str, int, ItemRef] | None:
    """The post or page a reference stands in, with what the predicate reads of it."""
    kind, key = ref[0], ref[1]
    if kind == "comment":
        kind, key = "post", world.comment_posts[key]
    if kind == "slug":
        key = {(w, slug): page for w, slug, page in world.slugs}.get((key, ref[2]))
        kind = "page" if key is not None else None
    if kind == "revision":
        kind = "page"
    refs = {
        "post": world.post_refs,
        "page": world.page_refs,
        "document": world.document_refs,
        "event": world.event_refs,
    }
    refs = refs.get(kind, {})
    return (kind, key, refs[key]) if key in refs else None


def likeness(
    world: World, account: Account, arg: Arg, every_readable: bool, space: int | None
) -> tuple:
    """What an answer to ``account`` may depend on in ``arg``: two values alike
    here are decided alike, so one of them suffices. Each value names its own
    class when it names nothing, and, with ``every_readable``, when the account
    may read it (its content is what the markers are looked for in); else a
    readable post or page by whether the account wrote it. Otherwise what
    classes it: its kind, whether it is hidden, and why (which of level,
    audience and container hide it, from the predicate itself), its container
    as the account sees it, the account's part in it, whether the world changed
    it; a person by whether it belongs to ``space`` (the request's), its kind
    and whether it is active; anything else by who else it is hidden from."""
    ref = arg.ref
    secret = hidden(world, account, ref)
    if ref is None or (every_readable and not secret) or ref[0] == "feed":
        return ("value", arg.value)  # a feed: each is its owner's, and they are few
    reader = account.reader
    if reader is None:
        return (ref[0], secret, tuple(hidden(world, other, ref) for other in world.accounts))
    if ref[0] == "space":
        return (secret, *container(world, account, ref[1]))
    if ref[0] == "person":
        member = ref[1] in world.members.get(space, ())
        return ("person", secret, ref[1] == reader.user_id, member, world.person_kinds[ref[1]])
    item = item_of(world, ref)
    if item is None:
        return (ref[0], secret, tuple(hidden(world, other, ref) for other in world.accounts))
    kind, key, found = item
    if not secret:  # a write: one readable item of each kind, the account's own apart
        return (ref[0], secret, found.author_id == reader.user_id)
    why = (
        can_read(reader, replace(found, level=Level.PUBLIC)),
        can_read(reader, replace(found, audience=None)),
        can_read(reader, replace(found, space_id=None, space_visibility=None)),
    )
    former = ref[0] == "slug" and world.page_slugs.get(key) != ref[2]
    level = ref[2] if ref[0] == "revision" else None
    return (
        ref[0],
        secret,
        why,
        container(world, account, found.space_id),
        found.author_id == reader.user_id,
        reader.user_id in (found.audience or ()),
        (kind, key) in world.changed,
        former,
        world.revisions.get(key, {}).get(level) if kind == "page" else None,
    )


def container(world: World, account: Account, space: int | None) -> tuple:
    """A space as ``account`` stands to it: its visibility, whether the account
    belongs to it or manages it, whether the world changed it."""
    if space is None:
        return ("company",)
    return (
        world.space_refs[space],
        space in account.reader.member_space_ids,
        space in account.managed_spaces,
        ("space", space) in world.changed,
    )


def alike(world: World, account: Account, requests, every_readable: bool) -> list[tuple]:
    """One (path values, query values) request of each likeness (see ``likeness``)."""
    kept = {}
    for combo, query in requests:
        args = {**combo, **query}
        space = args.get("space_id")
        space = space.ref[1] if space is not None and space.ref else None
        key = tuple(
            (name, likeness(world, account, arg, every_readable, space))
            for name, arg in sorted(args.items())
        )
        kept.setdefault(key, (combo, query))
    return list(kept.values())


def may_show(world: World, account: Account, args: dict[str, Arg], asks: bool) -> frozenset[str]:
    """Markers an answer may show: what the account may see, when the route
    reads who is asking (``asks``), and what a secret the request carries
    shows: an invitation its space, a calendar feed what its owner's may."""
    carried = set()
    for arg in args.values():
        if arg.ref and arg.ref[0] == "invited":
            carried |= world.markers_of(("space", arg.ref[1]))
        if arg.ref and arg.ref[0] == "feed":
            carried |= world.live_feeds.get(arg.ref[1], frozenset())
    return frozenset(carried) | (account.allowed if asks else frozenset())


async def sweep(leak_world: Sweep, calls: list[Call]) -> list[str]:
    """Runs every call as every account; returns the parameters nobody fills."""
    world = leak_world.world
    unfilled = []
    for call in calls:
        params = get_flat_params(call.route.dependant)
        path_names = re.findall(r"{(\w+)}", call.template)
        query_names = {p.alias for p in params if p.field_info.__class__.__name__ == "Query"}
        combos, unknown = combinations(world, path_names)
        if unknown:
            unfilled.append(f"{call.method} {call.template}: {', '.join(unknown)}")
            continue
        reading = call.method == "GET"
        asks = asks_who(call)
        body = {} if reading else write_body(call)
        requests = [
            (combo, query)
            for combo in combos
            for query in (query_variants(world, call, query_names, combo) if reading else [{}])
        ]
        for account in world.accounts:
            cache: dict[str, httpx.Response] = {}

            async def answer(
                url: str, args, account=account, cache=cache, call=call, body=body, asks=asks
            ):
                """Each URL once per account; every answer is searched for markers."""
                if url not in cache:
                    cache[url] = await leak_world.send(account, call, url, body)
                    allowed = may_show(world, account, args, asks)
                    leak_world.check_markers(call, account, url, cache[url], allowed)
                return cache[url]

            refused = asks and (account.reader is None or not account.reader.is_active)
            chosen = alike(world, account, requests, reading)
            for combo, query in chosen[:SAMPLED] if refused else chosen:
                args = {**combo, **query}
                url = url_of(call.template, combo, query)
                response = await answer(url, args)
                secret = {n for n, a in args.items() if hidden(world, account, a.ref)}
                if not secret:
                    continue
                twin = {
                    n: (Arg(missing_value(n, a)) if n in secret else a) for n, a in args.items()
                }
                twin_url = url_of(
                    call.template,
                    {n: twin[n] for n in combo},
                    {n: twin[n] for n in query},
                )
                missing = await answer(twin_url, twin)
                if leak_world.normalised(response, url, args) != leak_world.normalised(
                    missing, twin_url, twin
                ):
                    leak_world.record(
                        call,
                        account,
                        "hidden answers unlike missing",
                        f"{url} {response.status_code} vs {twin_url} {missing.status_code}",
                    )
    return unfilled


def missing_value(name: str, arg: Arg) -> str:
    if name in ("slug", "handle", "name", "number", "token"):
        return MISSING[name]
    return MISSING_ID


def report(leak_world: Sweep, unfilled: list[str]) -> str:
    lines = []
    if unfilled:
        lines.append("Routes with parameters the leak test cannot fill (add them to its table):")
        lines += [f"  {line}" for line in unfilled]
    for (method, template, kind), details in sorted(leak_world.leaks.items()):
        by_account = defaultdict(list)
        for detail in sorted(details):
            label, what = detail.split(": ", 1)
            by_account[label].append(what)
        lines.append(f"{method} {template} — {kind}")
        for label, whats in sorted(by_account.items()):
            more = f" (+{len(whats) - 3} more)" if len(whats) > 3 else ""
            lines.append(f"    to {label}: {'; '.join(whats[:3])}{more}")
    return "\n".join(lines)


# --- the tests ----------------------------------------------------------------


def test_every_documented_route_is_swept(leak_world):
    documented = {
        (method.upper(), path)
        for path, operations in leak_world.app.openapi()["paths"].items()
        for method in operations
    }
    swept = {(call.method, call.template) for call in routes(leak_world.app)}
    assert documented - swept == set()


def test_the_oracle_tells_accounts_apart(leak_world):
    """The world is rich enough to mean something: every account may see some
    markers and not others, and the externals know of fewer people."""
    world = leak_world.world
    by_label = {account.label: account for account in world.accounts}
    for label in ("admin", "employee", "alumni", "contractor", "outsider", "leaver"):
        account = by_label[label]
        assert account.allowed and set(world.markers) - account.allowed, label
    assert by_label["outsider"].allowed < by_label["employee"].allowed
    assert len(by_label["alumni"].known_people) < len(by_label["employee"].known_people)
    assert not by_label["inactive"].allowed


PARTS = 4


def share(calls: list[Call], part: int) -> list[Call]:
    """One of ``PARTS`` shares of the routes, dealt in turn: the two longest
    tests of the suite are each cut in parts, which its workers then share (run
    one after the other on one world, they send what one test sent). Dealt,
    not cut in runs: neighbouring routes are alike in cost (a wiki page's
    many), and runs of them made one half twice the other (120 s against 54)."""
    return calls[part::PARTS]


@pytest.mark.parametrize("part", range(PARTS))
async def test_reads_leak_nothing(leak_world, part):
    leak_world.leaks.clear()
    calls = share([call for call in routes(leak_world.app) if call.method == "GET"], part)
    unfilled = await sweep(leak_world, calls)
    assert not unfilled and not leak_world.leaks, report(leak_world, unfilled)


@pytest.mark.parametrize("part", range(PARTS))
async def test_writes_answer_hidden_like_missing(leak_world, part):
    leak_world.leaks.clear()
    calls = share([call for call in routes(leak_world.app) if call.method != "GET"], part)
    unfilled = await sweep(leak_world, calls)
    assert not unfilled and not leak_world.leaks, report(leak_world, unfilled)


def test_a_marker_in_an_answer_is_caught(leak_world):
    """The harness itself: a hidden marker in a body or a header is reported."""
    world = leak_world.world
    outsider = next(a for a in world.accounts if a.label == "outsider")
    forbidden = sorted(set(world.markers) - outsider.allowed)[0]
    call = Call("GET", "/planted", True, None)
    response = httpx.Response(200, headers={"Location": f"/x/{forbidden}"}, text="nothing")
    leak_world.check_markers(call, outsider, "/planted", response)
    assert leak_world.leaks.pop(("GET", "/planted", f"shows {world.markers[forbidden][0][0]}"))


async def test_a_route_the_table_cannot_fill_fails(leak_world):
    """A new route with a parameter name nobody fills is reported, not skipped."""
    router = APIRouter()

    @router.get("/api/v1/widgets/{widget_id}")
    async def widget(widget_id: int) -> None: ...

    call = Call("GET", "/api/v1/widgets/{widget_id}", False, router.routes[0])
    assert await sweep(leak_world, [call]) == ["GET /api/v1/widgets/{widget_id}: widget_id"]
