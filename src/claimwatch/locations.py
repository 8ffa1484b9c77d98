"""Where the config is found, and where relative state and alert-log paths lead.

The config: ``--config``, else ``$CLAIMWATCH_CONFIG``, else the first that exists of
SEARCH_PATH (the current folder's ``config/claimwatch.toml``, the user's config folder, the
system's). An explicit choice (the option or the variable) is taken as it is, existing or
not: falling through to another file would run someone else's feeds on someone else's state.

Relative paths in the config resolve against its folder, except the state and the alert log
under systemd: the unit's ``StateDirectory=`` gives the service one writable folder and names
it in ``$STATE_DIRECTORY``, and those two paths then resolve inside it, never above it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePath

from claimwatch.errors import InputError

CONFIG_ENV = "CLAIMWATCH_CONFIG"
CONFIG_NAME = "claimwatch.toml"
SYSTEM_CONFIG = Path("/etc/claimwatch") / CONFIG_NAME
SEARCH_ORDER = (
    f"--config, else ${CONFIG_ENV}, else the first that exists of ./config/{CONFIG_NAME}, "
    f"$XDG_CONFIG_HOME/claimwatch/{CONFIG_NAME} (default ~/.config), {SYSTEM_CONFIG}"
)


@dataclass(frozen=True, slots=True)
class FoundConfig:
    """A config file to read, and which rule of the search order chose it."""

    path: Path
    source: str  # "--config", "$CLAIMWATCH_CONFIG", or the searched place as written above


def search_path() -> list[tuple[Path, str]]:
    """The places searched when neither ``--config`` nor ``$CLAIMWATCH_CONFIG`` is given."""
    places = [(Path("config") / CONFIG_NAME, f"./config/{CONFIG_NAME}")]
    if (user := _user_config_folder()) is not None:
        folder, label = user
        places.append((folder / "claimwatch" / CONFIG_NAME, f"{label}/claimwatch/{CONFIG_NAME}"))
    places.append((SYSTEM_CONFIG, str(SYSTEM_CONFIG)))
    return places


def _user_config_folder() -> tuple[Path, str] | None:
    """``$XDG_CONFIG_HOME``, else ``~/.config`` (the XDG base directory rules: a relative
    value is ignored); None without a home folder."""
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg), "$XDG_CONFIG_HOME"
    try:
        return Path.home() / ".config", "~/.config"
    except (RuntimeError, KeyError):  # no $HOME and no password entry
        return None


def find_config(given: Path | None) -> FoundConfig:
    """The config to read; InputError naming every place looked at when there is none."""
    if (found := try_find_config(given)) is not None:
        return found
    looked = "\n".join(
        f"  {label}" if label == str(path.absolute()) else f"  {label} ({path.absolute()})"
        for path, label in search_path()
    )
    raise InputError(
        f"no config file found (no --config, ${CONFIG_ENV} not set); looked at, in order:\n"
        f"{looked}\n`claimwatch init` writes a starter config into the current folder "
        "(`claimwatch init DIR`: into DIR); or give --config PATH"
    )


def try_find_config(given: Path | None) -> FoundConfig | None:
    """``find_config``, or None when no config exists anywhere."""
    if given is not None:
        return FoundConfig(given, "--config")
    if value := os.environ.get(CONFIG_ENV):
        return FoundConfig(Path(value), f"${CONFIG_ENV}")
    for path, label in search_path():
        if os.path.exists(path):  # False also where a folder cannot be searched
            return FoundConfig(path, label)
    return None


def systemd_state_directory() -> Path | None:
    """The first folder of ``$STATE_DIRECTORY`` (systemd's ``StateDirectory=``), if set."""
    first = os.environ.get("STATE_DIRECTORY", "").split(":")[0]
    return Path(first) if os.path.isabs(first) else None


def state_path(value: str, config_folder: Path) -> Path:
    """A state or alert-log path as the config writes it, made absolute: against
    ``$STATE_DIRECTORY`` when systemd sets it (``..`` stops at that folder), else against
    the config's folder."""
    state_directory = systemd_state_directory()
    if state_directory is None:
        return resolve_path(config_folder, value)
    path = _expanded(value)
    return path if path.is_absolute() else state_directory.joinpath(*_inside(path))


def resolve_path(folder: Path, value: str) -> Path:
    """A path the config writes, made absolute against ``folder`` (variables and ``~``
    expanded: ``"${CREDENTIALS_DIRECTORY}/token"``)."""
    path = _expanded(value)
    return path if path.is_absolute() else (folder / path).resolve()


def _expanded(value: str) -> Path:
    return Path(os.path.expandvars(os.path.expanduser(value)))


def _inside(path: PurePath) -> list[str]:
    """The parts of a relative path with ``.`` dropped and ``..`` never climbing above it."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return parts
