"""config.py: YAML in, frozen model objects or every problem with its line out."""

from __future__ import annotations

import json
import re
import stat
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from textwrap import dedent

import pytest

from followupd import model
from followupd.config.load import (
    default_config_path,
    default_state_dir,
    load_config,
    write_example,
)
from followupd.config.spec import (
    DURATION_PATTERN,
    OPTIONS,
    json_schema,
    option_reference,
)
from followupd.core.timeframes import DURATION_EXAMPLES, parse_duration
from followupd.errors import ConfigError

ENVIRON = {"HOME": "/home/beth"}

# Line numbers in the assertions below count from the first line of this text.
MINIMAL = """\
account:
  provider: gmail
  address: beth.smith@gmail.com
me:
  name: Beth Smith
timezone: America/New_York
interviews:
  - company: Acme Corp
    position: Account Executive
    when: 2026-11-19 14:00
    decision: by the end of the month
    interviewers:
      - name: Mark Jones
        email: mark.jones@acme.com
"""


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def loaded(tmp_path: Path, text: str, environ: dict[str, str] = ENVIRON) -> model.Config:
    return load_config(write(tmp_path, text), environ)


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), ENVIRON)
    return caught.value.problems


def edited(old: str, new: str, text: str = MINIMAL) -> str:
    assert old in text, old  # a typo here would silently test the unedited config
    return text.replace(old, new, 1)


def with_account_lines(*lines: str) -> str:
    """MINIMAL with more keys under `account:`, from line 4 on."""
    return edited("com\nme:", "com\n" + "".join(f"  {line}\n" for line in lines) + "me:")


# Mistakes, each reported with its exact message


def test_an_unknown_key_suggests_the_closest_known_one(tmp_path):
    assert problems(tmp_path, edited("  address:", "  adress:")) == [
        "config.yaml:1: account.address: required key is missing",
        'config.yaml:3: account.adress: unknown key; did you mean "address"?',
    ]


def test_an_interviewer_email_without_an_at_sign_is_refused(tmp_path):
    assert problems(tmp_path, edited("email: mark.jones@acme.com", "email: dana")) == [
        'config.yaml:14: interviews[0].interviewers[0].email: expected an email address, got "dana"',
    ]


def test_an_unreadable_duration_is_explained_with_examples(tmp_path):
    text = MINIMAL + "policy:\n  grace: soonish\n"
    assert problems(tmp_path, text) == [
        'config.yaml:16: policy.grace: expected a duration like 90m, 2h, 3d, 1w or 5 business days, got "soonish"',
    ]


def test_an_unreadable_decision_phrase_is_explained_with_examples(tmp_path):
    text = edited("by the end of the month", "when the stars align")
    assert problems(tmp_path, text) == [
        'config.yaml:11: interviews[0].decision: could not read "when the stars align" as a decision timeframe;'
        ' try phrases like "by the end of the month", "within two weeks", "by Friday", "early next week",'
        ' "10 business days", "by December 5"',
    ]


def test_a_misspelled_timezone_suggests_the_real_one(tmp_path):
    assert problems(tmp_path, edited("America/New_York", "America/New_Yrok")) == [
        'config.yaml:6: timezone: expected an IANA time zone like America/New_York, got "America/New_Yrok";'
        ' did you mean "America/New_York"?',
    ]


def test_a_missing_required_key_is_reported_on_its_parent_mapping(tmp_path):
    assert problems(tmp_path, edited("  - company: Acme Corp\n    position:", "  - position:")) == [
        "config.yaml:8: interviews[0].company: required key is missing",
    ]


def test_a_single_address_where_a_list_belongs_is_a_wrong_type(tmp_path):
    assert problems(tmp_path, with_account_lines("aliases: acme.com")) == [
        'config.yaml:4: account.aliases: expected a list of email addresses, got "acme.com"',
    ]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("name: Beth Smith", 'name: "Beth\\nSmith"', "config.yaml:5: me.name: must be a single line"),
        ("name: Beth Smith", 'name: "Beth\\rBcc: x@evil.example"', "config.yaml:5: me.name: must be a single line"),
        ("company: Acme", "company: |\n      Acme", "config.yaml:8: interviews[0].company: must be a single line"),
        (
            "email: mark.jones@acme.com",
            'email: "mark.jones@acme.com\\nBcc: x@evil.example"',
            "config.yaml:14: interviews[0].interviewers[0].email: must be a single line",
        ),
    ],
)
def test_a_line_break_in_a_header_value_is_refused(tmp_path, old, new, problem):
    assert problems(tmp_path, edited(old, new)) == [problem]


def test_plain_text_login_to_a_remote_host_is_refused(tmp_path):
    text = edited("  provider: gmail\n", "  provider: imap\n  host: mail.example.com\n  security: plain\n")
    assert problems(tmp_path, text) == [
        "config.yaml:4: account.security: plain sends your password unencrypted, so it is allowed only to"
        ' 127.0.0.0/8, ::1 or localhost, not "mail.example.com"',
    ]


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "127.0.0.1", "127.8.9.10", "::1", "[::1]"])
def test_plain_text_login_to_a_loopback_host_is_allowed(tmp_path, host):
    text = edited("  provider: gmail\n", f'  provider: imap\n  host: "{host}"\n  security: plain\n')
    account = loaded(tmp_path, text).account
    assert (account.host, account.port, account.security) == (host, 143, "plain")


def test_provider_imap_without_a_host_is_refused(tmp_path):
    assert problems(tmp_path, edited("provider: gmail", "provider: imap")) == [
        "config.yaml:1: account.host: required key is missing; provider imap has no preset server",
    ]


def test_a_password_written_in_the_file_is_refused_without_repeating_it(tmp_path):
    with pytest.raises(ConfigError) as caught:
        loaded(tmp_path, with_account_lines("password: hunter2"))
    assert caught.value.problems == [
        "config.yaml:4: account.password: expected keyring, command, credential or oauth2;"
        " passwords never go in this file (see followupd login)",
    ]
    assert "hunter2" not in str(caught.value)


def test_two_interviews_with_the_same_id_are_refused_on_the_second(tmp_path):
    second = "  - company: Acme Corp\n    position: Account Executive\n    when: 2026-11-20 10:00\n"
    assert problems(tmp_path, MINIMAL + second) == [
        'config.yaml:15: interviews[1].id: "acme-corp-account-executive" is already the id of interviews[0];'
        " give one of them its own id",
    ]


def test_a_duplicate_key_is_reported_on_its_second_line(tmp_path):
    assert problems(tmp_path, edited("  name: Beth Smith\n", "  name: Beth Smith\n  name: Beth Jones\n")) == [
        "config.yaml:6: me.name: duplicate key (first on line 5)",
    ]


def test_a_yaml_syntax_error_names_its_line_without_a_traceback(tmp_path):
    assert problems(tmp_path, edited("address: beth.smith@gmail.com", "address: beth: smith")) == [
        "config.yaml:3: mapping values are not allowed here",
    ]


def test_a_free_mail_domain_listed_as_the_company_domain_is_refused(tmp_path):
    text = edited("    interviewers:", "    domains: [acme.com, GMail.com]\n    interviewers:")
    assert problems(tmp_path, text) == [
        "config.yaml:12: interviews[0].domains[1]: gmail.com is a free-mail domain, so anyone there would count"
        " as hearing back from the company; list only the company's own domains (the interviewers' addresses"
        " count anyway)",
    ]


WHEN_FORM = "expected a date and time like 2026-11-19 14:00 (YYYY-MM-DD HH:MM)"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "provider: gmail",
            "provider: gmial",
            "config.yaml:2: account.provider: expected gmail, outlook, fastmail, icloud, yahoo, imap or maildir,"
            ' got "gmial"; did you mean "gmail"?',
        ),
        (
            "provider: gmail",
            "provider: maildir",
            "config.yaml:1: account.path: required key is missing; provider maildir reads mail from this directory",
        ),
        (
            "    decision:",
            "    status: hired\n    decision:",
            'config.yaml:11: interviews[0].status: expected active, offer, rejected, withdrawn or closed, got "hired"',
        ),
        (
            "when: 2026-11-19 14:00",
            "when: 2026-11-19",
            f'config.yaml:10: interviews[0].when: {WHEN_FORM}, got "2026-11-19"; add the time the interview starts',
        ),
        ("when: 2026-11-19 14:00", "when: soon", f'config.yaml:10: interviews[0].when: {WHEN_FORM}, got "soon"'),
        (
            "when: 2026-11-19 14:00",
            "when: 2026-02-30 14:00",
            f'config.yaml:10: interviews[0].when: {WHEN_FORM}, got "2026-02-30 14:00"',
        ),
        (
            "timezone:",
            "check_every: 2 business days\ntimezone:",
            'config.yaml:6: check_every: expected a wall-clock interval like 15m or 1h, got "2 business days"',
        ),
        ("name: Beth Smith", "name:", "config.yaml:5: me.name: expected a single line of text, got nothing"),
        (
            "  - company: Acme Corp",
            "  - Acme Corp\n  - company: Acme Corp",
            'config.yaml:8: interviews[0]: expected a mapping of options, got "Acme Corp"',
        ),
    ],
)
def test_other_mistakes_are_reported_with_the_expected_form(tmp_path, old, new, problem):
    assert problems(tmp_path, edited(old, new)) == [problem]


@pytest.mark.parametrize("count", ["0", "5"])
def test_max_followups_may_be_zero_to_five(tmp_path, count):
    config = loaded(tmp_path, MINIMAL + f"policy:\n  max_followups: {count}\n")
    assert config.policy.max_followups == int(count)


@pytest.mark.parametrize("count", ["6", "-1", "two"])
def test_max_followups_outside_zero_to_five_is_refused(tmp_path, count):
    assert problems(tmp_path, MINIMAL + f"policy:\n  max_followups: {count}\n") == [
        f'config.yaml:16: policy.max_followups: expected a whole number from 0 to 5, got "{count}"',
    ]


def test_password_command_is_required_by_password_command_and_useless_without_it(tmp_path):
    assert problems(tmp_path, with_account_lines("password: command")) == [
        "config.yaml:1: account.password_command: required key is missing; account.password is command",
    ]
    assert problems(tmp_path, with_account_lines("password_command: pass x")) == [
        "config.yaml:4: account.password_command: has no effect unless account.password is command",
    ]


def test_an_unknown_holiday_country_is_reported(tmp_path):
    assert problems(tmp_path, MINIMAL + "policy:\n  holidays: XX\n") == [
        'config.yaml:16: policy.holidays: unknown holiday country "XX"; use an ISO 3166 code such as "US",'
        ' "GB" or "DE", optionally with a region such as "US-CA"',
    ]


def test_every_problem_in_the_file_is_reported_sorted_by_line(tmp_path):
    text = edited("provider: gmail", "provider: imap")
    text = edited("America/New_York", "Mars/Olympus_Mons", text)
    text = edited("email: mark.jones@acme.com", "email: mark", text)
    text = edited("    position: Account Executive\n", "", text)
    text += "bogus: 1\n"
    assert problems(tmp_path, text) == [
        "config.yaml:1: account.host: required key is missing; provider imap has no preset server",
        'config.yaml:6: timezone: expected an IANA time zone like America/New_York, got "Mars/Olympus_Mons"',
        "config.yaml:8: interviews[0].position: required key is missing",
        'config.yaml:13: interviews[0].interviewers[0].email: expected an email address, got "mark"',
        "config.yaml:14: bogus: unknown key",
    ]


def test_a_missing_file_suggests_followupd_init(tmp_path):
    path = tmp_path / "nowhere" / "config.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(path, ENVIRON)
    assert caught.value.problems == [f'no config file at {path}; create one with "followupd init {path}"']


def test_an_empty_file_lists_the_required_sections(tmp_path):
    assert problems(tmp_path, "") == [
        "config.yaml:1: account: required key is missing",
        "config.yaml:1: me: required key is missing",
        "config.yaml:1: timezone: required key is missing",
    ]


def test_problems_name_the_file_as_it_was_given(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "- just a list\n", name="work.yaml"), ENVIRON)
    assert caught.value.problems == ["work.yaml:1: expected a mapping of options, got a list"]


# What a valid file turns into


def test_a_minimal_config_gets_every_default(tmp_path):
    config = loaded(tmp_path, MINIMAL)
    assert config.policy == model.Policy(
        thank_you_after=model.Duration(exact=timedelta(hours=2), text="2h"),
        thank_you_window=model.Duration(exact=timedelta(days=3), text="3d"),
        default_decision=model.Duration(business_days=5, text="5 business days"),
        grace=model.Duration(business_days=1, text="1 business day"),
        followup_spacing=model.Duration(business_days=5, text="5 business days"),
        max_followups=2,
        call_reminder=True,
        thanks_after_rejection=True,
        retract_obsolete_drafts=True,
        holidays=None,
    )
    assert config.account == model.Account(
        provider="gmail", address="beth.smith@gmail.com", host="imap.gmail.com", port=993, security="tls"
    )
    assert config.me == model.Me(name="Beth Smith")
    assert config.check_every == model.Duration(exact=timedelta(minutes=15), text="15m")
    assert (config.state_dir, config.templates_dir) == (Path("/home/beth/.local/state/followupd"), None)
    assert config.interviews[0].status == "active"


def test_an_empty_interview_list_is_a_valid_config(tmp_path):
    text = MINIMAL[: MINIMAL.index("interviews:")] + "interviews: []\n"
    assert loaded(tmp_path, text).interviews == ()


def test_values_yaml_1_1_would_retype_stay_as_written(tmp_path):
    text = edited("  name: Beth Smith\n", "  name: Beth Smith\n  phone: +1 555 0100\n")
    text += "policy:\n  holidays: NO\n  call_reminder: no\n"
    config = loaded(tmp_path, text)
    written = (config.me.phone, config.policy.holidays, config.policy.call_reminder)
    assert written == ("+1 555 0100", "NO", False)


def test_an_interview_without_an_id_gets_a_slug_of_company_and_position(tmp_path):
    text = edited("Acme Corp", "Société Générale & Co.", edited("Account Executive", "Sales (EMEA)"))
    assert loaded(tmp_path, text).interviews[0].id == "societe-generale-co-sales-emea"


def test_domains_default_to_the_interviewers_domains_without_free_mail(tmp_path):
    addresses = ["dana.wu@GMAIL.com", "lee@Acme.co.uk", "sam@acme.com", "kim@gmx.de", "jo@yahoo.co.uk"]
    extra = "".join(f"      - name: Someone\n        email: {address}\n" for address in addresses)
    assert loaded(tmp_path, MINIMAL + extra).interviews[0].domains == ("acme.com", "acme.co.uk")


def test_explicit_domains_are_lower_cased_and_replace_the_derived_ones(tmp_path):
    text = edited("    interviewers:", "    domains: [Acme-Corp.COM, acme-corp.com]\n    interviewers:")
    assert loaded(tmp_path, text).interviews[0].domains == ("acme-corp.com",)


def test_the_deadline_is_read_from_their_words(tmp_path):
    assert loaded(tmp_path, MINIMAL).interviews[0].deadline == date(2026, 11, 30)


def test_no_stated_decision_falls_back_on_default_decision_in_business_days_with_holidays(tmp_path):
    text = edited("    decision: by the end of the month\n", "")
    assert loaded(tmp_path, text).interviews[0].deadline == date(2026, 11, 26)
    # Thanksgiving (Thursday November 26) is not a business day in the US.
    assert loaded(tmp_path, text + "policy:\n  holidays: us\n").interviews[0].deadline == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("written", "expected", "offset_hours"),
    [
        ("2026-11-19 14:00", datetime(2026, 11, 19, 14, 0), -5),
        ("2026-11-19T14:00", datetime(2026, 11, 19, 14, 0), -5),
        ("2026-11-19 14:00:30", datetime(2026, 11, 19, 14, 0, 30), -5),
        ("2026-07-01 9:15", datetime(2026, 7, 1, 9, 15), -4),
        ("2026-07-01T15:15:00+02:00", datetime(2026, 7, 1, 9, 15), -4),
        # The clocks skip 02:00-03:00 on 8 March 2026: 02:30 is read as 03:30 daylight time.
        ("2026-03-08 02:30", datetime(2026, 3, 8, 3, 30), -4),
        # 01:30 happens twice on 1 November 2026: the first (daylight) one is meant.
        ("2026-11-01 01:30", datetime(2026, 11, 1, 1, 30), -4),
    ],
)
def test_when_is_an_aware_time_in_the_configured_timezone(tmp_path, written, expected, offset_hours):
    when = loaded(tmp_path, edited("2026-11-19 14:00", written)).interviews[0].when
    assert (when.replace(tzinfo=None), when.utcoffset(), str(when.tzinfo)) == (
        expected,
        timedelta(hours=offset_hours),
        "America/New_York",
    )


@pytest.mark.parametrize(
    ("provider", "host"),
    [
        ("gmail", "imap.gmail.com"),
        ("outlook", "outlook.office365.com"),
        ("fastmail", "imap.fastmail.com"),
        ("icloud", "imap.mail.me.com"),
        ("yahoo", "imap.mail.yahoo.com"),
    ],
)
def test_a_provider_implies_its_server(tmp_path, provider, host):
    account = loaded(tmp_path, edited("provider: gmail", f"provider: {provider}")).account
    assert (account.host, account.port, account.security) == (host, 993, "tls")


def test_explicit_server_settings_override_the_provider_preset(tmp_path):
    text = with_account_lines("host: imap.proxy.example", "port: 1993", "security: starttls")
    account = loaded(tmp_path, text).account
    assert (account.host, account.port, account.security) == ("imap.proxy.example", 1993, "starttls")


def test_a_maildir_account_ignores_server_settings_and_resolves_its_path(tmp_path):
    text = edited("  provider: gmail\n", "  provider: maildir\n  path: Mail/work\n  host: imap.example.com\n")
    account = loaded(tmp_path, text).account
    assert (account.path, account.host, account.port) == (tmp_path / "Mail/work", None, None)


def test_paths_expand_home_and_are_relative_to_the_config_file(tmp_path):
    text = MINIMAL + "state_dir: ~/state\ntemplates_dir: my-templates\n"
    config = loaded(tmp_path, text)
    assert (config.state_dir, config.templates_dir) == (Path("/home/beth/state"), tmp_path / "my-templates")


# Where files are


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({**ENVIRON, "FOLLOWUPD_CONFIG": "~/work.yaml", "XDG_CONFIG_HOME": "/x"}, "/home/beth/work.yaml"),
        ({**ENVIRON, "XDG_CONFIG_HOME": "/xdg/config"}, "/xdg/config/followupd/config.yaml"),
        ({**ENVIRON, "XDG_CONFIG_HOME": "relative/ignored"}, "/home/beth/.config/followupd/config.yaml"),
        (ENVIRON, "/home/beth/.config/followupd/config.yaml"),
    ],
)
def test_the_default_config_path_follows_the_environment(environ, expected):
    assert default_config_path(environ) == Path(expected)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {**ENVIRON, "STATE_DIRECTORY": "/var/lib/followupd:/var/lib/more", "XDG_STATE_HOME": "/x"},
            "/var/lib/followupd",
        ),
        ({**ENVIRON, "XDG_STATE_HOME": "/xdg/state"}, "/xdg/state/followupd"),
        (ENVIRON, "/home/beth/.local/state/followupd"),
    ],
)
def test_the_default_state_dir_follows_the_environment(environ, expected):
    assert default_state_dir(environ) == Path(expected)


def test_init_writes_the_example_privately_and_creates_its_directory(tmp_path):
    path = tmp_path / "new" / "dir" / "config.yaml"
    write_example(path)
    packaged = resources.files("followupd.config").joinpath("config.example.yaml").read_text(encoding="utf-8")
    assert (path.read_text(encoding="utf-8"), stat.S_IMODE(path.stat().st_mode)) == (packaged, 0o600)


def test_init_never_overwrites_an_existing_config(tmp_path):
    path = write(tmp_path, "mine: true\n")
    with pytest.raises(ConfigError) as caught:
        write_example(path)
    assert caught.value.problems == [
        f"{path} already exists; followupd init never overwrites it: edit it, or move it aside",
    ]
    assert path.read_text(encoding="utf-8") == "mine: true\n"


# The example file and the schema agree with the spec


def example_path() -> Path:
    return Path(str(resources.files("followupd.config").joinpath("config.example.yaml")))


def test_the_example_config_is_valid(tmp_path):
    config = load_config(example_path(), ENVIRON)
    assert (config.interviews[0].id, config.interviews[0].deadline, config.policy.holidays) == (
        "acme-account-executive",
        date(2026, 11, 30),
        "US",
    )


def test_the_example_config_shows_every_option():
    text = example_path().read_text(encoding="utf-8")
    written = set(re.findall(r"^[ #]*(?:- )?([a-z_][a-z0-9_]*):", text, flags=re.MULTILINE))
    assert sorted({option.path.rpartition(".")[2] for option in OPTIONS} - written) == []


def schema_paths(schema: dict, prefix: str = "") -> list[str]:
    """Every key path the schema declares, with `[]` marking list items as the spec does."""
    paths = []
    for key, child in schema.get("properties", {}).items():
        paths.append(prefix + key)
        if child["type"] == "array" and "properties" in child["items"]:
            paths.extend(schema_paths(child["items"], f"{prefix}{key}[]."))
        elif child["type"] == "object":
            paths.extend(schema_paths(child, f"{prefix}{key}."))
    return paths


def schema_objects(schema: dict) -> list[dict]:
    """The schema itself and every object schema nested in it."""
    nested = [*schema.get("properties", {}).values(), *([schema["items"]] if "items" in schema else [])]
    return ([schema] if schema["type"] == "object" else []) + [
        found for child in nested for found in schema_objects(child)
    ]


def test_the_schema_is_json_and_declares_exactly_the_spec_keys():
    schema = json.loads(json.dumps(json_schema()))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema_paths(schema) == [option.path for option in OPTIONS]


def test_the_schema_closes_every_mapping_and_describes_every_key():
    objects = schema_objects(json_schema())
    mappings = 1 + sum(option.kind.json_type in ("object", "array") for option in OPTIONS)  # and the root
    assert [len(objects), [schema["additionalProperties"] for schema in objects]] == [mappings, [False] * mappings]
    descriptions = [child["description"] for schema in objects for child in schema["properties"].values()]
    unfinished = [text for text in descriptions if not text.endswith(".")]
    assert (len(descriptions), unfinished) == (len(OPTIONS), [])


def test_the_schema_lists_allowed_values_and_required_keys():
    schema = json_schema()
    account = schema["properties"]["account"]
    assert account["properties"]["provider"]["enum"] == list(model.PROVIDERS)
    required = (schema["required"], account["required"])
    assert required == (["account", "me", "timezone"], ["provider", "address"])
    assert schema["properties"]["policy"]["properties"]["grace"]["pattern"] == DURATION_PATTERN


def test_the_duration_pattern_accepts_what_the_timeframes_module_reads():
    written = [*DURATION_EXAMPLES, "1 business day", "five working days", "15m"]
    assert [bool(re.match(DURATION_PATTERN, text)) for text in written] == [True] * len(written)
    assert [parse_duration(text).text for text in written] == written
    assert re.match(DURATION_PATTERN, "soonish") is None


def test_the_option_reference_gives_every_option_its_default():
    reference = dict((path, (default, description)) for path, default, description in option_reference())
    grace = ("1 business day", "Wait this long past their deadline before checking in.")
    assert reference["policy.grace"] == grace
    assert reference["account.provider"][0] == "required"
    assert len(reference) == len(OPTIONS)


# Provider presets and OAuth2 sign-in


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("security: plain", 'config.yaml:4: account.security: imap.gmail.com (gmail) accepts IMAP only with'
         ' security tls on port 993, not "plain"; remove security, or set host as well when you go through a'
         " local proxy"),
        ("security: starttls", 'config.yaml:4: account.security: imap.gmail.com (gmail) accepts IMAP only with'
         ' security tls on port 993, not "starttls"; remove security, or set host as well when you go through a'
         " local proxy"),
        ("port: 143", 'config.yaml:4: account.port: imap.gmail.com (gmail) accepts IMAP only with security tls'
         ' on port 993, not "143"; remove port, or set host as well when you go through a local proxy'),
    ],
)
def test_a_preset_server_with_a_setting_it_does_not_speak_is_refused_on_its_line(tmp_path, line, problem):
    assert problems(tmp_path, with_account_lines(line)) == [problem]


GMAIL_CLIENT = ("password: oauth2", "oauth2:", "  client_id: 1234-abc.apps.googleusercontent.com",
                "  client_secret: GOCSPX-not-confidential")


def test_gmail_oauth2_implies_google_endpoints_and_the_mail_scope(tmp_path):
    account = loaded(tmp_path, with_account_lines(*GMAIL_CLIENT) + "state_dir: /var/lib/followupd\n").account
    assert account.oauth2 == model.OAuth2Settings(
        client_id="1234-abc.apps.googleusercontent.com", client_secret="GOCSPX-not-confidential",
        auth_url="https://accounts.google.com/o/oauth2/auth", token_url="https://oauth2.googleapis.com/token",
        scopes=("https://mail.google.com/",), refresh_token_file=Path("/var/lib/followupd/oauth2-refresh-token"),
    )


@pytest.mark.parametrize(("tenant_line", "tenant"), [((), "common"), (("  tenant: organizations",), "organizations")])
def test_outlook_oauth2_implies_microsoft_endpoints_for_the_tenant(tmp_path, tenant_line, tenant):
    text = edited("provider: gmail", "provider: outlook", with_account_lines("password: oauth2", "oauth2:",
                                                                            "  client_id: 1111-2222", *tenant_line))
    settings = loaded(tmp_path, text).account.oauth2
    assert (settings.tenant, settings.auth_url, settings.token_url, settings.scopes) == (
        tenant,
        f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
        f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        ("https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"),
    )


@pytest.mark.parametrize(
    ("provider", "problem"),
    [
        ("fastmail", "config.yaml:4: account.password: oauth2 is not available for provider fastmail: it signs"
         " in with an app password (create one in the account's security settings; needs two-step verification)"),
        ("yahoo", "config.yaml:4: account.password: oauth2 is not available for provider yahoo: it signs"
         " in with an app password (create one in the account's security settings; needs two-step verification)"),
    ],
)
def test_oauth2_with_a_provider_that_does_not_offer_it_is_refused(tmp_path, provider, problem):
    text = edited("provider: gmail", f"provider: {provider}", with_account_lines(*GMAIL_CLIENT))
    assert problems(tmp_path, text) == [problem]


def test_oauth2_for_a_maildir_is_refused(tmp_path):
    text = edited("  provider: gmail\n", "  provider: maildir\n  path: Mail\n", with_account_lines(*GMAIL_CLIENT))
    assert problems(tmp_path, text) == [
        "config.yaml:5: account.password: oauth2 is not available for provider maildir: a Maildir needs no sign-in",
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (("password: oauth2",), ["config.yaml:1: account.oauth2: required key is missing; account.password is"
                                 " oauth2 (give at least client_id)"]),
        (GMAIL_CLIENT[1:], ["config.yaml:4: account.oauth2: has no effect unless account.password is oauth2"]),
        (GMAIL_CLIENT[:3], ["config.yaml:5: account.oauth2.client_secret: required key is missing; a Google"
                            " Desktop app client comes with one (for an installed app it is not confidential)"]),
        ((*GMAIL_CLIENT, "  tenant: common"),
         ["config.yaml:8: account.oauth2.tenant: has no effect unless account.provider is outlook"]),
        ((*GMAIL_CLIENT, "  token_url: http://tokens.example.com/token"),
         ["config.yaml:8: account.oauth2.token_url: tokens must not cross a network unencrypted: use https://"
          " (http:// only to loopback)"]),
    ],
)
def test_an_oauth2_client_that_does_not_fit_is_refused_on_its_line(tmp_path, lines, expected):
    assert problems(tmp_path, with_account_lines(*lines)) == expected


def test_a_microsoft_client_secret_is_refused(tmp_path):
    text = edited("provider: gmail", "provider: outlook", with_account_lines(*GMAIL_CLIENT))
    assert problems(tmp_path, text) == [
        "config.yaml:7: account.oauth2.client_secret: Microsoft refuses a secret from a desktop (public) client;"
        " remove it and register the app as a public client",
    ]


def test_provider_imap_with_oauth2_needs_the_token_endpoint(tmp_path):
    text = edited("  provider: gmail\n", "  provider: imap\n  host: mail.example.com\n",
                  with_account_lines("password: oauth2", "oauth2:", "  client_id: followupd"))
    assert problems(tmp_path, text) == [
        "config.yaml:6: account.oauth2.token_url: required key is missing; provider imap has no preset OAuth2"
        " endpoints",
    ]


def test_provider_imap_with_oauth2_takes_its_endpoints_as_written(tmp_path):
    text = edited("  provider: gmail\n", "  provider: imap\n  host: mail.example.com\n", with_account_lines(
        "password: oauth2", "oauth2:", "  client_id: followupd", "  token_url: https://id.example.com/token",
        "  scopes: [mail, profile]"))
    settings = loaded(tmp_path, text).account.oauth2
    assert (settings.auth_url, settings.token_url, settings.scopes, settings.tenant) == (
        None, "https://id.example.com/token", ("mail", "profile"), None
    )
