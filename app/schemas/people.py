"""People: the directory's cards and filters, a person's profile and org chart,
and the two ways a profile changes (the person's own fields, the
administrators' organisational ones)."""

from typing import Annotated

from pydantic import BaseModel, Field

from app.schemas.account import UserPublic
from app.schemas.common import ReadModel, RowId
from app.services.people.profiles import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_BIO,
    MAX_PHONE,
    MAX_TAG,
    MAX_TAGS,
    MAX_TEXT_FIELD,
    PHONE_PATTERN,
)

TagName = Annotated[str, Field(max_length=MAX_TAG)]
TagNames = Annotated[
    list[TagName],
    Field(
        max_length=MAX_TAGS,
        description="Replaces the former list. Trimmed; blank ones dropped; one per name "
        "whatever its case and accents.",
    ),
]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
JobTitle = Annotated[str, Field(max_length=MAX_TEXT_FIELD["job_title"])]
Department = Annotated[str, Field(max_length=MAX_TEXT_FIELD["department"])]
Site = Annotated[str, Field(max_length=MAX_TEXT_FIELD["site"])]
Organisation = Annotated[str, Field(max_length=MAX_TEXT_FIELD["organisation"])]
ADMINS_ONLY = "Administrators only: sending it answers 403."


class Tag(BaseModel):
    key: str = Field(description="The name folded (lower case, no accents): the filter's value.")
    name: str


class PersonCard(UserPublic):
    """A person in the directory."""

    job_title: str
    department: str
    site: str
    skills: list[Tag] = Field(default_factory=list)


class Profile(PersonCard):
    organisation: str
    joined_year: int | None
    left_year: int | None
    phone: str
    bio: str = Field(description="Markdown.")
    interests: list[Tag] = Field(default_factory=list)
    languages: list[Tag] = Field(default_factory=list)
    is_active: bool
    manager: UserPublic | None = Field(
        default=None, description="Null also when the caller may not know of the manager."
    )


class Facet(ReadModel):
    value: str = Field(description="What the filter of the same name takes.")
    label: str
    count: int = Field(description="Active people the caller may know of that it holds.")


class DirectoryFacets(ReadModel):
    departments: list[Facet]
    sites: list[Facet]
    skills: list[Facet] = Field(description="The most declared skills, by name.")


class OrgChartRead(ReadModel):
    person: UserPublic
    managers: list[UserPublic] = Field(
        description="From the top down to the person's own manager; those the caller may "
        "not know of are left out."
    )
    reports: list[UserPublic] = Field(description="Direct reports the caller may know of.")


class OwnProfileUpdate(BaseModel):
    """What a person sets on their own profile. The organisational fields are
    listed to say so: sending one answers 403 ``organisational_field``."""

    model_config = {"extra": "forbid"}

    phone: str | None = Field(default=None, max_length=MAX_PHONE, pattern=PHONE_PATTERN)
    bio: str | None = Field(default=None, max_length=MAX_BIO)
    skills: TagNames | None = None
    interests: TagNames | None = None
    languages: TagNames | None = None
    job_title: JobTitle | None = Field(default=None, description=ADMINS_ONLY)
    department: Department | None = Field(default=None, description=ADMINS_ONLY)
    site: Site | None = Field(default=None, description=ADMINS_ONLY)
    manager_id: RowId | None = Field(default=None, description=ADMINS_ONLY)
    organisation: Organisation | None = Field(default=None, description=ADMINS_ONLY)
    joined_year: Year | None = Field(default=None, description=ADMINS_ONLY)
    left_year: Year | None = Field(default=None, description=ADMINS_ONLY)


class OrganisationalUpdate(BaseModel):
    """What administrators set; a field left out is kept, null clears it."""

    model_config = {"extra": "forbid"}

    job_title: JobTitle | None = None
    department: Department | None = None
    site: Site | None = None
    manager_id: RowId | None = Field(
        default=None,
        description="An active employee, not the person, nor anyone who reports to them.",
    )
    organisation: Organisation | None = None
    joined_year: Year | None = None
    left_year: Year | None = None


class ExpertReason(BaseModel):
    kind: str = Field(
        description="skill (a declared skill), accepted_answers (on questions about the "
        "topic), wiki_pages (created or revised), posts, comments."
    )
    count: int = Field(description="Items you may read (1 for a skill).")
    topic: str
    skill: str | None = Field(default=None, description="The skill as declared (kind skill).")


class Expert(BaseModel):
    person: PersonCard
    score: int = Field(
        description="Sum of weight × count: skill 8, answer 5, page 3, post 2, comment 1."
    )
    reasons: list[ExpertReason]


class Experts(BaseModel):
    items: list[Expert]
