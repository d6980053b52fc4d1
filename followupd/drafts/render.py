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
import traceback
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import jinja2

from followupd.core.phrasing import (
    decision_text,
    first_name,
    full_date,
    one_line,
    phrase,
    reply_subject,
    sentence,
    when_text,
)
from followupd.drafts.message import DraftText, is_threaded
from followupd.drafts.spelling import spelling_warnings
from followupd.errors import TemplateError
from followupd.model import Action, Config, Interview, Interviewer, Message

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAMES = (
    "thank_you.j2",
    "check_in.j2",
    "check_in_again.j2",
    "call_reminder.j2",
    "thanks_after_rejection.j2",
)


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
    if problem.startswith("followupd/drafts/templates/"):
        return "This is a bug in a default template; please report it."
    return "Fix the template, or remove it from templates_dir to use the default."


def display_path(filename: str) -> str:
    """A template's path as the user knows it: theirs as configured, ours package-relative."""
    path = Path(filename)
    if path.is_relative_to(PACKAGE_TEMPLATES):
        return f"followupd/drafts/templates/{path.relative_to(PACKAGE_TEMPLATES).as_posix()}"
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


def allowed_words(action: Action, interview: Interview, config: Config) -> list[str]:
    """Text the user or the employer wrote, which the spell-checker must not judge."""
    people = [*interview.interviewers, *([action.interviewer] if action.interviewer else [])]
    original = [action.reply_to.subject, action.reply_to.sender_name] if action.reply_to else []
    return [
        config.me.name, config.me.signature, interview.company, interview.position,
        interview.decision, interview.talking_points, action.recipient_name, *original,
        *(text for person in people for text in (person.name, person.notes)),
    ]


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
