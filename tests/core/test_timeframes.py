"""Durations, the business calendar and decision phrases, with plain dates."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from followupd.core.decision_phrases import decision_deadline
from followupd.core.timeframes import (
    DECISION_EXAMPLES,
    DURATION_EXAMPLES,
    BusinessCalendar,
    TimeframeError,
    date_after,
    parse_duration,
)
from followupd.model import Duration

THURSDAY = date(2026, 11, 19)
FRIDAY = date(2026, 11, 20)
SATURDAY = date(2026, 11, 21)
THANKSGIVING = date(2026, 11, 26)
WEEKENDS_ONLY = BusinessCalendar(None)
FIVE_BUSINESS_DAYS = Duration(business_days=5, text="5 business days")


def deadline(phrase: str, interview_day: date = THURSDAY, calendar=WEEKENDS_ONLY) -> date:
    return decision_deadline(phrase, interview_day, calendar, FIVE_BUSINESS_DAYS)


# --- durations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("90m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("2 h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("1w", timedelta(weeks=1)),
        ("45s", timedelta(seconds=45)),
        ("90 minutes", timedelta(minutes=90)),
        ("2 hours", timedelta(hours=2)),
        ("1 hour", timedelta(hours=1)),
        ("3 days", timedelta(days=3)),
        ("1 week", timedelta(weeks=1)),
        ("2 weeks", timedelta(weeks=2)),
        ("two hours", timedelta(hours=2)),
        ("2H", timedelta(hours=2)),
        ("0m", timedelta(0)),
    ],
)
def test_exact_durations_read_as_time_spans(text, exact):
    assert parse_duration(text) == Duration(exact=exact, text=text)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("1 business day", 1),
        ("5 business days", 5),
        ("five business days", 5),
        ("Twenty Business Days", 20),
        ("10 working days", 10),
        ("3  business  days", 3),
        ("0 business days", 0),
    ],
)
def test_business_day_durations_count_business_days(text, count):
    assert parse_duration(text) == Duration(business_days=count, text=text)


def test_a_duration_keeps_the_text_as_written_without_surrounding_spaces():
    assert parse_duration("  2 h \n").text == "2 h"


def test_an_unreadable_duration_names_the_accepted_forms():
    with pytest.raises(TimeframeError) as caught:
        parse_duration("soonish")
    assert str(caught.value) == (
        'expected a duration like 90m, 2h, 3d, 1w or 5 business days, got "soonish"'
    )


@pytest.mark.parametrize(
    "text", ["-3d", "-1 business day", "1.5h", "", "3 fortnights", "business days", "3", "d3"]
)
def test_negative_fractional_and_malformed_durations_are_refused(text):
    with pytest.raises(TimeframeError, match="expected a duration like"):
        parse_duration(text)


def test_every_duration_example_is_readable():
    assert [parse_duration(text).text for text in DURATION_EXAMPLES] == list(DURATION_EXAMPLES)


def test_an_exact_duration_ends_on_the_day_its_last_partial_day_falls_on():
    thirty_six_hours = Duration(exact=timedelta(hours=36))
    assert date_after(THURSDAY, thirty_six_hours, WEEKENDS_ONLY) == date(2026, 11, 21)


def test_a_business_day_duration_ends_on_a_business_day():
    assert date_after(THURSDAY, FIVE_BUSINESS_DAYS, WEEKENDS_ONLY) == THANKSGIVING


# --- the business calendar ---------------------------------------------------


def test_weekends_are_never_business_days():
    assert [WEEKENDS_ONLY.is_business_day(FRIDAY + timedelta(days=n)) for n in range(4)] == [
        True,
        False,
        False,
        True,
    ]


def test_without_a_country_public_holidays_are_business_days():
    assert WEEKENDS_ONLY.is_business_day(THANKSGIVING) is True
    assert WEEKENDS_ONLY.holiday_name(THANKSGIVING) is None


def test_a_countrys_public_holidays_are_not_business_days():
    united_states = BusinessCalendar("US")
    assert united_states.is_business_day(THANKSGIVING) is False
    assert united_states.holiday_name(THANKSGIVING) == "Thanksgiving Day"


def test_only_official_holidays_count_so_the_day_after_thanksgiving_is_a_us_business_day():
    assert BusinessCalendar("US").is_business_day(date(2026, 11, 27)) is True


def test_a_region_adds_its_own_holidays():
    california = BusinessCalendar("US-CA")
    assert california.is_business_day(date(2026, 11, 27)) is False
    assert california.holiday_name(date(2026, 11, 27)) == "Day After Thanksgiving"


def test_a_lower_case_country_code_is_accepted():
    assert BusinessCalendar("us").holiday_name(THANKSGIVING) == "Thanksgiving Day"


def test_holidays_of_later_years_are_known_without_asking():
    assert BusinessCalendar("US").holiday_name(date(2031, 1, 1)) == "New Year's Day"


def test_an_unknown_country_is_named_in_the_error():
    with pytest.raises(TimeframeError) as caught:
        BusinessCalendar("XX")
    assert str(caught.value) == (
        'unknown holiday country "XX"; use an ISO 3166 code such as "US", "GB" or "DE",'
        ' optionally with a region such as "US-CA"'
    )


def test_the_next_business_day_skips_the_weekend():
    assert WEEKENDS_ONLY.next_business_day(FRIDAY) == date(2026, 11, 23)


def test_the_next_business_day_is_strictly_after_a_business_day():
    assert WEEKENDS_ONLY.next_business_day(THURSDAY) == FRIDAY


def test_adding_business_days_skips_weekends_and_holidays():
    assert BusinessCalendar("US").add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 27)
    assert WEEKENDS_ONLY.add_business_days(FRIDAY, 1) == date(2026, 11, 23)


def test_adding_zero_business_days_keeps_a_business_day():
    assert WEEKENDS_ONLY.add_business_days(FRIDAY, 0) == FRIDAY


def test_adding_zero_business_days_to_a_weekend_day_moves_to_monday():
    assert WEEKENDS_ONLY.add_business_days(SATURDAY, 0) == date(2026, 11, 23)


def test_adding_negative_business_days_is_refused():
    with pytest.raises(ValueError, match="cannot count -1 business days backwards"):
        WEEKENDS_ONLY.add_business_days(FRIDAY, -1)


def test_importing_timeframes_does_not_import_the_holidays_package():
    probe = "import sys, followupd.core.timeframes; print('holidays' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# --- decision phrases, from Thursday 2026-11-19 --------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        # the month
        ("by the end of the month", date(2026, 11, 30)),
        ("end of month", date(2026, 11, 30)),
        ("By the end of THIS month.", date(2026, 11, 30)),
        ("by month's end", date(2026, 11, 30)),
        ("sometime this month", date(2026, 11, 30)),
        # next week
        ("end of next week", date(2026, 11, 27)),
        ("next week", date(2026, 11, 27)),
        ("late next week", date(2026, 11, 27)),
        ("early next week", date(2026, 11, 24)),
        ("start of next week", date(2026, 11, 24)),
        ("mid next week", date(2026, 11, 25)),
        ("mid-next-week", date(2026, 11, 25)),
        ("the week after next", date(2026, 12, 4)),
        # this week
        ("this week", date(2026, 11, 20)),
        ("by the end of the week", date(2026, 11, 20)),
        ("end of this week", date(2026, 11, 20)),
        ("by the weekend", date(2026, 11, 20)),
        # counted weeks
        ("within two weeks", date(2026, 12, 3)),
        ("in 2 weeks", date(2026, 12, 3)),
        ("a couple of weeks", date(2026, 12, 3)),
        ("in a fortnight", date(2026, 12, 3)),
        ("1-2 weeks", date(2026, 12, 3)),
        ("one or two weeks", date(2026, 12, 3)),
        ("a week or two", date(2026, 12, 3)),
        ("within a week", date(2026, 11, 26)),
        ("within three weeks", date(2026, 12, 10)),
        ("two to three weeks", date(2026, 12, 10)),
        ("a few weeks", date(2026, 12, 10)),
        ("in the coming weeks", date(2026, 12, 10)),
        # weekdays
        ("by Friday", date(2026, 11, 20)),
        ("Fri", date(2026, 11, 20)),
        ("by Monday", date(2026, 11, 23)),
        ("on Wednesday", date(2026, 11, 25)),
        ("by Thursday", date(2026, 11, 26)),
        ("next Tuesday", date(2026, 11, 24)),
        ("next Friday", date(2026, 11, 27)),
        ("Friday next week", date(2026, 11, 27)),
        # counted days
        ("in a few days", date(2026, 11, 24)),
        ("in the next few days", date(2026, 11, 24)),
        ("in the coming days", date(2026, 11, 24)),
        ("a couple of days", date(2026, 11, 23)),
        ("in 10 days", date(2026, 11, 29)),
        ("10 business days", date(2026, 12, 3)),
        ("within 5 working days", date(2026, 11, 26)),
        ("five weekdays", date(2026, 11, 26)),
        ("within 48 hours", date(2026, 11, 21)),
        ("in zero days", date(2026, 11, 19)),
        # days
        ("tomorrow", date(2026, 11, 20)),
        ("by end of day tomorrow", date(2026, 11, 20)),
        ("the day after tomorrow", date(2026, 11, 21)),
        ("by end of day", date(2026, 11, 19)),
        ("today", date(2026, 11, 19)),
        ("by end of day Friday", date(2026, 11, 20)),
        # dates
        ("by December 5", date(2026, 12, 5)),
        ("Dec 5", date(2026, 12, 5)),
        ("Dec. 5th", date(2026, 12, 5)),
        ("5 December", date(2026, 12, 5)),
        ("the 5th of December", date(2026, 12, 5)),
        ("December 5, 2026", date(2026, 12, 5)),
        ("2026-12-05", date(2026, 12, 5)),
        ("12/5", date(2026, 12, 5)),
        ("12/5/2026", date(2026, 12, 5)),
        ("12/5/26", date(2026, 12, 5)),
        ("by January 5", date(2027, 1, 5)),
        ("November 10", date(2027, 11, 10)),
        ("November 19", date(2026, 11, 19)),
        ("2026-11-10", date(2026, 11, 10)),
        ("February 29", date(2028, 2, 29)),
        # days of the month and parts of named months
        ("by the 15th", date(2026, 12, 15)),
        ("by the 30th", date(2026, 11, 30)),
        ("by the 31st", date(2026, 11, 30)),
        ("by the 19th", date(2026, 12, 19)),
        ("early December", date(2026, 12, 10)),
        ("mid-December", date(2026, 12, 15)),
        ("end of December", date(2026, 12, 31)),
        ("in December", date(2026, 12, 31)),
        ("early November", date(2027, 11, 10)),
        # months, quarters, the year
        ("end of next month", date(2026, 12, 31)),
        ("next month", date(2026, 12, 31)),
        ("early next month", date(2026, 12, 10)),
        ("mid next month", date(2026, 12, 15)),
        ("within a month", date(2026, 12, 19)),
        ("in two months", date(2027, 1, 19)),
        ("end of the quarter", date(2026, 12, 31)),
        ("next quarter", date(2027, 3, 31)),
        ("end of Q1", date(2027, 3, 31)),
        ("by Q4", date(2026, 12, 31)),
        ("end of the year", date(2026, 12, 31)),
        ("by year-end", date(2026, 12, 31)),
        # the employer's own words, with filler
        ("We expect to decide by the end of the month.", date(2026, 11, 30)),
        ("They said hopefully within two weeks!", date(2026, 12, 3)),
        ("We'll let you know by Friday", date(2026, 11, 20)),
        ("soon, hopefully by Friday", date(2026, 11, 20)),
        # vague or nothing: the default of five business days
        ("soon", date(2026, 11, 26)),
        ("shortly", date(2026, 11, 26)),
        ("", date(2026, 11, 26)),
        ("   ", date(2026, 11, 26)),
        ("ASAP", date(2026, 11, 26)),
        ("as soon as possible", date(2026, 11, 26)),
        ("we'll let you know", date(2026, 11, 26)),
        ("in due course", date(2026, 11, 26)),
    ],
)
def test_decision_phrases_from_a_thursday_interview(phrase, expected):
    assert deadline(phrase) == expected


def test_a_missing_phrase_means_the_default():
    assert deadline(None) == THANKSGIVING


def test_the_default_may_be_an_exact_duration():
    ten_days = Duration(exact=timedelta(days=10), text="10d")
    assert decision_deadline("soon", THURSDAY, WEEKENDS_ONLY, ten_days) == date(2026, 11, 29)


def test_every_decision_example_is_readable():
    assert [deadline(phrase) for phrase in DECISION_EXAMPLES] == [
        date(2026, 11, 30),
        date(2026, 12, 3),
        date(2026, 11, 20),
        date(2026, 11, 24),
        date(2026, 12, 3),
        date(2026, 12, 5),
    ]


def test_an_unreadable_phrase_suggests_phrases_that_work():
    with pytest.raises(TimeframeError) as caught:
        deadline("  when pigs fly ")
    assert str(caught.value) == (
        'could not read "when pigs fly" as a decision timeframe; try phrases like'
        ' "by the end of the month", "within two weeks", "by Friday", "early next week",'
        ' "10 business days", "by December 5"'
    )


@pytest.mark.parametrize("phrase", ["2026-02-30", "February 30", "by the 32nd", "13/5"])
def test_a_date_that_does_not_exist_is_refused(phrase):
    with pytest.raises(TimeframeError, match=f'could not read "{phrase}" as a date'):
        deadline(phrase)


# --- weekends, holidays, year and month ends ------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("by Friday", date(2026, 11, 27)),
        ("by Monday", date(2026, 11, 23)),
        ("next Monday", date(2026, 11, 23)),
        ("this week", date(2026, 11, 27)),
        ("next week", date(2026, 11, 27)),
        ("early next week", date(2026, 11, 24)),
        ("in a few days", date(2026, 11, 25)),
        ("tomorrow", date(2026, 11, 22)),
    ],
)
def test_decision_phrases_from_a_saturday_interview(phrase, expected):
    assert deadline(phrase, SATURDAY) == expected


def test_by_friday_said_on_a_friday_means_the_following_friday():
    assert deadline("by Friday", FRIDAY) == date(2026, 11, 27)


def test_end_of_the_week_said_on_a_friday_means_that_day():
    assert deadline("end of the week", FRIDAY) == FRIDAY


def test_business_days_skip_thanksgiving_in_the_united_states():
    assert deadline("5 business days", calendar=BusinessCalendar("US")) == date(2026, 11, 27)


def test_the_default_skips_thanksgiving_in_the_united_states():
    assert deadline("soon", calendar=BusinessCalendar("US")) == date(2026, 11, 27)


def test_a_calendar_date_on_a_holiday_is_not_moved():
    assert deadline("by December 25", calendar=BusinessCalendar("US")) == date(2026, 12, 25)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("within two weeks", date(2027, 1, 11)),
        ("end of the month", date(2026, 12, 31)),
        ("by January 5", date(2027, 1, 5)),
        ("end of the year", date(2026, 12, 31)),
        ("next week", date(2027, 1, 8)),
        ("next month", date(2027, 1, 31)),
        ("by the 15th", date(2027, 1, 15)),
        ("next quarter", date(2027, 3, 31)),
        ("early January", date(2027, 1, 10)),
    ],
)
def test_decision_phrases_across_the_year_end(phrase, expected):
    assert deadline(phrase, date(2026, 12, 28)) == expected


def test_business_days_across_the_year_end_skip_new_years_day():
    result = deadline("10 business days", date(2026, 12, 28), BusinessCalendar("US"))
    assert result == date(2027, 1, 12)


@pytest.mark.parametrize(
    ("phrase", "interview_day", "expected"),
    [
        ("within a month", date(2027, 1, 31), date(2027, 2, 28)),
        ("within a month", date(2028, 1, 31), date(2028, 2, 29)),
        ("in two months", date(2027, 12, 31), date(2028, 2, 29)),
        ("by the 31st", date(2027, 1, 31), date(2027, 2, 28)),
        ("end of the month", date(2027, 1, 31), date(2027, 1, 31)),
        ("end of next month", date(2027, 1, 31), date(2027, 2, 28)),
    ],
)
def test_month_arithmetic_is_clamped_to_short_months(phrase, interview_day, expected):
    assert deadline(phrase, interview_day) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Tuesday or Wednesday", date(2026, 11, 25)),
        ("by Monday or Tuesday next week", date(2026, 11, 24)),
        ("by Friday or early next week", date(2026, 11, 24)),
    ],
)
def test_two_alternatives_mean_the_later_day(phrase, expected):
    assert deadline(phrase) == expected
