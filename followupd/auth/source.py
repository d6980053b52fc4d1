"""Where the IMAP credential comes from: the one place that picks the source an account names."""

from __future__ import annotations

from typing import Callable, Mapping

from followupd.auth.secrets import (
    COMMAND_TIMEOUT_SECONDS,
    password_from_command,
    password_from_credential,
    password_from_keyring,
)
from followupd.model import Account, Bearer


def password_source(account: Account, environ: Mapping[str, str]) -> Callable[[], str | Bearer] | None:
    """A callable fetching the credential afresh each time (short-lived tokens stay fresh);
    None for a Maildir, which needs none."""
    if account.provider == "maildir":
        return None
    return lambda: password_for(account, environ)


def password_for(
    account: Account,
    environ: Mapping[str, str],
    command_timeout: float = COMMAND_TIMEOUT_SECONDS,
) -> str | Bearer:
    """Return the IMAP password from the source the account names, or an OAuth2 access token."""
    if account.password == "oauth2":
        from followupd.auth.oauth import bearer_for  # late: only OAuth accounts pay for urllib

        return bearer_for(account)
    if account.password == "keyring":
        return password_from_keyring(account.login)
    if account.password == "command":
        return password_from_command(account.password_command, command_timeout)
    if account.password == "credential":
        return password_from_credential(environ)
    raise ValueError(f"unknown password source {account.password!r}")
