"""Where the IMAP password comes from, and that no error ever quotes it."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from followupd.auth.secrets import (
    announce_token_file,
    delete_password,
    refresh_token_for,
    store_password,
    store_refresh_token,
)
from followupd.auth.source import password_for
from followupd.errors import AuthError
from followupd.model import Account
from tests.support.memory_keyring import MemoryKeyring

SECRET = "hunter2"
LOGIN = "me@example.org"


class LockedKeyring(KeyringBackend):
    """A keyring whose collection stays locked, echoing what it was given as a careless one might."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"could not store {password}")


@pytest.fixture
def use_keyring():
    """Install a keyring backend for one test, restoring the previous one afterwards."""
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


def account(password: str = "keyring", password_command: str | None = None) -> Account:
    """Return an account reading its password from the given source."""
    return Account(
        provider="imap",
        address="me@example.org",
        password=password,
        password_command=password_command,
    )


def failure(call) -> AuthError:
    """Return the AuthError a call raises, after checking it does not quote the secret."""
    with pytest.raises(AuthError) as raised:
        call()
    assert SECRET not in str(raised.value)
    assert SECRET not in raised.value.advice
    return raised.value


def test_the_keyring_password_is_read_for_the_login(use_keyring) -> None:
    backend = MemoryKeyring()
    backend.set_password("followupd", LOGIN, SECRET)
    use_keyring(backend)
    assert password_for(account(), environ={}) == SECRET


def test_the_username_is_the_login_when_it_differs_from_the_address(use_keyring) -> None:
    backend = MemoryKeyring()
    backend.set_password("followupd", "imap-user", SECRET)
    use_keyring(backend)
    with_username = Account(provider="imap", address=LOGIN, username="imap-user")
    assert password_for(with_username, environ={}) == SECRET


def test_a_missing_keyring_password_points_to_followupd_login(use_keyring) -> None:
    use_keyring(MemoryKeyring())
    error = failure(lambda: password_for(account(), environ={}))
    assert str(error) == "No password is stored in the keyring for me@example.org."
    assert error.advice == "Run `followupd login` to store it."


def test_a_headless_machine_is_told_both_alternatives(use_keyring) -> None:
    use_keyring(keyring.backends.fail.Keyring())
    error = failure(lambda: password_for(account(), environ={}))
    assert str(error) == "There is no keyring on this machine to hold the password for me@example.org."
    assert "`password: command` with a `password_command`" in error.advice
    assert "`password: credential`" in error.advice
    assert "`LoadCredential=imap-password:/path/to/password-file`" in error.advice


def test_a_locked_keyring_is_an_auth_error_with_the_reason(use_keyring) -> None:
    use_keyring(LockedKeyring())
    error = failure(lambda: password_for(account(), environ={}))
    assert str(error) == (
        "The keyring could not read the password for me@example.org:"
        " Failed to unlock the collection!"
    )


def test_storing_then_deleting_a_password_round_trips(use_keyring) -> None:
    backend = MemoryKeyring()
    use_keyring(backend)
    store_password(LOGIN, SECRET)
    assert backend.passwords == {("followupd", LOGIN): SECRET}
    delete_password(LOGIN)
    assert backend.passwords == {}


def test_deleting_a_password_never_stored_says_so(use_keyring) -> None:
    use_keyring(MemoryKeyring())
    error = failure(lambda: delete_password(LOGIN))
    assert str(error) == "No password is stored in the keyring for me@example.org."


def test_storing_without_a_keyring_is_told_both_alternatives(use_keyring) -> None:
    use_keyring(keyring.backends.fail.Keyring())
    error = failure(lambda: store_password(LOGIN, SECRET))
    assert "`password: credential`" in error.advice


def test_a_refused_store_never_echoes_the_password(use_keyring) -> None:
    use_keyring(LockedKeyring())
    error = failure(lambda: store_password(LOGIN, SECRET))
    assert str(error) == (
        "The keyring could not write the password for me@example.org: PasswordSetError."
    )


def test_the_command_password_is_its_first_line() -> None:
    source = account("command", f"printf '{SECRET}\\nsecond'")
    assert password_for(source, environ={}) == SECRET


def test_a_failing_command_reports_its_status_and_stderr_but_not_stdout() -> None:
    command = f"echo {SECRET}; echo 'gpg: decryption failed: No secret key' >&2; echo more >&2; exit 3"
    error = failure(lambda: password_for(account("command", command), environ={}))
    assert str(error) == (
        "The password command exited with status 3: gpg: decryption failed: No secret key"
    )


def test_a_silent_failing_command_reports_its_status() -> None:
    error = failure(lambda: password_for(account("command", "exit 3"), environ={}))
    assert str(error) == "The password command exited with status 3."


def test_a_command_that_hangs_times_out() -> None:
    source = account("command", f"echo {SECRET}; exec sleep 5")
    error = failure(lambda: password_for(source, environ={}, command_timeout=0.2))
    assert str(error) == "The password command did not finish within 0.2 seconds."


def test_a_command_that_prints_nothing_is_an_auth_error() -> None:
    error = failure(lambda: password_for(account("command", "true"), environ={}))
    assert str(error) == "The password command printed nothing."


def test_a_command_source_without_a_command_is_an_auth_error() -> None:
    error = failure(lambda: password_for(account("command", None), environ={}))
    assert str(error) == "`password: command` is set but `password_command` is missing."


def test_the_credential_password_is_its_first_line(tmp_path: Path) -> None:
    (tmp_path / "imap-password").write_text(f"{SECRET}\nignored\n")
    environ = {"CREDENTIALS_DIRECTORY": str(tmp_path)}
    assert password_for(account("credential"), environ) == SECRET


def test_a_credential_without_systemd_explains_load_credential() -> None:
    error = failure(lambda: password_for(account("credential"), environ={}))
    assert "$CREDENTIALS_DIRECTORY is not set" in str(error)
    assert "`LoadCredential=imap-password:/path/to/password-file`" in error.advice


def test_a_missing_credential_file_is_named(tmp_path: Path) -> None:
    environ = {"CREDENTIALS_DIRECTORY": str(tmp_path)}
    error = failure(lambda: password_for(account("credential"), environ))
    assert str(error) == (
        f"The credential {tmp_path / 'imap-password'} cannot be read: No such file or directory."
    )
    assert "LoadCredential=imap-password:" in error.advice


def test_an_empty_credential_file_is_an_auth_error(tmp_path: Path) -> None:
    (tmp_path / "imap-password").write_text("\n")
    environ = {"CREDENTIALS_DIRECTORY": str(tmp_path)}
    error = failure(lambda: password_for(account("credential"), environ))
    assert str(error) == f"The credential {tmp_path / 'imap-password'} is empty."


# The OAuth2 refresh token: keyring first, a 0600 file in the state dir where there is none

REFRESH_TOKEN = "1//0refresh-token-for-tests"


def test_the_refresh_token_goes_to_the_keyring_under_its_own_service(use_keyring, tmp_path: Path) -> None:
    backend = MemoryKeyring()
    use_keyring(backend)
    where = store_refresh_token(LOGIN, REFRESH_TOKEN, tmp_path / "oauth2-refresh-token")
    assert (where, backend.passwords) == ("the system keyring", {("followupd-oauth2", LOGIN): REFRESH_TOKEN})
    assert not (tmp_path / "oauth2-refresh-token").exists()
    assert refresh_token_for(LOGIN, tmp_path / "oauth2-refresh-token") == REFRESH_TOKEN


def test_without_a_keyring_the_refresh_token_goes_to_a_0600_file_said_so_once(
    use_keyring, tmp_path: Path, caplog
) -> None:
    use_keyring(keyring.backends.fail.Keyring())
    announce_token_file.cache_clear()
    path = tmp_path / "state" / "oauth2-refresh-token"
    with caplog.at_level(logging.WARNING, logger="followupd"):
        assert store_refresh_token(LOGIN, REFRESH_TOKEN, path) == str(path)
        assert refresh_token_for(LOGIN, path) == REFRESH_TOKEN
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"login": LOGIN, "refresh_token": REFRESH_TOKEN}
    assert caplog.messages == [
        f"no keyring on this machine: the OAuth2 refresh token is kept in {path} (mode 0600)"
    ]
    assert REFRESH_TOKEN not in caplog.text


def test_a_refresh_token_file_of_another_login_is_not_used(use_keyring, tmp_path: Path) -> None:
    use_keyring(keyring.backends.fail.Keyring())
    path = tmp_path / "oauth2-refresh-token"
    store_refresh_token("someone.else@example.org", REFRESH_TOKEN, path)
    with pytest.raises(AuthError) as raised:
        refresh_token_for(LOGIN, path)
    assert (str(raised.value), raised.value.advice) == (
        f"{LOGIN} has not signed in yet: there is no OAuth2 refresh token in the keyring or in {path}.",
        "Run `followupd login` to sign in.",
    )


def test_an_empty_keyring_falls_back_to_the_refresh_token_file(use_keyring, tmp_path: Path) -> None:
    use_keyring(keyring.backends.fail.Keyring())
    path = tmp_path / "oauth2-refresh-token"
    store_refresh_token(LOGIN, REFRESH_TOKEN, path)  # signed in over ssh, where there was no keyring
    use_keyring(MemoryKeyring())
    assert refresh_token_for(LOGIN, path) == REFRESH_TOKEN


def test_a_keyring_that_refuses_the_refresh_token_never_quotes_it(use_keyring, tmp_path: Path) -> None:
    use_keyring(LockedKeyring())
    with pytest.raises(AuthError) as raised:
        store_refresh_token(LOGIN, REFRESH_TOKEN, tmp_path / "oauth2-refresh-token")
    assert str(raised.value) == f"The keyring could not write the OAuth2 sign-in for {LOGIN}: PasswordSetError."
