"""What Ruche's SCIM service publishes about itself (RFC 7643 §5-7): the
attributes it keeps, its resource types and its capabilities.

The schemas are the standard ones (scim2-models) cut down to what Ruche
stores, so a client, and the compliance checker, only ever tries attributes
that survive a round trip. Requests are still read with the full standard
models: an attribute Ruche does not keep is ignored, as RFC 7644 §3.3 allows.
"""

from functools import cache

from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Patch,
    Required,
    ResourceType,
    Schema,
    SchemaExtension,
    ServiceProviderConfig,
    Sort,
    User,
)

UserResource = User[EnterpriseUser]
GroupResource = Group
ENTERPRISE = str(EnterpriseUser.__schema__)
USER_SCHEMA = str(User.__schema__)
GROUP_SCHEMA = str(Group.__schema__)

# Every page of a list holds at most this many resources (RFC 7644 §3.4.2.4).
MAX_RESULTS = 200

# The attributes Ruche keeps, with the sub-attributes of each complex one.
_KEPT = {
    USER_SCHEMA: {
        "userName": None,
        "name": {"formatted", "givenName", "familyName"},
        "displayName": None,
        "title": None,
        "active": None,
        "emails": {"value", "type", "primary"},
        "phoneNumbers": {"value", "type", "primary"},
    },
    ENTERPRISE: {"department": None, "manager": {"value", "$ref"}},
    GROUP_SCHEMA: {"displayName": None, "members": {"value", "$ref", "type"}},
}
# Always there on a Ruche account: a remove cannot unassign them, and a
# creation without them gets one (the name is then made from the others).
_ALWAYS = {"displayName", "active"}


def _kept(schema: Schema) -> Schema:
    kept = _KEPT[str(schema.id)]
    schema = schema.model_copy(deep=True)
    schema.attributes = [a for a in schema.attributes or [] if a.name in kept]
    for attribute in schema.attributes:
        if str(schema.id) == USER_SCHEMA and attribute.name in _ALWAYS:
            attribute.required = Required.true
        if kept[attribute.name] is not None:
            attribute.sub_attributes = [
                sub for sub in attribute.sub_attributes or [] if sub.name in kept[attribute.name]
            ]
    return schema


@cache
def schemas() -> tuple[Schema, ...]:
    return tuple(_kept(model.to_schema()) for model in (User, EnterpriseUser, Group))


@cache
def resource_types() -> tuple[ResourceType, ...]:
    return (
        ResourceType(
            id="User",
            name="User",
            description="A person's account",
            endpoint="/Users",
            schema_=URN(USER_SCHEMA),
            schema_extensions=[SchemaExtension(schema_=URN(ENTERPRISE), required=False)],
        ),
        ResourceType(
            id="Group",
            name="Group",
            description="A group of the identity provider; may lead to a space",
            endpoint="/Groups",
            schema_=URN(GROUP_SCHEMA),
        ),
    )


@cache
def service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A SCIM token an administrator created in Ruche",
                primary=True,
            )
        ],
    )
