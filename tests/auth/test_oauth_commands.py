"""`followupd check`, `validate` and `login` for an OAuth2 account, run as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from followupd.auth.oauth_flows import (
    authorization_options,
    installed_app_flow,
    microsoft_authority,
    microsoft_refresh_token,
    msal_scopes,
)
from followupd.auth.secrets import write_token_file
from followupd.core.providers import GOOGLE_SCOPES, MICROSOFT_SCOPES
from followupd.errors import AuthError
from followupd.model import OAuth2Settings

from .conftest import CLIENT_ID

CONFIG = """\
account:
  provider: {provider}
  address: {user}
  host: 127.0.0.1
  port: {port}
  security: plain
  password: oauth2
  oauth2:
    client_id: {client_id}
{client}me:
  name: Beth Smith
timezone: UTC
state_dir: {state}
"""
GOOGLE_CLIENT = "    client_secret: not-confidential-for-desktop-apps\n    token_url: {token_url}\n    scopes: [mail]\n"


def followupd(*arguments: str, home: Path, prelude: str = "") -> subprocess.CompletedProcess:
    """The CLI in a fresh interpreter with no keyring backend, as on a headless server."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("XDG_", "FOLLOWUPD_"))}
    env.update(HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    code = f"import sys; {prelude or 'pass'}; from followupd.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.fixture
def signed_in(oauth_dovecot, identity_provider, tmp_path):
    """A gmail-style config pointed at the loopback servers, with a refresh token in the state dir."""
    user = f"check{next(oauth_dovecot.users)}@candidate.example"
    config = tmp_path / "config.yaml"
    client = GOOGLE_CLIENT.format(token_url=identity_provider.token_url)
    config.write_text(CONFIG.format(provider="gmail", user=user, port=oauth_dovecot.port, client_id=CLIENT_ID,
                                    client=client, state=tmp_path / "state"))
    refresh_token = identity_provider.sign_in(user)
    write_token_file(tmp_path / "state" / "oauth2-refresh-token", user, refresh_token)
    return user, config, refresh_token


def test_check_with_a_revoked_sign_in_exits_3_with_the_advice(identity_provider, signed_in, tmp_path):
    user, config, refresh_token = signed_in
    identity_provider.revoke(refresh_token)
    result = followupd("--config", str(config), "check", home=tmp_path)
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr.splitlines()[-2:] == [
        f"followupd: the sign-in for {user} was revoked or expired; run `followupd login` again",
        "followupd: Google ends the sign-in after 7 days while the OAuth app's publishing status is"
        ' "Testing": publish the app to production (the README shows how) so it lasts.',
    ]
    assert len(identity_provider.grants) == 1  # asked once, then gave up: never a loop


def test_check_signs_in_with_xoauth2_and_never_prints_a_token(identity_provider, signed_in, tmp_path):
    user, config, refresh_token = signed_in
    identity_provider.stillborn = 1  # the retry path runs too
    result = followupd("--verbose", "--config", str(config), "check", home=tmp_path)
    assert (result.returncode, result.stdout) == (0, "nothing to draft\n"), result.stderr
    token_file = tmp_path / "state" / "oauth2-refresh-token"
    notice = f"no keyring on this machine: the OAuth2 refresh token is kept in {token_file} (mode 0600)"
    assert [line for line in result.stderr.splitlines() if "no keyring" in line] == [f"WARNING {notice}"]
    assert len(identity_provider.issued) == 2
    output = result.stdout + result.stderr
    assert [token for token in (refresh_token, *identity_provider.issued) if token in output] == []


def test_validate_says_what_the_preset_and_the_oauth2_client_imply(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.format(provider="outlook", user="beth@contoso.example", port=993,
                                    client_id="11111111-2222", client="", state=tmp_path / "state")
                      .replace("  host: 127.0.0.1\n  port: 993\n  security: plain\n", ""))
    result = followupd("--config", str(config), "validate", home=tmp_path)
    assert result.stdout.splitlines()[1:] == [
        "  outlook: beth@contoso.example at outlook.office365.com:993 (tls)",
        "  preset outlook: outlook.office365.com:993, tls; sign-in: oauth2 (recommended; Microsoft 365 refuses"
        " passwords); or an app password for a personal account with two-step verification",
        "  sign-in: oauth2 (SASL XOAUTH2) with client 11111111-2222, tenant common, scopes"
        " https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
        "  tokens from: https://login.microsoftonline.com/common/oauth2/v2.0/token; refresh token in the"
        f" keyring, else {tmp_path / 'state' / 'oauth2-refresh-token'}",
    ]


def test_login_without_the_oauth_extra_says_how_to_install_it(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.format(provider="outlook", user="beth@contoso.example", port=993,
                                    client_id="11111111-2222", client="", state=tmp_path / "state")
                      .replace("  host: 127.0.0.1\n  port: 993\n  security: plain\n", ""))
    result = followupd("--config", str(config), "login", home=tmp_path, prelude="sys.modules['msal'] = None")
    assert (result.returncode, result.stderr.splitlines()) == (1, [
        "followupd: `followupd login` for OAuth2 needs msal, which is not installed",
        "followupd: Install the OAuth2 extra: pip install 'followupd[oauth]'",
    ])


def test_the_device_code_sign_in_is_refused_for_google(signed_in, tmp_path):
    _, config, _ = signed_in
    result = followupd("--config", str(config), "login", "--device", home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "followupd: the device-code sign-in (--device) is Microsoft's; Google does not allow it for mail"
    )


# The parts of the browser flows that run without a browser or the network


def test_the_google_sign_in_asks_for_mail_access_offline_with_pkce():
    pytest.importorskip("google_auth_oauthlib")
    settings = OAuth2Settings(client_id="1234-abc.apps.googleusercontent.com", client_secret="GOCSPX-x",
                              auth_url="https://accounts.google.com/o/oauth2/auth",
                              token_url="https://oauth2.googleapis.com/token", scopes=GOOGLE_SCOPES)
    flow = installed_app_flow(settings)
    flow.redirect_uri = "http://localhost:8400/"
    url, _ = flow.authorization_url(**authorization_options("beth@gmail.com"))
    query = parse_qs(urlsplit(url).query)
    chosen = ("client_id", "scope", "redirect_uri", "access_type", "prompt", "login_hint", "code_challenge_method")
    assert url.startswith("https://accounts.google.com/o/oauth2/auth?")
    assert {key: query[key] for key in chosen} == {
        "client_id": ["1234-abc.apps.googleusercontent.com"], "scope": ["https://mail.google.com/"],
        "redirect_uri": ["http://localhost:8400/"], "access_type": ["offline"], "prompt": ["consent"],
        "login_hint": ["beth@gmail.com"], "code_challenge_method": ["S256"],
    }


def test_msal_gets_the_imap_scope_without_the_ones_it_adds_itself():
    assert msal_scopes(MICROSOFT_SCOPES) == ["https://outlook.office.com/IMAP.AccessAsUser.All"]


@pytest.mark.parametrize(("tenant", "authority"), [
    (None, "https://login.microsoftonline.com/common"),
    ("organizations", "https://login.microsoftonline.com/organizations"),
])
def test_the_microsoft_authority_names_the_tenant(tenant, authority):
    assert microsoft_authority(OAuth2Settings(client_id="x", tenant=tenant)) == authority


def test_a_microsoft_answer_without_a_refresh_token_is_an_auth_error_naming_the_reason():
    with pytest.raises(AuthError) as raised:
        microsoft_refresh_token("beth@contoso.example", {
            "error": "invalid_client", "error_description": "AADSTS7000218: client_assertion or client_secret\nTrace",
        })
    assert str(raised.value) == (
        "Microsoft did not sign in beth@contoso.example (invalid_client): AADSTS7000218: client_assertion"
        " or client_secret"
    )
