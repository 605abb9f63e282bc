"""Page templates for what project spaces write again and again. Each is
Markdown in the reader's language, filled with today's date where it helps."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.dates import format_day
from app.errors import Invalid
from app.i18n import _
from app.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class Template:
    name: str
    label: object  # a lazy string, translated when shown
    title: Callable[[date], str]
    body: Callable[[date], str]


def _meeting_title(day: date) -> str:
    return _("Meeting notes of %(date)s") % {"date": format_day(day, spelled_out=True)}


# Each template is one message, so that translators see the whole document.
def _meeting_body(day: date) -> str:
    return _(
        "**Date**: %(date)s\n"
        "**Participants**: @\n"
        "\n"
        "## Agenda\n"
        "\n"
        "1. \n"
        "\n"
        "## Discussion\n"
        "\n"
        "## Decisions\n"
        "\n"
        "- \n"
        "\n"
        "## Actions\n"
        "\n"
        "| What | Who | By when |\n"
        "| --- | --- | --- |\n"
        "|  |  |  |\n"
    ) % {"date": format_day(day, spelled_out=True)}


def _charter_title(day: date) -> str:
    return _("Project charter")


def _charter_body(day: date) -> str:
    return _(
        "## Objectives\n"
        "\n"
        "- What the project must achieve, and how we will know it did.\n"
        "\n"
        "## People\n"
        "\n"
        "- **Sponsor**: @\n"
        "- **Project lead**: @\n"
        "- **Team**: \n"
        "\n"
        "## Strategy\n"
        "\n"
        "## Milestones\n"
        "\n"
        "| Milestone | Date |\n"
        "| --- | --- |\n"
        "|  |  |\n"
        "\n"
        "## Tools\n"
        "\n"
        "## Risks\n"
    )


TEMPLATES = {
    template.name: template
    for template in (
        Template("meeting_notes", _l("Meeting notes"), _meeting_title, _meeting_body),
        Template("project_charter", _l("Project charter"), _charter_title, _charter_body),
    )
}


def template_named(name: str) -> Template:
    if name not in TEMPLATES:
        raise Invalid(_("There is no such page template."), code="unknown_template")
    return TEMPLATES[name]
