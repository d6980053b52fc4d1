"""Command line: parse arguments, run one command, turn errors into exit codes."""

from __future__ import annotations

import argparse
import os
import sys

# Only argparse at import time: `followupd --help` must stay fast, so every
# command imports what it needs when it runs.

DESCRIPTION = (
    "followupd drafts — never sends — the follow-up emails a careful job candidate "
    "writes after an interview: thank-you notes, check-ins once the stated decision "
    "date has passed, a call script, and a gracious reply to a rejection."
)

EPILOG = """exit codes: 0 ok, 1 unexpected fault, 2 config/template/usage, 3 authentication,
4 mailbox connection, 5 state directory.
config: --config PATH, else $FOLLOWUPD_CONFIG, else $XDG_CONFIG_HOME/followupd/config.yaml
(~/.config/followupd/config.yaml)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="followupd",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", metavar="PATH", help="the config file to use")
    parser.add_argument("-v", "--verbose", action="store_true", help="log protocol detail (never secrets)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser("init", help="write a commented config file to start from")
    init.add_argument("path", nargs="?", help="where to write it (default: the config path)")
    commands.add_parser("validate", help="check the config file and templates; list every problem")
    commands.add_parser("schema", help="print the config's JSON Schema (for editors)")
    for name, text in (
        ("status", "one row per interview: stage, deadline, last contact, next action"),
        ("plan", "the coming timeline of every draft followupd will make"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
    check = commands.add_parser("check", help="one full pass now: scan the mailbox, make due drafts")
    check.add_argument("--dry-run", action="store_true", help="read only; print the drafts it would make")
    demo = commands.add_parser("demo", help="a full check on a throwaway demo mailbox; no account needed")
    demo.add_argument("--keep", metavar="DIR", help="build the demo in DIR (default: a new temp dir)")
    login = commands.add_parser("login", help="store the mailbox password, or sign in with OAuth2 (password: oauth2)")
    login.add_argument("--device", action="store_true", help="OAuth2 on a machine without a browser (Microsoft)")
    commands.add_parser(
        "run", help="the daemon: check on a schedule and on new mail, in the foreground (systemd runs this)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    from followupd import commands  # deferred: heavy imports live behind the commands
    from followupd.errors import FollowupdError

    commands.configure_logging(arguments.verbose)
    try:
        return commands.run(arguments, dict(os.environ))
    except FollowupdError as error:
        print_error(error)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # a bug: one line for the user, the traceback for the log
        import logging

        logging.getLogger("followupd").debug("unexpected error", exc_info=True)
        reason = f"{type(error).__name__}: {error}"
        print(f"followupd: unexpected error: {reason}; details in the log with --verbose", file=sys.stderr)
        return 1


def print_error(error) -> None:
    """One sentence per problem on stderr, then the advice, no traceback."""
    for line in str(error).splitlines():
        print(f"followupd: {line}", file=sys.stderr)
    if error.advice:
        print(f"followupd: {error.advice}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
