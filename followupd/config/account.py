"""The account section: provider presets, server settings and sign-in, checked across keys."""

from __future__ import annotations

from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from followupd import model
from followupd.config.section import Section
from followupd.core.addresses import is_loopback
from followupd.config.spec import shown
from followupd.core.providers import DEFAULT_TENANT, PRESETS, endpoints, supports_oauth2

REFRESH_TOKEN_FILE = "oauth2-refresh-token"
PROXY_HINT = "set host as well when you go through a local proxy"


def build_account(section: Section, resolve: Callable[[str | None], Path | None], state_dir: Path) -> model.Account:
    """The account with its preset filled in; every cross-key problem is reported on section."""
    values = section.fields()
    provider, security = values["provider"], values["security"]
    preset = PRESETS.get(provider)
    host = values["host"] or (preset.host if preset else None)
    check_server(section, provider, security, host)
    check_password(section)
    check_oauth2(section, provider)
    local = provider == "maildir"  # a Maildir is local: server settings are ignored rather than refused
    tls_ca_file = resolve(values["tls_ca_file"])
    if tls_ca_file is not None and not local:
        check_ca_file(section, tls_ca_file)
    values.update(
        host=None if local else host,
        port=None if local else values["port"] or (993 if security == "tls" else 143),
        tls_ca_file=tls_ca_file,
        path=resolve(values["path"]),
        folders=model.Folders(**section.child("folders").fields()),
        oauth2=oauth2_settings(section, provider, state_dir),
    )
    return model.Account(**values)


def check_server(section: Section, provider: str | None, security: str, host: str | None) -> None:
    """The provider needs what it cannot imply, and a password never crosses a network in plain text."""
    if provider == "imap" and not section.given("host"):
        section.report("host", "required key is missing; provider imap has no preset server")
    if provider == "maildir" and not section.given("path"):
        section.report("path", "required key is missing; provider maildir reads mail from this directory")
    preset = PRESETS.get(provider)
    if preset and host == preset.host:
        check_preset_server(section, provider, host)
    elif provider not in (None, "maildir") and security == "plain" and host and not is_loopback(host):
        section.report(
            "security",
            "plain sends your password unencrypted, so it is allowed only to"
            f" 127.0.0.0/8, ::1 or localhost, not {shown(host)}",
        )


def check_preset_server(section: Section, provider: str, host: str) -> None:
    """A provider's own server speaks IMAP one way only: an override that differs cannot connect."""
    preset = PRESETS[provider]
    for key, wanted in (("security", preset.security), ("port", preset.port)):
        if section.given(key) and not section.broken(key) and section.get(key) != wanted:
            section.report(
                key,
                f"{host} ({provider}) accepts IMAP only with security {preset.security} on port"
                f" {preset.port}, not {shown(str(section.get(key)))}; remove {key}, or {PROXY_HINT}",
            )


def check_ca_file(section: Section, path: Path) -> None:
    """The CA file must be there now, not found missing at the first connection."""
    expected = "expected the PEM file of the CA that signed the server's certificate"
    if not path.exists():
        section.report("tls_ca_file", f"no such file: {path}; {expected}")
    elif not path.is_file():
        section.report("tls_ca_file", f"{path} is not a file; {expected}")


def check_password(section: Section) -> None:
    """A password command goes with `password: command`, and only with it."""
    if section.broken("password"):
        return
    if section.get("password") == "command" and not section.given("password_command"):
        section.report("password_command", "required key is missing; account.password is command")
    if section.get("password") != "command" and section.given("password_command"):
        section.report("password_command", "has no effect unless account.password is command")


def check_oauth2(section: Section, provider: str | None) -> None:
    """`password: oauth2` needs a client and a provider that signs in that way; the client fits it."""
    if section.broken("password") or section.broken("provider") or provider is None:
        return
    uses_oauth2, given = section.get("password") == "oauth2", section.given("oauth2")
    if given and not uses_oauth2:
        section.report("oauth2", "has no effect unless account.password is oauth2")
    if not uses_oauth2:
        return
    if not supports_oauth2(provider):
        preset = PRESETS.get(provider)
        instead = f"it signs in with {preset.sign_in}" if preset else "a Maildir needs no sign-in"
        section.report("password", f"oauth2 is not available for provider {provider}: {instead}")
    elif not given:
        section.report("oauth2", "required key is missing; account.password is oauth2 (give at least client_id)")
    else:
        check_oauth2_client(section.child("oauth2"), provider)


def check_oauth2_client(client: Section, provider: str) -> None:
    """What each provider's client registration needs, and endpoints that keep tokens encrypted."""
    if provider == "imap" and not client.given("token_url"):
        client.report("token_url", "required key is missing; provider imap has no preset OAuth2 endpoints")
    if provider == "gmail" and not client.given("client_secret"):
        client.report(
            "client_secret",
            "required key is missing; a Google Desktop app client comes with one (for an installed"
            " app it is not confidential)",
        )
    if provider == "outlook" and client.given("client_secret"):
        client.report(
            "client_secret",
            "Microsoft refuses a secret from a desktop (public) client; remove it and register the app"
            " as a public client",
        )
    if provider != "outlook" and client.given("tenant"):
        client.report("tenant", "has no effect unless account.provider is outlook")
    for key in ("auth_url", "token_url"):
        url = client.get(key)
        if url and url.startswith("http://") and not is_loopback(urlsplit(url).hostname or ""):
            client.report(key, "tokens must not cross a network unencrypted: use https:// (http:// only to loopback)")


def oauth2_settings(section: Section, provider: str, state_dir: Path) -> model.OAuth2Settings | None:
    """The OAuth client with the provider's endpoints filled in where none were written."""
    if section.get("password") != "oauth2" or not section.given("oauth2"):
        return None
    values = section.child("oauth2").fields()
    implied = endpoints(provider, values["tenant"])
    if implied:
        values["auth_url"] = values["auth_url"] or implied.auth_url
        values["token_url"] = values["token_url"] or implied.token_url
        values["scopes"] = values["scopes"] or implied.scopes
    if provider == "outlook":
        values["tenant"] = values["tenant"] or DEFAULT_TENANT
    values.update(token_url=values["token_url"] or "", scopes=tuple(values["scopes"] or ()))
    return model.OAuth2Settings(**values, refresh_token_file=state_dir / REFRESH_TOKEN_FILE)


