"""Shared fixtures: the loopback HTTP server (see tests/servers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A fresh loopback server per test: no routes, empty request log."""
    with FeedServer() as server:
        yield server
