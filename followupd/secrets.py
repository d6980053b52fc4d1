"""The IMAP password, from the keyring, a password command or a systemd credential."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Mapping

from followupd.errors import AuthError
from followupd.model import Account

KEYRING_SERVICE = "followupd"
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


def password_for(
    account: Account,
    environ: Mapping[str, str],
    command_timeout: float = COMMAND_TIMEOUT_SECONDS,
) -> str:
    """Return the IMAP password from the source the account names."""
    if account.password == "keyring":
        return password_from_keyring(account.login)
    if account.password == "command":
        return password_from_command(account.password_command, command_timeout)
    if account.password == "credential":
        return password_from_credential(environ)
    raise ValueError(f"unknown password source {account.password!r}")


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


def no_keyring(login: str) -> AuthError:
    """Return the error for a machine with no usable keyring backend."""
    return AuthError(
        f"There is no keyring on this machine to hold the password for {login}.",
        advice=HEADLESS_ADVICE,
    )


def keyring_failure(
    verb: str, login: str, error: Exception, secret: str | None = None
) -> AuthError:
    """Return the error for a keyring that exists but refused, without ever quoting the secret."""
    reason = str(error) or type(error).__name__
    # A backend's message is not ours to trust: never let it echo the password.
    if secret and secret in reason:
        reason = type(error).__name__
    return AuthError(
        as_sentence(f"The keyring could not {verb} the password for {login}: {reason}"),
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
