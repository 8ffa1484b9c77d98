"""sd_notify: one datagram to ``$NOTIFY_SOCKET`` (READY=1, RELOADING=1, STOPPING=1, STATUS=...).

Outside systemd (no ``$NOTIFY_SOCKET``) every call is a no-op. A failure to notify is logged,
never raised: the service works without its supervisor's news.
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
