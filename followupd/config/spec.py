"""The one table of config options: it drives validation, defaults, the JSON schema and the docs."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from followupd import model
from followupd.core.timeframes import NUMBER_WORDS, TimeframeError, parse_duration

# Mail from these domains says nothing about which company wrote it.
FREE_MAIL_DOMAINS = frozenset(
    "gmail.com googlemail.com outlook.com hotmail.com live.com msn.com passport.com yahoo.com"
    " ymail.com rocketmail.com icloud.com me.com mac.com aol.com aim.com proton.me protonmail.com"
    " protonmail.ch pm.me tutanota.com tuta.io web.de t-online.de freenet.de fastmail.com"
    " fastmail.fm hey.com zoho.com zohomail.com mail.com email.com mail.ru inbox.ru list.ru bk.ru"
    " qq.com 163.com 126.com yeah.net sina.com naver.com hanmail.net daum.net libero.it orange.fr"
    " wanadoo.fr laposte.net free.fr seznam.cz wp.pl o2.pl interia.pl rediffmail.com comcast.net"
    " verizon.net att.net sbcglobal.net btinternet.com sky.com virginmedia.com bigpond.com".split()
)
# Services that register the same mailboxes under many country domains (gmx.de, yahoo.co.uk).
FREE_MAIL_BRANDS = frozenset("gmx yandex ya yahoo hotmail outlook live msn aol".split())

DURATION_UNITS = r"s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?"
DURATION_PATTERN = rf"^ *([0-9]+|{'|'.join(NUMBER_WORDS)}) *({DURATION_UNITS}|(business|working) days?) *$"
WHEN_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
WHEN_EXPECTED = "a date and time like 2026-11-19 14:00 (YYYY-MM-DD HH:MM)"


class Invalid(Exception):
    """A value that does not fit its option; the message is shown after the key path."""


def shown(text: str) -> str:
    """The value quoted for an error message, escaped and kept short."""
    return json.dumps(text if len(text) <= 60 else text[:57] + "...", ensure_ascii=False)


def alternatives(values: tuple[str, ...]) -> str:
    """`a, b or c`, for messages that list the allowed values."""
    return f"{', '.join(values[:-1])} or {values[-1]}"


def suggestion(text: str, candidates: list[str]) -> str:
    """`; did you mean "x"?` for the closest candidate, or nothing."""
    matches = difflib.get_close_matches(text, candidates, n=1, cutoff=0.6)
    return f'; did you mean "{matches[0]}"?' if matches else ""


@dataclass(frozen=True)
class Kind:
    """How one kind of value is read from its text and described in the JSON schema."""

    expected: str
    pattern: str | None = None  # text that does not match is refused before convert sees it
    convert: Callable[[str], Any] = str
    json_type: str = "string"
    extra: dict[str, Any] = field(default_factory=dict)  # more JSON schema keywords
    item: Kind | None = None  # set for lists of scalars

    def parse(self, text: str) -> Any:
        """The value; ValueError for the generic message, Invalid for a specific one."""
        if self.pattern and not re.match(self.pattern, text):
            raise ValueError(text)
        return self.convert(text)

    def schema(self) -> dict[str, Any]:
        if self.item:
            return {"type": "array", "items": self.item.schema()}
        pattern = {"pattern": self.pattern} if self.pattern and self.json_type == "string" else {}
        return {"type": self.json_type, **pattern, **self.extra}


def boolean(text: str) -> bool:
    """true/false, and the yes/no/on/off YAML 1.1 users are used to."""
    lowered = text.lower()
    if lowered not in ("true", "false", "yes", "no", "on", "off"):
        raise ValueError(text)
    return lowered in ("true", "yes", "on")


def duration(text: str) -> model.Duration:
    """A duration, explained by the timeframes module when it is unreadable."""
    try:
        return parse_duration(text)
    except TimeframeError as error:
        raise Invalid(str(error)) from None


def interval(text: str) -> model.Duration:
    """A positive wall-clock duration: business days make no sense for a polling interval."""
    value = duration(text)
    if value.exact is None or value.exact.total_seconds() <= 0:
        raise Invalid(f"expected a wall-clock interval like 15m or 1h, got {shown(text)}")
    return value


def timezone_name(text: str) -> str:
    """An IANA zone name that zoneinfo knows."""
    try:
        ZoneInfo(text)
        return text
    except (ZoneInfoNotFoundError, ValueError):
        known = {name.lower(): name for name in available_timezones()}
        close = difflib.get_close_matches(text.lower(), list(known), n=1, cutoff=0.6)
        hint = f'; did you mean "{known[close[0]]}"?' if close else ""
        raise Invalid(f"expected an IANA time zone like America/New_York, got {shown(text)}{hint}") from None


def local_time(text: str) -> datetime:
    """A date and time; a bare date is refused because the thank-you is timed from the start."""
    if re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text):
        raise Invalid(f"expected {WHEN_EXPECTED}, got {shown(text)}; add the time the interview starts")
    if not re.match(WHEN_PATTERN, text):
        raise ValueError(text)
    day, time = re.split("[ T]", text, maxsplit=1)
    # fromisoformat wants two-digit hours; people write 9:00.
    return datetime.fromisoformat(f"{day}T{time if time[2:3] == ':' else '0' + time}")


def is_free_mail(domain: str) -> bool:
    """Whether domain is a mailbox service anyone can sign up for."""
    brand, _, suffix = domain.partition(".")
    country_suffix = suffix.count(".") <= 1 and all(0 < len(label) <= 3 for label in suffix.split("."))
    return domain in FREE_MAIL_DOMAINS or (brand in FREE_MAIL_BRANDS and country_suffix)


def company_domain(text: str) -> str:
    """A company's mail domain, lower-cased; free-mail domains are refused."""
    domain = text.lower().lstrip("@")
    if is_free_mail(domain):
        raise Invalid(
            f"{domain} is a free-mail domain, so anyone there would count as hearing back from the"
            " company; list only the company's own domains (the interviewers' addresses count anyway)"
        )
    return domain


def choice(values: tuple[str, ...], secret: bool = False) -> Kind:
    """One of a fixed set of words; a secret choice never repeats what was written."""

    def convert(text: str) -> str:
        if text.lower() in values:
            return text.lower()
        expected = f"expected {alternatives(values)}"
        if secret:
            raise Invalid(f"{expected}; passwords never go in this file (see followupd login)")
        raise Invalid(f"{expected}, got {shown(text)}{suggestion(text.lower(), list(values))}")

    return Kind(alternatives(values), convert=convert, extra={"enum": list(values)})


def integer(low: int, high: int) -> Kind:
    """A whole number within bounds."""

    def convert(text: str) -> int:
        if not low <= int(text) <= high:
            raise ValueError(text)
        return int(text)

    bounds = {"minimum": low, "maximum": high}
    return Kind(f"a whole number from {low} to {high}", r"^[0-9]+$", convert, "integer", bounds)


LINE = Kind("a single line of text", r"^[^\r\n]*$")
TEXT = Kind("text")
PATH = Kind("a path")
EMAIL = Kind("an email address", r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DOMAIN = Kind("a domain name like acme.com", r"^@?([A-Za-z0-9-]+\.)+[A-Za-z]{2,63}$", company_domain)
HOST = Kind("a host name", r"^[^\s/]+$")
URL = Kind("an https:// URL", r"^https?://[^\s/?#]+[^\s]*$")
SCOPES = Kind("a list of scopes", item=Kind("a scope", r"^[^\s]+$"))
# The timeframes module judges durations (its message lists what it reads); the pattern only helps editors.
DURATION = Kind("a duration like 2h", convert=duration, extra={"pattern": DURATION_PATTERN})
INTERVAL = Kind("an interval like 15m", convert=interval, extra={"pattern": DURATION_PATTERN})
BOOLEAN = Kind("true or false", convert=boolean, json_type="boolean")
TIMEZONE = Kind("an IANA time zone like America/New_York", convert=timezone_name)
WHEN = Kind(WHEN_EXPECTED, convert=local_time, extra={"pattern": WHEN_PATTERN})
COUNTRY = Kind("a country code like US, GB or US-CA", r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,3})?$", str.upper)
IDENTIFIER = Kind("lower-case letters, digits and hyphens", r"^[a-z0-9]+(-[a-z0-9]+)*$")
EMAILS = Kind("a list of email addresses", item=EMAIL)
DOMAINS = Kind("a list of domain names", item=DOMAIN)
NAMES = Kind("a list of folder names", item=LINE)
SECTION = Kind("a mapping of options", json_type="object")
SECTION_LIST = Kind("a list of mappings", json_type="array")


@dataclass(frozen=True)
class Option:
    """One key of the config file; `[]` in its path stands for each item of a list."""

    path: str
    kind: Kind
    description: str
    default: Any = None  # as a user would write it in YAML
    required: bool = False
    header: bool = False  # ends up in a mail header, so it must be a single line
    note: str = ""  # the default in words, when it is derived rather than fixed

    @property
    def key(self) -> str:
        return self.path.rpartition(".")[2]

    @property
    def parent(self) -> str:
        return self.path.rpartition(".")[0]

    def default_value(self) -> Any:
        """The default, read by the same parser as a written value."""
        return self.kind.parse(self.default) if isinstance(self.default, str) else self.default

    def default_text(self) -> str:
        """The default as the docs show it."""
        if self.required or self.note:
            return "required" if self.required else self.note
        if self.default is None:
            return "optional" if self.kind is SECTION else "none"
        if isinstance(self.default, (bool, tuple)) or self.default == "":
            return json.dumps(list(self.default) if isinstance(self.default, tuple) else self.default)
        return str(self.default)


A, P, I, W = "account", "policy", "interviews[]", "interviews[].interviewers[]"
OPTIONS: tuple[Option, ...] = (
    Option(A, SECTION, "The mailbox followupd reads and puts drafts in.", required=True),
    Option(f"{A}.provider", choice(model.PROVIDERS), "Provider; all but imap and maildir imply the server.",
           required=True),
    Option(f"{A}.address", EMAIL, "Your address; also the IMAP user name unless username is set.",
           required=True, header=True),
    Option(f"{A}.aliases", EMAILS, "Other addresses you send from.", default=(), header=True),
    Option(f"{A}.host", HOST, "IMAP server; required for provider imap.", note="implied by provider"),
    Option(f"{A}.port", integer(1, 65535), "IMAP port.", note="993 for tls, 143 for starttls and plain"),
    Option(f"{A}.security", choice(model.SECURITY_MODES), "tls, starttls, or plain (loopback only).", "tls"),
    Option(f"{A}.tls_ca_file", PATH, "CA bundle to trust instead of the system's, for a self-signed server."),
    Option(f"{A}.username", LINE, "IMAP user name, when it is not your address.", note="account.address"),
    Option(f"{A}.password", choice(model.PASSWORD_SOURCES, secret=True),
           "Where the password comes from: keyring (see followupd login), command, a systemd credential,"
           " or oauth2 (sign in with followupd login; gmail, outlook and imap).",
           "keyring"),
    Option(f"{A}.password_command", LINE, "Command that prints the password, for password: command."),
    Option(f"{A}.oauth2", SECTION, "Your own OAuth client, for password: oauth2."),
    Option(f"{A}.oauth2.client_id", LINE, "The OAuth client's id.", required=True),
    Option(f"{A}.oauth2.client_secret", LINE,
           "The client secret of a Google Desktop app client (not confidential); Microsoft has none."),
    Option(f"{A}.oauth2.tenant", LINE, "Microsoft only: common, organizations, consumers or your tenant.",
           note="common"),
    Option(f"{A}.oauth2.auth_url", URL, "Authorization endpoint, for followupd login.",
           note="implied by provider gmail and outlook"),
    Option(f"{A}.oauth2.token_url", URL, "Token endpoint, for refreshing access tokens.",
           note="implied by provider gmail and outlook; required for imap"),
    Option(f"{A}.oauth2.scopes", SCOPES, "Scopes to ask for.", note="implied by provider gmail and outlook"),
    Option(f"{A}.folders", SECTION, "Folder overrides; by default folders are found by special-use flag."),
    Option(f"{A}.folders.drafts", LINE, "Folder to put drafts in.", note="auto-detected"),
    Option(f"{A}.folders.sent", LINE, "Folder your sent mail lands in.", note="auto-detected"),
    Option(f"{A}.folders.watch", NAMES, "Folders to watch for replies.", (), note="auto-detected"),
    Option(f"{A}.path", PATH, "Maildir directory; provider maildir only."),
    Option("me", SECTION, "You, as the drafts sign off.", required=True),
    Option("me.name", LINE, "Your name, in From and in the drafts.", required=True, header=True),
    Option("me.phone", LINE, "Your phone number, for the call reminder's voicemail script."),
    Option("me.signature", TEXT, "Signature appended to every draft.", ""),
    Option("timezone", TIMEZONE, "IANA time zone; every time in this file is local to it.", required=True),
    Option("check_every", INTERVAL, "How often to look for replies.", "15m"),
    Option("state_dir", PATH, "Where followupd keeps its ledger of drafts.",
           note="$STATE_DIRECTORY, else $XDG_STATE_HOME/followupd"),
    Option("templates_dir", PATH, "Directory of templates that override the built-in ones."),
    Option("notify", SECTION, "How to hear that a draft is ready or the company wrote; nothing by default."),
    Option("notify.desktop", BOOLEAN, "A desktop notification (D-Bus); skipped where there is no session bus.",
           False),
    Option("notify.url", URL, "POST each event here, ntfy-style: the text as body, its title in a Title header."),
    Option("notify.command", LINE, "Run this for each event; the event is in FOLLOWUPD_EVENT_* variables."),
    Option("policy", SECTION, "When drafts are due."),
    Option(f"{P}.thank_you_after", DURATION, "Draft the thank-you this long after the interview began.",
           "2h"),
    Option(f"{P}.thank_you_window", DURATION, "Skip the thank-you once this long has passed.", "3d"),
    Option(f"{P}.default_decision", DURATION, "Decision time assumed when they gave none.",
           "5 business days"),
    Option(f"{P}.grace", DURATION, "Wait this long past their deadline before checking in.",
           "1 business day"),
    Option(f"{P}.followup_spacing", DURATION, "Time between check-ins.", "5 business days"),
    Option(f"{P}.max_followups", integer(0, 5), "At most this many check-ins.", 2),
    Option(f"{P}.call_reminder", BOOLEAN, "Prepare a call script when the last check-in gets no answer.",
           True),
    Option(f"{P}.thanks_after_rejection", BOOLEAN, "Draft a gracious thank-you after a rejection.", True),
    Option(f"{P}.retract_obsolete_drafts", BOOLEAN, "Remove an unsent, unedited check-in when they reply.",
           True),
    Option(f"{P}.holidays", COUNTRY, "Country whose public holidays are not business days."),
    Option("interviews", SECTION_LIST, "Your interviews; an empty list is fine.", ()),
    Option(f"{I}.id", IDENTIFIER, "Stable name of the interview.", note="slug of company and position"),
    Option(f"{I}.company", LINE, "The employer.", required=True, header=True),
    Option(f"{I}.position", LINE, "The role, as they name it.", required=True, header=True),
    Option(f"{I}.when", WHEN, "When the interview starts, YYYY-MM-DD HH:MM local time.", required=True),
    Option(f"{I}.decision", LINE, "What they said about the decision, in their words.", "",
           note="policy.default_decision"),
    Option(f"{I}.domains", DOMAINS, "Mail from anyone at these domains counts as hearing back.",
           note="the interviewers' domains, free-mail excepted"),
    Option(f"{I}.interviewers", SECTION_LIST, "Who interviewed you; each gets a thank-you.", ()),
    Option(f"{W}.name", LINE, "Their name.", required=True, header=True),
    Option(f"{W}.email", EMAIL, "Their address.", header=True),
    Option(f"{W}.phone", LINE, "Their phone number, for the call reminder."),
    Option(f"{W}.notes", TEXT, "Something specific you talked about.", ""),
    Option(f"{I}.talking_points", TEXT, "What you forgot to say, or a better answer.", ""),
    Option(f"{I}.status", choice(model.STATUSES), "active, or how it ended.", "active"),
)

CHILDREN: dict[str, dict[str, Option]] = {}  # parent path → key → option
for _option in OPTIONS:
    CHILDREN.setdefault(_option.parent, {})[_option.key] = _option


def section_schema(path: str) -> dict[str, Any]:
    """The JSON schema of the mapping whose options live under path."""
    children = CHILDREN.get(path, {})
    return {
        "type": "object",
        "properties": {key: option_schema(child) for key, child in children.items()},
        "required": [key for key, child in children.items() if child.required],
        "additionalProperties": False,
    }


def option_schema(option: Option) -> dict[str, Any]:
    """The JSON schema of one option, with its description and default."""
    if option.kind is SECTION:
        schema = section_schema(option.path)
    elif option.kind is SECTION_LIST:
        schema = {"type": "array", "items": section_schema(option.path + "[]")}
    else:
        schema = option.kind.schema()
    schema["description"] = option.description
    if option.default is not None:
        schema["default"] = list(option.default) if isinstance(option.default, tuple) else option.default
    return schema


def json_schema() -> dict[str, Any]:
    """The config file's JSON schema (draft 2020-12), for `followupd schema` and editors."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "followupd configuration"}
    return {**schema, **section_schema("")}


def option_reference() -> list[tuple[str, str, str]]:
    """Every option as (key path, default, description), in file order, for the docs."""
    return [(option.path, option.default_text(), option.description) for option in OPTIONS]
