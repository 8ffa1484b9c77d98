"""End-to-end fixtures (helpers live in tests/e2e/helpers.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import Service, Workdir
from tests.servers import FeedServer


@pytest.fixture
def work(tmp_path: Path, feed_server: FeedServer) -> Workdir:
    return Workdir(tmp_path, feed_server)


@pytest.fixture
def service_factory(work: Workdir) -> Iterator[Callable[..., Service]]:
    started: list[Service] = []

    def start(env: dict[str, str] | None = None) -> Service:
        service = Service(work, env)
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()
