"""Where an entry's item may be read from, as one word of the full-text index.

A post, a comment, a wiki page and a calendar event carry the word of their
container and level (``s12public``: space 12, level public; ``s0``: the company
stream, or a company-wide event); a comment takes its post's. Anything else
carries ``any``. An external may read a few per cent of what is written (their
spaces and the company stream, at ``public``), so their search asks the index
for their words *and* one of their scopes (``access.readable_scopes``): the
index intersects the two, where otherwise the policy clause had to be checked
on every match — ~50,000 for a common word before the newest 1,000 readable
ones were found.

The word only narrows: the policy clause (``access.searchable``) still decides,
on the live rows, so a scope left stale could hide an item, never show one.
It is rewritten with the item in the same transaction (``app.search.indexing``).
"""

from app.levels import Level

ANYWHERE = "any"


def scope_of(space_id: int | None, level: Level) -> str:
    return f"s{space_id or 0}{level.value}"
