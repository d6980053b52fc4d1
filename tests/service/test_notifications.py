"""Notifications reach a real session bus, a loopback HTTP server and a real command — once each."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from followupd.core.events import Event
from followupd.model import Notify
from followupd.service.desktop import show_desktop_notification
from followupd.service.notifications import tell
from followupd.state.store import Store
from tests.support import REPOSITORY
from tests.support.config_files import config_text, interview_text
from tests.support.factories import local

NOW = local("2026-12-01 09:00")
READY = Event("drafted/acme/check_in/1", "draft_ready", "followupd: a draft is ready",
              "The check-in #1 to Mark Jones is waiting in Drafts (Acme Corp, Account Executive).", "acme")


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "state") as opened:
        yield opened


@pytest.fixture
def session_bus():
    """A private dbus-daemon --session; its address, as a desktop login would export it."""
    binary = shutil.which("dbus-daemon")
    if binary is None:
        message = "dbus-daemon is not installed (apt-get install dbus-daemon)"
        if os.environ.get("FOLLOWUPD_REQUIRE_DOVECOT") == "1":  # CI: real software or a failure
            pytest.fail(f"FOLLOWUPD_REQUIRE_DOVECOT=1 but {message}", pytrace=False)
        pytest.skip(message)
    process = subprocess.Popen([binary, "--session", "--nofork", "--print-address=1"],
                               stdout=subprocess.PIPE, text=True)
    address = process.stdout.readline().strip()
    yield address
    process.terminate()
    process.wait(timeout=10)


class NotificationService(threading.Thread):
    """org.freedesktop.Notifications on the bus, as a desktop runs it: records each Notify call."""

    def __init__(self, address: str) -> None:
        super().__init__(daemon=True)
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.connection = open_dbus_connection(bus=address)
        self.connection.send_and_get_reply(message_bus.RequestName("org.freedesktop.Notifications"))
        self.calls: list[tuple] = []
        self.start()

    def run(self) -> None:
        from jeepney import MessageType, new_method_return

        while True:
            try:
                message = self.connection.receive(timeout=20)
            except Exception:
                return
            if message.header.message_type == MessageType.method_call:
                self.calls.append((message.header.fields.get(3), message.body))  # 3: the member name
                self.connection.send(new_method_return(message, "u", (len(self.calls),)))


def test_a_desktop_notification_reaches_the_notifications_service_on_the_session_bus(session_bus):
    service = NotificationService(session_bus)
    shown = show_desktop_notification("followupd: a draft is ready", READY.message,
                                      {"DBUS_SESSION_BUS_ADDRESS": session_bus})
    assert shown is True
    (member, body), = service.calls
    assert (member, body[0], body[3], body[4]) == ("Notify", "followupd", "followupd: a draft is ready", READY.message)


def test_with_no_notification_service_on_the_bus_nothing_is_shown_and_nothing_fails(session_bus):
    assert show_desktop_notification("t", "m", {"DBUS_SESSION_BUS_ADDRESS": session_bus}) is False


def test_without_a_session_bus_the_desktop_channel_is_silently_skipped():
    assert show_desktop_notification("t", "m", {}) is False


class Catcher(BaseHTTPRequestHandler):
    received: list[tuple[dict, str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
        Catcher.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *arguments) -> None:
        pass


@pytest.fixture
def http_server():
    Catcher.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Catcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/followupd-topic"
    server.shutdown()


def test_an_event_is_posted_once_however_often_it_is_seen(store, http_server):
    notify = Notify(url=http_server)
    told = [tell(notify, [READY], store, NOW, {}) for _ in range(3)]
    assert told == [1, 0, 0]
    (headers, body), = Catcher.received
    assert (headers["Title"], headers["Tags"], body) == ("followupd: a draft is ready", "draft_ready", READY.message)


def test_a_non_ascii_title_travels_as_an_encoded_word(store, http_server):
    event = Event("replied/x", "replied", "followupd: Müller & Söhne wrote", "Müller & Söhne wrote.")
    tell(Notify(url=http_server), [event], store, NOW, {})
    (headers, body), = Catcher.received
    assert headers["Title"].startswith("=?utf-8?") and body == "Müller & Söhne wrote."


def test_a_notify_url_that_refuses_is_a_warning_without_the_url(store, caplog):
    tell(Notify(url="http://127.0.0.1:9/secret-topic"), [READY], store, NOW, {})
    assert [record.getMessage() for record in caplog.records] == [
        "the notify URL did not take the event (ConnectionRefusedError)"]


def test_a_notify_command_gets_the_event_in_its_environment_and_no_shell(store, tmp_path):
    script = tmp_path / "record.py"
    out = tmp_path / "event.json"
    script.write_text("import json, os, sys\n"
                      f"json.dump({{k: v for k, v in os.environ.items() if k.startswith('FOLLOWUPD_EVENT')}}"
                      f" | {{'argv': sys.argv[1:]}}, open({str(out)!r}, 'w'))\n")
    hostile = Event("drafted/x", "draft_ready", "t", "Mark $(touch pwned); `id` > x", "acme")
    tell(Notify(command=f"{sys.executable} {script} --flag"), [hostile], store, NOW, {"PATH": "/usr/bin:/bin"})
    assert json.loads(out.read_text()) == {
        "FOLLOWUPD_EVENT_KIND": "draft_ready", "FOLLOWUPD_EVENT_TITLE": "t",
        "FOLLOWUPD_EVENT_MESSAGE": "Mark $(touch pwned); `id` > x", "FOLLOWUPD_EVENT_INTERVIEW": "acme",
        "argv": ["--flag"],
    }
    assert not Path("pwned").exists() and not (tmp_path / "pwned").exists()


def test_with_nothing_configured_nothing_is_recorded_as_told(store):
    assert tell(Notify(), [READY], store, NOW, {}) == 0
    assert tell(Notify(url="http://127.0.0.1:9/x"), [READY], store, NOW, {}) == 1


def test_a_check_that_drafts_runs_the_notify_command_once_per_draft(maildir_user, tmp_path):
    log = tmp_path / "events.log"
    script = tmp_path / "on-event.py"
    script.write_text(f"import os\nopen({str(log)!r}, 'a').write(os.environ['FOLLOWUPD_EVENT_MESSAGE'] + '\\n')\n")
    interview = interview_text("Acme Corp", "2020-01-06 10:00", email="mark.jones@acme.example")
    config = tmp_path / "config.yaml"
    config.write_text(config_text("maildir", f"  path: {maildir_user.root}", tmp_path / "state", interview)
                      + f"notify:\n  command: {sys.executable} {script}\n")
    environment = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(REPOSITORY)}
    for _ in range(2):
        subprocess.run([sys.executable, "-m", "followupd", "--config", str(config), "check"],
                       env=environment, check=True, capture_output=True, timeout=120)
    assert log.read_text().splitlines() == [
        "The check-in #1 to Mark Jones is waiting in Drafts (Acme Corp, Account Executive)."]
