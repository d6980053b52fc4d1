"""The YAML config files the end-to-end tests write: one template for every test that needs one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.support.dovecot import OWN_ADDRESS

CONFIG = """\
account:
  provider: {provider}
  address: {address}
{account}
me:
  name: {name}
timezone: UTC
{schedule}state_dir: {state}
{policy}interviews:
{interviews}"""

INTERVIEW = """\
  - {identifier}company: {company}
    position: Account Executive
    when: {when}
    decision: within a week
{domains}    interviewers:
      - name: {name}
        email: {email}
"""


def config_text(
    provider: str,
    account: str,
    state: Path,
    interviews: str,
    *,
    name: str = "Alex Candidate",
    check_every: str | None = None,
    thank_you_after: str | None = None,
) -> str:
    """A whole config: the account block as given, one user, the interviews' blocks."""
    return CONFIG.format(
        provider=provider, address=OWN_ADDRESS, account=account, name=name, state=state,
        schedule=f"check_every: {check_every}\n" if check_every else "",
        policy=f"policy:\n  thank_you_after: {thank_you_after}\n" if thank_you_after else "",
        interviews=interviews,
    )


def interview_text(
    company: str,
    when: datetime | str,
    *,
    identifier: str | None = None,
    domain: str | None = None,
    name: str = "Mark Jones",
    email: str | None = None,
) -> str:
    """One interview with one interviewer, decided "within a week"."""
    return INTERVIEW.format(
        identifier=f"id: {identifier}\n    " if identifier else "",
        company=company,
        when=when if isinstance(when, str) else f"{when:%Y-%m-%d %H:%M}",
        domains=f"    domains: [{domain}]\n" if domain else "",
        name=name,
        email=email or f"mark.jones@{domain}",
    )
