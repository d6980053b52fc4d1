"""One pass: settle, scan, follow drafts' fate, plan, retract, draft, record."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable

from followupd.core.fates import fate_of_vanished_draft, sent_copy, sent_trace
from followupd.core.scope import needs_full_scan, scan_scope, scan_since, scope_text
from followupd.core.planner import Facts, plan
from followupd.core.report import action_phrase, kind_name
from followupd.drafts.message import body_hash, build_message
from followupd.drafts.render import render_draft
from followupd.errors import MailboxError
from followupd.model import Action, Config, DraftRecord, Message
from followupd.state.store import Store

log = logging.getLogger("followupd.cycle")


@dataclass
class CycleReport:
    """What one pass did, for the command line and the daemon's status."""

    drafted: list[tuple[Action, object]] = field(default_factory=list)  # (action, DraftText)
    retracted: list[DraftRecord] = field(default_factory=list)
    kept_edited: list[DraftRecord] = field(default_factory=list)
    became_sent: list[DraftRecord] = field(default_factory=list)
    became_dismissed: list[DraftRecord] = field(default_factory=list)
    new_messages: int = 0
    warnings: list[str] = field(default_factory=list)  # e.g. Gmail threaded a draft elsewhere
    plan: object = None  # model.Plan

    def summary(self) -> str:
        text = (
            f"{len(self.drafted)} drafted, {len(self.retracted)} retracted, "
            f"{self.new_messages} new messages"
        )
        return "; ".join([text, *self.warnings])


def run_cycle(
    config: Config,
    store: Store,
    mailbox,
    now: datetime,
    dry_run: bool = False,
    stopping: Callable[[], bool] = lambda: False,
) -> CycleReport:
    """Bring the Drafts folder in line with the plan for this moment.

    Once `stopping` turns true (the daemon got SIGTERM), no further draft is
    started; the ones left are made on the next start.
    """
    report = CycleReport()
    roles = mailbox.roles()
    scanned = scan_folders(config, store, mailbox, roles, now, dry_run)
    report.new_messages = len(scanned)
    messages = merge(store.messages(), scanned)
    own = config.account.own_addresses
    if not dry_run:
        # After the scan, so a draft the user sent since an interrupted run shows in Sent.
        settle_intents(store, mailbox, roles, messages, own, report)
    on_server, drafts = follow_drafts(store, mailbox, roles, messages, own, now, report, dry_run)
    result = plan(config, Facts(messages=messages, drafts=drafts), now)
    report.plan = result
    retract_obsolete(config, store, mailbox, roles.drafts, result.obsolete, on_server, now, report, dry_run)
    interviews = {interview.id: interview for interview in config.interviews}
    for done, action in enumerate(result.due):
        if stopping():
            log.info("stopping: %d due draft(s) are left for the next start", len(result.due) - done)
            break
        make_draft(config, store, mailbox, roles.drafts, interviews[action.interview_id], action, now, report, dry_run)
    return report


def settle_intents(store: Store, mailbox, roles, messages, own, report: CycleReport) -> None:
    """Finish what a crash interrupted: an intent whose APPEND may or may not have happened.

    Found in Drafts, it gets its UID. Gone, but sent (a matching copy in a
    watched folder, or its very Message-ID outside Drafts), it is recorded as
    sent. Gone without a trace, the APPEND is taken never to have happened and
    the draft is made again, however old the intent: the ledger cannot tell that
    from a draft the user deleted in the moment between APPEND and the crash,
    and making it again costs one draft to delete, while taking it as deleted
    would silently lose a thank-you or a check-in.
    """
    for record in store.unsettled():
        found = mailbox.drafts_with_key(record.folder or roles.drafts, record.key)
        if found:
            store.record_uid(record.key, found[0].uid, 0)
            log.info("found draft %s after an interrupted run", record.key)
            continue
        trace = sent_trace(record, messages, own, roles.sent)
        if trace is not None:
            store.set_state(record.key, "sent", trace.date)
            report.became_sent.append(record)
            log.info("draft %s was sent after an interrupted run", record.key)
            continue
        store.forget_intent(record.key)
        log.info("draft %s was not made before an interruption; making it again", record.key)


def scan_folders(config, store, mailbox, roles, now, dry_run) -> tuple[Message, ...]:
    """New mail facts from every watched folder, remembered unless this is a dry run."""
    since = scan_since(config, now)
    addresses, domains = scan_scope(config)
    found: list[Message] = []
    for folder in roles.watch:
        cursor = store.cursor(folder)
        full = needs_full_scan(store.scope(folder), addresses, domains, since)
        result = mailbox.scan(
            folder, since, addresses, domains, None if full else as_mailbox_cursor(cursor)
        )
        if not dry_run:
            remember_scan(store, folder, cursor, result, now)
            if full:
                store.save_scope(folder, scope_text(addresses, domains, since))
        found += result.messages
    return tuple(found)


def remember_scan(store, folder, cursor, result, now) -> None:
    """Save the facts first, then move the cursor past them: a crash between only rescans."""
    if cursor is not None and cursor.uidvalidity != result.cursor.uidvalidity:
        log.info("%s was rebuilt on the server (UIDVALIDITY changed); rescanned it", folder)
        store.forget_folder(folder)
    store.save_messages(result.messages)
    store.save_cursor(folder, result.cursor.uidvalidity, result.cursor.last_uid, now)


def as_mailbox_cursor(cursor):
    from followupd.mailbox import Cursor

    return None if cursor is None else Cursor(uidvalidity=cursor.uidvalidity, last_uid=cursor.last_uid)


def merge(remembered: tuple[Message, ...], scanned: tuple[Message, ...]) -> tuple[Message, ...]:
    """Remembered facts plus this scan's, one copy per folder and UID."""
    by_place = {(m.folder, m.uid): m for m in remembered}
    by_place.update({(m.folder, m.uid): m for m in scanned})
    return tuple(sorted(by_place.values(), key=lambda m: m.date))


def follow_drafts(store, mailbox, roles, messages, own, now, report, dry_run):
    """Notice drafts the user sent or deleted; return our drafts on the server and the ledger."""
    ledger = store.drafts()
    open_records = [d for d in ledger if d.state in ("created", "dismissed") and d.uid is not None]
    if not open_records:
        return {}, ledger
    on_server = {draft.key: draft for draft in mailbox.list_own_drafts(roles.drafts)}
    changed = {}
    for record in open_records:
        if record.key in on_server:
            continue
        copy = sent_copy(record, messages, own, roles.sent)
        fate = fate_of_vanished_draft(record, messages, own, roles.sent)
        if fate is None or fate == record.state:
            continue
        # A sent draft's moment is when the user sent it, which spaces the next check-in.
        changed[record.key] = replace(record, state=fate, updated_at=copy.date if copy else now)
        if not dry_run:
            store.set_state(record.key, fate, changed[record.key].updated_at)
        (report.became_sent if fate == "sent" else report.became_dismissed).append(record)
        log.info("%s draft %s was %s", kind_name(record.kind), record.key, fate)
    # A dry run plans with the fates it saw, though it records none of them.
    return on_server, tuple(changed.get(d.key, d) for d in ledger)


def retract_obsolete(config, store, mailbox, folder, obsolete, on_server, now, report, dry_run) -> None:
    """Remove unsent, unedited chasing drafts once the company has replied."""
    if not config.policy.retract_obsolete_drafts:
        return
    for record in obsolete:
        draft = on_server.get(record.key)
        if draft is None:
            continue
        if draft.message_id != record.message_id or body_hash(draft.body_text) != record.body_hash:
            report.kept_edited.append(record)
            log.info("they replied; your edited draft %s is left for you to decide", record.key)
            continue
        if not dry_run:
            try:
                mailbox.remove_draft(folder, draft.uid)
            except MailboxError as error:
                # One draft the server will not let go of must not hold up every other interview.
                warning = (f"could not remove the unsent {kind_name(record.kind)} draft to"
                           f" {record.recipient}; please delete it yourself ({error})")
                report.warnings.append(warning)
                log.warning("they replied; %s", warning)
                continue
            store.set_state(record.key, "retracted", now)
        report.retracted.append(record)
        log.info("they replied; removed the unsent draft %s", record.key)


def make_draft(config, store, mailbox, folder, interview, action, now, report, dry_run) -> None:
    """Render, record the intent, append, record the UID: any crash point heals next run."""
    text = render_draft(action, interview, config, now)
    for warning in text.warnings:
        log.warning("%s: %s", action.key, warning)
    message = build_message(action, text, config, now)
    report.drafted.append((action, text))
    if dry_run:
        return
    store.record_intent(intent(action, message["Message-ID"], body_hash(text.body), folder, now))
    uid = mailbox.append_draft(folder, message, now)
    if uid is None:
        # No UIDPLUS: find it by its key; if the server is slow to show it, the
        # intent stays open and the next cycle settles it.
        found = mailbox.drafts_with_key(folder, action.key)
        uid = found[0].uid if found else None
    if uid is not None:
        store.record_uid(action.key, uid, 0)
    log.info("drafted %s (%s, %s)", action_phrase(action), interview.company, interview.position)
    # Gmail may file a reply draft outside the intended conversation; the user should know.
    thread_warning = mailbox.last_append_thread_warning
    if thread_warning:
        report.warnings.append(f"{action_phrase(action)}: {thread_warning}")


def intent(action: Action, message_id: str, text_hash: str, folder: str, now: datetime) -> DraftRecord:
    """The ledger row written before APPEND, so a crash can never make the draft twice."""
    return DraftRecord(
        key=action.key,
        interview_id=action.interview_id,
        kind=action.kind,
        recipient=action.recipient,
        message_id=message_id,
        folder=folder,
        state="created",
        created_at=now,
        updated_at=now,
        body_hash=text_hash,
        in_reply_to=action.reply_to.message_id if action.reply_to else None,
    )
