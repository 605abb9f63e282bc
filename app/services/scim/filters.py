"""SCIM filters (RFC 7644 §3.4.2.2) as SQL.

The filter text is parsed by scim2-models (its Lark grammar of the RFC, the
same library the compliance checker is built on), never by hand; this module
only turns the syntax tree it returns into a SQLAlchemy clause over the
attributes Ruche can search. A filter on any other attribute is refused with
``invalidFilter`` rather than answered wrongly.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scim2_models import InvalidFilterException
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from sqlalchemy import ColumnElement, and_, false, func, not_, or_, true


@dataclass(frozen=True)
class Searchable:
    """One attribute a filter or ``sortBy`` may name: its column and how it compares.
    ``kind``: ``text`` (case-insensitive, as SCIM's caseExact=false), ``exact``
    (caseExact=true, as externalId), ``id``,
    ``boolean`` or ``moment``; ``custom`` builds the clause itself (an
    attribute that is not one column, such as a group's members)."""

    column: Any
    kind: str = "text"
    custom: Callable[[CompareOperator, Any], ColumnElement[bool]] | None = None


def attribute_key(attr_path: AttrPath) -> str:
    """``name.givenName`` or ``urn:...:User:department``, lower-cased: SCIM
    attribute names are case-insensitive. The core schema's own URN is dropped."""
    name = attr_path.attr + (f".{attr_path.sub_attr}" if attr_path.sub_attr else "")
    uri = (attr_path.uri or "").lower()
    if uri and not uri.startswith("urn:ietf:params:scim:schemas:core:"):
        name = f"{uri}:{name}"
    return name.lower()


def filter_clause(node: FilterNode, attributes: dict[str, Searchable]) -> ColumnElement[bool]:
    if isinstance(node, LogicalExpr):
        terms = [filter_clause(term, attributes) for term in node.terms]
        return and_(*terms) if node.op is LogicalOperator.and_ else or_(*terms)
    if isinstance(node, Not):
        return not_(filter_clause(node.expr, attributes))
    if isinstance(node, ValuePath):
        raise InvalidFilterException(detail="Ruche does not filter on values of a list.")
    if isinstance(node, Present | Comparison):
        searchable = searchable_for(node.attr_path, attributes)
        if isinstance(node, Present):
            return _present(searchable)
        return _compare(searchable, node.op, node.value)
    raise InvalidFilterException()


def searchable_for(attr_path: AttrPath, attributes: dict[str, Searchable]) -> Searchable:
    searchable = attributes.get(attribute_key(attr_path))
    if searchable is None:
        raise InvalidFilterException(
            detail=f"Ruche cannot filter or sort on {attr_path}; it can on "
            + ", ".join(sorted(attributes))
        )
    return searchable


def _present(searchable: Searchable) -> ColumnElement[bool]:
    if searchable.custom is not None:
        return searchable.custom(CompareOperator.ne, None)
    if searchable.kind in ("text", "exact"):
        return and_(searchable.column.is_not(None), searchable.column != "")
    return searchable.column.is_not(None)


def _compare(searchable: Searchable, op: CompareOperator, value: Any) -> ColumnElement[bool]:
    if searchable.custom is not None:
        return searchable.custom(op, value)
    column, kind = searchable.column, searchable.kind
    if value is None:
        # RFC 7644 §3.4.2.2: "eq null" is absence, as "not pr".
        if op is CompareOperator.eq:
            return column.is_(None)
        if op is CompareOperator.ne:
            return column.is_not(None)
        raise InvalidFilterException(detail=f"{op} null means nothing.")
    if kind == "boolean":
        if not isinstance(value, bool) or op not in (CompareOperator.eq, CompareOperator.ne):
            raise InvalidFilterException(
                detail="A boolean compares with eq or ne to true or false."
            )
        return column if (op is CompareOperator.eq) is value else not_(column)
    if kind == "id":
        return _compare_id(column, op, value)
    if kind == "moment":
        return _ordered(column, op, _moment(value))
    if not isinstance(value, str):
        raise InvalidFilterException(detail="This attribute compares with a string.")
    if kind == "text":
        column, value = func.lower(column), value.lower()
    lowered = column
    if op is CompareOperator.co:
        return lowered.contains(value, autoescape=True)
    if op is CompareOperator.sw:
        return lowered.startswith(value, autoescape=True)
    if op is CompareOperator.ew:
        return lowered.endswith(value, autoescape=True)
    return _ordered(lowered, op, value)


def _compare_id(column, op: CompareOperator, value: Any) -> ColumnElement[bool]:
    """Ids are Ruche's numbers written as strings: an id that is not a number
    names nothing."""
    if op not in (CompareOperator.eq, CompareOperator.ne):
        raise InvalidFilterException(detail="An id compares with eq or ne.")
    number = int(value) if isinstance(value, str) and value.isdigit() else None
    if number is None or number > 2**62:
        return false() if op is CompareOperator.eq else true()
    return column == number if op is CompareOperator.eq else column != number


def _moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidFilterException(detail="A date is written as in RFC 3339.") from error
    if moment.tzinfo is None:
        raise InvalidFilterException(detail="A date carries its offset (Z or +hh:mm).")
    return moment


def _ordered(column, op: CompareOperator, value: Any) -> ColumnElement[bool]:
    match op:
        case CompareOperator.eq:
            return column == value
        case CompareOperator.ne:
            return column != value
        case CompareOperator.gt:
            return column > value
        case CompareOperator.ge:
            return column >= value
        case CompareOperator.lt:
            return column < value
        case CompareOperator.le:
            return column <= value
    raise InvalidFilterException(detail=f"{op} does not apply to this attribute.")
