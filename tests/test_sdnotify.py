"""sd_notify datagrams to a real AF_UNIX socket."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimwatch import sdnotify


@pytest.fixture
def listener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield sock
    sock.close()


def test_ready_and_stopping(listener: socket.socket) -> None:
    assert sdnotify.ready("3 feeds")
    assert listener.recv(4096) == b"READY=1\nSTATUS=3 feeds"
    assert sdnotify.stopping()
    assert listener.recv(4096) == b"STOPPING=1"


def test_reloading_carries_a_monotonic_timestamp(listener: socket.socket) -> None:
    assert sdnotify.reloading()
    first, second = listener.recv(4096).decode().split("\n")
    assert first == "RELOADING=1"
    assert second.startswith("MONOTONIC_USEC=") and int(second.split("=")[1]) > 0


def test_without_systemd_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sdnotify.ready() is False


def test_a_dead_socket_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody-listens.sock"))
    assert sdnotify.ready() is False


@pytest.mark.parametrize(
    ("value", "address"),
    [
        (None, None),
        ("", None),
        ("/run/x.sock", "/run/x.sock"),
        ("@abstract", "\0abstract"),
        ("relative.sock", None),
    ],
)
def test_socket_address(value: str | None, address: str | None) -> None:
    assert sdnotify.socket_address(value) == address


@pytest.mark.parametrize(
    ("usec", "pid", "period"),
    [
        (None, None, None),
        ("", None, None),
        ("0", None, None),
        ("abc", None, None),
        ("60000000", None, 30.0),
        ("1000000", "self", 0.5),
        ("1000000", "1", None),  # systemd meant another process
    ],
)
def test_watchdog_period(
    monkeypatch: pytest.MonkeyPatch, usec: str | None, pid: str | None, period: float | None
) -> None:
    for name, value in (("WATCHDOG_USEC", usec), ("WATCHDOG_PID", pid)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, str(os.getpid()) if value == "self" else value)
    assert sdnotify.watchdog_period() == period


def test_watchdog_carries_the_status(listener: socket.socket) -> None:
    assert sdnotify.watchdog("2 feeds, 5 alerts")
    assert listener.recv(4096) == b"WATCHDOG=1\nSTATUS=2 feeds, 5 alerts"
    assert sdnotify.status("stopping soon")
    assert listener.recv(4096) == b"STATUS=stopping soon"
