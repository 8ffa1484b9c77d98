"""The starter files and ``claimwatch init``: the commented config, the example baselines and
the systemd unit, written where a new user can edit them.

Their one copy is at the top of the checkout (config/, baselines/, systemd/); the wheel
carries it as ``claimwatch/starter/`` (pyproject.toml maps it there). An installed package
reads that copy; an editable install (``pip install -e .``) has none and reads the checkout.
``init`` keeps the checkout's layout, so the config's relative paths (``../baselines``,
``../var``) work unchanged wherever it writes them.
"""

from __future__ import annotations

import argparse
import shlex
from importlib.resources import files
from pathlib import Path

from claimwatch.errors import ClaimwatchError, InputError

CONFIG = Path("config") / "claimwatch.toml"
BASELINES = Path("baselines")
UNIT = Path("systemd") / "claimwatch.service"


def starter_root() -> Path:
    """The folder holding config/, baselines/ and systemd/ for this installation."""
    packaged = files("claimwatch") / "starter"
    if isinstance(packaged, Path) and (packaged / CONFIG).is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2]  # src/claimwatch/starter.py
    if (checkout / CONFIG).is_file() and (checkout / "pyproject.toml").is_file():
        return checkout
    raise ClaimwatchError(
        "this installation has no starter files (claimwatch/starter/ is missing from the "
        "package): reinstall claimwatch from a wheel or a checkout"
    )


def starter_files(root: Path) -> list[Path]:
    """The starter files, relative to ``root``: the config, every baseline, the unit."""
    baselines = sorted(p.relative_to(root) for p in (root / BASELINES).glob("*.yaml"))
    return [CONFIG, *baselines, UNIT]


def shipped_baselines() -> Path:
    """The folder of the example baselines (``claimwatch demo`` without a config)."""
    return starter_root() / BASELINES


def write_starter(folder: Path, *, force: bool) -> list[Path]:
    """Copy the starter files into ``folder``; the paths written. Without ``force`` nothing
    is written when one of them exists already (InputError naming it)."""
    root = starter_root()
    relative = starter_files(root)
    existing = [folder / r for r in relative if (folder / r).exists() or (folder / r).is_symlink()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more starter files)" if len(existing) > 1 else ""
        raise InputError(
            f"exists already{more}; nothing was written: edit it, choose another folder, "
            "or give --force to replace the starter files",
            subject=str(existing[0]),
        )
    for path in relative:
        _copy(root / path, folder / path, replace=force)
    return [folder / r for r in relative]


def _copy(source: Path, target: Path, *, replace: bool) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb" if replace else "xb") as file:  # x: never over a new file
            file.write(source.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", subject=str(target)) from None


def next_steps(folder: Path) -> str:
    """The three commands that follow ``init``, to copy and paste."""
    enter = "" if folder.resolve() == Path.cwd().resolve() else f"cd {shlex.quote(str(folder))} && "
    steps = [
        (f"{enter}claimwatch check", "validate the config and the baselines"),
        ("claimwatch once", "poll every feed once and deliver the alerts"),
        ("claimwatch run", "the service (under systemd: systemd/claimwatch.service)"),
    ]
    width = max(len(command) for command, _ in steps)
    return "next:\n" + "\n".join(f"  {command:<{width}}  # {what}" for command, what in steps)


def cmd_init(args: argparse.Namespace) -> int:
    """``claimwatch init [DIR] [--force] [--print]``."""
    if args.print_only:
        root = starter_root()
        print("\n".join(str(root / path) for path in starter_files(root)))
        return 0
    folder = Path(args.dir)
    for path in write_starter(folder, force=args.force):
        print(f"wrote {path}")
    print(f"\n{next_steps(folder)}")
    return 0
