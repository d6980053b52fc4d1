"""Turn a planned action into a draft email: templates, threading headers, body hashes.

Templates are Jinja2 files: the first line is `Subject: …`, then a blank line, then
the body, which is sent as written (keep each paragraph on one line; mail apps wrap
it for the screen).  A file of the same name in `templates_dir` overrides the
default: thank_you.j2, check_in.j2 (the first check-in), check_in_again.j2 (check-in
2 and later), call_reminder.j2 (a note to yourself) and thanks_after_rejection.j2.
A draft that replies to a message is always titled "Re: <their subject>"; the
template's Subject line is used only for a new conversation.  Using a name that
does not exist is an error.  The context:

- `me`: `name`, `email` (the account address), `phone` ("" if none) and
  `signature` (your signature, or your name when none is configured)
- `interview`: `company`, `position`, `when` (a datetime), `decision` (the
  employer's words, verbatim), `deadline` (a date) and `talking_points` (trimmed
  and ending with a full stop; "" if none)
- `interviewer`: `name`, `first_name`, `email`, `phone` and `notes` ("" when
  unknown); notes lose a leading "Talked about"/"Discussed" and a final full
  stop, so that they complete "I especially enjoyed our conversation about …"
- `action`: `kind`, `sequence` (the check-in's number) and `due`
- `first_name`: the recipient's first name ("" if unknown)
- `when_text`: the interview day seen from the draft's date: "today",
  "yesterday", "on Thursday" (within the past week) or "on November 19"
- `interview_date`: the interview day in full, e.g. "Thursday, November 19"
- `decision_text`: the employer's words made to follow "decide …", e.g.
  "by the end of the month"; "" when they cannot be fitted into a sentence
- `original_subject`: the subject of the message replied to ("" if none)
"""

from __future__ import annotations

import difflib
import email.policy
import email.utils
import hashlib
import re
import traceback
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage, Message as MimeMessage
from pathlib import Path
from types import SimpleNamespace

import jinja2

from .errors import TemplateError
from .model import Action, Config, Interview, Interviewer, Message
from .spelling import spelling_warnings

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAMES = (
    "thank_you.j2",
    "check_in.j2",
    "check_in_again.j2",
    "call_reminder.j2",
    "thanks_after_rejection.j2",
)
# Keep the first and the last ten references, as mail clients do, so long threads
# still thread without the header growing without bound.
MAX_REFERENCES = 11
# Raw msg-id headers are never refolded: refolding turns long ids into encoded
# words, which breaks threading.  Every other header is built and folded safely.
MESSAGE_POLICY = email.policy.SMTP.clone(refold_source="none")
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


@dataclass(frozen=True)
class DraftText:
    """A rendered draft: what the user will review before pressing Send."""

    subject: str
    body: str
    warnings: tuple[str, ...] = ()


class TemplateValues(SimpleNamespace):
    """One context variable's attributes, named so a typo can be reported by name."""

    def __init__(self, variable: str, **values: object) -> None:
        super().__init__(**values)
        self._variable = variable


class NamedUndefined(jinja2.StrictUndefined):
    """StrictUndefined whose message says "'interview' has no attribute 'positon'"."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        owner, name = self._undefined_obj, self._undefined_name
        if not isinstance(owner, TemplateValues) or not isinstance(name, str):
            return super()._undefined_message
        known = [key for key in vars(owner) if not key.startswith("_")]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{owner._variable!r} has no attribute {name!r}{hint}"


def render_draft(action: Action, interview: Interview, config: Config, now: datetime) -> DraftText:
    """The subject, body and spelling warnings of the draft that carries out action."""
    context = template_context(action, interview, config, now)
    subject, body = rendered_parts(template_name(action), context, config.templates_dir)
    if is_threaded(action):
        subject = reply_subject(action.reply_to.subject) or subject
    warnings = spelling_warnings(f"{subject}\n{body}", allowed_words(action, interview, config))
    recalls_timeframe = template_name(action) == "check_in.j2"
    if recalls_timeframe and interview.decision.strip() and not context["decision_text"]:
        warnings = (
            f'the employer\'s words "{one_line(interview.decision)}" do not fit a sentence,'
            " so the check-in does not recall their timeframe",
            *warnings,
        )
    return DraftText(subject=subject, body=body, warnings=warnings)


def template_name(action: Action) -> str:
    """The file name of the template for action."""
    if action.kind == "check_in":
        return "check_in.j2" if action.sequence <= 1 else "check_in_again.j2"
    name = f"{action.kind}.j2"
    if name not in TEMPLATE_NAMES:
        raise ValueError(f"no template for action kind {action.kind!r}")
    return name


def template_context(
    action: Action, interview: Interview, config: Config, now: datetime
) -> dict[str, object]:
    """The variables a template sees, as documented at the top of this module."""
    me = config.me
    person = action.interviewer or Interviewer(name=action.recipient_name, email=action.recipient)
    signature = me.signature.strip("\n") if me.signature.strip() else me.name
    return {
        "me": TemplateValues("me", name=me.name, email=config.account.address,
                             phone=me.phone or "", signature=signature),
        "interview": TemplateValues(
            "interview", company=interview.company, position=interview.position,
            when=interview.when, decision=interview.decision, deadline=interview.deadline,
            talking_points=sentence(interview.talking_points)),
        "interviewer": TemplateValues(
            "interviewer", name=person.name, first_name=first_name(person.name),
            email=person.email or "", phone=person.phone or "", notes=phrase(person.notes)),
        "action": TemplateValues("action", kind=action.kind, sequence=action.sequence,
                                 due=action.due),
        "first_name": first_name(action.recipient_name),
        "when_text": when_text(interview.when, now),
        "interview_date": full_date(interview.when, now),
        "decision_text": decision_text(interview.decision),
        "original_subject": one_line(action.reply_to.subject) if action.reply_to else "",
    }


def rendered_parts(
    name: str, context: dict[str, object], templates_dir: Path | None
) -> tuple[str, str]:
    """The subject and body of template name rendered with context."""
    search_path = [templates_dir, PACKAGE_TEMPLATES] if templates_dir else [PACKAGE_TEMPLATES]
    # A fresh environment per draft: edits to templates take effect without a restart.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search_path), undefined=NamedUndefined,
        autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
    )
    try:
        template = environment.get_template(name)
        rendered = template.render(context)
    except Exception as error:
        problem = template_problem(error, search_path)
        if problem is not None:
            raise TemplateError(problem, template_advice(problem)) from error
        if isinstance(error, jinja2.TemplateNotFound):
            missing = f"template {name} is missing from {PACKAGE_TEMPLATES}"
            advice = "Reinstall followupd: its default templates are incomplete."
            raise TemplateError(missing, advice) from error
        raise
    return split_subject(rendered, display_path(template.filename or name))


def template_problem(error: Exception, search_path: list[Path]) -> str | None:
    """`file:line: message` when error arose in a template, None when it is ours."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        path = display_path(error.filename or error.name or "?")
        return f"{path}:{error.lineno}: {error.message}"
    if isinstance(error, jinja2.TemplateNotFound):
        message = f"no template named {error.name!r}"
    elif isinstance(error, jinja2.TemplateError):
        message = str(error)
    else:
        message = f"{type(error).__name__}: {error}"
    folders = [str(folder) for folder in search_path]
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if any(frame.filename.startswith(folder) for folder in folders):
            return f"{display_path(frame.filename)}:{frame.lineno}: {message}"
    return None


def template_advice(problem: str) -> str:
    """What to do about a template problem, depending on whose template it is."""
    if problem.startswith("followupd/templates/"):
        return "This is a bug in a default template; please report it."
    return "Fix the template, or remove it from templates_dir to use the default."


def display_path(filename: str) -> str:
    """A template's path as the user knows it: theirs as configured, ours package-relative."""
    path = Path(filename)
    if path.is_relative_to(PACKAGE_TEMPLATES):
        return f"followupd/templates/{path.relative_to(PACKAGE_TEMPLATES).as_posix()}"
    return filename


def split_subject(rendered: str, path: str) -> tuple[str, str]:
    """The Subject line and the body of a rendered template."""
    first_line, _, rest = rendered.lstrip("\n").partition("\n")
    label, colon, subject = first_line.partition(":")
    if label.strip().lower() != "subject" or not colon or not subject.strip():
        raise TemplateError(
            f"{path}:1: the first line must be 'Subject: …' with the subject after the colon",
            template_advice(path),
        )
    if rest.strip() and not rest.startswith("\n"):
        raise TemplateError(
            f"{path}:2: a blank line must follow the Subject line", template_advice(path)
        )
    return one_line(subject), rest.lstrip("\n").rstrip() + "\n"


def is_threaded(action: Action) -> bool:
    """Whether the draft replies to a message; a note to oneself never does."""
    return action.reply_to is not None and action.kind != "call_reminder"


def allowed_words(action: Action, interview: Interview, config: Config) -> list[str]:
    """Text the user or the employer wrote, which the spell-checker must not judge."""
    people = [*interview.interviewers, *([action.interviewer] if action.interviewer else [])]
    original = [action.reply_to.subject, action.reply_to.sender_name] if action.reply_to else []
    return [
        config.me.name, config.me.signature, interview.company, interview.position,
        interview.decision, interview.talking_points, action.recipient_name, *original,
        *(text for person in people for text in (person.name, person.notes)),
    ]


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


def build_message(
    action: Action, text: DraftText, config: Config, now: datetime, message_id: str | None = None
) -> EmailMessage:
    """The draft as an RFC 5322 message, threaded onto action.reply_to when there is one."""
    sender = mailbox_address(config.me.name, config.account.address)
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = sender
    if action.kind == "call_reminder":
        message["To"] = sender
    else:
        message["To"] = mailbox_address(action.recipient_name, action.recipient)
    message["Subject"] = one_line(text.subject)
    message["Date"] = email.utils.format_datetime(now)
    domain = config.account.address.rpartition("@")[2]
    if message_id is None:
        own_ids = [email.utils.make_msgid(domain=domain)]
    else:
        own_ids = valid_message_ids([message_id])
    if not own_ids:
        raise ValueError(f"not a Message-ID: {message_id!r}")
    message["Message-ID"] = own_ids[0]
    message["X-Followupd-Key"] = one_line(action.key)
    message["X-Followupd-Kind"] = one_line(action.kind)
    if is_threaded(action):
        add_threading_headers(message, action.reply_to)
    # Quoted-printable keeps the draft 7-bit clean for any IMAP server while soft line
    # breaks leave each paragraph one line, which Gmail then wraps to the screen.
    message.set_content(text.body, charset="utf-8", cte="quoted-printable")
    return message


def mailbox_address(name: str, address: str) -> Address:
    """`"name" <address>`, with line breaks in the name flattened so no header can be forged."""
    address = address.strip()
    local_part, at, domain = address.rpartition("@")
    if not (local_part and at and domain):
        raise ValueError(f"not an email address: {address!r}")
    return Address(display_name=one_line(name), addr_spec=address)


def add_threading_headers(message: EmailMessage, original: Message) -> None:
    """In-Reply-To and References that put message in original's thread."""
    parent = valid_message_ids([original.message_id])
    ancestors = original.references or ((original.in_reply_to,) if original.in_reply_to else ())
    chain = list(dict.fromkeys(valid_message_ids([*ancestors, *parent])))
    if len(chain) > MAX_REFERENCES:
        chain = chain[:1] + chain[-(MAX_REFERENCES - 1):]
    if parent:
        message.set_raw("In-Reply-To", parent[0])
    if chain:
        message.set_raw("References", "\n ".join(chain))


def body_hash(text: str) -> str:
    """SHA-256 of a body with line endings and trailing whitespace normalized away."""
    lines = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    normalized = "\n".join(line.rstrip() for line in lines).strip("\n")
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def message_body_text(message: MimeMessage) -> str:
    """The decoded text/plain body of a parsed message, with \\n line ends ("" if none)."""
    for part in message.walk():
        if part.get_content_type() != "text/plain":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        payload = part.get_payload(decode=True) or b""
        try:
            text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
        except LookupError:  # an unknown charset name: UTF-8 is the likeliest truth
            text = payload.decode("utf-8", errors="replace")
        return text.replace("\r\n", "\n")
    return ""


def check_templates(config: Config) -> list[str]:
    """Every template problem found by rendering each kind against sample interviews."""
    problems: list[str] = []
    for action, interview in sample_cases():
        context = template_context(action, interview, config, interview.when + timedelta(days=9))
        try:
            rendered_parts(template_name(action), context, config.templates_dir)
        except TemplateError as error:
            if str(error) not in problems:
                problems.append(str(error))
    return problems


def sample_cases() -> list[tuple[Action, Interview]]:
    """Every kind of action, for an interview with every detail and for a bare one."""
    when = datetime(2024, 11, 19, 14, 0, tzinfo=timezone.utc)
    full_person = Interviewer("Dana Whitfield", "dana@example.com", "+1 555 0100", "your roadmap")
    bare_person = Interviewer("", "hiring@example.com")
    previous = Message("<sample@example.com>", when, "dana@example.com", subject="Next steps")
    cases = []
    for person, decision, points, reply_to in (
        (full_person, "by the end of the month", "I led a migration.", previous),
        (bare_person, "", "", None),
    ):
        interview = Interview("sample", "Example Corp", "Account Executive", when, decision,
                              when.date() + timedelta(days=11), ("example.com",), (person,), points)
        for kind, sequence in (("thank_you", 1), ("check_in", 1), ("check_in", 2),
                               ("call_reminder", 1), ("thanks_after_rejection", 1)):
            action = Action(kind, f"sample/{kind}/{sequence}", "sample", when, person.email or "",
                            person.name, person, sequence, reply_to)
            cases.append((action, interview))
    return cases
