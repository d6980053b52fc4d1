"""`followupd login` for OAuth2: the providers' own installed-app flows, from the optional extra.

Google (and any `provider: imap` endpoint) signs in through google-auth-oauthlib's InstalledAppFlow,
Microsoft through msal, browser or device code. Both are imported only here and only when
`followupd login` runs, so the daemon never needs them (oauth.py refreshes tokens with urllib).
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Mapping

from followupd.auth.secrets import store_refresh_token
from followupd.core.providers import MICROSOFT_AUTHORITY
from followupd.errors import AuthError, ConfigError, FollowupdError
from followupd.model import Account, OAuth2Settings

INSTALL_EXTRA = "pip install 'followupd[oauth]'"
# msal adds these itself and refuses them in a scope list.
MSAL_RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access"})
# Without a browser here, the redirect has to come back to a port the user can forward with ssh -L.
HEADLESS_PORT = 8400


def sign_in(account: Account, device: bool, environ: Mapping[str, str]) -> str:
    """Run the provider's sign-in, store the refresh token, and say where it went."""
    settings = account.oauth2
    if settings is None:
        raise ConfigError(["account.oauth2 is missing; password: oauth2 needs your OAuth client"])
    if account.provider == "outlook":
        refresh_token = microsoft_sign_in(settings, account.login, device, print)
    elif device:
        raise ConfigError(
            ["the device-code sign-in (--device) is Microsoft's; Google does not allow it for mail"],
            f"Run `followupd login` without --device: with no browser here it waits on port"
            f" {HEADLESS_PORT}; forward it with `ssh -L {HEADLESS_PORT}:localhost:{HEADLESS_PORT}`"
            " and open the printed address in your own browser.",
        )
    else:
        refresh_token = installed_app_sign_in(settings, account.login, has_display(environ))
    where = store_refresh_token(account.login, refresh_token, settings.refresh_token_file)
    return f"signed in as {account.login}; the refresh token is in {where}"


def has_display(environ: Mapping[str, str]) -> bool:
    """Whether a browser can open here: macOS and Windows always, elsewhere a graphical session."""
    return sys.platform in ("darwin", "win32") or bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def optional(module: str) -> Any:
    """A module of the optional `oauth` extra, or the sentence that says how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise FollowupdError(
            f"`followupd login` for OAuth2 needs {module.split('.')[0]}, which is not installed",
            advice=f"Install the OAuth2 extra: {INSTALL_EXTRA}",
        ) from None


# Google and generic OAuth2 servers: authorization code with PKCE and a loopback redirect


def installed_app_config(settings: OAuth2Settings) -> dict[str, dict[str, Any]]:
    """The client in Google's client-secrets format, which InstalledAppFlow reads for any server."""
    if not settings.auth_url:
        raise ConfigError(
            ["account.oauth2.auth_url: required for `followupd login`; provider imap has no preset endpoint"]
        )
    return {
        "installed": {
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
            "auth_uri": settings.auth_url,
            "token_uri": settings.token_url,
            "redirect_uris": ["http://localhost"],
        }
    }


def installed_app_flow(settings: OAuth2Settings) -> Any:
    """google-auth-oauthlib's InstalledAppFlow for this client; building it needs no network."""
    flow_module = optional("google_auth_oauthlib.flow")
    return flow_module.InstalledAppFlow.from_client_config(installed_app_config(settings), list(settings.scopes))


def authorization_options(login: str) -> dict[str, str]:
    """Ask for a refresh token every time (prompt=consent), for this account (login_hint)."""
    return {"access_type": "offline", "prompt": "consent", "login_hint": login}


def installed_app_sign_in(settings: OAuth2Settings, login: str, browser: bool) -> str:
    """Open the browser at the consent page and wait for the loopback redirect."""
    flow = installed_app_flow(settings)
    port = 0 if browser else HEADLESS_PORT
    credentials = flow.run_local_server(port=port, open_browser=browser, **authorization_options(login))
    if not credentials.refresh_token:
        raise AuthError(
            f"the sign-in for {login} gave no refresh token",
            advice="Remove followupd's access in your account's security settings and run `followupd login` again.",
        )
    return credentials.refresh_token


# Microsoft: msal's public client, in the browser or with a device code


def microsoft_authority(settings: OAuth2Settings) -> str:
    return MICROSOFT_AUTHORITY.format(tenant=settings.tenant or "common")


def msal_scopes(scopes: tuple[str, ...]) -> list[str]:
    """The scopes msal accepts: it asks for offline_access (a refresh token) on its own."""
    return [scope for scope in scopes if scope not in MSAL_RESERVED_SCOPES]


def microsoft_sign_in(settings: OAuth2Settings, login: str, device: bool, show: Callable[[str], None]) -> str:
    """Sign in through msal and return the refresh token from its answer."""
    msal = optional("msal")
    application = msal.PublicClientApplication(settings.client_id, authority=microsoft_authority(settings))
    scopes = msal_scopes(settings.scopes)
    if device:
        flow = application.initiate_device_flow(scopes=scopes)
        if "user_code" not in flow:
            raise microsoft_refusal(login, flow)
        show(flow["message"])  # "To sign in, use a web browser to open … and enter the code …"
        result = application.acquire_token_by_device_flow(flow)
    else:
        result = application.acquire_token_interactive(scopes, login_hint=login, prompt="select_account")
    return microsoft_refresh_token(login, result)


def microsoft_refresh_token(login: str, result: Mapping[str, Any]) -> str:
    """The refresh token in msal's answer, or the reason there is none."""
    if "error" in result or not result.get("refresh_token"):
        raise microsoft_refusal(login, result)
    return result["refresh_token"]


def microsoft_refusal(login: str, result: Mapping[str, Any]) -> AuthError:
    code = result.get("error") or "no refresh token"
    description = str(result.get("error_description") or "").splitlines()[:1]
    detail = f": {description[0][:200]}" if description else ""
    return AuthError(
        f"Microsoft did not sign in {login} ({code}){detail}",
        advice="Check the app registration: a public client with the redirect http://localhost, the"
        " permissions IMAP.AccessAsUser.All and offline_access, and account.oauth2.tenant.",
    )
