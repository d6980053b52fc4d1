"""The systemd units: valid for systemd, and every setting says why it is there."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPOSITORY

UNITS = REPOSITORY / "systemd"
INSTALLED_PATHS = ("%h/.local/bin/followupd", "/usr/local/bin/followupd")


def settings_without_reason(unit: Path) -> list[str]:
    """Directive lines in [Service] not directly under a comment (or another explained line)."""
    unexplained, previous, section = [], "", ""
    for line in unit.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
        elif section == "[Service]" and stripped and not stripped.startswith("#"):
            if not previous.startswith("#") and not previous:
                unexplained.append(stripped)
        previous = stripped
    return unexplained


@pytest.mark.parametrize("name", ["followupd.service", "followupd-system.service", "followupd@.service"])
def test_every_service_setting_is_commented_with_its_reason(name):
    assert settings_without_reason(UNITS / name) == []


def test_the_system_unit_carries_the_hardening_a_network_client_needs():
    text = (UNITS / "followupd-system.service").read_text()
    for setting in (
        "Type=notify",
        "DynamicUser=yes",
        "StateDirectory=followupd",
        "ConfigurationDirectory=followupd",
        "LoadCredential=imap-password:",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "SystemCallFilter=@system-service",
    ):
        assert setting in text, setting


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_accepts_every_unit(tmp_path):
    # verify insists that ExecStart exists; point it at an executable that does.
    executable = tmp_path / "followupd"
    executable.write_text(f"#!{sys.executable}\nfrom followupd.cli import main\nmain()\n")
    executable.chmod(0o755)
    names = []
    for unit in UNITS.glob("*.service"):
        text = unit.read_text()
        for path in INSTALLED_PATHS:
            text = text.replace(path, str(executable))
        name = unit.name.replace("@.service", "@work.service")
        (tmp_path / name).write_text(text)
        names.append(name)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(names)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")
