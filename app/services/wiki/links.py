"""Names and links between wiki pages: slugs (unique per wiki, old ones kept
to redirect), the ``[[links]]`` of each page, what they resolve to for one
reader, and backlinks — each filtered by the policy, so a link never tells a
reader that a page they may not read exists."""

import re
import unicodedata
from urllib.parse import quote, urlencode

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import readable, visible_spaces
from app.db import insert_unless_taken
from app.errors import Conflict, NotFound
from app.i18n import _
from app.markdown import WikiHref, WikiTarget, render, wiki_targets
from app.models import Space, User, WikiLink, WikiPage, WikiSlug
from app.models.wiki import COMPANY_WIKI

LIVE = WikiPage.deleted_at.is_(None)
# Addresses of the wiki's own screens (/wiki/new, /wiki/deleted, /wiki/pages/<id>):
# a page titled "New" lives at /wiki/new-page.
RESERVED_SLUGS = frozenset({"new", "deleted", "pages"})


def wiki_key(space_id: int | None) -> int:
    return COMPANY_WIKI if space_id is None else space_id


def page_slug(title: str) -> str:
    """Lower-case words joined by hyphens, without accents: "Équipe RH" gives
    "equipe-rh". Letters of other scripts stay ("Привет", "日本語"): were they
    dropped, every such title would be "page", taken by the first of them and
    the target of all their links."""
    decomposed = unicodedata.normalize("NFKD", title.lower())
    letters = unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
    )
    slug = re.sub(r"[\W_]+", "-", letters).strip("-")[:120].strip("-") or "page"
    return f"{slug}-page" if slug in RESERVED_SLUGS else slug


def wiki_path(space_id: int | None) -> str:
    return "/wiki" if space_id is None else f"/spaces/{space_id}/wiki"


def page_path(space_id: int | None, slug: str) -> str:
    return f"{wiki_path(space_id)}/{quote(slug)}"


def new_page_path(space_id: int | None, title: str) -> str:
    return f"{wiki_path(space_id)}/new?{urlencode({'title': title})}"


async def claim_slug(
    session: AsyncSession, *, viewer: User, page: WikiPage, reuse_taken: bool = False
) -> str:
    """The slug of ``page``'s title in its wiki, recorded for it. A slug that
    only redirects (an old name) or names a deleted page is taken over. A page
    of the same title that the viewer may read, under this slug or a suffixed
    one, is a 409, unless ``reuse_taken``; any other holder is passed over for
    ``-2``, ``-3``... so that a title never reveals that a hidden page has it."""
    wiki, base = wiki_key(page.space_id), page_slug(page.title)
    candidate, suffix = base, 1
    while True:
        row = await session.get(WikiSlug, (wiki, candidate))
        if row is None:
            if await insert_unless_taken(
                session, WikiSlug(wiki=wiki, slug=candidate, page_id=page.id)
            ):
                return candidate
            continue  # a concurrent save took it first: look again
        if row.page_id == page.id:
            return candidate
        holder = await session.get(WikiPage, row.page_id)
        if holder.deleted_at is not None or holder.slug != candidate:
            row.page_id = page.id
            return candidate
        same_title = page_slug(holder.title) == base
        if not reuse_taken and same_title and await _can_read(session, viewer, holder.id):
            raise Conflict(
                _("A page with this title already exists in this wiki."),
                code="title_taken",
                page_id=holder.id,
            )
        suffix += 1
        candidate = f"{base}-{suffix}"


async def _can_read(session: AsyncSession, viewer: User, page_id: int) -> bool:
    found = await session.scalar(
        select(WikiPage.id).where(WikiPage.id == page_id, readable(viewer, WikiPage))
    )
    return found is not None


async def find_by_slug(
    session: AsyncSession, *, viewer: User, space_id: int | None, slug: str
) -> WikiPage:
    """The live page that has or had ``slug`` in this wiki, if the viewer may
    read it; the caller redirects when the slug is an old one."""
    page = await session.scalar(
        select(WikiPage)
        .join(WikiSlug, WikiSlug.page_id == WikiPage.id)
        .where(
            WikiSlug.wiki == wiki_key(space_id),
            WikiSlug.slug == slug,
            LIVE,
            readable(viewer, WikiPage),
        )
    )
    if page is None:
        raise NotFound()
    return page


async def _spaces_by_slug(session: AsyncSession, viewer: User, slugs: set[str]) -> dict[str, int]:
    """Of the space slugs named by links, those of spaces that exist for the viewer."""
    if not slugs:
        return {}
    rows = await session.execute(
        select(Space.slug, Space.id).where(Space.slug.in_(slugs), visible_spaces(viewer))
    )
    return dict(rows.all())


async def _link_keys(
    session: AsyncSession, viewer: User, space_id: int | None, body: str
) -> dict[WikiTarget, tuple[int | None, int, str] | None]:
    """Each link's (space id, wiki key, slug), or None for a space that does not
    exist for ``viewer``."""
    targets = wiki_targets(body)
    spaces = await _spaces_by_slug(
        session, viewer, {target.space_slug for target in targets if target.space_slug}
    )
    keys: dict[WikiTarget, tuple[int | None, int, str] | None] = {}
    for target in targets:
        target_space = space_id
        if target.space_slug == WikiTarget.COMPANY:
            target_space = None
        elif target.space_slug is not None:
            if target.space_slug not in spaces:
                keys[target] = None
                continue
            target_space = spaces[target.space_slug]
        keys[target] = (target_space, wiki_key(target_space), page_slug(target.title))
    return keys


async def record_links(session: AsyncSession, *, viewer: User, page: WikiPage) -> None:
    """The links of the page's current text, for backlinks. A link into a space
    its author cannot see is not recorded: it leads nowhere for anyone."""
    await session.execute(delete(WikiLink).where(WikiLink.source_id == page.id))
    keys = await _link_keys(session, viewer, page.space_id, page.body)
    rows = {(key[1], key[2]) for key in keys.values() if key is not None}
    if rows:
        await session.execute(
            insert(WikiLink),
            [{"source_id": page.id, "target_wiki": w, "target_slug": s} for w, s in sorted(rows)],
        )


async def render_body(
    session: AsyncSession, *, viewer: User, space_id: int | None, body: str
) -> str:
    """The HTML of a wiki text for this viewer: each link to the page it names
    if the viewer may read it, otherwise red, to "create this page"."""
    keys = await _link_keys(session, viewer, space_id, body)
    wanted = {(wiki, slug) for _space, wiki, slug in filter(None, keys.values())}
    found: dict[tuple[int, str], str] = {}
    if wanted:
        rows = await session.execute(
            select(WikiSlug.wiki, WikiSlug.slug, WikiPage.slug)
            .join(WikiPage, WikiPage.id == WikiSlug.page_id)
            .where(
                # Two flat lists, not an OR per link: a page may hold thousands
                # of links, and SQLite refuses an expression 1,000 deep.
                WikiSlug.wiki.in_({wiki for wiki, _slug in wanted}),
                WikiSlug.slug.in_({slug for _wiki, slug in wanted}),
                LIVE,
                readable(viewer, WikiPage),
            )
        )
        found = {(wiki, slug): current for wiki, slug, current in rows.all()}

    def resolve(target: WikiTarget) -> WikiHref:
        key = keys.get(target)
        if key is None:
            return WikiHref(href="#", missing=True)
        target_space, wiki, slug = key
        if (wiki, slug) in found:
            return WikiHref(href=page_path(target_space, found[wiki, slug]), missing=False)
        return WikiHref(href=new_page_path(target_space, target.title), missing=True)

    return render(body, wiki=resolve).html


async def backlinks(session: AsyncSession, *, viewer: User, page: WikiPage) -> list[WikiPage]:
    """The live pages the viewer may read that link to ``page`` by any of its slugs."""
    return list(
        await session.scalars(
            select(WikiPage)
            .join(WikiLink, WikiLink.source_id == WikiPage.id)
            .join(
                WikiSlug,
                and_(
                    WikiSlug.wiki == WikiLink.target_wiki,
                    WikiSlug.slug == WikiLink.target_slug,
                ),
            )
            .where(
                WikiSlug.page_id == page.id,
                WikiPage.id != page.id,
                LIVE,
                readable(viewer, WikiPage),
            )
            .distinct()
            .order_by(WikiPage.title, WikiPage.id)
        )
    )
