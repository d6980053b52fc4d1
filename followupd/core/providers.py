"""What each provider preset implies: server, security and how to sign in; plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

GOOGLE_SCOPES = ("https://mail.google.com/",)
# offline_access is what makes Microsoft return a refresh token.
MICROSOFT_SCOPES = ("https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access")
MICROSOFT_AUTHORITY = "https://login.microsoftonline.com/{tenant}"
# common accepts work, school and personal Microsoft accounts, which is what an app registered for
# "any organizational directory and personal Microsoft accounts" (the README's choice) allows; an app
# registered for one organization only must name its tenant instead.
DEFAULT_TENANT = "common"


@dataclass(frozen=True)
class OAuth2Endpoints:
    """Where a provider's installed-app sign-in and token refresh happen."""

    auth_url: str
    token_url: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Preset:
    """A provider's IMAP server and the sign-in methods it accepts."""

    host: str
    sign_in: str  # for `followupd validate`
    port: int = 993
    security: str = "tls"
    oauth2: OAuth2Endpoints | None = None


GOOGLE = OAuth2Endpoints(
    "https://accounts.google.com/o/oauth2/auth", "https://oauth2.googleapis.com/token", GOOGLE_SCOPES
)
MICROSOFT = OAuth2Endpoints(
    MICROSOFT_AUTHORITY + "/oauth2/v2.0/authorize", MICROSOFT_AUTHORITY + "/oauth2/v2.0/token", MICROSOFT_SCOPES
)
APP_PASSWORD = "an app password (create one in the account's security settings; needs two-step verification)"

PRESETS = {
    "gmail": Preset(
        "imap.gmail.com",
        "oauth2 (recommended); or an app password, which needs 2-Step Verification",
        oauth2=GOOGLE,
    ),
    "outlook": Preset(
        "outlook.office365.com",
        "oauth2 (recommended; Microsoft 365 refuses passwords); or an app password for a personal"
        " account with two-step verification",
        oauth2=MICROSOFT,
    ),
    "fastmail": Preset("imap.fastmail.com", APP_PASSWORD),
    "icloud": Preset("imap.mail.me.com", APP_PASSWORD),
    "yahoo": Preset("imap.mail.yahoo.com", APP_PASSWORD),
}


def endpoints(provider: str, tenant: str | None) -> OAuth2Endpoints | None:
    """The provider's OAuth2 endpoints with the tenant filled in, or None when it has none."""
    preset = PRESETS.get(provider)
    if preset is None or preset.oauth2 is None:
        return None
    tenant = tenant or DEFAULT_TENANT
    found = preset.oauth2
    return OAuth2Endpoints(found.auth_url.format(tenant=tenant), found.token_url.format(tenant=tenant), found.scopes)


def supports_oauth2(provider: str) -> bool:
    """Whether followupd can sign in to this provider with OAuth2: a known one, or any explicit server."""
    return provider == "imap" or endpoints(provider, None) is not None


def account_summary(account) -> list[str]:
    """What the account settings and provider preset amount to, for `followupd validate`."""
    if account.provider == "maildir":
        return [f"maildir at {account.path}"]
    lines = [f"{account.provider}: {account.login} at {account.host}:{account.port} ({account.security})"]
    preset = PRESETS.get(account.provider)
    if preset:
        lines.append(
            f"preset {account.provider}: {preset.host}:{preset.port}, {preset.security}; sign-in: {preset.sign_in}"
        )
    settings = account.oauth2
    if settings is None:
        lines.append(f"password from: {account.password}")
        return lines
    tenant = f", tenant {settings.tenant}" if settings.tenant else ""
    scopes = " ".join(settings.scopes) or "none"
    lines.append(f"sign-in: oauth2 (SASL XOAUTH2) with client {settings.client_id}{tenant}, scopes {scopes}")
    lines.append(f"tokens from: {settings.token_url}; refresh token in the keyring, else {settings.refresh_token_file}")
    return lines
