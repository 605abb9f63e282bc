"""Page templates for what project spaces write again and again. Each is
Markdown in the reader's language, filled with today's date where it helps."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

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
    return _("Meeting notes %(date)s") % {"date": day.isoformat()}


def _meeting_body(day: date) -> str:
    return "\n".join(
        [
            f"**{_('Date')}** : {day.isoformat()}",
            f"**{_('Participants')}** : @",
            "",
            f"## {_('Agenda')}",
            "",
            "1. ",
            "",
            f"## {_('Discussion')}",
            "",
            f"## {_('Decisions')}",
            "",
            "- ",
            "",
            f"## {_('Actions')}",
            "",
            f"| {_('What')} | {_('Who')} | {_('By when')} |",
            "| --- | --- | --- |",
            "|  |  |  |",
            "",
        ]
    )


def _charter_title(day: date) -> str:
    return _("Project charter")


def _charter_body(day: date) -> str:
    return "\n".join(
        [
            f"## {_('Objectives')}",
            "",
            f"- {_('What the project must achieve, and how we will know it did.')}",
            "",
            f"## {_('People')}",
            "",
            f"- **{_('Sponsor')}** : @",
            f"- **{_('Project lead')}** : @",
            f"- **{_('Team')}** : ",
            "",
            f"## {_('Strategy')}",
            "",
            f"## {_('Milestones')}",
            "",
            f"| {_('Milestone')} | {_('Date')} |",
            "| --- | --- |",
            "|  |  |",
            "",
            f"## {_('Tools')}",
            "",
            f"## {_('Risks')}",
            "",
        ]
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
