"""Daemon fixtures: the daemon subprocess, a TCP proxy in front of Dovecot."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.support.daemon import Daemon, TcpProxy


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "slow: takes tens of seconds; deselect with -m 'not slow'")


@pytest.fixture
def daemon(tmp_path: Path, imap_user) -> Iterator[Daemon]:
    """A daemon for a fresh Dovecot user, killed at teardown if a test left it running."""
    runner = Daemon(tmp_path, imap_user.server.port, imap_user.username, imap_user.server.password)
    yield runner
    runner.close()


@pytest.fixture
def proxy(dovecot) -> Iterator[TcpProxy]:
    """A loopback proxy to the shared Dovecot that the test can cut."""
    running = TcpProxy(dovecot.port)
    yield running
    running.close()
