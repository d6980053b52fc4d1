"""`followupd run`: cycles on a schedule and on new mail, signals, sd_notify; the only apscheduler import."""

from __future__ import annotations

import logging
import os
import queue
import signal
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Mapping

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from followupd.auth.source import password_source
from followupd.errors import ConfigError, FollowupdError
from followupd.model import Config
from followupd.service.notify import Notifier
from followupd.service.session import MailboxSession, WaitingToReconnect
from followupd.service.watch import Watcher
from followupd.core.events import login_failing_event
from followupd.service.notifications import tell, tell_cycle
from followupd.service.outcome import recorded
from followupd.service.status import status_text
from followupd.state.lock import InstanceLock

log = logging.getLogger("followupd.daemon")

# Mail often comes in bursts (a reply and its auto-copy): one cycle for the lot.
DEBOUNCE_SECONDS = 0.3
# A cycle running longer than this is stuck: the watchdog stops being petted.
CYCLE_LIMIT_SECONDS = 10 * 60
# SIGTERM must end the process within 10 s; leave the rest for closing connections.
STOP_WAIT_SECONDS = 7.0
# A one-off request must never be dropped as "already running": its job returns at
# once when a cycle is running (that cycle runs again), so several may overlap.
REQUESTS_AT_ONCE = 5
# The main thread wakes this often to pet the watchdog and to notice a suspend.
TICK_SECONDS = 30.0
# Failed cycles in a row before the user is told (once a day) that no drafts are being made.
FAILURES_BEFORE_TELLING = 3
# Wall time running ahead of monotonic time by more than this means the machine slept.
SUSPEND_THRESHOLD_SECONDS = 5.0


def scheduler_for() -> BackgroundScheduler:
    """Jobs that are late run once, whatever the delay, instead of being dropped."""
    return BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={
            # APScheduler's default grace of 1 s drops a run that a suspend made
            # late; None means "however late": a laptop waking up runs the missed
            # cycle, and coalesce makes that one cycle, not one per missed period.
            "misfire_grace_time": None,
            "coalesce": True,
            "max_instances": 1,
        },
        timezone=timezone.utc,
    )


class Daemon:
    """Runs cycles one at a time: on a schedule, at the next due moment, on new mail."""

    def __init__(self, config: Config, config_path: Path, environ: Mapping[str, str]) -> None:
        self.config, self.config_path, self.environ = config, config_path, environ
        self.notifier = Notifier(environ)
        self.lock = InstanceLock(config.state_dir)
        self.session = MailboxSession(config.account, password_source(config.account, environ))
        self.watcher = Watcher(config.account, password_source(config.account, environ), self.request_cycle)
        self.scheduler = scheduler_for()
        self.events: queue.SimpleQueue[str] = queue.SimpleQueue()  # put() is safe in signal handlers
        self.guard = threading.Lock()
        self.idle = threading.Condition(self.guard)
        self.running, self.again, self.ready_sent = False, False, False
        self.stopping = threading.Event()  # set at SIGTERM: no new cycle, no new draft
        self.pending_config: Config | None = None
        self.cycle_started: float | None = None
        self.cycle_ended = time.monotonic()

    # Life cycle ------------------------------------------------------------

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT; return the exit status."""
        self.lock.acquire(datetime.now(timezone.utc))
        for number, event in ((signal.SIGTERM, "stop"), (signal.SIGINT, "stop"), (signal.SIGHUP, "reload")):
            signal.signal(number, lambda *_, event=event: self.events.put(event))
        log.info("followupd running: %s, checking every %s", self.config.account.address, self.config.check_every)
        self.scheduler.start()
        self.scheduler.add_job(self.cycle, "interval", args=["scheduled check"], id="every",
                               seconds=self.check_seconds())
        self.scheduler.add_job(self.cycle, "date", args=["start"], id="start")
        self.watcher.start()
        self.serve()
        return self.shutdown()

    def serve(self) -> None:
        """The main thread: handle signals, pet the watchdog, notice suspends."""
        tick = min(TICK_SECONDS, (self.notifier.watchdog_period or TICK_SECONDS * 2) / 2)
        skew = wall_minus_monotonic()
        while True:
            try:
                event = self.events.get(timeout=tick)
            except queue.Empty:
                event = None
            if event == "stop":
                return
            if event == "reload":
                self.reload()
            skew = self.notice_suspend(skew)
            if self.is_making_progress():
                self.notifier.watchdog()

    def shutdown(self) -> int:
        """Let the current draft finish, close connections, exit 0, all within 10 s."""
        log.info("stopping")
        self.stopping.set()
        self.session.stop()
        self.notifier.stopping()
        self.scheduler.shutdown(wait=False)
        self.watcher.stop(timeout=2.0)
        if not self.wait_until_idle(STOP_WAIT_SECONDS):
            # The intent ledger makes an interrupted APPEND safe: the next start settles it.
            log.warning("a cycle is still running; cutting its connection")
            self.session.interrupt()
            if not self.wait_until_idle(1.0):
                logging.shutdown()
                os._exit(0)  # a worker thread stuck in a system call must not hold the exit
        self.session.drop()
        self.lock.release()
        self.notifier.close()
        return 0

    def wait_until_idle(self, seconds: float) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: not self.running, timeout=seconds)

    # Cycles ----------------------------------------------------------------

    def request_cycle(self, reason: str) -> None:
        """A cycle soon; requests within the debounce window make one cycle."""
        moment = datetime.now(timezone.utc) + timedelta(seconds=DEBOUNCE_SECONDS)
        self.scheduler.add_job(self.cycle, "date", run_date=moment, args=[reason], id="soon",
                               replace_existing=True, max_instances=REQUESTS_AT_ONCE)

    def cycle(self, reason: str) -> None:
        """Run one cycle, or, when one is running, have it run once more when it ends."""
        with self.guard:
            if self.running:
                self.again = True
                return
            self.running, self.cycle_started = True, time.monotonic()
        try:
            while True:
                self.one_cycle(reason)
                with self.guard:
                    if not self.again or self.stopping.is_set():
                        break
                    self.again, reason = False, "requested during the last cycle"
        finally:
            with self.idle:
                self.running, self.cycle_started, self.cycle_ended = False, None, time.monotonic()
                self.idle.notify_all()

    def one_cycle(self, reason: str) -> None:
        """Read the clock once, run the cycle, record it; a failure is logged and the schedule goes on."""
        from followupd.service.cycle import run_cycle
        from followupd.state.store import Store

        if self.stopping.is_set():
            return
        self.apply_pending_config()
        config, now = self.config, datetime.now(timezone.utc)
        log.debug("cycle (%s)", reason)
        try:
            with Store.open(config.state_dir) as store:
                try:
                    report = recorded(
                        store, now,
                        lambda: self.session.use(
                            lambda mailbox: run_cycle(config, store, mailbox, now, stopping=self.stopping.is_set)
                        ),
                        # A backoff wait is no new failure; a cycle the shutdown cut short is finished next start.
                        unrecorded=lambda error: isinstance(error, WaitingToReconnect) or self.stopping.is_set(),
                    )
                    tell_cycle(config, report, store, now, self.environ)
                except WaitingToReconnect as waiting:
                    log.debug("cycle (%s) skipped: %s", reason, waiting)
                    self.after_failure(str(waiting), now, waiting.seconds)
                    return
                except FollowupdError as error:
                    if self.stopping.is_set():
                        log.info("the shutdown cut the cycle short (%s); the next start finishes it", error)
                        return
                    self.tell_failing(store, now)
                    self.after_failure(str(error), now, self.session.backoff.seconds_left())
                    return
                except Exception as error:
                    log.exception("unexpected error in a cycle")
                    self.session.drop()
                    self.after_failure(f"unexpected fault ({type(error).__name__})", now, 0)
                    return
        except FollowupdError as error:  # the state directory itself failed
            log.error("%s", error)
            self.after_failure(str(error), now, 0)
            return
        self.after_success(report, now, reason)

    def tell_failing(self, store, now: datetime) -> None:
        """After a few failures in a row, tell the user once a day: drafts are not being made."""
        failures = self.session.backoff.failures
        if failures >= FAILURES_BEFORE_TELLING:
            event = login_failing_event(self.config.account.login, failures, now.date().isoformat())
            tell(self.config.notify, [event], store, now, self.environ)

    def after_success(self, report, now: datetime, reason: str) -> None:
        if report.drafted or report.retracted or report.became_sent or report.became_dismissed:
            log.info("cycle (%s): %s", reason, report.summary())
        if report.drafted:
            release_spelling_dictionary()
        self.schedule_due(report.plan.next_due if report.plan else None)
        self.announce(status_text(self.config, report.plan))

    def after_failure(self, reason: str, now: datetime, retry_in: float) -> None:
        if retry_in > 0:
            self.scheduler.add_job(self.cycle, "date", run_date=now + timedelta(seconds=retry_in),
                                   args=["reconnect"], id="retry", replace_existing=True,
                                   max_instances=REQUESTS_AT_ONCE)
        self.announce(f"mailbox unavailable: {reason}")

    def announce(self, status: str) -> None:
        """READY=1 once, after the first cycle, whatever its outcome; STATUS= after every cycle."""
        if self.ready_sent:
            self.notifier.status(status)
        else:
            self.ready_sent = True
            self.notifier.ready(status)

    def schedule_due(self, moment: datetime | None) -> None:
        """One cycle at the plan's next due moment, so a thank-you is not left for the next poll."""
        if moment is None:
            try:
                self.scheduler.remove_job("due")
            except JobLookupError:
                pass
            return
        self.scheduler.add_job(self.cycle, "date", run_date=moment, args=["due"], id="due",
                               replace_existing=True, max_instances=REQUESTS_AT_ONCE)

    def check_seconds(self) -> float:
        return self.config.check_every.exact.total_seconds()

    # Reload ----------------------------------------------------------------

    def reload(self) -> None:
        """SIGHUP: read the config again; an invalid one leaves the running one in place."""
        from followupd.config.load import load_config

        self.notifier.reloading()
        try:
            new = load_config(self.config_path, self.environ)
            if new.state_dir != self.config.state_dir:
                raise ConfigError([f"state_dir changed to {new.state_dir}: restart followupd to use it"])
        except ConfigError as error:
            for problem in error.problems:
                log.error("reload: %s", problem)
            log.error("reload: kept the running config; fix %s and reload again", self.config_path)
            self.notifier.ready("reload failed; running with the previous config")
            return
        log.info("reloaded %s", self.config_path)
        with self.guard:
            self.pending_config = new
        self.session.retry_now()
        self.watcher.retry_now()
        self.ready_sent = False  # the reload cycle sends READY=1 again, ending RELOADING=1
        self.request_cycle("reload")

    def apply_pending_config(self) -> None:
        """Swap in a reloaded config between cycles, never during one."""
        with self.guard:
            new, self.pending_config = self.pending_config, None
        if new is None:
            return
        old, self.config = self.config, new
        if new.check_every != old.check_every:
            self.scheduler.reschedule_job("every", trigger="interval", seconds=self.check_seconds())
        if new.account != old.account:
            self.session.drop()
            self.session = MailboxSession(new.account, password_source(new.account, self.environ))
            self.watcher.stop(timeout=2.0)
            self.watcher = Watcher(new.account, password_source(new.account, self.environ), self.request_cycle)
            self.watcher.start()

    # Health ----------------------------------------------------------------

    def is_making_progress(self) -> bool:
        """Cycles end (or run for a sane time) and the watcher beats: only then pet the watchdog."""
        now = time.monotonic()
        started = self.cycle_started
        if started is not None:
            cycles_ok = now - started < CYCLE_LIMIT_SECONDS
        else:
            cycles_ok = now - self.cycle_ended < self.check_seconds() + CYCLE_LIMIT_SECONDS
        return cycles_ok and self.scheduler.running and self.watcher.is_making_progress(now)

    def notice_suspend(self, skew: float) -> float:
        """After a suspend, wake the scheduler and drop the watch connection, which is likely dead."""
        current = wall_minus_monotonic()
        if current - skew > SUSPEND_THRESHOLD_SECONDS:
            log.info("the machine was asleep for about %.0f s; catching up", current - skew)
            self.watcher.reconnect()
            self.scheduler.wakeup()
        return current


def release_spelling_dictionary() -> None:
    """Drop the spell checker's word list (about 20 MB) between cycles that draft.

    Drafts are made a few times a day; loading the list again then costs a
    fraction of a second, while keeping it would triple an idle daemon's memory.
    """
    import gc

    from followupd.drafts.spelling import english_dictionary

    english_dictionary.cache_clear()
    gc.collect()


def wall_minus_monotonic() -> float:
    """Grows by the length of every suspend: the monotonic clock stops while the machine sleeps."""
    return time.time() - time.monotonic()


def run_daemon(config: Config, config_path: Path, environ: Mapping[str, str]) -> int:
    """Build the daemon and serve in the foreground; systemd supervises it."""
    sys.stdout.flush()
    return Daemon(config, config_path, environ).run()
