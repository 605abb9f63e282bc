"""The API document's numbers as the models state them.

FastAPI passes the document through its own OpenAPI model, whose schema types
``minimum``, ``maximum`` and the like as float: every bound of a component left
as a float (``1.0``), and the largest id, 2**63 - 1, as 9.223372036854776e+18,
which is 2**63, an id no column holds and the server refuses. Parameters escape
that model; components do not. This puts pydantic's own numbers back.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import (
    get_definitions,
    get_fields_from_routes,
    get_flat_models_from_fields,
    get_model_name_map,
)


def restore_exact_numbers(app: FastAPI, document: dict[str, Any]) -> None:
    """Puts the components' integer bounds back into ``app``'s document."""
    _restore(document.get("components", {}).get("schemas", {}), _definitions(app))


def _definitions(app: FastAPI) -> dict[str, Any]:
    """The components as pydantic writes them, before FastAPI's model: the same
    calls as ``fastapi.openapi.utils.get_openapi`` makes."""
    fields = get_fields_from_routes([*app.routes, *app.webhooks.routes])
    names = get_model_name_map(get_flat_models_from_fields(fields, known_models=set()))
    _, definitions = get_definitions(
        fields=fields,
        model_name_map=names,
        separate_input_output_schemas=app.separate_input_output_schemas,
    )
    return definitions


def _restore(document: Any, exact: Any) -> None:
    """Where the document holds a float and pydantic an int, the int; the rest
    of the document (what FastAPI's model dropped or added) stays as it is."""
    if isinstance(document, dict) and isinstance(exact, dict):
        for key, value in document.items():
            if key not in exact:
                continue
            if isinstance(value, float) and _is_int(exact[key]):
                document[key] = exact[key]
            else:
                _restore(value, exact[key])
    elif isinstance(document, list) and isinstance(exact, list):
        for value, exact_value in zip(document, exact, strict=False):
            _restore(value, exact_value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
