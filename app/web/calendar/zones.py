"""Time zones the calendar pages offer and take."""

from functools import cache
from zoneinfo import available_timezones

# Ruche's first users are French companies; the browser's own zone is
# preselected by script (calendar.js) where it differs.
DEFAULT_ZONE = "Europe/Paris"

# A zone asked for in a calendar's address; empty: the default.
ZONE_PATTERN = r"^([A-Za-z][A-Za-z0-9_+/-]*)?$"


@cache
def zone_names() -> list[str]:
    """Every zone the system knows, by name; the old aliases ("US/Pacific",
    "posix/…") left out."""
    aliases = ("posix/", "right/", "Etc/", "SystemV/", "US/")
    regions = (name for name in available_timezones() if "/" in name)
    return [*sorted(name for name in regions if not name.startswith(aliases)), "UTC"]
