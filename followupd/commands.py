"""What each command does; the CLI only parses and maps errors to exit codes."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo

from followupd.errors import FollowupdError

log = logging.getLogger("followupd")


def configure_logging(verbose: bool) -> None:
    """Plain lines on stderr; journald adds its own timestamps."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(message)s" if verbose else "%(message)s",
        stream=sys.stderr,
    )
    if not verbose:
        # imapclient logs every command at DEBUG; keep it quiet unless asked.
        logging.getLogger("imapclient").setLevel(logging.WARNING)


def run(arguments, environ: Mapping[str, str]) -> int:
    handler = HANDLERS[arguments.command]
    return handler(arguments, environ)


def config_path(arguments, environ: Mapping[str, str]) -> Path:
    from followupd.config.load import default_config_path

    return Path(arguments.config).expanduser() if arguments.config else default_config_path(environ)


def load(arguments, environ: Mapping[str, str]):
    from followupd.config.load import load_config

    return load_config(config_path(arguments, environ), environ)


def now() -> datetime:
    """The one clock read of a command; everything below takes it as an argument."""
    return datetime.now(timezone.utc)


def init(arguments, environ) -> int:
    from followupd.config.load import write_example

    target = Path(arguments.path).expanduser() if arguments.path else config_path(arguments, environ)
    write_example(target)
    print(f"wrote {target}; edit it, then run `followupd validate`")
    return 0


def validate(arguments, environ) -> int:
    from followupd.drafts.render import check_templates
    from followupd.errors import ConfigError

    config = load(arguments, environ)
    problems = check_templates(config)
    if problems:
        raise ConfigError(problems)
    count = len(config.interviews)
    print(f"{config.path}: ok ({count} interview{'s' if count != 1 else ''})")
    for line in account_summary(config):
        print(f"  {line}")
    for line in orphaned_history(config):
        print(f"warning: {line}", file=sys.stderr)
    return 0


def orphaned_history(config) -> list[str]:
    """Interviews the ledger knows but the config no longer names, usually after a rename."""
    from followupd.state.store import Store

    with Store.snapshot(config.state_dir) as store:
        known = {record.interview_id for record in store.drafts()}
    current = {interview.id for interview in config.interviews}
    return [
        f"the ledger has drafts for interview \"{orphan}\", which no interview in the config has; "
        f"if you renamed its company or position, add `id: {orphan}` to it to keep its history "
        f"(otherwise its thank-yous and check-ins start afresh)"
        for orphan in sorted(known - current)
    ]


def account_summary(config) -> list[str]:
    """What the account settings and provider preset amount to."""
    from followupd.core.providers import account_summary as summary

    return summary(config.account)


def schema(arguments, environ) -> int:
    from followupd.config.spec import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def facts_from_state(config):
    """The ledger and the last check's mail facts, read without touching the mailbox."""
    from followupd.core.planner import Facts
    from followupd.state.store import Store

    # A copy: looking at the plan never creates or changes the state directory.
    with Store.snapshot(config.state_dir) as store:
        return Facts(messages=store.messages(), drafts=store.drafts())


def status(arguments, environ) -> int:
    from followupd.core import report

    config, result = current_plan(arguments, environ)
    if arguments.json:
        print(json.dumps(report.status_json(result), indent=2))
    else:
        for line in daemon_status(config):
            print(line)
        print()
        print(report.table(report.status_rows(result, ZoneInfo(config.timezone))))
    return 0


def daemon_status(config) -> list[str]:
    """Whether `followupd run` is running, its last good cycle and its last error."""
    from followupd.service.status import daemon_lines
    from followupd.state.store import Store

    with Store.open(config.state_dir) as store:
        success, failure = store.last_cycles()
    return daemon_lines(config.state_dir, success, failure, ZoneInfo(config.timezone))


def plan_command(arguments, environ) -> int:
    from followupd.core import report
    from followupd.core.planner import Facts, plan, timeline

    config = load(arguments, environ)
    facts: Facts = facts_from_state(config)
    moment = now()
    result = plan(config, facts, moment)
    actions = timeline(config, facts, moment)
    if arguments.json:
        print(json.dumps(report.plan_json(actions, result), indent=2))
    else:
        zone, interviews = ZoneInfo(config.timezone), report.interviews_by_id(config)
        print(report.table(report.plan_rows(actions, result, zone, interviews)))
    return 0


def current_plan(arguments, environ):
    """The config and its plan for this moment, from what the last check learned."""
    from followupd.core.planner import plan

    config = load(arguments, environ)
    return config, plan(config, facts_from_state(config), now())


def quiet_cycle_log(verbose: bool) -> None:
    """The command prints one line per action itself; the cycle's copies would repeat them."""
    if not verbose:
        logging.getLogger("followupd.cycle").setLevel(logging.WARNING)


def check_command(arguments, environ) -> int:
    from followupd.service import check, check_lines

    config = load(arguments, environ)
    quiet_cycle_log(arguments.verbose)
    report = check.check(config, environ, now(), arguments.dry_run)
    if arguments.dry_run:
        for block in check_lines.dry_run_drafts(report):
            print(block)
    for line in check_lines.report_lines(config, report, arguments.dry_run):
        print(line)
    return 0


def demo(arguments, environ) -> int:
    from followupd.config.load import load_config
    from followupd.core import report
    from followupd.core.planner import plan
    from followupd.demo import build_demo
    from followupd.service import check, check_lines

    root = demo_directory(arguments.keep)
    moment = now()
    config = load_config(build_demo(root, moment), environ)
    quiet_cycle_log(arguments.verbose)
    result = check.check(config, environ, moment, dry_run=False)
    for block in check_lines.dry_run_drafts(result):
        print(block, end="\n\n")
    for line in check_lines.report_lines(config, result, dry_run=False):
        print(line)
    print()
    # Re-planned from the ledger the check just wrote, so its drafts no longer show as next.
    after = plan(config, facts_from_state(config), moment)
    print(report.table(report.status_rows(after, ZoneInfo(config.timezone))))
    print()
    print(f"demo config: {config.path}")
    print(f"drafts (Maildir): {config.account.path / '.Drafts'}")
    print(f"state: {config.state_dir}")
    return 0


def demo_directory(keep: str | None) -> Path:
    """A fresh temporary directory, or DIR from --keep, which must be new or empty."""
    import tempfile

    if not keep:
        return Path(tempfile.mkdtemp(prefix="followupd-demo-"))
    root = Path(keep).expanduser()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise FollowupdError(
            f"{root} is not an empty directory; the demo builds its mailbox from scratch",
            advice="give --keep a new or empty directory",
        )
    root.mkdir(parents=True, exist_ok=True)
    return root


def login(arguments, environ) -> int:
    import getpass

    from followupd.auth.secrets import store_password

    config = load(arguments, environ)
    account = config.account
    if account.password == "oauth2":
        from followupd.auth.oauth_flows import sign_in

        print(sign_in(account, getattr(arguments, "device", False), environ))
        return 0
    if account.provider == "maildir" or account.password != "keyring":
        raise FollowupdError(
            f"`followupd login` stores a password in the keyring; this account uses "
            f"{'a Maildir' if account.provider == 'maildir' else 'password: ' + account.password}"
        )
    secret = getpass.getpass(f"Password for {account.login} at {account.host}: ")
    if not secret:
        raise FollowupdError("no password entered; nothing stored")
    store_password(account.login, secret)
    print(f"stored the password for {account.login} in the system keyring")
    return 0


def run_command(arguments, environ) -> int:
    """`followupd run`: the daemon in the foreground, as systemd runs it."""
    from followupd.service.daemon import run_daemon
    from followupd.service.logs import configure_daemon_logging

    configure_daemon_logging(arguments.verbose, environ)
    return run_daemon(load(arguments, environ), config_path(arguments, environ), environ)


HANDLERS = {
    "init": init,
    "validate": validate,
    "schema": schema,
    "status": status,
    "plan": plan_command,
    "check": check_command,
    "demo": demo,
    "login": login,
    "run": run_command,
}
