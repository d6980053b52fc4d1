"""The SQLite ledger of drafts, sync cursors and cycle outcomes in the state directory."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from followupd.errors import StateError
from followupd.model import DRAFT_STATES, DraftRecord, Message
from followupd.state.schema import (
    DRAFT_COLUMNS,
    MIGRATIONS,
    Cursor,
    CycleRecord,
    draft_from_row,
    loaded_time,
    message_from_row,
    message_row,
    stored_time,
)

DATABASE_NAME = "followupd.sqlite3"

# Seconds to wait for another connection's write lock before giving up.
BUSY_TIMEOUT_SECONDS = 10.0

# How many cycle rows to keep; the latest success and failure are always kept too.
CYCLES_KEPT = 50

SCHEMA_VERSION = len(MIGRATIONS)

class DuplicateDraftError(StateError):
    """The ledger already holds a draft with this key."""


class UnknownDraftError(StateError):
    """The ledger holds no draft with this key."""


def prepare_state_directory(state_dir: Path) -> Path:
    """Create the state directory and an owner-only database file if missing; return its path."""
    database_path = state_dir / DATABASE_NAME
    try:
        if not state_dir.exists():
            state_dir.mkdir(mode=0o700, parents=True)
            # mkdir's mode is filtered by the umask; say exactly what we mean.
            state_dir.chmod(0o700)
        # Creating the file ourselves is the only way to choose its mode:
        # sqlite3 would create it with the umask's default, readable by others.
        descriptor = os.open(database_path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(descriptor)
    except OSError as error:
        raise StateError(
            f"The state directory {state_dir} cannot be used: {error.strerror or error}.",
            advice="Make it a directory you can write to, or set state_dir in the config.",
        ) from None
    return database_path


def migrate(connection: sqlite3.Connection, database_path: Path) -> None:
    """Apply the missing schema steps in one transaction, refusing databases from the future."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Read the version inside the write lock so two processes never migrate twice.
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise StateError(
                f"The state database {database_path} was written by a newer followupd"
                f" (schema version {version}; this one knows up to {SCHEMA_VERSION}).",
                advice="Upgrade followupd, or point state_dir at another directory.",
            )
        for step in MIGRATIONS[version:]:
            for statement in step:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def unusable_database(database_path: Path, error: Exception) -> StateError:
    """Return the StateError for a database SQLite cannot read or write."""
    return StateError(
        f"The state database {database_path} cannot be used: {error}.",
        advice="If it is damaged, move it aside; followupd will start a new ledger"
        " (drafts it already made will not be recognised as its own).",
    )


class Store:
    """The ledger of drafts followupd made, read and written through one SQLite connection."""

    def __init__(self, connection: sqlite3.Connection, database_path: Path) -> None:
        self.connection = connection
        self.path = database_path

    @classmethod
    def open(cls, state_dir: Path) -> Store:
        """Open (creating and migrating as needed) the ledger in state_dir."""
        database_path = prepare_state_directory(state_dir)
        try:
            # isolation_level=None: no implicit transactions, so every single
            # statement commits before the method that issued it returns.
            connection = sqlite3.connect(
                database_path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
        except sqlite3.Error as error:
            raise unusable_database(database_path, error) from None
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            # In WAL mode, NORMAL may lose the last commits on power loss. A
            # recorded intent must survive a crash, or the next cycle would not
            # know a draft was appended and would append a duplicate.
            connection.execute("PRAGMA synchronous = FULL")
            migrate(connection, database_path)
        except sqlite3.Error as error:
            connection.close()
            raise unusable_database(database_path, error) from None
        except StateError:
            connection.close()
            raise
        return cls(connection, database_path)

    @classmethod
    def snapshot(cls, state_dir: Path) -> Store:
        """An in-memory copy of the ledger, empty when there is none: a dry run writes nothing to disk."""
        database_path = state_dir / DATABASE_NAME
        memory = sqlite3.connect(":memory:", isolation_level=None)
        try:
            if database_path.is_file():
                source = sqlite3.connect(
                    f"{database_path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS
                )
                try:
                    source.backup(memory)
                finally:
                    source.close()
            # An older schema is brought up to date in the copy only.
            migrate(memory, database_path)
        except sqlite3.Error as error:
            memory.close()
            raise unusable_database(database_path, error) from None
        except StateError:
            memory.close()
            raise
        return cls(memory, database_path)

    def close(self) -> None:
        """Close the connection; every write is already committed."""
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exception_info: object) -> None:
        self.close()

    def execute(self, sql: str, parameters: tuple = ()) -> sqlite3.Cursor:
        """Run one statement, turning storage failures into a StateError naming the file."""
        try:
            return self.connection.execute(sql, parameters)
        except sqlite3.IntegrityError:
            raise  # a broken promise by the caller; the caller names it
        except sqlite3.Error as error:
            raise unusable_database(self.path, error) from None

    def record_intent(self, record: DraftRecord) -> None:
        """Record, before appending it, that a draft is about to be made."""
        try:
            self.execute(
                "INSERT INTO drafts (key, interview_id, kind, recipient, message_id, folder,"
                " state, created_at, updated_at, uid, uidvalidity, body_hash, in_reply_to)"
                " VALUES (?, ?, ?, ?, ?, ?, 'created', ?, ?, NULL, NULL, ?, ?)",
                (record.key, record.interview_id, record.kind, record.recipient,
                 record.message_id, record.folder, stored_time(record.created_at),
                 stored_time(record.updated_at), record.body_hash, record.in_reply_to),
            )
        except sqlite3.IntegrityError:
            raise DuplicateDraftError(
                f"The ledger {self.path} already has a draft with key {record.key!r}."
            ) from None

    def record_uid(self, key: str, uid: int, uidvalidity: int) -> None:
        """Record where the appended draft landed."""
        cursor = self.execute(
            "UPDATE drafts SET uid = ?, uidvalidity = ? WHERE key = ?",
            (uid, uidvalidity, key),
        )
        self.require_one_row(cursor, key)

    def set_state(self, key: str, state: str, at: datetime) -> None:
        """Move a draft to another state (created, sent, dismissed or retracted)."""
        if state not in DRAFT_STATES:
            raise ValueError(f"unknown draft state {state!r}; expected one of {DRAFT_STATES}")
        cursor = self.execute(
            "UPDATE drafts SET state = ?, updated_at = ? WHERE key = ?",
            (state, stored_time(at), key),
        )
        self.require_one_row(cursor, key)

    def require_one_row(self, cursor: sqlite3.Cursor, key: str) -> None:
        """Raise UnknownDraftError when an update touched no draft."""
        if cursor.rowcount == 0:
            raise self.unknown_draft(key)

    def unknown_draft(self, key: str) -> UnknownDraftError:
        """Return the error for a key the ledger does not hold."""
        return UnknownDraftError(f"The ledger {self.path} has no draft with key {key!r}.")

    def draft(self, key: str) -> DraftRecord | None:
        """Return the draft with this key, or None."""
        row = self.execute(
            f"SELECT {DRAFT_COLUMNS} FROM drafts WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else draft_from_row(row)

    def drafts(self) -> tuple[DraftRecord, ...]:
        """Return every draft, oldest first."""
        rows = self.execute(f"SELECT {DRAFT_COLUMNS} FROM drafts ORDER BY created_at, key")
        return tuple(draft_from_row(row) for row in rows)

    def unsettled(self) -> tuple[DraftRecord, ...]:
        """Return drafts whose APPEND may or may not have happened, oldest first."""
        rows = self.execute(
            f"SELECT {DRAFT_COLUMNS} FROM drafts"
            " WHERE state = 'created' AND uid IS NULL ORDER BY created_at, key"
        )
        return tuple(draft_from_row(row) for row in rows)

    def forget_intent(self, key: str) -> None:
        """Delete an intent whose APPEND proved never to have happened, so it can be made again."""
        cursor = self.execute(
            "DELETE FROM drafts WHERE key = ? AND state = 'created' AND uid IS NULL", (key,)
        )
        if cursor.rowcount == 1:
            return
        if self.draft(key) is None:
            raise self.unknown_draft(key)
        # A draft known to exist must stay on record, or it would be drafted twice.
        raise StateError(
            f"The ledger {self.path} refuses to forget draft {key!r}: it is known to exist."
        )

    def cursor(self, folder: str) -> Cursor | None:
        """Return how far this folder has been read, or None if never."""
        row = self.execute(
            "SELECT uidvalidity, last_uid, updated_at FROM cursors WHERE folder = ?", (folder,)
        ).fetchone()
        if row is None:
            return None
        uidvalidity, last_uid, updated_at = row
        return Cursor(folder, uidvalidity, last_uid, loaded_time(updated_at))

    def save_cursor(self, folder: str, uidvalidity: int, last_uid: int, at: datetime) -> None:
        """Remember how far this folder has been read."""
        self.execute(
            "INSERT INTO cursors (folder, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (folder) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
            " last_uid = excluded.last_uid, updated_at = excluded.updated_at",
            (folder, uidvalidity, last_uid, stored_time(at)),
        )

    def record_cycle(
        self,
        started_at: datetime,
        finished_at: datetime,
        ok: bool,
        error: str | None,
        summary: str,
    ) -> None:
        """Record one cycle's outcome, keeping a bounded history."""
        self.execute(
            "INSERT INTO cycles (started_at, finished_at, ok, error, summary)"
            " VALUES (?, ?, ?, ?, ?)",
            (stored_time(started_at), stored_time(finished_at), int(ok), error, summary),
        )
        # Pruning needs no transaction: a crash just leaves one row more until next time.
        # The latest success is kept so `status` can report it after a long run of failures.
        self.execute(
            "DELETE FROM cycles"
            " WHERE id NOT IN (SELECT id FROM cycles ORDER BY id DESC LIMIT ?)"
            " AND id NOT IN (SELECT max(id) FROM cycles GROUP BY ok)",
            (CYCLES_KEPT,),
        )

    def last_cycles(self) -> tuple[CycleRecord | None, CycleRecord | None]:
        """Return the latest successful cycle and the latest failed one."""
        return self.latest_cycle(ok=True), self.latest_cycle(ok=False)

    def latest_cycle(self, ok: bool) -> CycleRecord | None:
        """Return the most recently recorded cycle with this outcome, or None."""
        row = self.execute(
            "SELECT started_at, finished_at, ok, error, summary FROM cycles"
            " WHERE ok = ? ORDER BY id DESC LIMIT 1",
            (int(ok),),
        ).fetchone()
        if row is None:
            return None
        started_at, finished_at, row_ok, error, summary = row
        return CycleRecord(
            loaded_time(started_at), loaded_time(finished_at), bool(row_ok), error, summary
        )

    def save_messages(self, messages: tuple[Message, ...]) -> None:
        """Remember scanned mail facts (saved before the cursor moves past them)."""
        self.in_transaction(
            [
                ("INSERT OR REPLACE INTO messages (folder, uid, message_id, date, facts)"
                 " VALUES (?, ?, ?, ?, ?)", message_row(m))
                for m in messages
            ]
        )

    def messages(self) -> tuple[Message, ...]:
        """Every remembered message, oldest first."""
        rows = self.execute(
            "SELECT folder, uid, message_id, date, facts FROM messages ORDER BY date, folder, uid"
        ).fetchall()
        return tuple(message_from_row(row) for row in rows)

    def forget_folder(self, folder: str) -> None:
        """Drop a folder's remembered mail and cursor (its UIDVALIDITY changed)."""
        self.in_transaction(
            [
                ("DELETE FROM messages WHERE folder = ?", (folder,)),
                ("DELETE FROM cursors WHERE folder = ?", (folder,)),
            ]
        )

    def in_transaction(self, statements: list[tuple[str, tuple]]) -> None:
        """Run statements all or none, in one commit."""
        self.execute("BEGIN IMMEDIATE")
        try:
            for sql, parameters in statements:
                self.execute(sql, parameters)
        except BaseException:
            self.connection.rollback()
            raise
        self.execute("COMMIT")

    def scope(self, folder: str) -> str | None:
        """What this folder's last full search covered, as saved by save_scope."""
        row = self.execute("SELECT value FROM meta WHERE key = ?", (f"scope:{folder}",)).fetchone()
        return row[0] if row else None

    def save_scope(self, folder: str, scope: str) -> None:
        self.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (f"scope:{folder}", scope)
        )

    def first_notice(self, key: str, at: datetime) -> bool:
        """Remember that the user was told about key; True only the first time, so each event is told once."""
        cursor = self.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (f"notice:{key}", stored_time(at))
        )
        return cursor.rowcount == 1
