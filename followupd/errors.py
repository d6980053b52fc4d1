"""Domain errors: each carries the exit code and advice the CLI shows."""

from __future__ import annotations

# Exit codes, one place: the README's table is written from this.
EXIT_OK = 0
EXIT_FAILURE = 1  # an unexpected fault (a bug): the only case with a traceback
EXIT_CONFIG = 2  # the config, a template or the command line is wrong
EXIT_AUTH = 3  # the server refused the credentials
EXIT_MAILBOX = 4  # the mailbox could not be reached or behaved unexpectedly
EXIT_STATE = 5  # the state directory is unusable or locked


class FollowupdError(Exception):
    """A failure the user can act on; the CLI prints it as a sentence, no traceback."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, advice: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice

    def __str__(self) -> str:
        return self.message


class ConfigError(FollowupdError):
    """One or more problems in the config file, each already formatted."""

    exit_code = EXIT_CONFIG

    def __init__(self, problems: list[str], advice: str = "") -> None:
        super().__init__("\n".join(problems), advice)
        self.problems = list(problems)


class TemplateError(FollowupdError):
    exit_code = EXIT_CONFIG


class AuthError(FollowupdError):
    exit_code = EXIT_AUTH


class MailboxError(FollowupdError):
    exit_code = EXIT_MAILBOX


class StateError(FollowupdError):
    exit_code = EXIT_STATE
