"""followupd's tests; tests/support holds what they and bench/ share."""
