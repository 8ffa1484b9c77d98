"""Shared fixtures: the loopback HTTP server (see tests/servers.py), a pipeline runtime on
the test module's ``config`` and ``baselines``, and the root logger put back after a test."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Iterator

import pytest

from claimwatch import pipeline
from claimwatch.baselines import Baseline
from claimwatch.config import Config
from claimwatch.pipeline import Runtime, open_runtime
from claimwatch.store import open_store
from tests.servers import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A fresh loopback server per test: no routes, empty request log."""
    with FeedServer() as server:
        yield server


@pytest.fixture
async def rt(config: Config, baselines: tuple[Baseline, ...]) -> AsyncIterator[Runtime]:
    """A runtime with its store open, closed after the test (the module gives ``config`` and
    ``baselines``; a module may define its own ``rt``)."""
    store = open_store(config.state)
    runtime = open_runtime(config, baselines, store)
    yield runtime
    await pipeline.close_runtime(runtime)
    store.close()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """For tests that call ``setup_logging``: the root logger and the crash hook as before."""
    root = logging.getLogger()
    handlers, level, hook = list(root.handlers), root.level, sys.excepthook
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    sys.excepthook = hook
