"""Dates a user types for a filter, normalised to ISO days the same way in the CLI and the UI.

Accepted: YYYY, YYYY-MM, YYYY-MM-DD and DD-MM-YYYY (also D-M-YYYY, with '/' or '.').
A start date means the first day of the period it names, an end date the last day, so an
end date "2022" keeps a document of June 2022.
"""

from __future__ import annotations

import calendar
import datetime
import re

from rag.errors import RagError

FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or DD-MM-YYYY"
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DUTCH = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def parse_date(text: str, end: bool) -> str:
    """The ISO day (YYYY-MM-DD) that `text` names; an end date is the last day of its period.

    Raises RagError naming the accepted forms for anything else ("gisteren", "2021-13-45").
    """
    value = (text or "").strip()
    iso, dutch = _ISO.match(value), _DUTCH.match(value)
    if iso:
        year, month, day = iso.group(1), iso.group(2), iso.group(3)
    elif dutch:
        day, month, year = dutch.group(1), dutch.group(2), dutch.group(3)
    else:
        raise RagError(f"{value!r} is not a date; write {FORMS} (e.g. 2021-07-13 or 13-07-2021)")
    y = int(year)
    m = int(month) if month else (12 if end else 1)
    if not 1 <= m <= 12 or y < 1:
        raise RagError(f"{value!r} is not a real date (month {m}); write {FORMS}")
    d = int(day) if day else (calendar.monthrange(y, m)[1] if end else 1)
    try:
        return datetime.date(y, m, d).isoformat()
    except ValueError as exc:
        raise RagError(f"{value!r} is not a real date ({exc}); write {FORMS}") from exc


def date_range(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """(first day, last day) of a range typed as two dates; blank means open on that side.

    Raises RagError on a bad date or when the start lies after the end.
    """
    low = parse_date(start, end=False) if start and start.strip() else None
    high = parse_date(end, end=True) if end and end.strip() else None
    if low and high and low > high:
        raise RagError(
            f"the date range is reversed: from {low} is after to {high}; "
            "swap the two dates or leave one empty"
        )
    return low, high
