"""The config file, validated once into frozen objects that the rest of the code trusts.

Every problem is reported as ``file:line: key.path: message`` and all of them at once.
Relative paths resolve against the config file's folder.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from claimwatch import __version__
from claimwatch.durations import parse_duration
from claimwatch.errors import ConfigError, Problem

DEFAULT_CONFIG_PATH = Path("config/claimwatch.toml")
USER_AGENT = f"claimwatch/{__version__} (+https://github.com/claimwatch/claimwatch)"

Duration = Annotated[float, BeforeValidator(parse_duration)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an http(s) URL, got {value!r}")
    return value


class FeedConfig(_Frozen):
    """One feed to poll."""

    name: str = Field(min_length=1)
    url: str
    interval: Duration = 900.0
    fetch_articles: Literal["relevant", "all", "none"] = "relevant"
    enabled: bool = True

    _check_url = field_validator("url")(classmethod(lambda cls, v: _http_url(v)))

    @field_validator("interval")
    @classmethod
    def _interval_bounds(cls, value: float) -> float:
        if not 30 <= value <= 7 * 86400:
            raise ValueError("must be between 30 seconds and 7 days")
        return value


class HttpConfig(_Frozen):
    """Limits of the one shared HTTP client."""

    user_agent: str = USER_AGENT
    connect_timeout: Duration = 10.0
    read_timeout: Duration = 30.0
    total_timeout: Duration = 60.0
    max_bytes: int = Field(default=10_000_000, ge=1024)
    max_connections: int = Field(default=50, ge=1, le=1000)
    max_per_host: int = Field(default=4, ge=1, le=100)
    allow_private_addresses: bool = False


class SchedulerConfig(_Frozen):
    """How polls are spread out and how failures back off."""

    jitter: Duration = 30.0
    misfire_grace: Duration = 300.0
    max_backoff: Duration = 6 * 3600.0
    max_retry_after: Duration = 24 * 3600.0

    @field_validator("misfire_grace")
    @classmethod
    def _grace_at_least_a_minute(cls, value: float) -> float:
        if value < 60:
            raise ValueError("must be at least 60 seconds; shorter grace silently drops late polls")
        return value


class LogSinkConfig(_Frozen):
    """``[alerts.log]``: JSON Lines, one alert per line; ``path = "-"`` is stdout."""

    path: str = "-"


class AlertsConfig(_Frozen):
    """``[alerts.*]``: one table per sink, keyed by the sink's registry name."""

    log: LogSinkConfig | None = None


class _RawConfig(_Frozen):
    state: str = "var/claimwatch.db"
    baselines: tuple[str, ...] = ("baselines",)
    feeds: tuple[FeedConfig, ...] = ()
    http: HttpConfig = HttpConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    alerts: AlertsConfig = AlertsConfig()

    @model_validator(mode="after")
    def _unique_feed_names(self) -> _RawConfig:
        seen: set[str] = set()
        for feed in self.feeds:
            if feed.name in seen:
                raise ValueError(f"duplicate feed name {feed.name!r}")
            seen.add(feed.name)
        return self


class Config(_Frozen):
    """The validated configuration, with every path made absolute."""

    path: Path
    state: Path
    baselines: tuple[Path, ...]
    feeds: tuple[FeedConfig, ...]
    http: HttpConfig
    scheduler: SchedulerConfig
    alerts: AlertsConfig

    def feed(self, name: str) -> FeedConfig:
        return next(f for f in self.feeds if f.name == name)

    @property
    def alert_log_path(self) -> Path | None:
        """The JSON Lines file, or None for stdout or when the sink is off."""
        if self.alerts.log is None or self.alerts.log.path == "-":
            return None
        return _resolve(self.path.parent, self.alerts.log.path)


def _resolve(folder: Path, value: str) -> Path:
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else (folder / path).resolve()


def default_config_path() -> Path:
    """``$CLAIMWATCH_CONFIG`` when set, else ``config/claimwatch.toml``."""
    return Path(os.environ.get("CLAIMWATCH_CONFIG", str(DEFAULT_CONFIG_PATH)))


def load_config(path: Path) -> Config:
    """Read and validate ``path``; raise ConfigError listing every problem."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            file, [Problem("", f"cannot read config: {exc.strerror or exc}")]
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(file, [Problem("", f"not UTF-8 text: {exc.reason}")]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            file, [Problem("", f"invalid TOML: {exc}", _toml_error_line(exc))]
        ) from exc
    return config_from_mapping(data, path=path, text=text)


def config_from_mapping(data: dict[str, Any], *, path: Path, text: str = "") -> Config:
    """Validate already-parsed TOML; ``text`` lets errors point at a line."""
    try:
        raw = _RawConfig.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(err, text) for err in exc.errors()]
        raise ConfigError(str(path), problems) from None
    folder = path.resolve().parent
    return Config(
        path=path.resolve(),
        state=_resolve(folder, raw.state),
        baselines=tuple(_resolve(folder, b) for b in raw.baselines),
        feeds=raw.feeds,
        http=raw.http,
        scheduler=raw.scheduler,
        alerts=raw.alerts,
    )


def _problem(error: Any, text: str) -> Problem:
    loc = tuple(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    return Problem(format_location(loc), message, find_key_line(text, loc))


def format_location(loc: tuple[Any, ...]) -> str:
    """``("feeds", 2, "interval")`` -> ``feeds[2].interval``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def find_key_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of a TOML key: walks ``[[table]]`` headers and ``key =`` lines."""
    if not text or not loc:
        return None
    lines = text.splitlines()
    start, remaining = 0, list(loc)
    table = str(remaining.pop(0))
    index = remaining.pop(0) if remaining and isinstance(remaining[0], int) else None
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}(\.[\w.]+)?\s*\]\]?")
    headers = [i for i, line in enumerate(lines) if header.match(line)]
    if index is not None:
        if index >= len(headers):
            return None
        start = headers[index]
    elif headers and remaining:
        start = headers[0]
    key = str(remaining[-1]) if remaining else table
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=|^\s*\[\[?\s*[\w.]*{re.escape(key)}\s*\]")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return start + 1 if (index is not None or headers) else None


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None
