"""The audit log as a CSV file, for a spreadsheet or an archive.

Written a batch at a time, each batch in its own short read transaction, so a
log of millions of lines neither sits in memory nor holds a transaction open
for the whole download. Each line says the same as the page: the sentence and
its details, beside the raw code and ids for whoever filters in a spreadsheet."""

import csv
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.i18n import current_language, gettext
from app.levels import Language
from app.models import User
from app.services import audit, audit_entries

BATCH = 500
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading quote disarms a
    formula (OWASP's advice against CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def header() -> list[str]:
    return [
        gettext("When (UTC)"),
        gettext("Event"),
        gettext("Details"),
        gettext("Action"),
        gettext("Actor account"),
        gettext("Target"),
        gettext("Address"),
    ]


def row(entry: audit_entries.Entry) -> list[str]:
    event = entry.event
    target = f"{event.target_type} {event.target_id}" if event.target_type else ""
    return [
        safe_cell(cell)
        for cell in (
            event.created_at.isoformat(sep=" ", timespec="seconds"),
            entry.text(),
            "; ".join(entry.details),
            event.action,
            event.actor_id,
            target,
            event.address,
        )
    ]


async def export_lines(
    sessions: Callable[[], AsyncSession],
    *,
    viewer_id: int,
    language: Language,
    filters: dict[str, Any],
) -> AsyncIterator[str]:
    """The CSV text, newest event first, under the same filters as the page.
    ``sessions`` opens a session (the request's own is closed once the download
    starts); the viewer is read again in each, and must still be an administrator."""
    current_language.set(language)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The byte-order mark tells spreadsheets the file is UTF-8 (accents intact).
    buffer.write("\ufeff")
    writer.writerow([safe_cell(cell) for cell in header()])
    before_id = None
    while True:
        async with sessions() as session:
            viewer = await session.get(User, viewer_id)
            events = await audit.list_audit(
                session, viewer=viewer, limit=BATCH, before_id=before_id, **filters
            )
            entries = await audit_entries.describe_all(session, viewer=viewer, events=events)
        writer.writerows(row(entry) for entry in entries)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(events) < BATCH:
            return
        before_id = events[-1].id
