"""`followupd demo`: a realistic throwaway mailbox, dated relative to today."""

from __future__ import annotations

import email.utils
import mailbox
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = "America/New_York"
ME = ("Beth Smith", "beth.smith@example.net")

CONFIG = """\
# followupd demo config: a Maildir, no network. Generated {today}.
account:
  provider: maildir
  address: {my_address}
  path: {maildir}
me:
  name: Beth Smith
  phone: "+1 555 0100"
  signature: |
    Beth Smith
    +1 555 0100
timezone: {zone}
state_dir: {state}
interviews:
  - company: Acme Corp
    position: Account Executive
    when: {acme}
    decision: within a week
    interviewers:
      - name: Mark Jones
        email: mark.jones@acme.example
        phone: "+1 555 0101"
        notes: Talked about the Denver expansion and my pipeline reviews.
  - company: Globex
    position: Sales Manager
    when: {globex}
    decision: by the end of next week
    interviewers:
      - name: Dana Wu
        email: dana.wu@globex.example
        notes: She asked how I would rebuild the partner channel.
      - name: Luis Ortega
        email: luis.ortega@globex.example
        notes: We compared notes on forecasting with messy CRM data.
    talking_points: |
      I led the CRM migration that cut reporting time in half.
  - company: Initech
    position: Regional Sales Lead
    when: {initech}
    decision: in a few days
    interviewers:
      - name: Priya Natarajan
        email: priya@initech.example
  - company: Umbrella Health
    position: Account Director
    when: {umbrella}
    decision: within two weeks
    interviewers:
      - name: Tom Becker
        email: tom.becker@umbrella.example
  - company: Hooli
    position: Enterprise Account Executive
    when: {hooli}
    decision: early next week
    interviewers:
      - name: Gavin Rhee
        email: gavin.rhee@hooli.example
        phone: "+1 555 0199"
"""


def build_demo(root: Path, now: datetime) -> Path:
    """Write the demo's config and Maildir under root; return the config path."""
    zone = ZoneInfo(ZONE)
    today = now.astimezone(zone)
    moments = {
        "acme": at_ten(today, -16),
        "globex": today.replace(second=0, microsecond=0) - timedelta(hours=3),
        "initech": at_ten(today, -6),
        "umbrella": at_ten(today, -10),
        "hooli": at_ten(today, -15),
    }
    maildir = root / "Mail"
    write_mail(maildir, moments)
    config = root / "config.yaml"
    config.write_text(
        CONFIG.format(
            today=today.date().isoformat(),
            my_address=ME[1],
            maildir=maildir,
            zone=ZONE,
            state=root / "state",
            **{name: f"{moment:%Y-%m-%d %H:%M}" for name, moment in moments.items()},
        ),
        encoding="utf-8",
    )
    return config


def at_ten(today: datetime, days: int) -> datetime:
    return datetime.combine(today.date() + timedelta(days=days), time(10, 0), tzinfo=today.tzinfo)


def write_mail(maildir: Path, moments: dict[str, datetime]) -> None:
    """The story of each interview as mail in INBOX and Sent."""
    inbox = mailbox.Maildir(maildir, create=True)
    sent = inbox.add_folder("Sent")
    inbox.add_folder("Drafts")
    hour = timedelta(hours=1)
    acme_thanks = mail(ME, ("Mark Jones", "mark.jones@acme.example"), moments["acme"] + 5 * hour,
                       "Thank you — Account Executive interview",
                       "Hi Mark,\n\nThank you for your time today.\n\nBeth")
    sent.add(acme_thanks)
    initech_thanks = mail(ME, ("Priya Natarajan", "priya@initech.example"), moments["initech"] + 4 * hour,
                          "Thank you — Regional Sales Lead", "Hi Priya,\n\nThank you for today.\n\nBeth")
    sent.add(initech_thanks)
    inbox.add(mail(("Priya Natarajan", "priya@initech.example"), ME, moments["initech"] + timedelta(days=4),
                   "Re: Thank you — Regional Sales Lead",
                   "Hi Beth,\n\nThe team enjoyed meeting you. Are you available Thursday for a final "
                   "round with our VP?\n\nPriya", reply_to=initech_thanks))
    inbox.add(mail(("Tom Becker", "tom.becker@umbrella.example"), ME, moments["umbrella"] + timedelta(days=8),
                   "Your application for Account Director",
                   "Dear Beth,\n\nThank you for your time. Unfortunately, we have decided to move forward "
                   "with another candidate whose experience more closely matches our needs.\n\nTom"))
    hooli_thanks = mail(ME, ("Gavin Rhee", "gavin.rhee@hooli.example"), moments["hooli"] + 4 * hour,
                        "Thank you — Enterprise Account Executive", "Hi Gavin,\n\nThank you.\n\nBeth")
    sent.add(hooli_thanks)
    inbox.add(mail(("Gavin Rhee", "gavin.rhee@hooli.example"), ME, moments["hooli"] + 5 * hour,
                   "Automatic reply: Thank you — Enterprise Account Executive",
                   "I am out of the office until next week with limited access to email.",
                   reply_to=hooli_thanks, auto=True))
    inbox.add(mail(("Newsletter", "news@shop.example"), ME, moments["globex"], "Weekly deals", "Unrelated mail."))


def mail(sender, recipient, when: datetime, subject: str, body: str, reply_to=None, auto=False):
    message = EmailMessage()
    message["From"] = email.utils.formataddr(sender)
    message["To"] = email.utils.formataddr(recipient)
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(when)
    domain = sender[1].rpartition("@")[2]
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    if reply_to is not None:
        message["In-Reply-To"] = reply_to["Message-ID"]
        message["References"] = reply_to["Message-ID"]
    if auto:
        message["Auto-Submitted"] = "auto-replied"
    message.set_content(body)
    return message
