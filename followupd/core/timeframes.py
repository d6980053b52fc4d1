"""Durations, business days and "what they told you" phrases → dates (pure).

Durations (config values): a whole number, optional space, then a unit —
`45s`, `90m`, `2h`, `3d`, `1w`, `2 hours`, `3 days`, `1 week`, `5 business days`,
`1 working day`. Numbers may be words up to twenty ("five business days").
Zero is allowed, negatives are not.

Decision phrases are read by followupd.decision_phrases; its docstring lists them.
"""


from __future__ import annotations

import math
import re
from datetime import date, timedelta

from followupd.model import Duration

DURATION_EXAMPLES = ("90m", "2h", "3d", "1w", "5 business days")
DECISION_EXAMPLES = (
    "by the end of the month",
    "within two weeks",
    "by Friday",
    "early next week",
    "10 business days",
    "by December 5",
)

NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen"
        " fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}


class TimeframeError(ValueError):
    """A phrase or duration we cannot read; the message lists accepted examples."""


# --------------------------------------------------------------------------
# Business calendar
# --------------------------------------------------------------------------


class BusinessCalendar:
    """Weekends, plus a country's public holidays when one is configured."""

    def __init__(self, country: str | None = None) -> None:
        self.country = country
        self._holidays = _country_holidays(country) if country else None

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.country!r})"

    def is_business_day(self, day: date) -> bool:
        """Whether day is a weekday that is not a public holiday."""
        return day.weekday() < 5 and self.holiday_name(day) is None

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's name on day, or None."""
        if self._holidays is None:
            return None
        return self._holidays.get(day)

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after day."""
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, day: date, count: int) -> date:
        """The count-th business day after day (count=0: day itself, or the next business day)."""
        if count < 0:
            raise ValueError(f"cannot count {count} business days backwards")
        if count == 0:
            return day if self.is_business_day(day) else self.next_business_day(day)
        for _ in range(count):
            day = self.next_business_day(day)
        return day


def _country_holidays(country: str):
    """The holidays package's calendar for "US" or "US-CA"; years load on first use."""
    import holidays  # imported here so `followupd --help` does not pay for it

    code, _, subdivision = country.strip().upper().partition("-")
    try:
        return holidays.country_holidays(code, subdiv=subdivision or None)
    except NotImplementedError as error:
        raise TimeframeError(
            f'unknown holiday country "{country}"; use an ISO 3166 code such as'
            ' "US", "GB" or "DE", optionally with a region such as "US-CA"'
        ) from error


# --------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------

_NUMBER = r"\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_DURATION_PATTERN = re.compile(rf"(?P<count>{_NUMBER})\s*(?P<unit>[a-z][a-z ]*)")
_DURATION_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), timedelta(seconds=1)),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days"), timedelta(days=1)),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), timedelta(weeks=1)),
}
_BUSINESS_UNITS = ("business day", "business days", "working day", "working days")


def number(word: str) -> int:
    """A count written in digits or as a word up to twenty."""
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def parse_duration(text: str) -> Duration:
    """`90m`, `2h`, `3d`, `1w`, `N business days` → Duration."""
    written = text.strip()
    match = _DURATION_PATTERN.fullmatch(written.lower())
    unit = " ".join(match["unit"].split()) if match else ""
    if not match or (unit not in _DURATION_UNITS and unit not in _BUSINESS_UNITS):
        examples = ", ".join(DURATION_EXAMPLES[:-1]) + f" or {DURATION_EXAMPLES[-1]}"
        raise TimeframeError(f'expected a duration like {examples}, got "{written}"')
    count = number(match["count"])
    if unit in _BUSINESS_UNITS:
        return Duration(business_days=count, text=written)
    return Duration(exact=count * _DURATION_UNITS[unit], text=written)


def date_after(day: date, duration: Duration, calendar: BusinessCalendar) -> date:
    """The day a duration counted from day ends on, partial days rounded up."""
    if duration.business_days is not None:
        return calendar.add_business_days(day, duration.business_days)
    seconds = (duration.exact or timedelta()).total_seconds()
    return day + timedelta(days=math.ceil(seconds / 86400))
