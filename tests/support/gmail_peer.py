"""A scripted IMAP peer on 127.0.0.1 that answers the way Gmail does.

Every response is written from Gmail's published IMAP extension documentation
(developers.google.com/gmail/imap/imap-extensions) and RFC 3501/4315/6154: the
greeting, CAPABILITY with X-GM-EXT-1, LIST with special-use attributes,
EXAMINE/SELECT, `X-GM-RAW` and `X-GM-THRID` SEARCH, FETCH with X-GM-THRID and
X-GM-MSGID, and APPEND with [APPENDUID]. It is not a mail server: it keeps a few
messages per folder, answers X-GM-RAW with the hits a test scripts, evaluates
ALL, UID, SINCE, X-GM-THRID and OR itself, refuses every other search key (so a
test fails when followupd relies on one), and records every command it
receives so tests can assert exactly what followupd asked.
"""

from __future__ import annotations

import re
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable

# What Gmail advertises (DOMAIN.md, Gmail's docs): no QRESYNC, SORT or THREAD.
CAPABILITIES = (
    "IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS "
    "COMPRESS=DEFLATE ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED "
    "LIST-STATUS LITERAL+ SPECIAL-USE"
)
GMAIL_FOLDERS = (
    (r"\HasNoChildren", "INBOX"),
    (r"\HasChildren \Noselect", "[Gmail]"),
    (r"\All \HasNoChildren", "[Gmail]/All Mail"),
    (r"\Drafts \HasNoChildren", "[Gmail]/Drafts"),
    (r"\HasNoChildren \Important", "[Gmail]/Important"),
    (r"\HasNoChildren \Sent", "[Gmail]/Sent Mail"),
    (r"\HasNoChildren \Junk", "[Gmail]/Spam"),
    (r"\Flagged \HasNoChildren", "[Gmail]/Starred"),
    (r"\HasNoChildren \Trash", "[Gmail]/Trash"),
)
UIDVALIDITY = 11
ARRIVED = date(2026, 3, 2)  # every message's INTERNALDATE
TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|\(|\)|[^\s()]+')
LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")


@dataclass
class Stored:
    """One message as Gmail keeps it: a UID per folder, a thread and a message id per account."""

    uid: int
    raw: bytes
    thread: int
    gm_id: int
    flags: str = r"\Seen"


@dataclass
class GmailPeer:
    """The scripted peer: folders by their name on the wire (modified UTF-7), and a log."""

    folders: tuple[tuple[str, str], ...] = GMAIL_FOLDERS
    mail: dict[str, list[Stored]] = field(default_factory=dict)
    search_hits: list[int] = field(default_factory=list)  # UIDs X-GM-RAW answers with
    append_thread: int | None = None  # the conversation Gmail files an APPEND into
    commands: list[str] = field(default_factory=list)  # every command, without its tag
    port: int = 0

    def add(self, folder: str, raw: bytes, thread: int) -> int:
        """Put a message into a folder and return its UID."""
        stored = self.mail.setdefault(folder, [])
        uid = (stored[-1].uid if stored else 0) + 1
        stored.append(Stored(uid, raw, thread, 1_600_000_000_000_000_000 + uid))
        return uid

    def __enter__(self) -> GmailPeer:
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self.handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exception: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handler(self) -> type:
        peer = self

        class Session(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                Conversation(peer, self.rfile, self.wfile).run()

        return Session


class Conversation:
    """One client connection: read a command (with its literals), answer like Gmail."""

    def __init__(self, peer: GmailPeer, rfile, wfile) -> None:
        self.peer, self.rfile, self.wfile = peer, rfile, wfile
        self.selected: str | None = None

    def send(self, *lines: str | bytes) -> None:
        for line in lines:
            self.wfile.write((line if isinstance(line, bytes) else line.encode()) + b"\r\n")
        self.wfile.flush()

    def run(self) -> None:
        # The greeting, verbatim from Gmail's handshake example.
        self.send("* OK Gimap ready for requests from 127.0.0.1 k2if6111336rvb.0")
        while line := self.read_command():
            tag, _, rest = line.partition(b" ")
            self.peer.commands.append(rest.decode("utf-8", "replace"))
            try:
                if not self.answer(tag.decode(), rest):
                    return
            except (OSError, socket.error):
                return

    def read_command(self) -> bytes:
        """A command line; a literal ({n} or LITERAL+ {n+}) is read and kept out of the log."""
        line = self.rfile.readline()
        self.literal = b""
        match = LITERAL.search(line)
        if match:
            if not line.rstrip().endswith(b"+}"):
                self.send("+ go ahead")  # Gmail's continuation request
            self.literal = self.rfile.read(int(match.group(1)))
            self.rfile.readline()
            line = line[: match.start()].rstrip()
        return line.rstrip(b"\r\n")

    def answer(self, tag: str, rest: bytes) -> bool:
        words = [w.decode() for w in TOKEN.findall(rest)]
        verb = " ".join(words[:2]).upper() if words[0].upper() == "UID" else words[0].upper()
        if verb == "LOGOUT":
            self.send("* BYE LOGOUT Requested", f"{tag} OK 73 good day (Success)")
            return False
        handler = {
            "CAPABILITY": self.capability, "LOGIN": self.login, "ID": self.identify,
            "LIST": self.list, "EXAMINE": self.select, "SELECT": self.select,
            "STATUS": self.status, "NOOP": self.noop, "UID SEARCH": self.search,
            "UID FETCH": self.fetch, "APPEND": self.append,
        }.get(verb)
        if handler is None:
            self.send(f"{tag} BAD Unknown command")
        else:
            handler(tag, words)
        return True

    def capability(self, tag: str, words: list[str]) -> None:
        self.send(f"* CAPABILITY {CAPABILITIES}", f"{tag} OK Thats all she wrote!")

    def login(self, tag: str, words: list[str]) -> None:
        # Gmail repeats its capabilities after authentication.
        self.send(f"* CAPABILITY {CAPABILITIES}", f"{tag} OK {words[1]} authenticated (Success)")

    def identify(self, tag: str, words: list[str]) -> None:
        self.send('* ID ("name" "GImap" "vendor" "Google, Inc." "support-url" '
                  '"http://support.google.com/mail")', f"{tag} OK Success")

    def list(self, tag: str, words: list[str]) -> None:
        # Special-use attributes come with every LIST on Gmail (no RETURN option needed).
        lines = [f'* LIST ({flags}) "/" "{name}"' for flags, name in self.peer.folders]
        self.send(*lines, f"{tag} OK Success")

    def stored(self, folder: str | None = None) -> list[Stored]:
        return self.peer.mail.setdefault(folder or self.selected or "", [])

    def select(self, tag: str, words: list[str]) -> None:
        self.selected = words[1].strip('"')
        stored = self.stored()
        uidnext = (stored[-1].uid if stored else 0) + 1
        mode = "READ-ONLY" if words[0].upper() == "EXAMINE" else "READ-WRITE"
        # Gmail's EXAMINE/SELECT answer: flags, validity, counts, next UID, then the mode.
        self.send(r"* FLAGS (\Answered \Flagged \Draft \Deleted \Seen $NotPhishing $Phishing)",
                  r"* OK [PERMANENTFLAGS ()] Flags permitted.",
                  f"* OK [UIDVALIDITY {UIDVALIDITY}] UIDs valid.",
                  f"* {len(stored)} EXISTS", "* 0 RECENT",
                  f"* OK [UIDNEXT {uidnext}] Predicted next UID.",
                  "* OK [HIGHESTMODSEQ 4242]",
                  f"{tag} OK [{mode}] {self.selected} selected. (Success)")

    def status(self, tag: str, words: list[str]) -> None:
        folder, stored = words[1].strip('"'), self.stored(words[1].strip('"'))
        uidnext = (stored[-1].uid if stored else 0) + 1
        self.send(f'* STATUS "{folder}" (UIDVALIDITY {UIDVALIDITY} UIDNEXT {uidnext} '
                  f"MESSAGES {len(stored)})", f"{tag} OK Success")

    def noop(self, tag: str, words: list[str]) -> None:
        self.send(f"{tag} OK Success")

    def search(self, tag: str, words: list[str]) -> None:
        criteria = words[2:]
        if "X-GM-RAW" in criteria:
            hits = self.peer.search_hits  # Gmail's own index decides; the test scripts it
        else:
            tests = []
            try:
                while criteria:
                    tests.append(self.criterion(criteria))
            except (KeyError, IndexError, ValueError):
                self.send(f"{tag} BAD Could not parse command")
                return
            hits = [m.uid for m in self.stored() if all(test(m) for test in tests)]
        self.send(f"* SEARCH {' '.join(map(str, hits))}".rstrip(), f"{tag} OK SEARCH completed (Success)")

    def criterion(self, words: list[str]) -> Callable[[Stored], bool]:
        """Consume one search key (and its arguments) from the front of `words`."""
        key = words.pop(0).upper()
        if key == "OR":
            left, right = self.criterion(words), self.criterion(words)
            return lambda message: left(message) or right(message)
        if key == "ALL":
            return lambda message: True
        if key == "UID":
            uids = self.uid_set(words.pop(0))
            return lambda message: message.uid in uids
        if key == "SINCE":
            day = datetime.strptime(words.pop(0), "%d-%b-%Y").date()
            return lambda message: ARRIVED >= day
        if key == "X-GM-THRID":
            thread = int(words.pop(0))
            return lambda message: message.thread == thread
        raise KeyError(key)  # e.g. HEADER: not something to rely on at Gmail

    def uid_set(self, text: str) -> set[int]:
        highest = max((m.uid for m in self.stored()), default=0)
        found: set[int] = set()
        for part in text.split(","):
            low, _, high = part.partition(":")
            first, last = int(low.replace("*", str(highest))), int((high or low).replace("*", str(highest)))
            found |= set(range(min(first, last), max(first, last) + 1))
        return found

    def fetch(self, tag: str, words: list[str]) -> None:
        wanted, request = self.uid_set(words[2]), " ".join(words[3:]).upper()
        for sequence, message in enumerate(self.stored(), start=1):
            if message.uid in wanted:
                self.send(self.fetch_response(sequence, message, request))
        self.send(f"{tag} OK Success")

    def fetch_response(self, sequence: int, message: Stored, request: str) -> bytes:
        """`* n FETCH (…)`: Gmail's thread and message ids, then the asked-for parts as literals."""
        header, _, body = message.raw.partition(b"\r\n\r\n")
        parts = [f"UID {message.uid}".encode()]
        if "X-GM-THRID" in request:
            parts.append(f"X-GM-THRID {message.thread}".encode())
        if "X-GM-MSGID" in request:
            parts.append(f"X-GM-MSGID {message.gm_id}".encode())
        if "FLAGS" in request:
            parts.append(f"FLAGS ({message.flags})".encode())
        if "INTERNALDATE" in request:
            parts.append(b'INTERNALDATE "02-Mar-2026 10:00:00 +0000"')
        sections = []
        if "BODY.PEEK[HEADER" in request:
            sections.append((b"BODY[HEADER]", header + b"\r\n\r\n"))
        if "BODY.PEEK[TEXT]" in request:
            sections.append((b"BODY[TEXT]<0>", body))
        if "BODY.PEEK[]" in request:
            sections.append((b"BODY[]", message.raw))
        for name, data in sections:
            parts.append(name + b" {" + str(len(data)).encode() + b"}\r\n" + data)
        return f"* {sequence} FETCH (".encode() + b" ".join(parts) + b")"

    def append(self, tag: str, words: list[str]) -> None:
        folder = words[1].strip('"')
        thread = self.peer.append_thread or 1_700_000_000_000_000_000
        uid = self.peer.add(folder, self.literal, thread)
        # UIDPLUS: the new message's UID in the folder's UIDVALIDITY.
        self.send(f"{tag} OK [APPENDUID {UIDVALIDITY} {uid}] (Success)")
