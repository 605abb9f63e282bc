"""The one way a date or a time is shown to a person, in the request's language.

Recent moments read as people say them ("il y a 5 minutes", "in 2 hours");
older or later ones as a date and time ("5 déc. 2026, 22:06"). In a page each
is a ``<time>`` element whose ``datetime`` attribute holds the exact moment,
whose title holds it in full, and which ``frontend/static/js/when.js``
re-renders in the reader's own time zone with the browser's ``Intl``, following
the same rules, and keeps relative times current. The server knows no zone but
UTC (Ruche has no per-site or per-person zone), so the text it renders, and all
text a page has without scripts, is in UTC.

Calendar days (an access end, an invitation's expiry) are days, not moments:
they are shown as a date and never shifted to another zone.
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from babel import Locale
from babel.dates import format_date, format_time, format_timedelta
from markupsafe import Markup

from app.errors import Invalid
from app.i18n import _, current_language

# Closer to now than this, a moment reads relative; the browser uses the same.
RELATIVE_WITHIN = timedelta(hours=24)
# Relative times count whole units, largest first, as Intl.RelativeTimeFormat
# is given them by when.js.
_UNITS = (("hour", 3600), ("minute", 60), ("second", 1))


def _locale() -> Locale:
    return Locale.parse(current_language.get().value)


def _utc(moment: datetime) -> datetime:
    # Naive datetimes from the database (SQLite) are UTC.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_day(day: date | datetime, *, spelled_out: bool = False) -> str:
    """A calendar day: "5 déc. 2026", "Dec 5, 2026"; spelled out, as a title or a
    document says it: "5 décembre 2026", "December 5, 2026"."""
    if isinstance(day, datetime):
        day = _utc(day).date()
    return format_date(day, "long" if spelled_out else "medium", locale=_locale())


def _moment(moment: datetime, date_style: str, time_style: str) -> str:
    """A date and a time together, the locale's way for ``date_style`` (Babel's
    format_datetime joins only a date and a time of the same length)."""
    locale, moment = _locale(), _utc(moment)
    pattern = str(locale.datetime_formats[date_style]).replace("'", "")
    return pattern.replace("{1}", format_date(moment, date_style, locale=locale)).replace(
        "{0}", format_time(moment, time_style, tzinfo=UTC, locale=locale)
    )


def format_moment(moment: datetime) -> str:
    """A moment, to the minute: "5 déc. 2026, 22:06", "Dec 5, 2026, 10:06 PM"."""
    return _moment(moment, "medium", "short")


def format_moment_in_full(moment: datetime) -> str:
    """A moment with its weekday, seconds and zone, for a tooltip."""
    return _moment(moment, "full", "long")


def format_relative(moment: datetime, now: datetime | None = None) -> str:
    """How long ago (or how soon) a moment is, in whole hours, minutes or
    seconds: "il y a 5 minutes", "in 2 hours", "now" below one second. Meant for
    moments within RELATIVE_WITHIN of now."""
    delta = _utc(moment) - (now or datetime.now(UTC))
    seconds = int(abs(delta.total_seconds()))
    if seconds == 0:
        # CLDR's word for "now", which Intl.RelativeTimeFormat also gives;
        # Babel keeps it in its locale data without a public accessor.
        return str(_locale()._data["date_fields"]["second"]["relative"][0])
    unit, size = next((unit, size) for unit, size in _UNITS if seconds >= size)
    whole = timedelta(seconds=seconds // size * size)
    return format_timedelta(
        whole if delta > timedelta(0) else -whole,
        granularity=unit,
        # A threshold no count reaches: Babel keeps the unit asked for, unrounded.
        threshold=1_000_000,
        add_direction=True,
        locale=_locale(),
    )


def format_when(moment: datetime, now: datetime | None = None) -> str:
    """Relative when recent, absolute otherwise: the text of a ``<time>``."""
    now = now or datetime.now(UTC)
    if abs(_utc(moment) - now) < RELATIVE_WITHIN:
        return format_relative(moment, now)
    return format_moment(moment)


def when(moment: datetime | str | None, now: datetime | None = None) -> Markup:
    """A moment as a page shows it: ``<time datetime title data-when>``; when.js
    re-renders it in the reader's zone and keeps it current. A moment may come
    as ISO text, as in the API-shaped results some services return."""
    if moment is None:
        return Markup("")
    moment = _utc(datetime.fromisoformat(moment) if isinstance(moment, str) else moment)
    return Markup('<time datetime="{}" title="{}" data-when>{}</time>').format(
        moment.isoformat(), format_moment_in_full(moment), format_when(moment, now)
    )


def day(value: date | datetime | str | None) -> Markup:
    """A calendar day as a page shows it; never moved to another zone. Like
    ``when``, it takes ISO text too (audit details hold their dates so)."""
    if value is None:
        return Markup("")
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        value = _utc(value).date()
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), format_day(value))


def start_of_day(text: str) -> datetime | None:
    """A day typed in a form's date field (YYYY-MM-DD) as the instant it starts,
    in UTC, the zone of every day Ruche keeps; ``None`` when left blank."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise Invalid(_("The date is not valid."), code="invalid_date") from error
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of_day(text: str) -> datetime | None:
    """The last day of a period typed in a form, included: the instant the next
    day starts (a period runs up to it, excluded); ``None`` when left blank."""
    start = start_of_day(text)
    return None if start is None else start + timedelta(days=1)


# --- moments in a named zone: an event's times -----------------------------------
# An event is planned in a time zone; its page says its times there, naming the
# zone, and a calendar lays its days out in the zone it is shown in. These
# ``<time>`` carry no data-when: when.js leaves them as written, zone and all.


def format_clock(moment: datetime, zone: tzinfo) -> str:
    """The time of day of a moment in ``zone``: "09:30", "9:30 AM"."""
    return format_time(_utc(moment), "short", tzinfo=zone, locale=_locale())


def format_in_zone(moment: datetime, zone: tzinfo) -> str:
    """A moment to the minute in ``zone``, with the day spelled out with its
    weekday: "jeudi 10 décembre 2026, 09:30"."""
    local = _utc(moment).astimezone(zone)
    return f"{format_date(local.date(), 'full', locale=_locale())}, {format_clock(moment, zone)}"


def in_zone(moment: datetime, zone: tzinfo, *, clock_only: bool = False) -> Markup:
    """A moment as a page shows it in a named zone (the zone itself is said
    beside it by the page)."""
    text = format_clock(moment, zone) if clock_only else format_in_zone(moment, zone)
    return Markup('<time datetime="{}">{}</time>').format(_utc(moment).isoformat(), text)


# --- a calendar's headings ----------------------------------------------------------


def month_name(value: date) -> str:
    """A month and its year: "décembre 2026", "December 2026"."""
    return format_date(value, "LLLL yyyy", locale=_locale())


def weekday_name(value: date) -> str:
    """A weekday, short, for a calendar's columns: "lun.", "Mon"."""
    return format_date(value, "EEE", locale=_locale())


def day_name(value: date) -> Markup:
    """A day with its weekday, spelled out: "jeudi 10 décembre 2026"."""
    return Markup('<time datetime="{}">{}</time>').format(
        value.isoformat(), format_date(value, "full", locale=_locale())
    )


def day_in_grid(value: date) -> Markup:
    """A day in a calendar's grid: its number shown, read out in full."""
    return Markup(
        '<time datetime="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></time>'
    ).format(value.isoformat(), value.day, format_date(value, "full", locale=_locale()))
