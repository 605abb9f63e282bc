"""A readable API reference at /api/docs, rendered from the OpenAPI document on
the server: no CDN and no inline script, so it obeys the same CSP as every page."""

from fastapi import APIRouter, Request

from app.api.openapi import declared_codes

router = APIRouter(include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")


@router.get("/api/docs")
async def api_docs(request: Request):
    spec = request.app.openapi()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
            "tag": (operation.get("tags") or ["other"])[0],
            "parameters": operation.get("parameters", []),
            "body": _schema_name(operation.get("requestBody")),
            "responses": {
                status: _schema_name(response)
                for status, response in operation.get("responses", {}).items()
                if not status.startswith("4")
            },
            "errors": {
                status: ", ".join(sorted(codes))
                for status, codes in sorted(declared_codes(operation).items())
            },
            "scope": next(
                (way["token"][0] for way in operation.get("security", ()) if "token" in way), None
            ),
        }
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    return request.app.state.pages.render(
        request, "api_docs.html", {"operations": operations, "spec": spec}
    )


def _schema_name(holder: dict | None) -> str | None:
    if not holder:
        return None
    for content in holder.get("content", {}).values():
        ref = content.get("schema", {}).get("$ref", "")
        return ref.rsplit("/", 1)[-1] or "object"
    return None
