"""sd_notify: one datagram to ``$NOTIFY_SOCKET`` (READY=1, RELOADING=1, STOPPING=1, STATUS=...,
WATCHDOG=1).

Outside systemd (no ``$NOTIFY_SOCKET``) every call is a no-op. A failure to notify is logged,
never raised: the service works without its supervisor's news. ``watchdog_period`` reads
systemd's ``$WATCHDOG_USEC``/``$WATCHDOG_PID``: ping at half the period systemd waits.
"""

from __future__ import annotations

import logging
import os
import socket
import time

logger = logging.getLogger(__name__)


def socket_address(value: str | None) -> str | None:
    """``$NOTIFY_SOCKET`` as an AF_UNIX address; ``@name`` is the abstract namespace."""
    if not value:
        return None
    if value.startswith("@"):
        return "\0" + value[1:]
    return value if value.startswith("/") else None


def notify(message: str) -> bool:
    """Send ``message``; True when sent."""
    address = socket_address(os.environ.get("NOTIFY_SOCKET"))
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message.encode("utf-8"), address)
    except OSError as exc:
        logger.debug("sd_notify failed: %s", exc)
        return False
    return True


def ready(status: str = "") -> bool:
    return notify("READY=1" + (f"\nSTATUS={status}" if status else ""))


def reloading() -> bool:
    return notify(f"RELOADING=1\nMONOTONIC_USEC={time.monotonic_ns() // 1000}")


def stopping() -> bool:
    return notify("STOPPING=1")


def enabled() -> bool:
    """True when a supervisor listens (``$NOTIFY_SOCKET`` names a usable socket)."""
    return socket_address(os.environ.get("NOTIFY_SOCKET")) is not None


def watchdog_period() -> float | None:
    """Seconds between WATCHDOG=1 pings (half of ``WatchdogSec``), or None when not asked for.

    systemd sets ``$WATCHDOG_PID`` to the main process: a child that inherited the
    environment must not ping on its behalf.
    """
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not (usec.isascii() and usec.isdigit()) or int(usec) == 0:
        return None
    if pid and pid != str(os.getpid()):
        return None
    return int(usec) / 2_000_000


def watchdog(text: str = "") -> bool:
    """WATCHDOG=1, with a STATUS= line when ``text`` is given."""
    return notify("WATCHDOG=1" + (f"\nSTATUS={text}" if text else ""))


def status(text: str) -> bool:
    return notify(f"STATUS={text}")
