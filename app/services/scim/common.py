"""What users and groups share: reading a request body with the SCIM models,
versions (ETags), and a page of a filtered, sorted list."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    InvalidValueException,
    Meta,
    PatchOp,
    PreconditionFailedException,
    Resource,
    SCIMException,
    ScimFilter,
    SearchRequest,
)
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.services.scim.filters import Searchable, filter_clause, searchable_for
from app.services.scim.schema import MAX_RESULTS


class ScimInputError(SCIMException):
    """A request body the SCIM models refuse, with their first reason."""

    def __init__(self, error: Error):
        super().__init__(detail=error.detail)
        self.status = error.status or 400
        self.scim_type = error.scim_type


def validated(model: type, payload: Any, context: Context):
    """``model`` read from ``payload`` as the RFC says a request of ``context``
    must be (mutability, required attributes, types)."""
    try:
        return model.model_validate(payload, scim_ctx=context)
    except ValidationError as error:
        raise ScimInputError(Error.from_validation_errors(error)[0]) from error


def wanted_after(
    model: type, current: Resource, payload: Any, *, if_match: str | None, patching: bool
) -> Resource:
    """What a PUT (the payload) or a PATCH (its operations, applied by
    scim2-models to a copy of the current representation) asks a resource to
    become; the caller writes what differs from ``current``."""
    check_if_match(if_match, current)
    if not patching:
        return validated(model, payload, Context.RESOURCE_REPLACEMENT_REQUEST)
    patch = validated(PatchOp[model], payload, Context.RESOURCE_PATCH_REQUEST)
    wanted = current.model_copy(deep=True)
    try:
        patch.patch(wanted)
    except ValidationError as error:
        raise ScimInputError(Error.from_validation_errors(error)[0]) from error
    return wanted


def stamped(resource: Resource, *, created, modified, location: str) -> Resource:
    """``resource`` with its meta and version (an ETag of everything else)."""
    resource.meta = Meta(
        resource_type=type(resource).__name__.split("[")[0],
        created=created,
        last_modified=modified,
        location=location,
    )
    resource.meta.version = version_of(resource)
    return resource


def version_of(resource: Resource) -> str:
    """A weak ETag from the representation itself: it changes whenever anything
    the client can read changes, and needs no counter kept beside the data."""
    body = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, exclude={"meta"})
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f'W/"{digest[:20]}"'


def check_if_match(if_match: str | None, resource: Resource) -> None:
    """RFC 7644 §3.14: a write carrying If-Match applies only to the version named."""
    if if_match is None:
        return
    wanted = {tag.strip() for tag in if_match.split(",")}
    current = resource.meta.version if resource.meta else None
    if "*" not in wanted and current not in wanted and current.removeprefix("W/") not in wanted:
        raise PreconditionFailedException()


def bounded(value: str | None, limit: int, attribute: str) -> str | None:
    if value is not None and len(value) > limit:
        raise InvalidValueException(detail=f"{attribute} has at most {limit} characters.")
    return value


@dataclass
class Listing:
    """One page of a list: the rows and how many match in all."""

    rows: list
    total: int
    start_index: int


def search_request(model: type, parameters: dict) -> SearchRequest:
    parameters = {key: value for key, value in parameters.items() if value is not None}
    return validated(SearchRequest[model], parameters, Context.SEARCH_REQUEST)


async def list_page(
    session: AsyncSession,
    statement: Select,
    *,
    request: SearchRequest,
    attributes: dict[str, Searchable],
    key,
) -> Listing:
    """``statement`` filtered, counted, sorted by ``sortBy`` (then ``key``, so
    pages never overlap) and cut at ``startIndex``/``count``."""
    if request.filter is not None:
        statement = statement.where(filter_clause(request.filter.ast, attributes))
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    order = []
    if request.sort_by is not None:
        # The library parses the attribute path; a presence filter carries it.
        path = ScimFilter(f"{request.sort_by} pr").ast.attr_path
        column = searchable_for(path, attributes).column
        order.append(column.desc() if request.sort_order == "descending" else column.asc())
    start_index = max(request.start_index or 1, 1)
    count = min(request.count if request.count is not None else MAX_RESULTS, MAX_RESULTS)
    rows = []
    if count > 0:
        rows = list(
            (
                await session.execute(
                    statement.order_by(*order, key).offset(start_index - 1).limit(count)
                )
            ).all()
        )
    return Listing(rows=rows, total=total or 0, start_index=start_index)
