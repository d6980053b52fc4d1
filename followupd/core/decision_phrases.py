"""The employer's words about their decision → the last day they gave themselves (pure).

Decision phrases (what the employer said, read relative to the interview day;
case-insensitive, filler such as "we expect to decide" or "hopefully" is ignored):

- Dates: `2026-12-05`, `12/5` or `12/5/2026` (US month/day), `December 5`,
  `Dec. 5th`, `5 December`, `5th of December`, `December 5, 2026`. Without a
  year, a date before the interview day means next year.
- A day of the month: `by the 15th` — the next 15th strictly after the
  interview day (clamped to the month's last day, so "the 31st" in November is
  November 30).
- Parts of a named month: `early December` (10th), `mid December` (15th),
  `end of December` / `late December` / `in December` (last day).
- Days: `today` / `end of day`, `tomorrow` / `by end of day tomorrow`,
  `the day after tomorrow`.
- Weekdays: `by Friday` / `on Friday` / `Friday` — the first one strictly after
  the interview day; `next Tuesday` / `Tuesday next week` — that weekday in the
  following Monday-to-Sunday week.
- Weeks: `this week` / `end of the week` / `by the weekend` (the first Friday on
  or after the interview day); `next week` / `end of next week` / `late next
  week` (Friday of next week); `early next week` / `start of next week`
  (Tuesday); `mid next week` (Wednesday); `the week after next` (its Friday).
- Months: `end of the month` / `this month` (its last day); `next month` /
  `end of next month` (last day), `early next month` (10th), `mid next month`
  (15th).
- Quarters and years: `end of the quarter`, `next quarter`, `end of Q1`,
  `end of the year`.
- Counts: `in 10 days` (calendar days), `within 5 business days` / `working
  days` / `weekdays`, `within two weeks`, `a couple of weeks` (2), `a few weeks`
  (3), `in the coming weeks` (3), `in a fortnight`, `within a month` (same day
  next month, clamped), `within 48 hours` (whole days, rounded up). `a few
  days` / `in the coming days` (3) and `a couple of days` (2) count business
  days, because that is what people mean by them.
  Ranges take their upper end: `1-2 weeks`, `two to three weeks`, `a week or two`;
  so do alternatives: `Tuesday or Wednesday` is Wednesday.
- Vague or empty (`soon`, `shortly`, `asap`, `in due course`, `we'll let you
  know`, `not sure`, ""): the configured default decision time.

Calendar dates are returned as they are — a deadline on a Saturday stays on
Saturday; only business-day counts land on business days.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import Callable

from followupd.core.timeframes import (
    DECISION_EXAMPLES,
    NUMBER_WORDS,
    BusinessCalendar,
    TimeframeError,
    date_after,
)
from followupd.core.timeframes import (
    number as _number,
)
from followupd.model import Duration

# --------------------------------------------------------------------------
# Calendar arithmetic
# --------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    """The last day of a month; month may run past 12 into following years."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _clamped(year: int, month: int, day_of_month: int) -> date:
    """That day of the month, or the month's last day when it is shorter."""
    last = _month_end(year, month)
    return last.replace(day=min(day_of_month, last.day))


def _add_months(day: date, months: int) -> date:
    """The same day of the month, months later, clamped to the month's length."""
    return _clamped(day.year, day.month + months, day.day)


def _weekday_of_week(day: date, weeks_ahead: int, weekday: int) -> date:
    """That weekday (Monday = 0) in the Monday-to-Sunday week weeks_ahead of day's."""
    return day + timedelta(days=weekday - day.weekday(), weeks=weeks_ahead)


def _next_weekday(day: date, weekday: int) -> date:
    """The first such weekday strictly after day."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


# --------------------------------------------------------------------------
# Decision phrases
# --------------------------------------------------------------------------


def _lookup(groups: tuple[str, ...]) -> dict[str, int]:
    """Names → numbers from space-separated synonyms, numbered from zero in order."""
    return {name: number for number, names in enumerate(groups) for name in names.split()}


_MONTHS = _lookup(("", "jan january", "feb february", "mar march", "apr april", "may",
                   "jun june", "jul july", "aug august", "sep sept september", "oct october",
                   "nov november", "dec december"))
_WEEKDAYS = _lookup(("mon monday", "tue tues tuesday", "wed weds wednesday",
                     "thu thur thurs thursday", "fri friday", "saturday", "sunday"))
_APPROXIMATE = {"a couple of": 2, "couple of": 2, "a couple": 2, "a few": 3, "few": 3, "coming": 3}
_COUNTS = {**NUMBER_WORDS, **_APPROXIMATE, "an": 1, "a": 1}
# The weekday (Monday = 0) or day of the month each part of a week or month ends on.
_WEEK_PARTS = {"early": 1, "beginning of": 1, "start of": 1, "mid": 2, "middle of": 2}
_MONTH_PARTS = {"early": 10, "beginning of": 10, "start of": 10, "mid": 15, "middle of": 15}


def _choice(words) -> str:
    """A regex alternation that tries longer words first."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_PARTS = r"early|beginning of|start of|mid|middle of|late|end of|in"
_MONTH_NAMES, _WEEKDAY_NAMES = _choice(_MONTHS), _choice(_WEEKDAYS)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
_YEAR = r"(?: (?P<year>\d{4})\b)?"
_NUMBER_WORD = rf"\d+|{_choice(NUMBER_WORDS)}"
_COUNTED = (
    rf"(?<![\w.])(?P<count>\d+|{_choice(_COUNTS)}) ?(?:(?:-|to|or) ?(?P<upper>{_NUMBER_WORD}) )?"
    r"(?P<business>business |working |work )?(?P<unit>hour|weekday|day|week|fortnight|month)s?\b"
    rf"(?: or (?P<or_upper>{_NUMBER_WORD})\b)?"
)
_VAGUE = re.compile(r"\b(soon|shortly|asap|due course|let you know|get back to you"
                    r"|be in touch|hear back|not sure|unknown|no timeline|tbd)\b")


def _upcoming_date(year: str | None, month: int, day_of_month: int, after: date) -> date:
    """A written date; without a year, the first one on or after the interview day."""
    if year:
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day_of_month)
    for candidate_year in range(after.year, after.year + 9):
        try:
            candidate = date(candidate_year, month, day_of_month)
        except ValueError:
            continue  # February 29 waits for a leap year
        if candidate >= after:
            return candidate
    raise ValueError(f"there is no day {day_of_month} in month {month}")


def _day_of_month(day_of_month: int, day: date) -> date:
    """The next such day of the month strictly after the interview day, clamped to short months."""
    if not 1 <= day_of_month <= 31:
        raise ValueError(f"there is no day {day_of_month} in any month")
    candidate = _clamped(day.year, day.month, day_of_month)
    return candidate if candidate > day else _clamped(day.year, day.month + 1, day_of_month)


def _part_of_month(part: str | None, year: int, month: int) -> date:
    """The day early (10th), mid (15th) or the end of a month falls on."""
    last = _month_end(year, month)
    return last.replace(day=_MONTH_PARTS.get(part, last.day))


def _part_of_named_month(part: str | None, month: int, day: date) -> date:
    """A part of a named month, next year's when this year's has passed."""
    candidate = _part_of_month(part, day.year, month)
    return candidate if candidate >= day else _part_of_month(part, day.year + 1, month)


def _counted(match: re.Match, day: date, calendar: BusinessCalendar) -> date:
    """A counted span of hours, days, business days, weeks, fortnights or months."""
    written, unit = match["count"], match["unit"]
    count = int(written) if written.isdigit() else _COUNTS[written]
    # A range ("1-2 weeks", "a week or two") gives them until its far end.
    count = max(count, *(_number(match[group] or "0") for group in ("upper", "or_upper")))
    if unit == "weekday" or match["business"] or (unit == "day" and written in _APPROXIMATE):
        return calendar.add_business_days(day, count)
    if unit == "month":
        return _add_months(day, count)
    days = {"hour": math.ceil(count / 24), "day": count, "week": 7 * count, "fortnight": 14 * count}
    return day + timedelta(days=days[unit])


def _quarter(day: date) -> int:
    """The quarter of the year day falls in, from 1 to 4."""
    return (day.month + 2) // 3


def _quarter_end(year: int, quarter: int) -> date:
    """The last day of a quarter numbered from 1; later numbers run into following years."""
    return _month_end(year, 3 * quarter)


_Reading = Callable[[re.Match, date, BusinessCalendar], date]
# Searched in this order, so a specific phrase wins over a shorter one inside it
# ("Friday next week" before "next week" before "Friday"; "end of day Friday" before "end of day").
_RULES: tuple[tuple[re.Pattern, _Reading], ...] = tuple(
    (re.compile(pattern), reading)
    for pattern, reading in (
        (r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b",
         lambda m, day, cal: date(int(m["year"]), int(m["month"]), int(m["day"]))),
        (r"(?<![\w/])(?P<month>\d{1,2})/(?P<day>\d{1,2})(?:/(?P<year>\d{4}|\d{2}))?(?![\w/])",
         lambda m, day, cal: _upcoming_date(m["year"], int(m["month"]), int(m["day"]), day)),
        (rf"\b(?P<month>{_MONTH_NAMES}) {_DAY}{_YEAR}",
         lambda m, day, cal: _upcoming_date(m["year"], _MONTHS[m["month"]], int(m["day"]), day)),
        (rf"\b{_DAY} (?:of )?(?P<month>{_MONTH_NAMES})\b{_YEAR}",
         lambda m, day, cal: _upcoming_date(m["year"], _MONTHS[m["month"]], int(m["day"]), day)),
        (r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)\b",
         lambda m, day, cal: _day_of_month(int(m["day"]), day)),
        (rf"\b(?P<part>{_PARTS}) (?P<month>{_MONTH_NAMES})\b",
         lambda m, day, cal: _part_of_named_month(m["part"], _MONTHS[m["month"]], day)),
        (r"\bday after tomorrow\b", lambda m, day, cal: day + timedelta(days=2)),
        (r"\btomorrow\b", lambda m, day, cal: day + timedelta(days=1)),
        (rf"\b(?:next (?P<next>{_WEEKDAY_NAMES})|(?P<named>{_WEEKDAY_NAMES}) next week)\b",
         lambda m, day, cal: _weekday_of_week(day, 1, _WEEKDAYS[m["next"] or m["named"]])),
        (r"\bweek after next\b", lambda m, day, cal: _weekday_of_week(day, 2, 4)),
        (rf"\b(?:(?P<part>{_PARTS}) )?next week\b",
         lambda m, day, cal: _weekday_of_week(day, 1, _WEEK_PARTS.get(m["part"], 4))),
        (r"\b(this week|end of week|weekend)\b",
         lambda m, day, cal: day + timedelta(days=(4 - day.weekday()) % 7)),
        (rf"\b(?:(?P<part>{_PARTS}) )?next month\b",
         lambda m, day, cal: _part_of_month(m["part"], day.year, day.month + 1)),
        (r"\b(end of month|this month|month end)\b",
         lambda m, day, cal: _month_end(day.year, day.month)),
        (r"\bnext quarter\b", lambda m, day, cal: _quarter_end(day.year, _quarter(day) + 1)),
        (r"\b(end of quarter|this quarter|quarter end)\b",
         lambda m, day, cal: _quarter_end(day.year, _quarter(day))),
        (r"\b(?:end of )?q(?P<quarter>[1-4])\b",
         lambda m, day, cal: _part_of_named_month(None, 3 * int(m["quarter"]), day)),
        (r"\b(end of year|this year|year end)\b", lambda m, day, cal: date(day.year, 12, 31)),
        (_COUNTED, _counted),
        (rf"\b(?P<weekday>{_WEEKDAY_NAMES})\b",
         lambda m, day, cal: _next_weekday(day, _WEEKDAYS[m["weekday"]])),
        (r"\b(today|tonight|end of day|eod|close of business|cob)\b", lambda m, day, cal: day),
    )
)


def _normalized(phrase: str) -> str:
    """Lower case, without punctuation, "the" or "'s", with hyphens between words as spaces."""
    text = phrase.lower().replace("\u2019", "'")
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"(?<=[a-z])-|-(?=[a-z])", " ", text)  # mid-next-week, year-end, mid-December
    text = re.sub(r"(?<!\d)\.|\.(?!\d)|[^\w./-]", " ", text)
    return " ".join(word for word in text.split() if word != "the")


def decision_deadline(
    phrase: str, interview_day: date, calendar: BusinessCalendar, default: Duration
) -> date:
    """The last day the employer gave themselves, read from their words."""
    phrase = phrase or ""  # an interview without a stated timeframe gets the default
    text = _normalized(phrase)
    try:
        found = _reading(text, interview_day, calendar)
        # "Tuesday or Wednesday": they gave themselves until the later one.
        alternatives = [_reading(part, interview_day, calendar) for part in text.split(" or ")[1:]]
    except ValueError as error:
        raise TimeframeError(f'could not read "{phrase.strip()}" as a date: {error}') from error
    if found is not None:
        return max([found, *(day for day in alternatives if day is not None)])
    if not text or _VAGUE.search(text):
        return date_after(interview_day, default, calendar)
    examples = ", ".join(f'"{example}"' for example in DECISION_EXAMPLES)
    raise TimeframeError(
        f'could not read "{phrase.strip()}" as a decision timeframe; try phrases like {examples}'
    )


def _reading(text: str, interview_day: date, calendar: BusinessCalendar) -> date | None:
    """The date the first matching rule reads in the text, or None when none matches."""
    for pattern, reading in _RULES:
        match = pattern.search(text)
        if match:
            return reading(match, interview_day, calendar)
    return None
