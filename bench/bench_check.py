"""How much a check costs: wall time, IMAP commands and bytes, at 1,000 and 50,000 messages.

Run as `python -m bench.bench_check [--sizes 1000,50000]`. It starts its own Dovecot
on loopback (configured like the test fixture), runs the real `run_cycle` with a
real Store in a temp dir, and prints numbers; it asserts nothing about time.

Commands are counted with imaplib's tag counter (every command gets one tag);
bytes read by wrapping the connection's reader, bytes sent by wrapping `send`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bench import corpus
from bench.dovecot import Server, running_dovecot
from followupd.mailbox import open_mailbox
from followupd.service.cycle import run_cycle
from followupd.state.store import Store

USER = "bench"
QUIET_ROUNDS = 30
NEW_MAIL_ROUNDS = 5


class CountingReader:
    """The connection's buffered reader, counting every byte the client reads."""

    def __init__(self, file: object) -> None:
        self.file, self.bytes, self.seconds = file, 0, 0.0

    def readline(self, *limit: int) -> bytes:
        start = time.perf_counter()
        line = self.file.readline(*limit)
        self.seconds += time.perf_counter() - start
        self.bytes += len(line)
        return line

    def read(self, *size: int) -> bytes:
        start = time.perf_counter()
        data = self.file.read(*size)
        self.seconds += time.perf_counter() - start
        self.bytes += len(data)
        return data

    def __getattr__(self, name: str) -> object:
        return getattr(self.file, name)


class Meter:
    """Commands sent and bytes read and written on one ImapMailbox's connection."""

    def __init__(self, mailbox: object) -> None:
        self.imap = mailbox.client._imap
        self.reader = CountingReader(self.imap.file)
        self.imap.file = self.reader
        self.sent = 0
        send = self.imap.send

        def counted_send(data: bytes) -> None:
            self.sent += len(data)
            send(data)

        self.imap.send = counted_send

    def reading(self) -> tuple[float, int, int, int]:
        return self.reader.seconds, self.imap.tagnum, self.reader.bytes, self.sent


@dataclass
class Sample:
    seconds: float
    waiting: float  # of which waiting for the server's answers
    commands: int
    read: int
    sent: int
    drafted: int = 0


def measured(meter: Meter, action) -> Sample:
    """Run `action` once and say what it cost on the wire and on the clock."""
    before = meter.reading()
    start = time.perf_counter()
    report = action()
    seconds = time.perf_counter() - start
    after = meter.reading()
    drafted = len(report.drafted) if hasattr(report, "drafted") else 0
    return Sample(seconds, *(a - b for a, b in zip(after, before)), drafted)


def median(samples: list[Sample]) -> Sample:
    """Each measure's own median: the counts of one round could be a different round's than the time."""
    def of(field: str) -> float:
        return statistics.median(getattr(s, field) for s in samples)

    return Sample(of("seconds"), of("waiting"), round(of("commands")), round(of("read")),
                  round(of("sent")), round(of("drafted")))


def open_for(server: Server, now: datetime, state: Path):
    config = corpus.config(now, server.port, USER, state)
    mailbox = open_mailbox(config.account, lambda: server.password, timeout=30)
    return config, mailbox


def deliver(server: Server, messages: list[bytes]) -> None:
    """New mail arrives from outside, on its own connection, as from an MTA."""
    from imapclient import IMAPClient

    client = IMAPClient("127.0.0.1", server.port, ssl=False)
    client.login(USER, server.password)
    for raw in messages:
        client.append("INBOX", raw)
    client.logout()


def like_a_mail_client(server: Server) -> None:
    """Open the folders read-write once, as the user's mail client does (clears \\Recent)."""
    from imapclient import IMAPClient

    client = IMAPClient("127.0.0.1", server.port, ssl=False)
    client.login(USER, server.password)
    for folder in ("INBOX", "[Gmail]/Sent Mail", "[Gmail]/Drafts"):
        client.select_folder(folder)
    client.logout()


def bench_size(size: int, now: datetime) -> dict[str, Sample]:
    """Every measurement for one mailbox size."""
    folders = {"INBOX": corpus.inbox(size, now), "[Gmail]/Sent Mail": corpus.sent(now)}
    results: dict[str, Sample] = {}
    with running_dovecot({USER: folders}) as server, tempfile.TemporaryDirectory() as state:
        like_a_mail_client(server)
        start = time.perf_counter()
        config, mailbox = open_for(server, now, Path(state))
        login = time.perf_counter() - start
        meter = Meter(mailbox)
        with Store.open(Path(state)) as store:
            cycle = lambda: run_cycle(config, store, mailbox, now)  # noqa: E731
            results["first check"] = measured(meter, cycle)
            results["first check"].seconds += login
            results["no new mail"] = median([measured(meter, cycle) for _ in range(QUIET_ROUNDS)])
            rounds = []
            for batch in range(NEW_MAIL_ROUNDS):
                deliver(server, corpus.new_mail(batch, now))
                rounds.append(measured(meter, cycle))
            results["10 new messages"] = median(rounds)
            results["no new mail, after"] = median(
                [measured(meter, cycle) for _ in range(QUIET_ROUNDS)])
            mailbox.close()
            start = time.perf_counter()
            config, fresh = open_for(server, now, Path(state))
            login = time.perf_counter() - start
            fresh_meter = Meter(fresh)
            results["new connection, no new mail"] = measured(
                fresh_meter, lambda: run_cycle(config, store, fresh, now))
            results["new connection, no new mail"].seconds += login
            fresh.close()
    return results


def print_table(size: int, results: dict[str, Sample]) -> None:
    print(f"\n{size:,} messages in INBOX, {corpus.SENT_MESSAGES} in Sent, "
          f"{corpus.INTERVIEWS} interviews")
    print(f"{'check':<30} {'wall ms':>9} {'IMAP wait ms':>13} {'commands':>9} "
          f"{'bytes read':>11} {'bytes sent':>11} {'drafted':>8}")
    for name, sample in results.items():
        print(f"{name:<30} {sample.seconds * 1000:>9.1f} {sample.waiting * 1000:>13.1f} "
              f"{sample.commands:>9} {sample.read:>11,} {sample.sent:>11,} {sample.drafted:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,50000", help="messages in INBOX, comma-separated")
    arguments = parser.parse_args()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    for size in (int(text) for text in arguments.sizes.split(",")):
        print_table(size, bench_size(size, now))


if __name__ == "__main__":
    main()
