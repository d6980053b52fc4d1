"""Recording a cycle's outcome in the ledger: the one place check and the daemon both use."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable, TypeVar

from followupd.errors import FollowupdError
from followupd.state.store import Store

Report = TypeVar("Report")

log = logging.getLogger("followupd")


def recorded(
    store: Store,
    now: datetime,
    work: Callable[[], Report],
    unrecorded: Callable[[Exception], bool] = lambda error: False,
) -> Report:
    """Run one cycle's work and record how it ended: its summary, or its error as `status` shows it.

    An unexpected fault is recorded by its kind alone: its text may quote
    anything it touched, a credential included, and the ledger is read by `status`.
    """
    try:
        report = work()
    except FollowupdError as error:
        if not unrecorded(error):
            store.record_cycle(now, now, False, error_text(error), "")
        raise
    except Exception as error:
        if not unrecorded(error):
            store.record_cycle(now, now, False, f"unexpected fault ({type(error).__name__}); the log has details", "")
        raise
    store.record_cycle(now, now, True, None, report.summary())
    return report


def error_text(error: FollowupdError) -> str:
    """A failed cycle's error as `status` shows it later: the sentence, then its advice."""
    return f"{error} — {error.advice}" if error.advice else str(error)
