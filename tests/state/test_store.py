"""The SQLite ledger: round-trips, crash-safety promises, migrations and file modes."""

from __future__ import annotations

import sqlite3
import stat
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from followupd.errors import StateError
from followupd.model import DraftRecord
from followupd.state.store import (
    DATABASE_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    Cursor,
    CycleRecord,
    DuplicateDraftError,
    Store,
    UnknownDraftError,
)

MORNING = datetime(2024, 5, 6, 9, 30, tzinfo=timezone.utc)


def intent(key: str = "acme/thank_you/ana", created_at: datetime = MORNING) -> DraftRecord:
    """Return a fresh intent to draft, as the cycle would record it."""
    return DraftRecord(
        key=key,
        interview_id="acme",
        kind="thank_you",
        recipient="ana@acme.example",
        message_id=f"<{key.replace('/', '.')}@followupd>",
        folder="Drafts",
        state="created",
        created_at=created_at,
        updated_at=created_at,
        body_hash="sha256:abc",
        in_reply_to="<interview-invite@acme.example>",
    )


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "state") as opened:
        yield opened


def test_a_recorded_intent_reads_back_unchanged(store: Store) -> None:
    store.record_intent(intent())
    assert store.draft("acme/thank_you/ana") == intent()


def test_an_unknown_key_reads_as_none(store: Store) -> None:
    assert store.draft("nobody") is None


def test_times_come_back_as_the_same_instant_in_utc(store: Store) -> None:
    berlin_morning = datetime(2024, 5, 6, 11, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    store.record_intent(intent(created_at=berlin_morning))
    loaded = store.draft("acme/thank_you/ana")
    assert loaded.created_at == MORNING
    assert loaded.created_at.tzinfo == timezone.utc


def test_a_naive_time_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.record_intent(intent(created_at=datetime(2024, 5, 6, 9, 30)))


def test_recording_the_same_key_twice_is_refused(store: Store) -> None:
    store.record_intent(intent())
    with pytest.raises(DuplicateDraftError, match="already has a draft with key 'acme/thank_you/ana'"):
        store.record_intent(intent())


def test_the_appended_uid_is_recorded(store: Store) -> None:
    store.record_intent(intent())
    store.record_uid("acme/thank_you/ana", uid=42, uidvalidity=7)
    assert store.draft("acme/thank_you/ana") == replace(intent(), uid=42, uidvalidity=7)


def test_a_state_change_updates_the_time(store: Store) -> None:
    store.record_intent(intent())
    store.set_state("acme/thank_you/ana", "sent", at=MORNING + timedelta(hours=2))
    loaded = store.draft("acme/thank_you/ana")
    assert (loaded.state, loaded.updated_at) == ("sent", MORNING + timedelta(hours=2))
    assert loaded.created_at == MORNING


def test_an_unknown_state_is_refused(store: Store) -> None:
    store.record_intent(intent())
    with pytest.raises(ValueError, match="unknown draft state 'deleted'"):
        store.set_state("acme/thank_you/ana", "deleted", at=MORNING)


def test_updating_a_missing_draft_is_refused(store: Store) -> None:
    with pytest.raises(UnknownDraftError, match="no draft with key 'ghost'"):
        store.set_state("ghost", "sent", at=MORNING)
    with pytest.raises(UnknownDraftError, match="no draft with key 'ghost'"):
        store.record_uid("ghost", uid=1, uidvalidity=1)


def test_drafts_are_listed_oldest_first(store: Store) -> None:
    store.record_intent(intent("late", created_at=MORNING + timedelta(days=1)))
    store.record_intent(intent("early", created_at=MORNING))
    store.record_intent(intent("middle", created_at=MORNING + timedelta(hours=1)))
    assert [draft.key for draft in store.drafts()] == ["early", "middle", "late"]


def test_only_intents_without_a_uid_are_unsettled(store: Store) -> None:
    store.record_intent(intent("appended"))
    store.record_uid("appended", uid=5, uidvalidity=1)
    store.record_intent(intent("in-doubt", created_at=MORNING + timedelta(minutes=1)))
    store.record_intent(intent("dismissed", created_at=MORNING + timedelta(minutes=2)))
    store.set_state("dismissed", "dismissed", at=MORNING)
    assert [draft.key for draft in store.unsettled()] == ["in-doubt"]


def test_an_intent_that_never_landed_can_be_forgotten(store: Store) -> None:
    store.record_intent(intent())
    store.forget_intent("acme/thank_you/ana")
    assert store.drafts() == ()
    store.record_intent(intent())
    assert store.draft("acme/thank_you/ana") == intent()


def test_a_draft_known_to_exist_is_never_forgotten(store: Store) -> None:
    store.record_intent(intent())
    store.record_uid("acme/thank_you/ana", uid=9, uidvalidity=1)
    with pytest.raises(StateError, match="refuses to forget draft 'acme/thank_you/ana'"):
        store.forget_intent("acme/thank_you/ana")
    assert store.draft("acme/thank_you/ana").uid == 9


def test_forgetting_a_missing_intent_is_refused(store: Store) -> None:
    with pytest.raises(UnknownDraftError, match="no draft with key 'ghost'"):
        store.forget_intent("ghost")


def test_a_folder_never_read_has_no_cursor(store: Store) -> None:
    assert store.cursor("INBOX") is None


def test_a_saved_cursor_is_replaced_by_the_next(store: Store) -> None:
    store.save_cursor("INBOX", uidvalidity=3, last_uid=100, at=MORNING)
    store.save_cursor("INBOX", uidvalidity=4, last_uid=7, at=MORNING + timedelta(minutes=5))
    store.save_cursor("Sent", uidvalidity=1, last_uid=55, at=MORNING)
    assert store.cursor("INBOX") == Cursor("INBOX", 4, 7, MORNING + timedelta(minutes=5))
    assert store.cursor("Sent") == Cursor("Sent", 1, 55, MORNING)


def test_no_cycles_means_no_last_cycles(store: Store) -> None:
    assert store.last_cycles() == (None, None)


def test_the_latest_success_and_failure_are_reported(store: Store) -> None:
    for minute, ok in ((0, True), (10, False), (20, True), (30, False)):
        start = MORNING + timedelta(minutes=minute)
        error = None if ok else f"timeout at {minute}"
        store.record_cycle(start, start + timedelta(seconds=3), ok, error, f"cycle {minute}")
    assert store.last_cycles() == (
        CycleRecord(
            MORNING + timedelta(minutes=20),
            MORNING + timedelta(minutes=20, seconds=3),
            True,
            None,
            "cycle 20",
        ),
        CycleRecord(
            MORNING + timedelta(minutes=30),
            MORNING + timedelta(minutes=30, seconds=3),
            False,
            "timeout at 30",
            "cycle 30",
        ),
    )


def test_a_long_run_of_failures_keeps_the_last_success(store: Store) -> None:
    store.record_cycle(MORNING, MORNING, True, None, "the good one")
    for minute in range(1, 200):
        moment = MORNING + timedelta(minutes=minute)
        store.record_cycle(moment, moment, False, "offline", "")
    last_ok, last_error = store.last_cycles()
    assert last_ok.summary == "the good one"
    assert last_error.started_at == MORNING + timedelta(minutes=199)
    (count,) = store.connection.execute("SELECT count(*) FROM cycles").fetchone()
    assert count == 51


def test_a_second_connection_sees_a_committed_intent(tmp_path: Path) -> None:
    with Store.open(tmp_path) as writer, Store.open(tmp_path) as reader:
        writer.record_intent(intent())
        assert reader.unsettled() == (intent(),)


def test_an_intent_survives_closing_without_an_explicit_commit(tmp_path: Path) -> None:
    first = Store.open(tmp_path)
    first.record_intent(intent())
    first.connection.close()  # as a crash would: no commit, no checkpoint
    with Store.open(tmp_path) as reopened:
        assert reopened.draft("acme/thank_you/ana") == intent()


def test_the_journal_is_written_ahead_and_synced_in_full(store: Store) -> None:
    assert store.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    # 2 is FULL: each commit reaches the disk before the method returns.
    assert store.connection.execute("PRAGMA synchronous").fetchone() == (2,)


def test_a_new_state_directory_and_database_are_private(tmp_path: Path) -> None:
    state_dir = tmp_path / "deep" / "state"
    Store.open(state_dir).close()
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((state_dir / DATABASE_NAME).stat().st_mode) == 0o600


def test_a_garbage_database_is_a_state_error_naming_the_file(tmp_path: Path) -> None:
    database_path = tmp_path / DATABASE_NAME
    database_path.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    with pytest.raises(StateError) as raised:
        Store.open(tmp_path)
    assert str(raised.value) == (
        f"The state database {database_path} cannot be used: file is not a database."
    )


def test_a_state_directory_that_is_a_file_is_a_state_error(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("oops")
    with pytest.raises(StateError, match=f"The state directory {tmp_path / 'state'} cannot be used"):
        Store.open(tmp_path / "state")


def write_version_one_database(state_dir: Path) -> None:
    """Write a database as the first released schema left it, holding one settled draft."""
    state_dir.mkdir()
    connection = sqlite3.connect(state_dir / DATABASE_NAME)
    for statement in MIGRATIONS[0]:
        connection.execute(statement)
    connection.execute(
        "INSERT INTO drafts VALUES ('old', 'acme', 'thank_you', 'ana@acme.example',"
        " '<old@followupd>', 'Drafts', 12, 3, 'sha256:old', NULL, 'sent',"
        " '2024-01-02T03:04:05.000000+00:00', '2024-01-03T03:04:05.000000+00:00')"
    )
    connection.execute("INSERT INTO cursors VALUES ('INBOX', 3, 99, '2024-01-03T00:00:00+00:00')")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()


def test_a_version_one_database_upgrades_without_losing_rows(tmp_path: Path) -> None:
    write_version_one_database(tmp_path / "state")
    with Store.open(tmp_path / "state") as store:
        (version,) = store.connection.execute("PRAGMA user_version").fetchone()
        assert version == SCHEMA_VERSION
        assert SCHEMA_VERSION > 1
        assert [(draft.key, draft.state, draft.uid) for draft in store.drafts()] == [
            ("old", "sent", 12)
        ]
        assert store.cursor("INBOX") == Cursor(
            "INBOX", 3, 99, datetime(2024, 1, 3, tzinfo=timezone.utc)
        )
        store.record_cycle(MORNING, MORNING, True, None, "works after the upgrade")
        assert store.last_cycles()[0].summary == "works after the upgrade"


def test_reopening_a_current_database_changes_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.record_intent(intent())
    with Store.open(tmp_path) as store:
        assert store.drafts() == (intent(),)


def test_a_database_from_a_newer_followupd_is_refused(tmp_path: Path) -> None:
    Store.open(tmp_path).close()
    connection = sqlite3.connect(tmp_path / DATABASE_NAME)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(StateError) as raised:
        Store.open(tmp_path)
    assert str(raised.value) == (
        f"The state database {tmp_path / DATABASE_NAME} was written by a newer followupd"
        f" (schema version {SCHEMA_VERSION + 1}; this one knows up to {SCHEMA_VERSION})."
    )
    assert raised.value.advice.startswith("Upgrade followupd")


def test_scanned_messages_are_remembered_with_every_fact_and_forgotten_per_folder(tmp_path):
    from types import MappingProxyType

    from followupd.model import Message

    at = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
    reply = Message(
        message_id="<r1@acme.com>", date=at, sender="mark.jones@acme.com", sender_name="Mark Jönes",
        recipients=("beth.smith@gmail.com",), subject="Re: Thank you", in_reply_to="<t1@gmail.com>",
        references=("<t0@gmail.com>", "<t1@gmail.com>"),
        headers=MappingProxyType({"auto-submitted": "no"}), body="Let's talk Monday.",
        folder="INBOX", uid=7, thread_id="1789",
    )
    sent = Message(message_id="<t1@gmail.com>", date=at, sender="beth.smith@gmail.com",
                   folder="Sent", uid=3)
    with Store.open(tmp_path / "state") as store:
        store.save_messages((reply, sent))
        store.save_messages((reply,))  # a rescan stores the same copy once
        store.save_cursor("INBOX", 5, 7, at)
    with Store.open(tmp_path / "state") as store:
        assert store.messages() == (reply, sent)  # same date: ordered by folder
        store.forget_folder("INBOX")
        assert (store.messages(), store.cursor("INBOX")) == ((sent,), None)
