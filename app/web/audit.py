"""The audit log page and its CSV export, for administrators: sentences with
links, filtered by person (found by name), kind of action and period. Successful
sign-ins are hidden unless asked for: each account's "last seen" sums them up."""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import StreamingResponse

from app.access import check_admin
from app.api.deps import Address, Session, Viewer
from app.api.pagination import decode_id_cursor, next_id_cursor
from app.dates import end_of_day, start_of_day
from app.errors import Invalid
from app.i18n import _, current_language
from app.models import User
from app.services import accounts, audit, audit_entries, audit_export
from app.services.audit import record_audit
from app.web.form_errors import FailedForm, form_page
from app.web.routes import render

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 50
# Enough to recognise the one meant among homonyms, not a directory.
PEOPLE_SHOWN = 10

Text = Annotated[str, Query(max_length=120)]
Day = Annotated[str, Query(max_length=10)]


@dataclass
class AuditFilters:
    """What the page's form and the export's share, as the URL carries them."""

    who: str = ""
    person: str = ""
    action: str = ""
    since: str = ""
    until: str = ""
    sign_ins: str = ""

    def query(self, **more) -> dict:
        return {key: value for key, value in {**asdict(self), **more}.items() if value}


async def _people(session, viewer: User, filters: AuditFilters) -> list[User] | None:
    """The people the filter names: the one picked in the list (while the name
    field still holds their name), or those whose name or e-mail holds what was
    typed (several: the page offers to pick one). Sets the filters to match."""
    typed = filters.who.strip()
    if filters.person:
        if not filters.person.isdigit():
            raise Invalid(_("Choose the person in the list."), code="invalid_person")
        chosen = await accounts.access_account(session, viewer=viewer, user_id=int(filters.person))
        if typed in ("", chosen.display_name):
            filters.who = chosen.display_name
            return [chosen]
        filters.person = ""
    if typed:
        found = await accounts.list_accounts(
            session, viewer=viewer, limit=PEOPLE_SHOWN, after_id=None, query=typed
        )
        return list(found)
    return None


def _service_filters(filters: AuditFilters, people: list[User] | None) -> dict:
    action = filters.action.strip()
    grouped = action in audit_entries.ACTION_GROUPS
    return {
        "action": action if action and not grouped else None,
        "group": action if grouped else None,
        "person_ids": [person.id for person in people] if people is not None else None,
        "since": start_of_day(filters.since),
        # The whole of its last day.
        "until": end_of_day(filters.until),
        "hide_sign_ins": not filters.sign_ins and action != audit.SIGN_IN,
    }


@router.get("/admin/audit")
async def audit_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    who: Text = "",
    person: Annotated[str, Query(max_length=20)] = "",
    action: Annotated[str, Query(max_length=60)] = "",
    since: Day = "",
    until: Day = "",
    sign_ins: Annotated[str, Query(max_length=5)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
):
    """Newest first; ``until`` includes its whole day."""
    check_admin(viewer)
    filters = AuditFilters(who, person, action, since, until, sign_ins)
    people = await _people(session, viewer, filters)
    events = await audit.list_audit(
        session,
        viewer=viewer,
        limit=AUDIT_PAGE + 1,
        before_id=decode_id_cursor(cursor),
        **_service_filters(filters, people),
    )
    page = events[:AUDIT_PAGE]
    return render(
        request,
        "admin/audit.html",
        entries=await audit_entries.describe_all(session, viewer=viewer, events=page),
        people=people,
        next_cursor=next_id_cursor(events, AUDIT_PAGE),
        filters=filters,
        action_choices=audit_entries.action_choices(),
    )


async def _audit_again(request: Request, session, viewer: User, failed: FailedForm):
    """The audit page, filtered as the refused export was."""
    filters = failed.over(asdict(AuditFilters()))
    return await audit_page(request, viewer, session, **filters, cursor=None)


@router.post("/admin/audit/export")
@form_page(_audit_again)
async def export_audit(
    request: Request,
    viewer: Viewer,
    session: Session,
    address: Address,
    who: Annotated[str, Form(max_length=120)] = "",
    person: Annotated[str, Form(max_length=20)] = "",
    action: Annotated[str, Form(max_length=60)] = "",
    since: Annotated[str, Form(max_length=10)] = "",
    until: Annotated[str, Form(max_length=10)] = "",
    sign_ins: Annotated[str, Form(max_length=5)] = "",
):
    """A POST, as it writes: the export is itself recorded in the log (who took
    a copy, of what) before the file streams out."""
    check_admin(viewer)
    filters = AuditFilters(who, person, action, since, until, sign_ins)
    people = await _people(session, viewer, filters)
    chosen = _service_filters(filters, people)
    record_audit(
        session,
        action="audit.exported",
        actor=viewer,
        address=address,
        # Said as the form said it: the kind of actions, the days, the people.
        actions=filters.action or None,
        since=filters.since or None,
        until=filters.until or None,
        sign_ins=bool(filters.sign_ins) or None,
        person_ids=chosen["person_ids"],
    )
    lines = audit_export.export_lines(
        request.app.state.db.sessionmaker,
        viewer_id=viewer.id,
        language=current_language.get(),
        filters=chosen,
    )
    filename = f"ruche-audit-{datetime.now(UTC).date().isoformat()}.csv"
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
