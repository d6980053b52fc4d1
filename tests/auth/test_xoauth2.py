"""XOAUTH2 against a real Dovecot whose oauth2 passdb asks a loopback identity provider."""

from __future__ import annotations

import base64
import logging
from dataclasses import replace

import pytest

from followupd.auth.secrets import OAUTH2_KEYRING_SERVICE
from followupd.auth.source import password_for
from followupd.errors import AuthError, MailboxError
from followupd.mailbox import open_mailbox
from followupd.model import Account, OAuth2Settings

from .conftest import CLIENT_ID, SCOPE, free_port


@pytest.fixture
def user(oauth_dovecot) -> str:
    return f"oauth{next(oauth_dovecot.users)}@candidate.example"


def oauth_account(oauth_dovecot, identity_provider, user: str, tmp_path) -> Account:
    settings = OAuth2Settings(
        client_id=CLIENT_ID, token_url=identity_provider.token_url, scopes=(SCOPE,),
        refresh_token_file=tmp_path / "oauth2-refresh-token",
    )
    return Account(provider="imap", address=user, host="127.0.0.1", port=oauth_dovecot.port,
                   security="plain", password="oauth2", oauth2=settings)


def connected(account: Account):
    """A mailbox opened the way `followupd check` opens it, proven logged in by listing its folders."""
    mailbox = open_mailbox(account, lambda: password_for(account, {}), timeout=5)
    try:
        return mailbox.roles()
    finally:
        mailbox.close()


def refresh_grant(refresh_token: str) -> dict[str, str]:
    return {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CLIENT_ID, "scope": SCOPE}


def test_an_expired_access_token_is_refreshed_before_the_xoauth2_login(
    oauth_dovecot, identity_provider, memory_keyring, user, tmp_path
):
    account = oauth_account(oauth_dovecot, identity_provider, user, tmp_path)
    refresh_token = identity_provider.sign_in(user)
    memory_keyring.set_password(OAUTH2_KEYRING_SERVICE, user, refresh_token)
    connected(account)
    identity_provider.expire_access_tokens()  # an hour later: yesterday's token is dead
    identity_provider.grants.clear()
    roles = connected(account)
    assert roles.drafts == "Drafts"
    assert identity_provider.grants == [refresh_grant(refresh_token)]
    assert identity_provider.introspected[-1] == identity_provider.issued[-1]


def test_an_access_token_the_server_refuses_is_renewed_once_and_the_login_retried(
    oauth_dovecot, identity_provider, memory_keyring, user, tmp_path
):
    account = oauth_account(oauth_dovecot, identity_provider, user, tmp_path)
    refresh_token = identity_provider.sign_in(user)
    memory_keyring.set_password(OAUTH2_KEYRING_SERVICE, user, refresh_token)
    identity_provider.stillborn = 1
    assert connected(account).sent == "Sent"
    assert identity_provider.grants == [refresh_grant(refresh_token)] * 2
    assert identity_provider.introspected == identity_provider.issued


def test_a_server_that_keeps_refusing_fresh_tokens_fails_after_one_retry(
    oauth_dovecot, identity_provider, memory_keyring, user, tmp_path
):
    account = oauth_account(oauth_dovecot, identity_provider, user, tmp_path)
    memory_keyring.set_password(OAUTH2_KEYRING_SERVICE, user, identity_provider.sign_in(user))
    identity_provider.stillborn = 10
    with pytest.raises(AuthError) as raised:
        connected(account)
    assert str(raised.value) == f"login refused for {user} at 127.0.0.1"
    assert len(identity_provider.grants) == 2


def test_a_rotated_refresh_token_replaces_the_stored_one(
    oauth_dovecot, identity_provider, memory_keyring, user, tmp_path
):
    account = oauth_account(oauth_dovecot, identity_provider, user, tmp_path)
    first = identity_provider.sign_in(user)
    memory_keyring.set_password(OAUTH2_KEYRING_SERVICE, user, first)
    identity_provider.rotate = True
    connected(account)
    connected(account)
    used = [grant["refresh_token"] for grant in identity_provider.grants]
    stored = memory_keyring.get_password(OAUTH2_KEYRING_SERVICE, user)
    assert (used[0], used[1] != first, stored not in used) == (first, True, True)
    assert list(identity_provider.refresh_tokens) == [stored]  # the one the provider still honours


def test_a_revoked_sign_in_is_an_auth_error_with_the_advice_and_no_retry(
    oauth_dovecot, identity_provider, memory_keyring, user, tmp_path
):
    account = oauth_account(oauth_dovecot, identity_provider, user, tmp_path)
    refresh_token = identity_provider.sign_in(user)
    memory_keyring.set_password(OAUTH2_KEYRING_SERVICE, user, refresh_token)
    identity_provider.revoke(refresh_token)
    with pytest.raises(AuthError) as raised:
        connected(account)
    assert (str(raised.value), raised.value.exit_code) == (
        f"the sign-in for {user} was revoked or expired; run `followupd login` again", 3
    )
    assert identity_provider.grants == [refresh_grant(refresh_token)]


def test_no_token_reaches_the_log_even_at_debug_level(
    oauth_dovecot, identity_provider, memory_keyring, user, tmp_path, caplog
):
    account = oauth_account(oauth_dovecot, identity_provider, user, tmp_path)
    refresh_token = identity_provider.sign_in(user)
    memory_keyring.set_password(OAUTH2_KEYRING_SERVICE, user, refresh_token)
    identity_provider.stillborn = 1  # a refused first token puts the failure path in the log too
    with caplog.at_level(logging.DEBUG):
        connected(account)
    assert "AUTHENTICATE" in caplog.text  # imapclient did log the exchange
    secrets = [refresh_token, *identity_provider.issued]
    sasl = [base64.b64encode(f"user={user}\1auth=Bearer {token}\1\1".encode()).decode() for token in secrets]
    assert [secret for secret in secrets + sasl if secret in caplog.text] == []


def test_an_unreachable_token_endpoint_is_a_connection_error_not_a_revoked_sign_in(
    oauth_dovecot, identity_provider, memory_keyring, user, tmp_path
):
    port = free_port()
    account = oauth_account(oauth_dovecot, identity_provider, user, tmp_path)
    account = replace(account, oauth2=replace(account.oauth2, token_url=f"http://127.0.0.1:{port}/token"))
    memory_keyring.set_password(OAUTH2_KEYRING_SERVICE, user, identity_provider.sign_in(user))
    with pytest.raises(MailboxError) as raised:
        connected(account)
    assert (str(raised.value), raised.value.exit_code) == (
        f"could not reach the token endpoint 127.0.0.1:{port}: [Errno 111] Connection refused", 4
    )


def test_a_client_the_token_endpoint_does_not_know_is_named_with_advice(
    oauth_dovecot, identity_provider, memory_keyring, user, tmp_path
):
    account = oauth_account(oauth_dovecot, identity_provider, user, tmp_path)
    account = replace(account, oauth2=replace(account.oauth2, client_id="someone-elses-client"))
    memory_keyring.set_password(OAUTH2_KEYRING_SERVICE, user, identity_provider.sign_in(user))
    with pytest.raises(AuthError) as raised:
        connected(account)
    assert (str(raised.value), raised.value.advice) == (
        f"the token endpoint 127.0.0.1:{identity_provider.url.rpartition(':')[2]} refused to refresh the sign-in"
        f" for {user}: invalid_client",
        "Check account.oauth2 (client_id, client_secret, tenant) against your OAuth client.",
    )
