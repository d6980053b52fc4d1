"""The README's first two commands are the ones a fresh machine runs, and CI runs the second."""

from __future__ import annotations

import re

from tests.support import REPOSITORY

README = (REPOSITORY / "README.md").read_text(encoding="utf-8")


def first_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_opens_with_the_demo_and_the_tests():
    demo, tests = first_commands()
    assert demo.endswith("followupd demo") and "pytest" in tests


def test_the_quick_start_never_pip_installs_into_the_system_python():
    # PEP 668: Debian 12 and Ubuntu 24.04 refuse it ("externally-managed-environment").
    for command in first_commands():
        assert "python3 -m pip" not in command and "python3 -m venv .venv" in command


def test_ci_runs_exactly_the_readmes_test_command():
    ci = (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8")
    assert first_commands()[1] in ci.splitlines()
