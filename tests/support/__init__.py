"""Test support shared by the tests and bench/: servers, mailbox users, builders of values."""

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
