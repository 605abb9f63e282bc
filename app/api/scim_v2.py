"""SCIM 2.0 (RFC 7643, 7644) at /scim/v2, for the company's identity provider.

Thin like every router: read the request, call app.services.scim, answer in
``application/scim+json``. Errors leave in SCIM's own shape (app/api/scim_errors.py),
since the callers are SCIM clients. Only a SCIM client's token opens it: a
personal token or a session is "not a SCIM token" (401). Out of /api/openapi.json:
the service describes itself at /ServiceProviderConfig, /Schemas and /ResourceTypes.
"""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response
from scim2_models import (
    Context,
    InvalidSyntaxException,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    ResponseParameters,
    UnauthorizedException,
)

from app.api.deps import Address, Session
from app.api.scim_errors import PREFIX, scim_response
from app.models import ScimClient
from app.services.scim import clients, groups, users
from app.services.scim.common import search_request, validated
from app.services.scim.schema import (
    GroupResource,
    UserResource,
    resource_types,
    schemas,
    service_provider_config,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)


async def scim_client(request: Request, session: Session) -> ScimClient:
    authorization = request.headers.get("authorization", "")
    scheme, _, secret = authorization.partition(" ")
    client = None
    if scheme.lower() == "bearer" and secret.strip():
        client = await clients.client_for_secret(session, secret.strip())
    if client is None:
        raise UnauthorizedException(detail="A SCIM token is required.")
    return client


Client = Annotated[ScimClient, Depends(scim_client)]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200)]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", max_length=200)]
Attributes = Annotated[str | None, Query(max_length=1000)]
ExcludedAttributes = Annotated[str | None, Query(alias="excludedAttributes", max_length=1000)]


def base_url(request: Request) -> str:
    settings = request.app.state.settings
    return settings.public_url.rstrip("/") + PREFIX


async def _body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError as error:
        raise InvalidSyntaxException(detail="The body is not JSON.") from error


def _parameters(model, attributes: str | None, excluded: str | None) -> ResponseParameters:
    return validated(
        ResponseParameters[model],
        {"attributes": attributes, "excludedAttributes": excluded},
        Context.RESOURCE_QUERY_REQUEST,
    )


def _one(resource, context: Context, parameters=None, status: int = 200) -> Response:
    headers = {"ETag": resource.meta.version}
    if status == 201:
        headers["Location"] = str(resource.meta.location)
    body = resource.model_dump(scim_ctx=context, response_parameters=parameters)
    return scim_response(body, status, **headers)


def _listing(model, listing, resources, parameters) -> Response:
    answer = ListResponse[model](
        total_results=listing.total,
        start_index=listing.start_index,
        items_per_page=len(resources),
        resources=resources,
    )
    return scim_response(
        answer.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=parameters)
    )


# Discovery (RFC 7644 §4).


@router.get("/ServiceProviderConfig")
async def read_service_provider_config(_client: Client):
    return scim_response(
        service_provider_config().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    )


def _discovery_list(items, request: Request, endpoint: str) -> Response:
    bodies = []
    for item in items:
        body = item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        body["meta"] = {
            "resourceType": "Schema" if endpoint == "Schemas" else "ResourceType",
            "location": f"{base_url(request)}/{endpoint}/{item.id}",
        }
        bodies.append(body)
    return scim_response(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(bodies),
            "startIndex": 1,
            "itemsPerPage": len(bodies),
            "Resources": bodies,
        }
    )


def _discovery_item(items, request: Request, endpoint: str, item_id: str) -> Response:
    listed = json.loads(_discovery_list(items, request, endpoint).body)["Resources"]
    for body in listed:
        if body["id"] == item_id:
            return scim_response(body)
    raise NotFoundException()


def _discovery_routes(endpoint: str, items) -> None:
    @router.get(f"/{endpoint}", name=f"scim_list_{endpoint}")
    async def list_items(request: Request, _client: Client):
        return _discovery_list(items(), request, endpoint)

    @router.get(f"/{endpoint}/{{item_id}}", name=f"scim_read_{endpoint}")
    async def read_item(item_id: str, request: Request, _client: Client):
        return _discovery_item(items(), request, endpoint, item_id)


_discovery_routes("Schemas", schemas)
_discovery_routes("ResourceTypes", resource_types)


@router.post("/.search")
async def search_everything(_client: Client):
    """RFC 7644 §3.4.3 lets a service refuse a search across resource types."""
    raise NotImplementedException(detail="Search /Users or /Groups.")


# Users and Groups: the same routes over two services.

_KINDS = {
    "Users": (
        UserResource,
        users.list_users,
        users.read_user,
        users.create_user,
        users.change_user,
        users.delete_user,
        "user_id",
    ),
    "Groups": (
        GroupResource,
        groups.list_groups,
        groups.read_group,
        groups.create_group,
        groups.change_group,
        groups.delete_group,
        "group_id",
    ),
}


def _routes(endpoint: str) -> None:
    model, list_, read, create, change, delete, id_name = _KINDS[endpoint]

    async def search(session, client, request, parameters: dict) -> Response:
        found = search_request(model, parameters)
        listing, resources = await list_(
            session, client=client, base_url=base_url(request), request=found
        )
        shown = ResponseParameters(
            attributes=found.attributes, excluded_attributes=found.excluded_attributes
        )
        return _listing(model, listing, resources, shown)

    @router.get(f"/{endpoint}", name=f"scim_list_{endpoint}")
    async def list_resources(
        request: Request,
        session: Session,
        client: Client,
        filter: Annotated[str | None, Query(max_length=2000)] = None,
        sort_by: Annotated[str | None, Query(alias="sortBy", max_length=200)] = None,
        sort_order: Annotated[str | None, Query(alias="sortOrder", max_length=20)] = None,
        start_index: Annotated[str | None, Query(alias="startIndex", max_length=20)] = None,
        count: Annotated[str | None, Query(max_length=20)] = None,
        attributes: Attributes = None,
        excluded_attributes: ExcludedAttributes = None,
    ):
        return await search(
            session,
            client,
            request,
            {
                "filter": filter,
                "sortBy": sort_by,
                "sortOrder": sort_order,
                "startIndex": start_index,
                "count": count,
                "attributes": attributes,
                "excludedAttributes": excluded_attributes,
            },
        )

    @router.post(f"/{endpoint}/.search", name=f"scim_search_{endpoint}")
    async def search_resources(request: Request, session: Session, client: Client):
        body = await _body(request)
        if not isinstance(body, dict):
            raise InvalidSyntaxException(detail="A search request is a JSON object.")
        body.pop("schemas", None)
        return await search(session, client, request, body)

    @router.post(f"/{endpoint}", name=f"scim_create_{endpoint}")
    async def create_resource(request: Request, session: Session, client: Client, address: Address):
        resource = await create(
            session,
            client=client,
            base_url=base_url(request),
            payload=await _body(request),
            address=address,
        )
        return _one(resource, Context.RESOURCE_CREATION_RESPONSE, status=201)

    @router.get(f"/{endpoint}/{{item_id}}", name=f"scim_read_{endpoint}")
    async def read_resource(
        item_id: str,
        request: Request,
        session: Session,
        client: Client,
        if_none_match: IfNoneMatch = None,
        attributes: Attributes = None,
        excluded_attributes: ExcludedAttributes = None,
    ):
        parameters = _parameters(model, attributes, excluded_attributes)
        resource = await read(
            session, client=client, base_url=base_url(request), **{id_name: item_id}
        )
        if if_none_match and resource.meta.version in {
            tag.strip() for tag in if_none_match.split(",")
        }:
            return Response(status_code=304, headers={"ETag": resource.meta.version})
        return _one(resource, Context.RESOURCE_QUERY_RESPONSE, parameters)

    def change_route(patching: bool, context: Context):
        async def change_resource(
            item_id: str,
            request: Request,
            session: Session,
            client: Client,
            address: Address,
            if_match: IfMatch = None,
        ):
            resource = await change(
                session,
                client=client,
                base_url=base_url(request),
                payload=await _body(request),
                if_match=if_match,
                address=address,
                patching=patching,
                **{id_name: item_id},
            )
            return _one(resource, context)

        return change_resource

    router.put(f"/{endpoint}/{{item_id}}", name=f"scim_replace_{endpoint}")(
        change_route(False, Context.RESOURCE_REPLACEMENT_RESPONSE)
    )
    router.patch(f"/{endpoint}/{{item_id}}", name=f"scim_patch_{endpoint}")(
        change_route(True, Context.RESOURCE_PATCH_RESPONSE)
    )

    @router.delete(f"/{endpoint}/{{item_id}}", name=f"scim_delete_{endpoint}")
    async def delete_resource(
        item_id: str,
        request: Request,
        session: Session,
        client: Client,
        address: Address,
        if_match: IfMatch = None,
    ):
        await delete(
            session,
            client=client,
            base_url=base_url(request),
            if_match=if_match,
            address=address,
            **{id_name: item_id},
        )
        return Response(status_code=204)


for _endpoint in _KINDS:
    _routes(_endpoint)
