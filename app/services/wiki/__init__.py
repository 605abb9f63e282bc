"""The wikis — the company's and one per space — and their pages. The
package's modules: ``reading`` (finding pages, lists, history), ``writing``
(creating and saving without losing an edit, deleting, restoring), ``tree``
(parents and order), ``watching`` (watchers and the live activity), ``links``
(slugs and ``[[links]]``) and ``templates``. What other modules call is
named here."""

from app.services.wiki.reading import (
    Audience,
    Wiki,
    access_page,
    audiences_for,
    compare,
    free_title,
    get_revision,
    list_deleted,
    list_pages,
    list_revisions,
    list_tree,
    open_wiki,
    people_by_id,
    recently_changed,
    search_pages,
)
from app.services.wiki.tree import move_page, positions_for, shift_page
from app.services.wiki.watching import is_watching, watch
from app.services.wiki.writing import (
    create_page,
    delete_page,
    restore_page,
    restore_revision,
    save_page,
)

__all__ = [
    "Audience",
    "Wiki",
    "access_page",
    "audiences_for",
    "compare",
    "create_page",
    "delete_page",
    "free_title",
    "get_revision",
    "is_watching",
    "list_deleted",
    "list_pages",
    "list_revisions",
    "list_tree",
    "move_page",
    "open_wiki",
    "people_by_id",
    "positions_for",
    "recently_changed",
    "restore_page",
    "restore_revision",
    "save_page",
    "search_pages",
    "shift_page",
    "watch",
]
