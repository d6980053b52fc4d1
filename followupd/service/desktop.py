"""A desktop notification through the freedesktop Notifications service on the session bus.

The only module that imports jeepney (pure-Python D-Bus, already needed by
keyring on Linux). No session bus — a server, a system service — is not an error:
the notification is simply not shown.
"""

from __future__ import annotations

import logging
from typing import Mapping

log = logging.getLogger("followupd.notify")

NOTIFICATIONS = ("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
TIMEOUT_SECONDS = 5.0


def show_desktop_notification(title: str, message: str, environ: Mapping[str, str]) -> bool:
    """Ask the desktop to show title and message; False (and a debug line) when nobody can."""
    address = environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not address:
        log.debug("no session bus (DBUS_SESSION_BUS_ADDRESS is unset): desktop notification skipped")
        return False
    from jeepney import DBusAddress, MessageType, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    service, path = NOTIFICATIONS
    target = DBusAddress(path, bus_name=service, interface=service)
    # Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout)
    call = new_method_call(target, "Notify", "susssasa{sv}i",
                           ("followupd", 0, "mail-message-new", title, message, [], {}, -1))
    try:
        with open_dbus_connection(bus=address) as connection:
            reply = connection.send_and_get_reply(call, timeout=TIMEOUT_SECONDS)
    except Exception as error:  # a dead bus, a timeout: the drafts are there all the same
        log.debug("desktop notification not shown: %s", type(error).__name__)
        return False
    if reply.header.message_type == MessageType.error:  # e.g. no notification daemon is running
        log.debug("desktop notification not shown: %s", reply.header.fields.get(4, "D-Bus error"))
        return False
    return True
