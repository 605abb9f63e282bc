"""What a search answers: results with their snippets, facets, suggestions."""

from datetime import datetime

from pydantic import BaseModel, Field

from app.levels import Level
from app.models import SearchKind
from app.schemas.account import AvatarUrl


class SearchSpace(BaseModel):
    id: int
    name: str


class SearchAuthor(BaseModel):
    id: int
    handle: str
    display_name: str


class SearchResult(BaseModel):
    type: SearchKind
    id: int = Field(description="The item's id (a post's, a page's, a person's...).")
    title: str | None = Field(
        description="A page's or an event's title, a space's or a person's name, a file's "
        "name; null for posts and comments."
    )
    url: str = Field(description="Where the item is shown (a file: its content).")
    snippet: str = Field(
        description="HTML: the text around the first match, escaped, the matched words in <mark>."
    )
    space: SearchSpace | None = Field(description="The space the item is in, if any.")
    author: SearchAuthor | None = Field(
        description="Who wrote it (posts, comments, pages), who planned it (events)."
    )
    created_at: datetime
    level: Level | None = Field(description="Posts, comments (their post's), pages and events.")
    starts_at: datetime | None = Field(
        default=None, description="Events: the start of the first occurrence."
    )
    cancelled: bool | None = Field(
        default=None, description="Events: cancelled (still found, shown as such)."
    )
    avatar_url: AvatarUrl = None  # people only


class TypeCount(BaseModel):
    type: SearchKind
    count: int


class SpaceCount(BaseModel):
    id: int
    name: str
    count: int


class SearchFacets(BaseModel):
    total: int = Field(description="Matches, at most 1000 (see capped).")
    capped: bool = Field(
        description='More than 1000 matches: show "1000+"; the counts are those of the newest 1000.'
    )
    types: list[TypeCount] = Field(description="Matches per type, whatever the type filter.")
    spaces: list[SpaceCount] = Field(description="The spaces with the most matches (10).")


class SearchPage(BaseModel):
    items: list[SearchResult]
    next_cursor: str | None
    facets: SearchFacets


class Suggestion(BaseModel):
    type: SearchKind
    id: int
    title: str
    url: str
    avatar_url: AvatarUrl = None  # people only


class Suggestions(BaseModel):
    people: list[Suggestion]
    spaces: list[Suggestion]
    pages: list[Suggestion]
    hashtags: list[str] = Field(description="Hashtags carried by posts the caller may read.")
