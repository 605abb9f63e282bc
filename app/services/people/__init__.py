"""People: the directory and finding a person (directory.py), each one's
profile and who may change what in it (profiles.py), and the org chart around a
person (org_chart.py), and who knows about a topic (experts.py). Every read
shows only whom the viewer may know of."""

from app.services.people.directory import (
    DirectoryFilters,
    access_person,
    directory_facets,
    list_people,
    named_like,
    tags_of,
)
from app.services.people.experts import Expert, Reason, ReasonKind, who_knows
from app.services.people.org_chart import OrgChart, org_chart, spaces_of, visible_manager
from app.services.people.profiles import (
    ORGANISATIONAL_FIELDS,
    OWN_FIELDS,
    TAG_FIELDS,
    bio_html,
    edit_own_profile,
    manager_by_handle,
    profile_tags,
    set_organisational_fields,
    year_of,
)

__all__ = [
    "ORGANISATIONAL_FIELDS",
    "OWN_FIELDS",
    "TAG_FIELDS",
    "DirectoryFilters",
    "Expert",
    "OrgChart",
    "Reason",
    "ReasonKind",
    "access_person",
    "bio_html",
    "directory_facets",
    "edit_own_profile",
    "list_people",
    "manager_by_handle",
    "named_like",
    "org_chart",
    "profile_tags",
    "set_organisational_fields",
    "spaces_of",
    "tags_of",
    "visible_manager",
    "who_knows",
    "year_of",
]
