"""Wall time of whole `followupd check` processes against the benchmark Dovecot (1,000 messages).

Run as `python -m bench.bench_process`; uses hyperfine when installed, else 10 timed runs.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import corpus
from bench.dovecot import running_dovecot


def config_yaml(now: datetime, port: int, password: str, state: Path) -> str:
    """The benchmark's twenty interviews as a followupd config file."""
    lines = [
        "account:", "  provider: imap", f"  address: {corpus.OWN}", "  host: 127.0.0.1",
        f"  port: {port}", "  security: plain", "  username: bench", "  password: command",
        f'  password_command: "echo {password}"', "me:", "  name: Alex Candidate",
        "timezone: UTC", f"state_dir: {state}", "interviews:",
    ]
    for interview in corpus.interviews(now):
        lines += [f"  - company: {interview.company}", f"    position: {interview.position}",
                  f"    when: {interview.when:%Y-%m-%d %H:%M}",
                  f"    decision: {interview.decision}", "    interviewers:"]
        for person in interview.interviewers:
            lines += [f"      - name: {person.name}", f"        email: {person.email}"]
    return "\n".join(lines) + "\n"


def timed(command: list[str], runs: int = 10) -> str:
    if shutil.which("hyperfine"):
        result = subprocess.run(["hyperfine", "-N", "--warmup", "2", "--runs", str(runs),
                                 " ".join(command)], capture_output=True, text=True)
        return next(line.strip() for line in result.stdout.splitlines() if "Time" in line)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return f"median {statistics.median(samples):.1f} ms over {runs} runs"


def main() -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    # This checkout, not whatever version is installed: python -m with the repository first.
    os.environ["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    followupd = [sys.executable, "-m", "followupd"]
    print("python -m followupd --help:", timed([*followupd, "--help"], 20))
    print("python -c pass (the interpreter alone):", timed([sys.executable, "-c", "pass"], 20))
    folders = {"INBOX": corpus.inbox(1000, now), "[Gmail]/Sent Mail": corpus.sent(now)}
    with running_dovecot({"bench": folders}) as server, tempfile.TemporaryDirectory() as state:
        config = Path(state) / "config.yaml"
        config.write_text(config_yaml(now, server.port, server.password, Path(state) / "state"))
        check = [*followupd, "--config", str(config), "check"]
        first = subprocess.run(check, capture_output=True, text=True)
        print(f"first check: exit {first.returncode}, {first.stdout.count(chr(10))} lines",
              first.stderr.strip()[-300:])
        print("followupd check, no new mail:", timed(check))


if __name__ == "__main__":
    main()
