"""The ledger's schema steps and how mail facts are stored (no sqlite3 here)."""

from __future__ import annotations

import json
from datetime import datetime
from types import MappingProxyType

from followupd.model import Message

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
