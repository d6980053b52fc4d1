"""Phrasing helpers for drafts: names, dates, the employer's words, subjects (pure)."""

from __future__ import annotations

import re
from datetime import date, datetime

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
REPLY_PREFIX = re.compile(
    r"^(?:(?:re|aw|sv|vs|antw|odp|r[ée]f)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
# Notes are usually jotted as "Talked about …"; the template supplies that verb itself.
NOTES_VERB = re.compile(
    r"^(?:(?:we|i|she|he|they)\s+)?(?:also\s+)?(?:talked|spoke|chatted|discussed|covered|went over"
    r"|compared notes|asked(?: me)?|dug into|focused)(?:\s+(?:about|over|through|on|into))?\s+",
    re.IGNORECASE,
)
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor"})
# Capitalized openings of the user's notes that read wrong in mid-sentence.
LOWERCASE_OPENINGS = frozenset({"the", "a", "an", "my", "our", "your", "his", "her", "their",
                                "its", "this", "that", "these", "those", "how", "why", "what",
                                "whether", "when", "where", "which"})

# The vocabulary for fitting the employer's timing words after "decide …".
CALENDAR = (r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
            r"|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
            r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b")
NUMBER = (r"(?:\d+(?:\s*[-–]\s*\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten"
          r"|a few|few|a couple(?: of)?|couple(?: of)?|several)")
UNIT = r"(?:business\s+|working\s+)?(?:days?|weeks?|months?|quarters?|years?)\b"
TIMEFRAME = re.compile(
    r"\b(?:(?:by|within|before|after|around|sometime|soon|shortly|tomorrow|today)\b"
    rf"|(?:(?:early|mid|late|later)[\s-]+)?(?:this|next)\s+(?:{UNIT}|{CALENDAR})"
    rf"|(?:early|mid|late)[\s-]+{CALENDAR}"
    r"|(?:in|over|during)\s+the\s+(?:next|coming|following)\b"
    rf"|in\s+(?:about\s+|around\s+|roughly\s+)?{NUMBER}\s+{UNIT}"
    r"|in\s+(?:early|mid|late)\b"
    rf"|(?:on|at)\s+(?:the\s+)?(?:end\b|\d|{CALENDAR})"
    r"|(?:the\s+)?end\s+of\b)",
    re.IGNORECASE,
)
BARE_DURATION = re.compile(
    rf"(?:about\s+|around\s+)?{NUMBER}\s+(?:(?:to|or)\s+{NUMBER}\s+)?{UNIT}", re.IGNORECASE
)
BARE_DATE = re.compile(CALENDAR, re.IGNORECASE)
CLAUSE_END = re.compile(r"\s*(?:[;,!?()]|\s[—–-]\s|—|\.(?=\s+[A-Z]|\s*$)).*$", re.DOTALL)
SHORTHANDS = {"EOD": "by the end of the day", "EOW": "by the end of the week",
              "EOM": "by the end of the month", "EOY": "by the end of the year"}


def one_line(text: str) -> str:
    """text with every run of whitespace, line breaks included, made one space."""
    return " ".join(text.split())


def first_name(full_name: str) -> str:
    """The first name in "Dr. Ana Ruiz, PhD" ("" when there is none)."""
    words = full_name.split(",")[0].split()
    words = [word for word in words if word.lower().rstrip(".") not in HONORIFICS]
    return words[0] if words else ""


def phrase(text: str) -> str:
    """The user's notes made to follow "our conversation about": no "Talked about" or final stop."""
    text = NOTES_VERB.sub("", one_line(text)).rstrip(".")
    opening = text.split(" ", 1)[0]
    if opening.lower() in LOWERCASE_OPENINGS:
        text = opening.lower() + text[len(opening):]
    return text


def sentence(text: str) -> str:
    """The user's words made a sentence: one line, capitalized, ending in punctuation."""
    text = one_line(text)
    if text and text[-1] not in ".!?…\"'”’)":
        text += "."
    return text[:1].upper() + text[1:]


def when_text(when: datetime, now: datetime) -> str:
    """The interview day as said on the draft's date: "today", "on Thursday", "on November 19"."""
    day, today = when.date(), now.astimezone(when.tzinfo).date()
    days_ago = (today - day).days
    if days_ago in (0, 1):
        return ("today", "yesterday")[days_ago]
    if 1 < days_ago < 7:
        return f"on {WEEKDAYS[day.weekday()]}"
    return f"on {calendar_date(day, today)}"


def full_date(when: datetime, now: datetime) -> str:
    """The interview day in full: "Thursday, November 19"."""
    day = when.date()
    return f"{WEEKDAYS[day.weekday()]}, {calendar_date(day, now.astimezone(when.tzinfo).date())}"


def calendar_date(day: date, today: date) -> str:
    """ "November 19", with the year only when it is not obvious from today."""
    year = f", {day.year}" if abs((today - day).days) > 180 else ""
    return f"{MONTHS[day.month - 1]} {day.day}{year}"


def decision_text(decision: str) -> str:
    """The employer's timing words made to follow "decide …", or "" when they do not fit."""
    text = one_line(decision).strip("\"'“”‘’ ")
    if text.upper() in SHORTHANDS:
        return SHORTHANDS[text.upper()]
    match = TIMEFRAME.search(text)
    if match:
        text = text[match.start():]
    elif BARE_DURATION.match(text):
        text = f"within {text}"
    elif BARE_DATE.match(text):
        text = f"by {text}"
    else:
        return ""
    text = CLAUSE_END.sub("", text)
    text = re.sub(r"^(?:the\s+)?end\s+of\s+", "by the end of ", text, flags=re.IGNORECASE)
    text = re.sub(r"\bend of (day|week|month|quarter|year)\b", r"end of the \1", text,
                  flags=re.IGNORECASE)
    text = re.sub(r"^(?=(?:early|mid|late)[\s-]+(?!next|this))", "in ", text, flags=re.IGNORECASE)
    return text[:1].lower() + text[1:]


def reply_subject(original: str) -> str:
    """ "Re: " and original without its own Re:/Aw:/Sv: prefixes ("" if nothing is left)."""
    subject = REPLY_PREFIX.sub("", one_line(original))
    return f"Re: {subject}" if subject else ""


def valid_message_ids(values: list[str | None]) -> list[str]:
    """The values that are well-formed msg-ids, bracketed; anything else could forge headers."""
    bracketed = (f"<{value.strip().strip('<>')}>" for value in values if value and value.strip())
    return [value for value in bracketed if MESSAGE_ID.fullmatch(value)]
