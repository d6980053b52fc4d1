"""`followupd check` as a user runs it: a subprocess, a config file, a real Dovecot, today's date."""

from __future__ import annotations

import email.utils
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support import REPOSITORY
from tests.support.config_files import config_text, interview_text
from tests.support.e2e import delete_where, folder_messages

DRAFTS = "[Gmail]/Drafts"
SENT = "[Gmail]/Sent Mail"
MARK = "mark.jones@acme.example"
THANKS_ID = "<thanks@candidate.example>"
THANKS_SUBJECT = "Thank you — Account Executive interview"
# Twenty days ago, "within a week": the first check-in fell due about twelve days ago.
INTERVIEW = (datetime.now(timezone.utc) - timedelta(days=20)).replace(hour=10, minute=0, second=0,
                                                                      microsecond=0)
IMAP_ACCOUNT = """\
  host: 127.0.0.1
  port: {port}
  security: plain
  username: {username}
{password}"""
OWN_ADDRESS = "alex@candidate.example"  # the fixture's account; checked in write_candidate
PASSWORD = "correct-horse-9"  # the fixture's; checked in write_candidate
BY_COMMAND = f'  password: command\n  password_command: "printf %s {PASSWORD}"'


@dataclass
class Candidate:
    """A config file for the fixture's Dovecot user, and the commands run against it."""

    user: object
    config: Path
    environment: dict

    def run(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "followupd", "--config", str(self.config), *arguments],
            capture_output=True, text=True, encoding="utf-8", env=self.environment, timeout=60,
        )

    def deliver(self, sender: str, subject: str, body: str, folder: str = "INBOX", *,
                days_after: float, to: str = OWN_ADDRESS, message_id: str | None = None,
                extra: str = "") -> None:
        """A message dated a number of days after the interview."""
        at = INTERVIEW + timedelta(days=days_after)
        identifier = message_id or email.utils.make_msgid(domain=sender.rpartition("@")[2])
        raw = (f"From: {sender}\nTo: {to}\nSubject: {subject}\n"
               f"Date: {email.utils.format_datetime(at)}\nMessage-ID: {identifier}\n{extra}"
               f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}")
        self.user.deliver(raw.encode("utf-8"), folder, when=at)

    def thanked(self, to: str = MARK, folder: str = SENT) -> None:
        """The thank-you the user sent on the interview day."""
        self.deliver(OWN_ADDRESS, THANKS_SUBJECT, "Thank you for your time today.\n", folder,
                     days_after=0.25, to=to, message_id=THANKS_ID)


def write_candidate(user, tmp_path: Path, password: str = BY_COMMAND, company: str = "Acme Corp",
                    name: str = "Mark Jones", address: str = MARK, **environment) -> Candidate:
    assert (user.account().address, user.server.password) == (OWN_ADDRESS, PASSWORD)
    account = IMAP_ACCOUNT.format(port=user.account().port, username=user.username, password=password)
    config = write_config(tmp_path, "imap", account, company=company, name=name, address=address)
    return Candidate(user, config, environment_for(tmp_path, **environment))


def write_config(tmp_path: Path, provider: str, account: str, company: str = "Acme Corp",
                 name: str = "Mark Jones", address: str = MARK) -> Path:
    config = tmp_path / "config.yaml"
    interviews = interview_text(company, INTERVIEW, name=name, email=address)
    config.write_text(config_text(provider, account, tmp_path / "state", interviews, name="Alex Doe"),
                      encoding="utf-8")
    return config


def environment_for(tmp_path: Path, **extra: str) -> dict:
    """The user's environment: a home of its own, no XDG or FOLLOWUPD settings leaking in."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FOLLOWUPD_"))}
    base.update(HOME=str(tmp_path), PYTHONPATH=str(REPOSITORY), PYTHONIOENCODING="utf-8", **extra)
    return base


@pytest.fixture
def candidate(imap_user, tmp_path: Path) -> Candidate:
    return write_candidate(imap_user, tmp_path)


def drafts(candidate: Candidate):
    return folder_messages(candidate.user, DRAFTS)


def test_an_overdue_interview_gets_one_threaded_check_in_however_often_check_runs(candidate):
    candidate.thanked()

    first = candidate.run("check")
    second = candidate.run("check")

    assert (first.returncode, first.stdout, first.stderr) == (
        0, "drafted check-in #1 to Mark Jones (Acme Corp, Account Executive)\n", "")
    assert (second.returncode, second.stdout) == (0, "nothing to draft\n")
    [draft] = drafts(candidate)
    threading = (draft["To"], draft["Subject"], draft["In-Reply-To"], draft["References"])
    assert threading == (f"Mark Jones <{MARK}>", f"Re: {THANKS_SUBJECT}", THANKS_ID, THANKS_ID)
    assert draft["X-Followupd-Key"] == "acme-corp-account-executive/check_in/1"


def test_a_check_in_the_user_deleted_is_never_drafted_again(candidate):
    candidate.thanked()
    candidate.run("check")
    delete_where(candidate.user, DRAFTS, "acme-corp-account-executive/check_in/1")

    noticed = candidate.run("check")
    status = candidate.run("status", "--json")

    assert (noticed.returncode, noticed.stdout) == (
        0, f"you deleted the check-in draft to {MARK}; it will not be made again\n")
    assert drafts(candidate) == []
    [interview] = json.loads(status.stdout)
    assert (interview["next_action"], interview["note"]) == (
        None, "you deleted check-in 1; no further check-ins")


@pytest.mark.parametrize(
    "sender, subject, extra",
    [
        (MARK, f"Re: {THANKS_SUBJECT}", f"In-Reply-To: {THANKS_ID}\n"),
        ("recruiting@acme.example", "Your interview with Acme", ""),
        (MARK, "Next steps", ""),
    ],
    ids=["the-interviewer", "a-colleague-at-the-domain", "another-thread"],
)
def test_any_real_reply_from_the_company_means_nothing_is_drafted(candidate, sender, subject, extra):
    candidate.thanked()
    candidate.deliver(sender, subject, "Could you join a second round with our VP on Tuesday?\n",
                      days_after=3, extra=extra)

    result = candidate.run("check")

    assert (result.returncode, result.stdout) == (0, "nothing to draft\n")
    assert drafts(candidate) == []


def test_status_after_a_check_shows_that_they_replied(candidate):
    candidate.thanked()
    candidate.deliver(MARK, f"Re: {THANKS_SUBJECT}", "Could you come in again on Tuesday?\n",
                      days_after=3, extra=f"In-Reply-To: {THANKS_ID}\n")
    candidate.run("check")

    status = candidate.run("status", "--json")

    [interview] = json.loads(status.stdout)
    replied = (INTERVIEW + timedelta(days=3)).isoformat()
    assert (interview["stage"], interview["last_from_them"], interview["note"]) == (
        "heard_back", replied, "they replied")


def test_an_out_of_office_reply_alone_still_gets_a_check_in_on_the_thank_you(candidate):
    candidate.thanked()
    candidate.deliver(MARK, f"Automatic reply: {THANKS_SUBJECT}", "I am out of the office.\n",
                      days_after=0.3, extra=f"In-Reply-To: {THANKS_ID}\nAuto-Submitted: auto-replied\n")

    result = candidate.run("check")

    assert result.stdout == "drafted check-in #1 to Mark Jones (Acme Corp, Account Executive)\n"
    [draft] = drafts(candidate)
    assert (draft["Subject"], draft["In-Reply-To"]) == (f"Re: {THANKS_SUBJECT}", THANKS_ID)


def test_a_rejection_gets_one_gracious_reply_in_its_thread(imap_user, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "imap-password").write_text(PASSWORD)
    candidate = write_candidate(imap_user, tmp_path, password="  password: credential",
                                CREDENTIALS_DIRECTORY=str(credentials))
    candidate.deliver(MARK, "Your application", "Unfortunately, we have decided to move forward "
                      "with another candidate.\n", days_after=6, message_id="<no@acme.example>")

    first = candidate.run("check")
    second = candidate.run("check")

    assert first.stdout == "drafted thanks after rejection to Mark Jones (Acme Corp, Account Executive)\n"
    assert second.stdout == "nothing to draft\n"
    [draft] = drafts(candidate)
    threading = (draft["To"], draft["Subject"], draft["In-Reply-To"], draft["References"])
    assert threading == (f"Mark Jones <{MARK}>", "Re: Your application", "<no@acme.example>",
                         "<no@acme.example>")


def test_non_ascii_names_survive_the_round_trip_through_the_server(imap_user, tmp_path):
    candidate = write_candidate(imap_user, tmp_path, company="Müller GmbH", name="Zoë Ångström",
                                address="zoe@mueller.example")
    candidate.thanked(to="zoe@mueller.example")

    result = candidate.run("check")

    assert result.stdout == "drafted check-in #1 to Zoë Ångström (Müller GmbH, Account Executive)\n"
    [draft] = drafts(candidate)
    assert (draft["To"].addresses[0].display_name, draft["To"].addresses[0].addr_spec) == (
        "Zoë Ångström", "zoe@mueller.example")
    body = draft.get_content()
    assert body.startswith("Dear Zoë,\n") and "joining Müller GmbH" in body


def test_a_wrong_password_exits_3_and_names_the_login_and_host(imap_user, tmp_path):
    candidate = write_candidate(imap_user, tmp_path,
                                password='  password: command\n  password_command: "printf wrong"')

    result = candidate.run("check")

    assert result.returncode == 3
    assert result.stderr.splitlines()[0] == f"followupd: login refused for {imap_user.username} at 127.0.0.1"
    assert "wrong" not in result.stderr


def test_a_server_that_is_down_exits_4_with_the_reason(imap_user, dovecot, tmp_path):
    candidate = write_candidate(imap_user, tmp_path)
    port = dovecot.unused_port()
    candidate.config.write_text(candidate.config.read_text().replace(f"port: {dovecot.port}",
                                                                     f"port: {port}"))

    result = candidate.run("check")

    assert (result.returncode, result.stdout) == (4, "")
    assert result.stderr.splitlines()[0] == (
        f"followupd: could not connect to 127.0.0.1:{port}: connection refused")


def test_a_dry_run_prints_the_draft_and_leaves_drafts_and_ledger_empty(candidate):
    candidate.thanked()

    result = candidate.run("check", "--dry-run")
    afterwards = candidate.run("check", "--dry-run")

    assert result.stdout.startswith(
        f"--- To: Mark Jones <{MARK}>\nSubject: Re: {THANKS_SUBJECT}\n\nDear Mark,\n")
    assert result.stdout.endswith(
        "\nwould draft check-in #1 to Mark Jones (Acme Corp, Account Executive)\n")
    assert afterwards.stdout == result.stdout
    assert drafts(candidate) == []
    assert (candidate.config.parent / "state").exists() is False


def test_a_dry_run_on_a_fresh_maildir_creates_neither_the_state_directory_nor_a_drafts_folder(
    maildir_user, tmp_path
):
    config = write_config(tmp_path, "maildir", f"  path: {maildir_user.root}")
    candidate = Candidate(maildir_user, config, environment_for(tmp_path))
    candidate.thanked(folder="Sent")

    result = candidate.run("check", "--dry-run")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.endswith("\nwould draft check-in #1 to Mark Jones (Acme Corp, Account Executive)\n")
    assert (tmp_path / "state").exists() is False
    assert maildir_user.directory("Drafts").exists() is False


def test_a_missing_tls_ca_file_is_a_config_error_on_its_line(candidate, tmp_path):
    text = candidate.config.read_text()
    candidate.config.write_text(text.replace("  security: plain\n", "  security: plain\n  tls_ca_file: certs/ca.pem\n"))

    result = candidate.run("check")

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == (
        f"followupd: config.yaml:7: account.tls_ca_file: no such file: {tmp_path / 'certs' / 'ca.pem'};"
        " expected the PEM file of the CA that signed the server's certificate")
    assert (tmp_path / "state").exists() is False


def test_a_tls_ca_file_that_holds_no_certificate_exits_4_with_a_sentence(candidate, tmp_path):
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    text = candidate.config.read_text()
    candidate.config.write_text(text.replace("  security: plain\n", "  security: plain\n  tls_ca_file: ca.pem\n"))

    result = candidate.run("check")

    assert (result.returncode, result.stdout) == (4, "")
    assert result.stderr.splitlines() == [
        f"followupd: cannot use the CA file {tmp_path / 'ca.pem'} (account.tls_ca_file): it holds no usable"
        " PEM certificate (NO_CERTIFICATE_OR_CRL_FOUND)",
        "followupd: Point account.tls_ca_file at the PEM certificate of the CA that signed the server's"
        " certificate.",
    ]
