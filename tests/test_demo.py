"""`followupd demo`, run as the README's first command: a throwaway Maildir, real drafts."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPOSITORY

EXPECTED_DRAFTS = {
    "acme-corp-account-executive/check_in/1": "Mark Jones <mark.jones@acme.example>",
    "globex-sales-manager/thank_you/dana.wu@globex.example": "Dana Wu <dana.wu@globex.example>",
    "globex-sales-manager/thank_you/luis.ortega@globex.example":
        "Luis Ortega <luis.ortega@globex.example>",
    "hooli-enterprise-account-executive/check_in/1": "Gavin Rhee <gavin.rhee@hooli.example>",
    "umbrella-health-account-director/thanks_after_rejection":
        "Tom Becker <tom.becker@umbrella.example>",
}


def followupd(*arguments: str, home: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FOLLOWUPD_"))}
    environment.update(HOME=str(home), PYTHONPATH=str(REPOSITORY), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "followupd", *arguments], capture_output=True,
                          text=True, encoding="utf-8", env=environment, timeout=60)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo run for the whole module: it costs a subprocess and a full check."""
    root = tmp_path_factory.mktemp("demo") / "kept"
    return root, followupd("demo", "--keep", str(root), home=root.parent)


def status_rows(stdout: str) -> dict[str, list[str]]:
    """The status table the demo prints, by interview, split into its columns."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("INTERVIEW"))
    rows = [re.split(r"\s{2,}", line) for line in lines[start + 1:] if line]
    return {row[0]: row for row in rows if not row[0].startswith(("demo config", "drafts", "state"))}


def test_the_demo_exits_0_and_says_where_its_files_are(demo):
    root, result = demo

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.endswith(
        f"demo config: {root / 'config.yaml'}\ndrafts (Maildir): {root / 'Mail' / '.Drafts'}\n"
        f"state: {root / 'state'}\n")


def test_the_demo_drafts_exactly_the_follow_ups_its_story_calls_for(demo):
    root, _ = demo
    files = sorted((root / "Mail" / ".Drafts" / "cur").iterdir())
    parsed = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in files]

    assert {message["X-Followupd-Key"]: message["To"] for message in parsed} == EXPECTED_DRAFTS
    assert len(parsed) == len(EXPECTED_DRAFTS)
    assert all(path.name.endswith(":2,D") for path in files)
    assert list((root / "Mail" / ".Drafts" / "new").iterdir()) == []


def test_the_demo_prints_one_line_per_draft(demo):
    _, result = demo

    assert [line for line in result.stdout.splitlines() if line.startswith("drafted ")] == [
        "drafted check-in #1 to Mark Jones (Acme Corp, Account Executive)",
        "drafted check-in #1 to Gavin Rhee (Hooli, Enterprise Account Executive)",
        "drafted thanks after rejection to Tom Becker (Umbrella Health, Account Director)",
        "drafted thank-you to Dana Wu (Globex, Sales Manager)",
        "drafted thank-you to Luis Ortega (Globex, Sales Manager)",
    ]


def test_the_status_table_shows_five_stages_and_no_draft_just_made_as_next(demo):
    _, result = demo
    rows = status_rows(result.stdout)

    assert {title: row[1] for title, row in rows.items()} == {
        "Acme Corp — Account Executive": "overdue",
        "Globex — Sales Manager": "waiting",
        "Initech — Regional Sales Lead": "heard_back",
        "Umbrella Health — Account Director": "rejected",
        "Hooli — Enterprise Account Executive": "overdue",
    }
    assert rows["Acme Corp — Account Executive"][-1] == "check-in 1 is waiting in Drafts for you to send"
    assert rows["Umbrella Health — Account Director"][-1] == "they declined"
    assert rows["Globex — Sales Manager"][-1].startswith("check-in #1 to Dana Wu, ")


def test_checking_the_demo_mailbox_again_drafts_nothing(demo):
    root, _ = demo

    again = followupd("--config", str(root / "config.yaml"), "check", home=root.parent)

    assert (again.returncode, again.stdout, again.stderr) == (0, "nothing to draft\n", "")
    assert len(list((root / "Mail" / ".Drafts" / "cur").iterdir())) == len(EXPECTED_DRAFTS)


def test_the_demo_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")

    result = followupd("demo", "--keep", str(tmp_path), home=tmp_path)

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        f"followupd: {tmp_path} is not an empty directory; the demo builds its mailbox from scratch")
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]
