"""The ledger's schema steps and how mail facts are stored (no sqlite3 here)."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from types import MappingProxyType

from followupd.model import DraftRecord, Message

# Schema steps in order: step N brings a database to user_version N + 1.
# A released step is never edited or removed, only followed by new ones,
# and no step may drop a table or column that holds user state.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE drafts (
            key TEXT PRIMARY KEY, interview_id TEXT NOT NULL, kind TEXT NOT NULL,
            recipient TEXT NOT NULL, message_id TEXT NOT NULL, folder TEXT NOT NULL,
            uid INTEGER, uidvalidity INTEGER, body_hash TEXT NOT NULL DEFAULT '',
            in_reply_to TEXT,
            state TEXT NOT NULL
                CHECK (state IN ('created', 'sent', 'dismissed', 'retracted')),
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        """CREATE TABLE cursors (
            folder TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL, updated_at TEXT NOT NULL)""",
    ),
    (
        """CREATE TABLE cycles (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
            ok INTEGER NOT NULL CHECK (ok IN (0, 1)), error TEXT,
            summary TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX drafts_by_creation ON drafts (created_at)",
    ),
    (
        # The mail facts of earlier scans: later scans fetch only new UIDs, so
        # the planner needs what was seen before. Keyed by where the copy lives.
        """CREATE TABLE messages (
            folder TEXT NOT NULL, uid INTEGER NOT NULL, message_id TEXT NOT NULL,
            date TEXT NOT NULL, facts TEXT NOT NULL,
            PRIMARY KEY (folder, uid))""",
        # Small facts that need no table of their own, e.g. what a folder's first scan covered.
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
)


def message_row(message: Message) -> tuple[str, int, str, str, str]:
    """A message's facts as a row: folder, uid, Message-ID, date, JSON of the rest."""
    facts = {
        "sender": message.sender,
        "sender_name": message.sender_name,
        "recipients": list(message.recipients),
        "subject": message.subject,
        "in_reply_to": message.in_reply_to,
        "references": list(message.references),
        "headers": dict(message.headers),
        "body": message.body,
        "thread_id": message.thread_id,
    }
    return (
        message.folder,
        message.uid or 0,
        message.message_id,
        message.date.isoformat(),
        json.dumps(facts, ensure_ascii=False),
    )


def message_from_row(row: tuple) -> Message:
    folder, uid, message_id, date, facts_text = row
    facts = json.loads(facts_text)
    return Message(
        message_id=message_id,
        date=datetime.fromisoformat(date),
        sender=facts["sender"],
        sender_name=facts["sender_name"],
        recipients=tuple(facts["recipients"]),
        subject=facts["subject"],
        in_reply_to=facts["in_reply_to"],
        references=tuple(facts["references"]),
        headers=MappingProxyType(facts["headers"]),
        body=facts["body"],
        folder=folder,
        uid=uid,
        thread_id=facts["thread_id"],
    )


# Every DraftRecord field is a column: a new field without a migration fails loudly.
DRAFT_FIELDS = tuple(field.name for field in fields(DraftRecord))
DRAFT_COLUMNS = ", ".join(DRAFT_FIELDS)


@dataclass(frozen=True)
class Cursor:
    """How far a folder has been read: the last UID seen under one UIDVALIDITY."""

    folder: str
    uidvalidity: int
    last_uid: int
    updated_at: datetime


@dataclass(frozen=True)
class CycleRecord:
    """The outcome of one cycle."""

    started_at: datetime
    finished_at: datetime
    ok: bool
    error: str | None
    summary: str


def stored_time(moment: datetime) -> str:
    """Return an aware datetime as fixed-width ISO-8601 UTC text, which sorts chronologically."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"refusing to store a naive datetime: {moment!r}")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def loaded_time(text: str) -> datetime:
    """Return the aware UTC datetime stored as text."""
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def draft_from_row(row: tuple) -> DraftRecord:
    """Return the DraftRecord of one row selected with DRAFT_COLUMNS."""
    values = dict(zip(DRAFT_FIELDS, row))
    values["created_at"] = loaded_time(values["created_at"])
    values["updated_at"] = loaded_time(values["updated_at"])
    return DraftRecord(**values)
