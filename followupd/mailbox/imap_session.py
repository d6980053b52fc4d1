"""Which folder an IMAP connection has selected, and the cheapest proof that nothing changed.

Measured on Dovecot with 50,000 messages (docs/performance.md): NOOP on the
selected folder and STATUS on a small folder cost ~0.2 ms, while EXAMINE of the
big folder costs 20–130 ms and STATUS of it ~20–30 ms once mail has arrived. So
the biggest watched folder stays selected and is asked with NOOP; smaller ones
are asked with STATUS; EXAMINE happens only where mail must be read.
"""

from __future__ import annotations

from dataclasses import dataclass

QUIET, NEW, ODD = "quiet", "new", "odd"
SURPRISES = (b"NO", b"BAD", b"BYE")


@dataclass(frozen=True)
class FolderState:
    """What the server says about a folder: enough to prove nothing was added."""

    uidvalidity: int
    uidnext: int  # 0 when unknown (a NOOP does not report it)
    messages: int


class Selection:
    """The one folder an IMAP connection has selected, tracked so checks stay one command."""

    def __init__(self, client: object) -> None:
        self.client = client
        self.folder: str | None = None
        self.sizes: dict[str, int] = {}
        self._responses: dict | None = None

    def holds(self, folder: str) -> bool:
        """True when `folder` is selected by us and nobody has selected another since."""
        imap = self.client._imap
        # imaplib starts a new untagged-response buffer on every SELECT/EXAMINE, so a
        # different buffer means the selection changed behind our back.
        return (
            self.folder == folder
            and imap.state == "SELECTED"
            and imap.untagged_responses is self._responses
        )

    def examine(self, folder: str) -> FolderState:
        """EXAMINE `folder` (read-only); later EXISTS responses then mean new mail."""
        return self.selected(folder, self.client.select_folder(folder, readonly=True))

    def select_drafts_for_removal(self, folder: str) -> FolderState:
        """SELECT read-write: only remove_draft calls this, on the drafts folder, for one of our drafts."""
        return self.selected(folder, self.client.select_folder(folder, readonly=False))

    def selected(self, folder: str, status: dict) -> FolderState:
        """Remember what is selected now and what the server said about it."""
        self.folder, self._responses = folder, self.client._imap.untagged_responses
        self._responses.pop("EXISTS", None)
        state = FolderState(
            int(status[b"UIDVALIDITY"]), int(status.get(b"UIDNEXT", 0)), int(status[b"EXISTS"])
        )
        self.sizes[folder] = state.messages
        return state

    def noop(self) -> str:
        """NOOP on the selected folder: QUIET, NEW (messages announced) or ODD (examine again).

        imaplib collects EXISTS from every command's responses, so mail announced
        during an earlier FETCH counts too, not only what this NOOP reports.
        """
        _, responses = self.client.noop()
        if any(is_odd(response) for response in responses) or self._responses is None:
            return ODD  # e.g. Dovecot's "* NO" once the selected folder was deleted
        return NEW if self._responses.pop("EXISTS", None) else QUIET

    def status(self, folder: str) -> FolderState:
        """STATUS of a folder that stays unselected."""
        data = self.client.folder_status(folder, ["UIDVALIDITY", "UIDNEXT", "MESSAGES"])
        state = FolderState(int(data[b"UIDVALIDITY"]), int(data[b"UIDNEXT"]), int(data[b"MESSAGES"]))
        self.sizes[folder] = state.messages
        return state

    def prefers_status(self, folder: str) -> bool:
        """STATUS when EXAMINE would deselect a folder at least as big; EXAMINE otherwise."""
        if self.folder is None or not self.holds(self.folder):
            return False
        if folder not in self.sizes:
            return True  # learn its size cheaply before deciding which folder to keep
        return self.sizes.get(self.folder, 0) >= self.sizes[folder]

    def forget(self) -> None:
        """After a command that may have changed the selection (a failure, a reconnect)."""
        self.folder, self._responses = None, None


def is_odd(response: tuple) -> bool:
    """An untagged response that puts the selected folder's identity in doubt."""
    kind = response[0] if response else None
    if kind in SURPRISES:
        return True
    text = response[1] if len(response) > 1 and isinstance(response[1], bytes) else b""
    return kind == b"OK" and text.startswith((b"[UIDVALIDITY", b"[CLOSED"))


def covers(state: FolderState, uidvalidity: int, last_uid: int) -> bool:
    """True when a folder state proves nothing arrived after `last_uid`."""
    return state.uidvalidity == uidvalidity and 0 < state.uidnext <= last_uid + 1
