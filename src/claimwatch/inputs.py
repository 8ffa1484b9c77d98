"""What every command starts from: the config file and the baselines it names.

Kept apart from daemon.py so that one-shot commands (``once``, ``scan``, ``check``) do not
import the scheduler and the web server they never use.

Reading them is bounded where it could explode (YAML aliases: bounded_yaml; TOML nesting:
config) and, as a last resort, timed: it runs on a thread of its own and is given up after
LOAD_TIME_LIMIT seconds (say, a baseline path that is a pipe nobody writes to). So ``check``
and ``once`` end, ``run`` does not start on inputs it cannot read, and a daemon reloading on
SIGHUP goes on serving with the inputs it has, its event loop never waiting for the files.

Inputs with nothing to watch (a baselines folder without a baseline file, a baseline
without a claim) are valid: ``check`` warns about them (empty_baselines), while ``run``,
``once`` and a reload refuse them (require_claims), as a daemon watching nothing would look
healthy and never alert.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from claimwatch.baselines import Baseline, load_baselines
from claimwatch.config import Config, load_config
from claimwatch.errors import BaselineError, ConfigError, Problem
from claimwatch.yaml_files import YAML_SUFFIXES

LOAD_TIME_LIMIT = 60.0  # seconds; the shipped baselines load in well under one

Inputs = tuple[Config, tuple[Baseline, ...]]


def load_inputs(path: Path, *, time_limit: float = LOAD_TIME_LIMIT) -> Inputs:
    """The config and every baseline it names; raises InputError (ConfigError/BaselineError,
    also when reading them takes longer than ``time_limit`` seconds)."""
    try:
        return _start(path).result(time_limit)
    except FutureTimeout:
        raise _too_slow(path, time_limit) from None


async def load_inputs_async(path: Path, *, time_limit: float = LOAD_TIME_LIMIT) -> Inputs:
    """``load_inputs`` for code on the event loop, which goes on running meanwhile."""
    try:
        return await asyncio.wait_for(asyncio.wrap_future(_start(path)), time_limit)
    except TimeoutError:
        raise _too_slow(path, time_limit) from None


def _read(path: Path) -> Inputs:
    config = load_config(path)
    return config, load_baselines(config.baselines, config.frames)


def _start(path: Path) -> Future[Inputs]:
    """Read the inputs on a daemon thread: one that never finishes does not hold up exit."""
    future: Future[Inputs] = Future()

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(_read(path))
        except BaseException as exc:  # handed to the waiting caller, whatever it is
            future.set_exception(exc)

    threading.Thread(target=work, name=f"claimwatch-read {path.name}", daemon=True).start()
    return future


def _too_slow(path: Path, seconds: float) -> ConfigError:
    message = (
        f"reading the config and its baselines took longer than {seconds:g}s; "
        "gave up (is one of them a pipe or a file that never ends?)"
    )
    return ConfigError(str(path), [Problem("", message)])


def empty_baselines(config: Config, baselines: tuple[Baseline, ...]) -> tuple[Problem, ...]:
    """Where the inputs give nothing to watch, each problem naming its own file or folder."""
    problems = []
    if not config.baselines:
        message = "names no baseline file or folder: there is nothing to watch"
        problems.append(Problem("baselines", message, file=str(config.path)))
    suffixes = "/".join(f"*{suffix}" for suffix in YAML_SUFFIXES)
    # From what was loaded, without reading the folders again (a reload runs this on the
    # event loop): every file of a folder was loaded, or loading would have failed.
    loaded = {b.path for b in baselines} | {b.path.parent for b in baselines}
    for folder in config.baselines:
        if folder not in loaded:
            message = f"no baseline files ({suffixes}) in this folder"
            problems.append(Problem("", message, file=str(folder)))
    for baseline in baselines:
        if not baseline.claims:
            message = f"baseline {baseline.id!r} has no claims: it can raise no alert"
            problems.append(Problem("claims", message, file=str(baseline.path)))
    return tuple(problems)


def require_claims(inputs: Inputs) -> Inputs:
    """The inputs, or BaselineError when part of them watches nothing (empty_baselines)."""
    problems = empty_baselines(*inputs)
    if problems:
        raise BaselineError(problems[0].file or str(inputs[0].path), problems)
    return inputs
