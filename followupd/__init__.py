"""followupd: drafts — never sends — interview follow-up emails."""

__version__ = "0.1.0"
