"""Calendars: events in spaces and company-wide (``events``), when they take
place (``occurrences``), who answers (``answers``), and iCalendar (``ics``,
``feeds``). Events are content: ``app.access.readable`` decides who reads them."""
