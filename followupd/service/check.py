"""`followupd check`: open the mailbox and run one recorded cycle under the state directory's lock."""

from __future__ import annotations

from datetime import datetime
from typing import Mapping

from followupd.model import Config
from followupd.service.cycle import CycleReport, run_cycle
from followupd.service.notifications import tell_cycle
from followupd.service.outcome import recorded
from followupd.state.lock import holding
from followupd.state.store import Store


def check(config: Config, environ: Mapping[str, str], now: datetime, dry_run: bool) -> CycleReport:
    """One full pass against the configured mailbox, recorded in the state directory.

    A real check holds the state directory's lock, as the daemon does, so two
    processes never settle the same ledger at once. A dry run writes nothing: it
    takes no lock and plans from an in-memory copy of the ledger.
    """
    if dry_run:
        with Store.snapshot(config.state_dir) as store:
            return checked(config, store, environ, now, dry_run=True)
    with holding(config.state_dir, "check", now), Store.open(config.state_dir) as store:
        return checked(config, store, environ, now, dry_run=False)


def checked(config: Config, store: Store, environ: Mapping[str, str], now: datetime, dry_run: bool) -> CycleReport:
    """Open the mailbox, run the cycle, record its outcome unless this is a dry run."""
    from followupd.auth.source import password_source
    from followupd.mailbox import open_mailbox

    def work() -> CycleReport:
        mailbox = open_mailbox(config.account, password_source(config.account, environ))
        try:
            return run_cycle(config, store, mailbox, now, dry_run=dry_run)
        finally:
            mailbox.close()

    if dry_run:
        return work()
    report = recorded(store, now, work)
    tell_cycle(config, report, store, now, environ)
    return report
