"""A loopback identity provider (token and introspection endpoints) and a Dovecot that asks it."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qsl

import keyring
import pytest

from tests.support.dovecot import (
    dovecot_binary,
    dovecot_config,
    free_port,
    mail_accounts,
    wait_until_listening,
)
from tests.support.memory_keyring import MemoryKeyring

CLIENT_ID = "followupd-test-client"
SCOPE = "mail"
# Every test logs in from 127.0.0.1, so one test's refused tokens would slow the next test's login
# down by seconds (auth penalty); an anvil socket the auth process cannot open turns it off.
NO_AUTH_PENALTY = """\
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}"""
DOVECOT_CONFIG = dovecot_config(
    auth_mechanisms="xoauth2 oauthbearer",
    passdb="  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {base}/dovecot-oauth2.conf.ext",
    mailboxes={"Drafts": "\\Drafts", "Sent": "\\Sent"},
    extra=NO_AUTH_PENALTY,
)
# Dovecot 2.3's oauth2 passdb: RFC 7662 introspection by POST, the user name in `username`,
# and a token counts only while `active` is true.
OAUTH2_PASSDB = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
timeout_msecs = 5000
"""


@dataclass
class IdentityProvider:
    """The OAuth server's side: what it issued, what it accepts, and every request it saw."""

    url: str = ""
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token → user
    access_tokens: dict[str, str] = field(default_factory=dict)  # live access token → user
    issued: list[str] = field(default_factory=list)  # every access token, in order
    grants: list[dict[str, str]] = field(default_factory=list)  # every form POSTed to /token
    introspected: list[str] = field(default_factory=list)  # every token Dovecot asked about
    stillborn: int = 0  # how many of the next access tokens are dead on arrival
    rotate: bool = False  # send a new refresh token with each refresh, as Microsoft does
    counter: Iterator[int] = field(default_factory=itertools.count)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def forget(self) -> None:
        """Start a test with nothing issued and nothing seen."""
        for collection in (self.refresh_tokens, self.access_tokens, self.issued, self.grants, self.introspected):
            collection.clear()
        self.stillborn, self.rotate = 0, False

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    def sign_in(self, user: str) -> str:
        """A refresh token for user, as the browser sign-in would have produced."""
        token = f"refresh-{user}-{next(self.counter)}"
        self.refresh_tokens[token] = user
        return token

    def revoke(self, refresh_token: str) -> None:
        del self.refresh_tokens[refresh_token]

    def expire_access_tokens(self) -> None:
        self.access_tokens.clear()

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        """RFC 6749 §6 refresh, with §5.2 errors."""
        with self.lock:
            self.grants.append(form)
            if form.get("grant_type") != "refresh_token":
                return 400, {"error": "unsupported_grant_type"}
            if form.get("client_id") != CLIENT_ID:
                return 401, {"error": "invalid_client"}
            user = self.refresh_tokens.get(form.get("refresh_token", ""))
            if user is None:
                return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            access = f"access-{next(self.counter)}-{os.urandom(6).hex()}"
            self.issued.append(access)
            if self.stillborn:
                self.stillborn -= 1
            else:
                self.access_tokens[access] = user
            answer = {"access_token": access, "token_type": "Bearer", "expires_in": 3599}
            if self.rotate:
                self.revoke(form["refresh_token"])
                answer["refresh_token"] = self.sign_in(user)
            return 200, answer

    def introspect(self, form: dict[str, str]) -> tuple[int, dict]:
        """RFC 7662 introspection, the way Dovecot's passdb asks."""
        with self.lock:
            token = form.get("token", "")
            self.introspected.append(token)
            user = self.access_tokens.get(token)
            return 200, ({"active": True, "username": user} if user else {"active": False})


def handler_for(provider: IdentityProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode("ascii")))
            routes = {"/token": provider.token, "/introspect": provider.introspect}
            status, answer = routes[self.path](form) if self.path in routes else (404, {})
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *arguments) -> None:
            pass  # the request log would print tokens in URLs of a careless client

    return Handler


@pytest.fixture(scope="session")
def identity_server() -> Iterator[IdentityProvider]:
    """Token and introspection endpoints on 127.0.0.1 for the whole session."""
    provider = IdentityProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(provider))
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def identity_provider(identity_server: IdentityProvider) -> IdentityProvider:
    """The identity provider with nothing issued and nothing seen yet."""
    identity_server.forget()
    return identity_server


@dataclass
class OAuthDovecot:
    port: int
    log: Path
    users: Iterator[int] = field(default_factory=itertools.count)


@pytest.fixture(scope="session")
def oauth_dovecot(identity_server: IdentityProvider) -> Iterator[OAuthDovecot]:
    """A Dovecot whose only passdb is oauth2, checking tokens with the loopback identity provider."""
    binary = dovecot_binary()
    base = Path(tempfile.mkdtemp(prefix="fud-oauth-", dir="/tmp"))  # socket paths must stay short
    base.chmod(0o755)
    accounts, port = mail_accounts(), free_port()
    (base / "dovecot-oauth2.conf.ext").write_text(OAUTH2_PASSDB.format(url=f"{identity_server.url}/introspect"))
    (base / "dovecot.conf").write_text(DOVECOT_CONFIG.format(base=base, port=port, tls_port=0, ssl="ssl = no", password="", **accounts))
    for name in ("home", "state"):
        (base / name).mkdir()
    shutil.chown(base / "home", accounts["mail_user"], accounts["mail_group"])
    process = subprocess.Popen([binary, "-F", "-c", str(base / "dovecot.conf")])
    try:
        wait_until_listening(port, process, base / "dovecot.log")
        yield OAuthDovecot(port, base / "dovecot.log")
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring for one test, the previous backend restored afterwards."""
    previous, backend = keyring.get_keyring(), MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
