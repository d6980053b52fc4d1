"""The IMAP password, from the keyring, a password command or a systemd credential; the OAuth2 refresh token."""

from __future__ import annotations

import functools
import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Mapping

from followupd.errors import AuthError, StateError

log = logging.getLogger("followupd")

KEYRING_SERVICE = "followupd"
OAUTH2_KEYRING_SERVICE = "followupd-oauth2"
CREDENTIAL_NAME = "imap-password"
COMMAND_TIMEOUT_SECONDS = 30.0

HEADLESS_ADVICE = (
    "On a machine without a keyring, set `password: command` with a `password_command`"
    " that prints the password (for example `pass show mail/imap`), or set"
    " `password: credential` and give the systemd unit"
    f" `LoadCredential={CREDENTIAL_NAME}:/path/to/password-file`."
)
CREDENTIAL_ADVICE = (
    f"Add `LoadCredential={CREDENTIAL_NAME}:/path/to/password-file` to the [Service]"
    " section of the followupd unit, or choose `password: keyring` or `password: command`."
)


def password_from_keyring(login: str) -> str:
    """Return the password stored in the keyring for this login."""
    import keyring
    import keyring.errors

    try:
        password = keyring.get_password(KEYRING_SERVICE, login)
    except keyring.errors.NoKeyringError:
        raise no_keyring(login) from None
    except keyring.errors.KeyringError as error:
        raise keyring_failure("read", login, error) from None
    if password is None:
        raise AuthError(
            f"No password is stored in the keyring for {login}.",
            advice="Run `followupd login` to store it.",
        )
    return password


def store_password(login: str, password: str) -> None:
    """Store the password in the keyring for this login (for `followupd login`)."""
    import keyring
    import keyring.errors

    try:
        keyring.set_password(KEYRING_SERVICE, login, password)
    except keyring.errors.NoKeyringError:
        raise no_keyring(login) from None
    except keyring.errors.KeyringError as error:
        raise keyring_failure("write", login, error, secret=password) from None


def delete_password(login: str) -> None:
    """Remove the password stored in the keyring for this login."""
    import keyring
    import keyring.errors

    try:
        keyring.delete_password(KEYRING_SERVICE, login)
    except keyring.errors.NoKeyringError:
        raise no_keyring(login) from None
    except keyring.errors.PasswordDeleteError:
        raise AuthError(f"No password is stored in the keyring for {login}.") from None
    except keyring.errors.KeyringError as error:
        raise keyring_failure("change", login, error) from None


def refresh_token_for(login: str, fallback: Path | None) -> str:
    """The OAuth2 refresh token `followupd login` stored: from the keyring, else from the fallback file."""
    import keyring
    import keyring.errors

    try:
        token = keyring.get_password(OAUTH2_KEYRING_SERVICE, login)
    except keyring.errors.NoKeyringError:
        token = None
    except keyring.errors.KeyringError as error:
        raise keyring_failure("read", login, error, what="OAuth2 sign-in") from None
    token = token or (read_token_file(fallback, login) if fallback else None)
    if not token:
        where = "the keyring" + (f" or in {fallback}" if fallback else "")
        raise AuthError(
            f"{login} has not signed in yet: there is no OAuth2 refresh token in {where}.",
            advice="Run `followupd login` to sign in.",
        )
    return token


def store_refresh_token(login: str, token: str, fallback: Path | None) -> str:
    """Keep the refresh token in the keyring, or in a 0600 file where there is none; say where it went."""
    import keyring
    import keyring.errors

    try:
        keyring.set_password(OAUTH2_KEYRING_SERVICE, login, token)
        return "the system keyring"
    except keyring.errors.NoKeyringError:
        if fallback is None:
            raise no_keyring(login) from None
    except keyring.errors.KeyringError as error:
        raise keyring_failure("write", login, error, secret=token, what="OAuth2 sign-in") from None
    write_token_file(fallback, login, token)
    return str(fallback)


def read_token_file(path: Path, login: str) -> str | None:
    """The refresh token in the fallback file, when it is there and belongs to this login."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or "it is not the JSON followupd writes"
        raise StateError(f"cannot read {path}: {reason}", advice="Delete it and run `followupd login`.") from None
    announce_token_file(path)
    if not isinstance(stored, dict) or stored.get("login") != login:
        return None  # another account's sign-in: never send its token
    return stored.get("refresh_token") or None


def write_token_file(path: Path, login: str, token: str) -> None:
    """Replace the fallback file atomically; it is created 0600, so the token is never readable by others."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)  # the umask may have narrowed it; 0600 is what we promise
            json.dump({"login": login, "refresh_token": token}, file)
        os.replace(temporary, path)
    except OSError as error:
        raise StateError(f"cannot write {path}: {error.strerror}") from None
    announce_token_file(path)


@functools.cache
def announce_token_file(path: Path) -> None:
    """Say once per process that the refresh token lives in a file, because there is no keyring."""
    log.warning("no keyring on this machine: the OAuth2 refresh token is kept in %s (mode 0600)", path)


def no_keyring(login: str) -> AuthError:
    """Return the error for a machine with no usable keyring backend."""
    return AuthError(
        f"There is no keyring on this machine to hold the password for {login}.",
        advice=HEADLESS_ADVICE,
    )


def keyring_failure(
    verb: str, login: str, error: Exception, secret: str | None = None, what: str = "password"
) -> AuthError:
    """Return the error for a keyring that exists but refused, without ever quoting the secret."""
    reason = str(error) or type(error).__name__
    # A backend's message is not ours to trust: never let it echo the password.
    if secret and secret in reason:
        reason = type(error).__name__
    return AuthError(
        as_sentence(f"The keyring could not {verb} the {what} for {login}: {reason}"),
        advice="Unlock the keyring (log in to the desktop session) and try again. "
        + HEADLESS_ADVICE,
    )


def password_from_command(command: str | None, timeout: float) -> str:
    """Return the first line a shell command prints, never quoting its output in errors."""
    if not command:
        raise AuthError(
            "`password: command` is set but `password_command` is missing.",
            advice="Add a `password_command` that prints the password.",
        )
    finished = run_password_command(command, timeout)
    try:
        password = first_line(finished.stdout.decode("utf-8"))
    except UnicodeDecodeError:
        raise AuthError("The password command printed something that is not UTF-8 text.") from None
    if not password:
        raise AuthError(
            "The password command printed nothing.",
            advice="It must print the password on the first line of its output.",
        )
    return password


def run_password_command(command: str, timeout: float) -> subprocess.CompletedProcess:
    """Run the password command through the shell, raising AuthError unless it succeeds."""
    try:
        finished = subprocess.run(command, shell=True, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AuthError(
            f"The password command did not finish within {timeout:g} seconds.",
            advice="Check that it does not wait for input, such as an unlock prompt.",
        ) from None
    if finished.returncode != 0:
        # stderr explains failures (gpg, pass) and is not secret; stdout may be.
        reason = first_line(finished.stderr.decode("utf-8", errors="replace"))
        raise AuthError(
            f"The password command exited with status {finished.returncode}"
            + (f": {reason}" if reason else "."),
            advice="Run the password_command in a shell to see what it needs.",
        )
    return finished


def password_from_credential(environ: Mapping[str, str]) -> str:
    """Return the first line of the systemd credential holding the password."""
    directory = environ.get("CREDENTIALS_DIRECTORY")
    if not directory:
        raise AuthError(
            "`password: credential` is set but systemd passed no credentials"
            " ($CREDENTIALS_DIRECTORY is not set).",
            advice=CREDENTIAL_ADVICE,
        )
    path = Path(directory) / CREDENTIAL_NAME
    try:
        password = first_line(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "it is not UTF-8 text"
        raise AuthError(
            f"The credential {path} cannot be read: {reason}.", advice=CREDENTIAL_ADVICE
        ) from None
    if not password:
        raise AuthError(f"The credential {path} is empty.", advice=CREDENTIAL_ADVICE)
    return password


def first_line(text: str) -> str:
    """Return text up to its first line break, without the break."""
    return text.split("\n", 1)[0].removesuffix("\r")


def as_sentence(text: str) -> str:
    """Return text ending in a full stop unless it already ends in punctuation."""
    return text if text.endswith((".", "!", "?")) else text + "."
