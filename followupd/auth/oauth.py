"""OAuth2 access tokens for SASL XOAUTH2: the refresh grant (RFC 6749 §6) at the provider's token endpoint.

The refresh is a plain `urllib.request` POST rather than google-auth or msal, on purpose:
- the same twenty lines serve Google, Microsoft and any `provider: imap` endpoint (the tests' loopback
  one included), where the libraries would need two code paths and msal an authority lookup first;
- the daemon refreshes before every connect, and importing google-auth and msal costs about 0.2 s
  and 20-29 MiB of RSS against 28 ms and 7 MiB for urllib (measured on CPython 3.11), for a
  long-running process that otherwise needs neither;
- the daemon keeps working without the optional `followupd[oauth]` extra, which only
  `followupd login` needs for the browser and device-code flows (oauth_flows.py).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

from followupd.auth.secrets import refresh_token_for, store_refresh_token
from followupd.errors import AuthError, MailboxError
from followupd.model import Account, Bearer, OAuth2Settings

TIMEOUT_SECONDS = 30.0
TESTING_APP_ADVICE = (
    " Google ends the sign-in after 7 days while the OAuth app's publishing status is"
    ' "Testing": publish the app to production (the README shows how) so it lasts.'
)


def bearer_for(account: Account, timeout: float = TIMEOUT_SECONDS) -> Bearer:
    """A freshly refreshed access token; its renew() refreshes once more after the server refuses it."""
    settings = settings_of(account)

    def renew() -> str:
        return refreshed_access_token(account, settings, timeout)

    return Bearer(renew(), renew)


def settings_of(account: Account) -> OAuth2Settings:
    if account.oauth2 is None:
        raise AuthError(f"{account.login} is set to sign in with OAuth2, but account.oauth2 is missing.")
    return account.oauth2


def refreshed_access_token(account: Account, settings: OAuth2Settings, timeout: float) -> str:
    """Trade the stored refresh token for a new access token, keeping a rotated refresh token."""
    stored = refresh_token_for(account.login, settings.refresh_token_file)
    answer = refresh_grant(settings, stored, timeout, account)
    rotated = answer.get("refresh_token")
    if isinstance(rotated, str) and rotated and rotated != stored:
        # Microsoft sends a new refresh token with each refresh; the newest one lives longest.
        store_refresh_token(account.login, rotated, settings.refresh_token_file)
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise AuthError(f"the token endpoint {host_of(settings.token_url)} answered without an access token")
    return token


def refresh_form(settings: OAuth2Settings, refresh_token: str) -> dict[str, str]:
    """The refresh grant's form fields (RFC 6749 §6); scope is what Microsoft needs and Google accepts."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": settings.client_id}
    if settings.client_secret:
        form["client_secret"] = settings.client_secret
    if settings.scopes:
        form["scope"] = " ".join(settings.scopes)
    return form


def refresh_grant(settings: OAuth2Settings, refresh_token: str, timeout: float, account: Account) -> dict:
    """POST the refresh grant; the endpoint's JSON answer, or an error that never quotes a token."""
    request = urllib.request.Request(
        settings.token_url,
        data=urlencode(refresh_form(settings, refresh_token)).encode("ascii"),
        headers={"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    host = host_of(settings.token_url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json_object(response.read())
    except urllib.error.HTTPError as error:
        raise refusal(error.code, json_object(error.read()), account, host, refresh_token) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise MailboxError(f"could not reach the token endpoint {host}: {reason}") from None


def refusal(status: int, answer: dict, account: Account, host: str, refresh_token: str) -> Exception:
    """The error for a refused refresh (RFC 6749 §5.2): revoked sign-in, bad client, or a server fault."""
    code = answer.get("error") if isinstance(answer.get("error"), str) else ""
    if code == "invalid_grant":
        advice = TESTING_APP_ADVICE.strip() if account.provider == "gmail" else ""
        return AuthError(
            f"the sign-in for {account.login} was revoked or expired; run `followupd login` again", advice
        )
    if not code:
        return MailboxError(f"the token endpoint {host} answered HTTP {status}; followupd tries again later")
    description = str(answer.get("error_description") or "").splitlines()[0:1]
    detail = f" ({description[0][:200]})" if description and refresh_token not in description[0] else ""
    return AuthError(
        f"the token endpoint {host} refused to refresh the sign-in for {account.login}: {code}{detail}",
        advice="Check account.oauth2 (client_id, client_secret, tenant) against your OAuth client.",
    )


def json_object(body: bytes) -> dict[str, Any]:
    """The JSON object in an answer, or an empty one when it is something else."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url
