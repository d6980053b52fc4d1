"""YAML → validated, frozen config objects; the only module that imports yaml."""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import date, datetime
from datetime import timezone as utc_zone
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import yaml

from followupd import model
from followupd.config.account import build_account
from followupd.config.section import ADVICE, Problems, Section
from followupd.config.spec import (
    CHILDREN,
    SECTION,
    SECTION_LIST,
    Invalid,
    Kind,
    Option,
    is_free_mail,
    shown,
    suggestion,
)
from followupd.core.addresses import is_loopback
from followupd.core.decision_phrases import decision_deadline
from followupd.core.timeframes import BusinessCalendar, TimeframeError
from followupd.errors import ConfigError

NULL_TAG = "tag:yaml.org,2002:null"
MISSING = object()


# Reading the node tree against the spec


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def described(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return "a list" if isinstance(node, yaml.SequenceNode) else shown(node.value)


def read_section(node: yaml.MappingNode, spec_path: str, path: str, problems: Problems, line: int) -> Section:
    """Check one mapping's keys (unknown, duplicate, missing) and read each value."""
    section = Section(spec_path, path, line, problems)
    children = CHILDREN.get(spec_path, {})
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else described(key_node)
        if key in section.lines:
            message = f"duplicate key (first on line {section.lines[key]})"
            problems.add(line_of(key_node), section.where(key), message)
        elif key not in children:
            hint = suggestion(key, list(children))
            problems.add(line_of(key_node), section.where(key), f"unknown key{hint}")
        else:
            section.lines[key] = line_of(key_node)
            value = read_value(children[key], value_node, section.where(key), problems, line_of(key_node))
            if value is not MISSING:
                section.values[key] = value
    for key, option in children.items():
        if option.required and not section.given(key):
            section.report(key, "required key is missing")
    return section


def read_value(option: Option, node: yaml.Node, path: str, problems: Problems, key_line: int) -> Any:
    """One option's value, or MISSING after reporting why it cannot be used."""
    kind = option.kind
    if isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG:
        if option.required:
            problems.add(line_of(node), path, f"expected {kind.expected}, got nothing")
        return MISSING
    if kind is not SECTION and kind is not SECTION_LIST and not kind.item:
        return read_scalar(option, kind, node, path, problems)
    if not isinstance(node, yaml.MappingNode if kind is SECTION else yaml.SequenceNode):
        problems.add(line_of(node), path, f"expected {kind.expected}, got {described(node)}")
        return MISSING
    if kind is SECTION:
        return read_section(node, option.path, path, problems, key_line)  # `account:`, not its first key
    items = []
    for index, item in enumerate(node.value):
        if kind.item:
            items.append(read_scalar(option, kind.item, item, f"{path}[{index}]", problems))
        elif isinstance(item, yaml.MappingNode):
            items.append(read_section(item, option.path + "[]", f"{path}[{index}]", problems, line_of(item)))
        else:
            message = f"expected a mapping of options, got {described(item)}"
            problems.add(line_of(item), f"{path}[{index}]", message)
    return tuple(item for item in items if item is not MISSING)


def read_scalar(option: Option, kind: Kind, node: yaml.Node, path: str, problems: Problems) -> Any:
    """A scalar read from its text as written, so YAML 1.1 typing (`NO` → false) never applies."""
    if not isinstance(node, yaml.ScalarNode):
        problems.add(line_of(node), path, f"expected {kind.expected}, got {described(node)}")
        return MISSING
    if option.header and ("\r" in node.value or "\n" in node.value):
        problems.add(line_of(node), path, "must be a single line")  # a line break would inject a header
        return MISSING
    try:
        return kind.parse(node.value)
    except Invalid as error:
        problems.add(line_of(node), path, str(error))
    except ValueError:
        problems.add(line_of(node), path, f"expected {kind.expected}, got {shown(node.value)}")
    return MISSING


# Building frozen model objects, with the checks that span several keys


def business_calendar(policy: Section) -> BusinessCalendar:
    """The calendar deadlines are counted in; an unknown country is reported and treated as none."""
    try:
        return BusinessCalendar(policy.get("holidays"))
    except TimeframeError as error:
        policy.report("holidays", str(error))
        return BusinessCalendar(None)


def build_interviews(
    root: Section, default: model.Duration, calendar: BusinessCalendar
) -> tuple[model.Interview, ...]:
    """Every interview, each with an id of its own."""
    interviews, first_with_id = [], {}
    for index, section in enumerate(root.get("interviews")):
        interview = build_interview(section, index, root.get("timezone"), default, calendar)
        if interview.id in first_with_id:
            owner = first_with_id[interview.id]
            message = f"{shown(interview.id)} is already the id of {owner}; give one of them its own id"
            section.report("id", message)
        first_with_id.setdefault(interview.id, section.path)
        interviews.append(interview)
    return tuple(interviews)


def build_interview(
    section: Section, index: int, zone_name: str | None, default: model.Duration, calendar: BusinessCalendar
) -> model.Interview:
    values = section.fields()
    interviewers = tuple(model.Interviewer(**person.fields()) for person in values["interviewers"])
    when = localized(values["when"], zone_name)
    derived_id = slug(values["company"] or "", values["position"] or "") or f"interview-{index + 1}"
    values.update(
        id=values["id"] or derived_id,
        when=when,
        deadline=deadline(section, when, calendar, default),
        domains=company_domains(section, interviewers),
        interviewers=interviewers,
    )
    return model.Interview(**values)


def localized(when: datetime | None, zone_name: str | None) -> datetime | None:
    """The start as an aware time; a wall time that a DST change skips or repeats takes fold=0."""
    if when is None or zone_name is None:
        return when
    zone = ZoneInfo(zone_name)
    if when.tzinfo:
        return when.astimezone(zone)
    # fold=0 reads a skipped time (02:30 at spring-forward) with the offset before the change; the trip
    # through UTC turns it into the wall time that exists (03:30). A repeated time is its first occurrence.
    return when.replace(tzinfo=zone, fold=0).astimezone(utc_zone.utc).astimezone(zone)


def deadline(
    section: Section, when: datetime | None, calendar: BusinessCalendar, default: model.Duration
) -> date | None:
    """The last day they gave themselves, read from their own words."""
    if when is None:
        return None
    try:
        return decision_deadline(section.get("decision"), when.date(), calendar, default)
    except TimeframeError as error:
        section.report("decision", str(error))
        return None


def company_domains(section: Section, interviewers: tuple[model.Interviewer, ...]) -> tuple[str, ...]:
    """Domains whose mail counts as hearing back: as written, else the interviewers' minus free-mail."""
    if section.given("domains"):
        return tuple(dict.fromkeys(section.get("domains") or ()))
    derived = (person.email.rpartition("@")[2].lower() for person in interviewers if person.email)
    return tuple(dict.fromkeys(domain for domain in derived if not is_free_mail(domain)))


def slug(*parts: str) -> str:
    """`Acme Corp`, `Account Executive` → `acme-corp-account-executive`."""
    ascii_text = unicodedata.normalize("NFKD", " ".join(parts)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# Paths and files


def home(environ: Mapping[str, str]) -> Path:
    return Path(environ["HOME"]) if environ.get("HOME") else Path.home()


def expanded(text: str, environ: Mapping[str, str]) -> Path:
    """text with a leading `~` replaced by the home directory named in environ."""
    if text == "~" or text.startswith("~/"):
        return home(environ) / text[2:]
    return Path(text).expanduser()


def resolved(text: str | None, base: Path, environ: Mapping[str, str]) -> Path | None:
    """A path written in the file: `~` expanded, relative to the config file's directory."""
    return None if text is None else base / expanded(text, environ)  # an absolute right side wins


def xdg_directory(environ: Mapping[str, str], variable: str, fallback: str) -> Path:
    # The XDG spec calls a relative value invalid, to be ignored.
    value = environ.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else home(environ) / fallback


def default_config_path(environ: Mapping[str, str]) -> Path:
    """The config file when --config is not given: $FOLLOWUPD_CONFIG, else the XDG config directory's."""
    if environ.get("FOLLOWUPD_CONFIG"):
        return expanded(environ["FOLLOWUPD_CONFIG"], environ)
    return xdg_directory(environ, "XDG_CONFIG_HOME", ".config") / "followupd" / "config.yaml"


def default_state_dir(environ: Mapping[str, str]) -> Path:
    """systemd's $STATE_DIRECTORY (the first, when several), else followupd in the XDG state directory."""
    if environ.get("STATE_DIRECTORY"):
        return Path(environ["STATE_DIRECTORY"].split(":")[0])
    return xdg_directory(environ, "XDG_STATE_HOME", ".local/state") / "followupd"


def compose(path: Path) -> yaml.Node | None:
    """The file's YAML node tree, which keeps the line of every value."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f'no config file at {path}; create one with "followupd init {path}"']) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"cannot read the config file {path}: {error}"]) from None
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = f"{path.name}:{mark.line + 1}: {error.problem or error.context}"
        raise ConfigError([problem], ADVICE) from None
    except yaml.YAMLError as error:
        raise ConfigError([f"{path.name}: {error}"], ADVICE) from None


def load_config(path: Path, environ: Mapping[str, str]) -> model.Config:
    """Read, validate and build the config, or raise ConfigError listing every problem."""
    node, problems = compose(path), Problems(path.name)
    if node is None:  # an empty file: report everything it lacks
        node = yaml.MappingNode("tag:yaml.org,2002:map", [], yaml.Mark(path.name, 0, 0, 0, None, None))
    if not isinstance(node, yaml.MappingNode):
        problems.add(line_of(node), "", f"expected a mapping of options, got {described(node)}")
        problems.raise_if_any()
    root, base = read_section(node, "", "", problems, line_of(node)), path.absolute().parent
    policy = root.child("policy")
    policy_values = model.Policy(**policy.fields())
    state_dir = resolved(root.get("state_dir"), base, environ) or default_state_dir(environ)
    config = model.Config(
        path=path.absolute(),
        account=build_account(root.child("account"), lambda text: resolved(text, base, environ), state_dir),
        me=model.Me(**root.child("me").fields()),
        timezone=root.get("timezone"),
        check_every=root.get("check_every"),
        state_dir=state_dir,
        templates_dir=resolved(root.get("templates_dir"), base, environ),
        policy=policy_values,
        interviews=build_interviews(root, policy_values.default_decision, business_calendar(policy)),
        notify=notify_settings(root.child("notify")),
    )
    problems.raise_if_any()
    return config


def notify_settings(section: Section) -> model.Notify:
    """The notify section; event text leaves the machine, so only over https (or to this machine)."""
    url = section.get("url")
    if url and url.startswith("http://") and not is_loopback(urlsplit(url).hostname or ""):
        section.report("url", f"{shown(url)} would send your events unencrypted; use https://")
    return model.Notify(**section.fields())


def write_example(path: Path) -> None:
    """Copy the commented example config to path (mode 0600), never over an existing file."""
    text = resources.files("followupd.config").joinpath("config.example.yaml").read_bytes()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        message = f"{path} already exists; followupd init never overwrites it: edit it, or move it aside"
        raise ConfigError([message]) from None
    except OSError as error:
        raise ConfigError([f"cannot create {path}: {error.strerror}"]) from None
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), 0o600)  # the umask may have narrowed it; 0600 is what we promise
        file.write(text)
