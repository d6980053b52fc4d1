"""The offline commands, run as a user runs them: a subprocess, files on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPOSITORY

CONFIG = """\
account:
  provider: maildir
  address: beth.smith@gmail.com
  path: {maildir}
me:
  name: Beth Smith
timezone: America/New_York
state_dir: {state}
interviews:
  - company: Acme Corp
    position: Account Executive
    when: 2030-11-19 14:00
    decision: by the end of the month
    interviewers:
      - name: Mark Jones
        email: mark.jones@acme.com
"""


def followupd(*arguments: str, home: Path, **extra_env: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FOLLOWUPD_"))}
    env.update(HOME=str(home), **extra_env)
    return subprocess.run(
        [sys.executable, "-m", "followupd", *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(maildir=tmp_path / "Mail", state=tmp_path / "state"))
    return path


def test_init_writes_the_commented_example_where_the_config_belongs_and_refuses_to_overwrite(tmp_path):
    first = followupd("init", home=tmp_path)
    target = tmp_path / ".config" / "followupd" / "config.yaml"
    assert (first.returncode, first.stdout) == (0, f"wrote {target}; edit it, then run `followupd validate`\n")
    assert target.read_text() == (REPOSITORY / "config.example.yaml").read_text()
    second = followupd("init", home=tmp_path)
    assert second.returncode == 2
    assert str(target) in second.stderr


def test_the_example_config_validates_after_init(tmp_path):
    followupd("init", home=tmp_path)
    result = followupd("validate", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{tmp_path / '.config' / 'followupd' / 'config.yaml'}: ok (")


def test_validate_lists_every_problem_with_its_line_and_exits_2(tmp_path, config_file):
    broken = config_file.read_text().replace("address:", "adress:").replace(
        "email: mark.jones@acme.com", "email: mark"
    )
    config_file.write_text(broken)
    result = followupd("--config", str(config_file), "validate", home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[:3] == [
        'followupd: config.yaml:1: account.address: required key is missing',
        'followupd: config.yaml:3: account.adress: unknown key; did you mean "address"?',
        'followupd: config.yaml:16: interviews[0].interviewers[0].email: expected an email address, got "mark"',
    ]
    assert "Traceback" not in result.stderr


def test_the_config_path_comes_from_followupd_config_when_no_option_is_given(tmp_path, config_file):
    result = followupd("validate", home=tmp_path, FOLLOWUPD_CONFIG=str(config_file))
    assert result.stdout.splitlines()[0] == f"{config_file}: ok (1 interview)"


def test_schema_is_json_naming_every_top_level_section(tmp_path):
    result = followupd("schema", home=tmp_path)
    schema = json.loads(result.stdout)
    assert sorted(schema["properties"]) == [
        "account", "check_every", "interviews", "me", "notify", "policy", "state_dir", "templates_dir", "timezone",
    ]


def test_status_json_plans_from_the_ledger_alone_before_any_mailbox_check(tmp_path, config_file):
    result = followupd("--config", str(config_file), "status", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert {k: row[k] for k in ("id", "company", "position", "deadline")} == {
        "id": "acme-corp-account-executive",
        "company": "Acme Corp",
        "position": "Account Executive",
        "deadline": "2030-11-30",
    }
    # The interview lies ahead (a fixed date, so the test does not age), so the
    # next action is the thank-you two hours after it starts.
    assert row["stage"] == "upcoming"
    assert row["next_action"]["kind"] == "thank_you"
    assert row["next_action"]["due"] == "2030-11-19T16:00:00-05:00"
    assert row["next_action"]["recipient"] == "mark.jones@acme.com"


def test_plan_prints_the_timeline_as_a_table(tmp_path, config_file):
    result = followupd("--config", str(config_file), "plan", home=tmp_path)
    assert result.stdout.splitlines() == [
        "WHEN              ACTION                                     INTERVIEW",
        "Tue 19 Nov 16:00  thank-you to Mark Jones                    Acme Corp — Account Executive",
        "Mon 2 Dec 09:00   check-in #1 to Mark Jones                  Acme Corp — Account Executive",
        "Mon 9 Dec 09:00   check-in #2 to Mark Jones (if unanswered)  Acme Corp — Account Executive",
    ]


def test_plan_json_projects_every_follow_up_until_the_call_reminder(tmp_path, config_file):
    with_phone = config_file.read_text().replace(
        "email: mark.jones@acme.com", 'email: mark.jones@acme.com\n        phone: "+1 555 0101"'
    )
    config_file.write_text(with_phone)
    result = followupd("--config", str(config_file), "plan", "--json", home=tmp_path)
    assert [(a["kind"], a["due"], a["due_now"], a["projected"]) for a in json.loads(result.stdout)] == [
        ("thank_you", "2030-11-19T16:00:00-05:00", False, False),
        ("check_in", "2030-12-02T09:00:00-05:00", False, False),
        ("check_in", "2030-12-09T09:00:00-05:00", False, True),
        ("call_reminder", "2030-12-16T09:00:00-05:00", False, True),
    ]
    assert not (tmp_path / "state").exists()  # looking at the plan writes nothing


def test_a_missing_config_file_is_a_sentence_with_advice_not_a_traceback(tmp_path):
    result = followupd("--config", str(tmp_path / "nope.yaml"), "status", home=tmp_path)
    assert result.returncode == 2
    assert "followupd init" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_imports_nothing_heavy(tmp_path):
    probe = (
        "import sys, followupd.cli\n"
        "try:\n    followupd.cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('yaml', 'jinja2', 'imapclient', 'keyring', 'holidays', 'sqlite3',"
        " 'apscheduler', 'spellchecker') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[-1] == "HEAVY []"


def test_validate_warns_when_a_renamed_interview_would_lose_its_history(tmp_path, config_file):
    from datetime import datetime, timezone

    from followupd.model import DraftRecord
    from followupd.state.store import Store

    at = datetime(2026, 11, 19, 21, 0, tzinfo=timezone.utc)
    with Store.open(tmp_path / "state") as store:
        store.record_intent(DraftRecord(
            key="acme-corp-account-exec/thank_you/mark.jones@acme.com",
            interview_id="acme-corp-account-exec", kind="thank_you", recipient="mark.jones@acme.com",
            message_id="<t@x>", folder="Drafts", state="created", created_at=at, updated_at=at))
    result = followupd("--config", str(config_file), "validate", home=tmp_path)
    assert result.returncode == 0
    assert result.stderr == (
        'warning: the ledger has drafts for interview "acme-corp-account-exec", which no interview '
        "in the config has; if you renamed its company or position, add `id: acme-corp-account-exec` "
        "to it to keep its history (otherwise its thank-yous and check-ins start afresh)\n"
    )
