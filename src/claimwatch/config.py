"""The config file, validated once into frozen objects that the rest of the code trusts.

Every problem is reported as ``file:line: key.path: message`` and all of them at once.
Relative paths resolve against the config file's folder (the state and the alert log: against
systemd's ``$STATE_DIRECTORY`` where it is set; see locations.py).
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import tomllib
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from claimwatch import __version__, config_messages
from claimwatch.durations import parse_duration
from claimwatch.errors import ConfigError, Problem
from claimwatch.locations import find_config, resolve_path, state_path

USER_AGENT = f"claimwatch/{__version__} (+https://github.com/claimwatch/claimwatch)"

_T = TypeVar("_T")
# Strict: a value of the wrong TOML type is an error, never converted ("587" is no port).
# The exceptions accept several forms on purpose: a duration is seconds or "15m"
# (parse_duration), and a TOML array arrives as a list where the models keep tuples (its
# items stay strict).
Duration = Annotated[float, BeforeValidator(parse_duration)]
Array = Annotated[tuple[_T, ...], Strict(False)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an http(s) URL, got {value!r}")
    return value


class FeedConfig(_Frozen):
    """One feed to poll."""

    name: str = Field(min_length=1)
    url: str
    title: str | None = None  # for people; ``feeds export`` writes it, ``feeds add`` sets it
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


# ---- [http]: the web server's keys (the rest of [http] configures the HTTP client) ----------

SERVER_KEYS = frozenset(
    {
        "listen", "allowed_networks", "allowed_hosts", "auth_token_file", "auth_username",
        "auth_password_file", "token_file", "listen_max_clients", "listen_header_timeout",
        "listen_idle_timeout", "healthz_max_poll_age", "healthz_backlog_window",
    }
)  # fmt: skip


def _network(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        message = f"must be an address or network such as 10.0.0.0/8, got {value!r}"
        raise ValueError(message) from None


def _host_name(value: str) -> str:
    """A ``Host`` header name as clients send it, without port: lower case, no brackets."""
    name = value.strip().removeprefix("[").removesuffix("]").rstrip(".").lower()
    with_port = name.count(":") == 1  # an IPv6 address has two colons or more
    if not name or with_port or any(c.isspace() or c in "/@[]" for c in name):
        raise ValueError(f"must be a host name or address without port, got {value!r}")
    return name


def _user_name(value: str) -> str:
    if not value or ":" in value or any(c.isspace() for c in value):
        raise ValueError("must be a user name without spaces or ':'")
    return value


def _off_or_minute(value: float) -> float:
    if value and value < 60:
        raise ValueError('must be "0" (off) or at least 60 seconds')
    return value


Network = Annotated[str, AfterValidator(_network)]
HostName = Annotated[str, AfterValidator(_host_name)]


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses; a name that could resolve elsewhere
    (or 0.0.0.0, which means every interface) is not loopback."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _public_listen_problem(http: HttpConfig) -> str | None:
    """Beyond loopback the server needs a secret: credentials to read, or the write token
    beside the networks allowed to read without one."""
    address = http.listen_address
    if address is None or is_loopback_host(address[0]) or http.has_credentials:
        return None
    if not http.allowed_networks:
        return (
            f"{http.listen!r} is reachable beyond this machine and nothing protects it: set "
            "http.auth_token_file (or http.auth_username and http.auth_password_file), or "
            "http.allowed_networks to the networks of its clients and http.token_file"
        )
    if http.token_file is None:
        return (
            f"{http.listen!r} is reachable beyond this machine without a token: set "
            "http.token_file (the write token) or http.auth_token_file (or "
            "http.auth_username and http.auth_password_file)"
        )
    return None


def _server_problems(http: HttpConfig, folder: Path, text: str) -> tuple[HttpConfig, list[Problem]]:
    """Secret files made absolute and readable now; a listen beyond loopback needs protection
    and a token."""
    paths, problems = _files_readable_now(
        http, ("auth_token_file", "auth_password_file", "token_file"), ("http",), folder, text
    )

    def problem(key: str, message: str) -> None:
        loc = ("http", key)
        problems.append(Problem(format_location(loc), message, find_key_line(text, loc)))

    if "allowed_networks" in http.model_fields_set and not http.allowed_networks:
        problem("allowed_networks", "must name at least one network (leave it out for loopback)")
    if (http.auth_username is None) != (http.auth_password_file is None):
        problem("auth_username", "auth_username and auth_password_file go together: give both")
    if (why := _public_listen_problem(http)) is not None:
        problem("listen", why)
    return http.model_copy(update=paths), problems


class HttpConfig(_Frozen):
    """Limits of the one shared HTTP client, and the web server (SERVER_KEYS)."""

    user_agent: str = USER_AGENT
    connect_timeout: Duration = 10.0
    read_timeout: Duration = 30.0
    total_timeout: Duration = 60.0
    max_bytes: int = Field(default=10_000_000, ge=1024)
    max_connections: int = Field(default=50, ge=1, le=1000)
    max_per_host: int = Field(default=4, ge=1, le=100)
    allow_private_addresses: bool = False
    listen: str | None = None  # "127.0.0.1:8650": serve the report, /healthz and /metrics
    # The web server behind ``listen`` (SERVER_KEYS; validated by _server_problems):
    allowed_networks: Array[Network] = ()  # (): loopback, or anywhere with credentials
    allowed_hosts: Array[HostName] = ()
    auth_token_file: str | None = None
    auth_username: Annotated[str, AfterValidator(_user_name)] | None = None
    auth_password_file: str | None = None
    token_file: str | None = None  # the write token: verdicts and claim states from the page
    listen_max_clients: int = Field(default=100, ge=1, le=10_000)
    listen_header_timeout: Annotated[Duration, Field(ge=1, le=300)] = 10.0
    listen_idle_timeout: Annotated[Duration, Field(ge=1, le=3600)] = 30.0
    healthz_max_poll_age: Annotated[Duration, AfterValidator(_off_or_minute)] = 3600.0
    healthz_backlog_window: Annotated[Duration, AfterValidator(_off_or_minute)] = 1800.0

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, value: str | None) -> str | None:
        if value is None:
            return None
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError('must be "host:port", for example "127.0.0.1:8650"')
        return value

    @property
    def has_credentials(self) -> bool:
        """A token or a password file: clients of the web server must authenticate."""
        return self.auth_token_file is not None or self.auth_password_file is not None

    @property
    def listen_address(self) -> tuple[str, int] | None:
        """(host, port) to serve on, or None when nothing is served."""
        if self.listen is None:
            return None
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)


class SchedulerConfig(_Frozen):
    """How polls are spread out and how failures back off."""

    jitter: Duration = 30.0
    misfire_grace: Duration = 300.0
    max_backoff: Duration = 6 * 3600.0
    max_retry_after: Duration = 24 * 3600.0
    failing_after: Annotated[Duration, Field(ge=60)] = 24 * 3600.0  # then alert feed_failing
    lease: Annotated[Duration, Field(ge=10)] = 300.0  # a poll's or a delivery's claim; > a cycle

    @field_validator("misfire_grace")
    @classmethod
    def _grace_at_least_a_minute(cls, value: float) -> float:
        if value < 60:
            raise ValueError("must be at least 60 seconds; shorter grace silently drops late polls")
        return value


class LogSinkConfig(_Frozen):
    """``[alerts.log]``: JSON Lines, one alert per line; ``path = "-"`` is stdout."""

    path: str = "-"


_ADDR_SPEC = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_APPRISE_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)
_APPRISE_EMAIL = ("mailto", "mailtos", "email", "emails")
DEFAULT_SMTP_PORTS = {"none": 25, "starttls": 587, "tls": 465}


def _email_address(value: str) -> str:
    """``desk@example.org`` or ``Desk <desk@example.org>``; nothing that could split a header."""
    _, address = parseaddr(value)
    if any(c in value for c in "\r\n") or not _ADDR_SPEC.match(address):
        raise ValueError(f"not an email address: {value!r}")
    return value


def _host(value: str) -> str:
    if not value or any(c.isspace() or c in "/@" for c in value):
        raise ValueError(f"must be a host name or address, got {value!r}")
    return value


def _env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        raise ValueError(f"must be an environment variable name, got {value!r}")
    return value


def _one_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must be a single line")
    return value


def _digest_period(value: float) -> float:
    if value and not 60 <= value <= 7 * 86400:
        raise ValueError('must be "0" (one email per alert) or a period of 1 minute to 7 days')
    return value


Address = Annotated[str, AfterValidator(_email_address)]


class EmailSinkConfig(_Frozen):
    """``[alerts.email]``: SMTP with explicit TLS, verified certificates, no plaintext password."""

    host: Annotated[str, AfterValidator(_host)]
    port: int | None = Field(default=None, ge=1, le=65535)  # None: 25, 587 or 465 by security
    security: Literal["none", "starttls", "tls"] = "starttls"
    username: str | None = Field(default=None, min_length=1)
    password: str | None = Field(default=None, exclude=True, repr=False)  # always refused
    password_file: str | None = None
    password_env: Annotated[str, AfterValidator(_env_name)] | None = None
    ca_file: str | None = None  # trust only this CA bundle (PEM) instead of the system's
    sender: Address
    recipients: Array[Address] = Field(min_length=1)
    digest: Annotated[Duration, AfterValidator(_digest_period)] = 0.0
    subject_prefix: Annotated[str, AfterValidator(_one_line), Field(max_length=60)] = "[claimwatch]"
    timeout: Annotated[Duration, Field(ge=1, le=600)] = 30.0

    @field_validator("password", mode="before")
    @classmethod
    def _no_plaintext_password(cls, value: object) -> None:
        raise ValueError(
            "a plaintext password is not allowed here: use password_file or password_env"
        )

    @model_validator(mode="after")
    def _credentials(self) -> EmailSinkConfig:
        sources = [k for k in ("password_file", "password_env") if getattr(self, k) is not None]
        if len(sources) > 1:
            raise ValueError("password_file and password_env are exclusive: give one")
        if sources and self.username is None:
            raise ValueError(f"{sources[0]} needs a username")
        if self.username is not None and not sources:
            raise ValueError("username needs password_file or password_env")
        if self.username is not None and self.security == "none":
            raise ValueError('AUTH needs security = "starttls" or "tls" (no password in clear)')
        return self

    @property
    def smtp_port(self) -> int:
        return self.port or DEFAULT_SMTP_PORTS[self.security]


def _apprise_url(value: SecretStr) -> SecretStr:
    """Checked without echoing the URL: Apprise URLs often carry tokens."""
    url = value.get_secret_value()
    if not _APPRISE_URL.match(url):
        raise ValueError("must be an Apprise URL such as 'json://host/path' or 'ntfy://topic'")
    if url.split(":", 1)[0].lower() in _APPRISE_EMAIL:
        raise ValueError("use [alerts.email] for email (Apprise sets a new Message-ID per send)")
    return value


class AppriseSinkConfig(_Frozen):
    """``[alerts.apprise]``: chat and webhook channels through the optional Apprise package."""

    urls: Array[Annotated[SecretStr, AfterValidator(_apprise_url)]] = Field(min_length=1)
    repeats: bool = False  # also send alerts whose fact was already alerted (novel: false)

    @model_validator(mode="after")
    def _usable(self) -> AppriseSinkConfig:
        if importlib.util.find_spec("apprise") is None:
            raise ValueError("needs the apprise package: pip install 'claimwatch[apprise]'")
        import apprise  # only when configured: loading its plugins takes a moment

        unknown = [
            str(index)
            for index, url in enumerate(self.urls)
            if apprise.Apprise.instantiate(url.get_secret_value()) is None
        ]
        if unknown:
            raise ValueError(f"Apprise cannot use urls[{', '.join(unknown)}] (see its log)")
        return self


class OutboxConfig(_Frozen):
    """``[outbox]``: what an attempt of unknown outcome may cost (the process stopped while
    sending: it is sent again after ``unknown_hold``, at most ``unknown_retries`` times, then
    refused), and the free disk space below which claimwatch will not run."""

    unknown_hold: Annotated[Duration, Field(ge=0, le=7 * 86400)] = 1800.0
    unknown_retries: int = Field(default=2, ge=0, le=10)
    reserve_mb: int = Field(default=64, ge=0)


class AlertsConfig(_Frozen):
    """``[alerts.*]``: one table per sink, keyed by the sink's registry name."""

    log: LogSinkConfig | None = None
    email: EmailSinkConfig | None = None
    apprise: AppriseSinkConfig | None = None


class _RawConfig(_Frozen):
    state: str = "var/claimwatch.db"
    baselines: Array[str] = ("baselines",)
    frames: Array[str] = ()
    feeds: Array[FeedConfig] = ()
    # OPML files whose feeds join [[feeds]]. Not ``feeds = [...]``: TOML cannot hold a
    # ``feeds`` array beside the [[feeds]] tables, which are that same array.
    opml: Array[str] = ()
    feed_defaults: dict[str, Any] = Field(default_factory=dict)  # checked by feedlist.py
    http: HttpConfig = HttpConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    alerts: AlertsConfig = AlertsConfig()
    outbox: OutboxConfig = OutboxConfig()


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(value: str) -> bool:
    """True when ``state`` names a PostgreSQL database rather than a SQLite file."""
    return value.lower().startswith(POSTGRES_SCHEMES)


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***``: safe to log and to show."""
    netloc = urlsplit(url).netloc
    user, at, host = netloc.rpartition("@")
    if at and ":" in user:
        url = url.replace(f"//{netloc}", f"//{user.split(':', 1)[0]}:***@{host}", 1)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url)


class Config(_Frozen):
    """The validated configuration, with every path made absolute.

    ``state`` is the SQLite file; when the config names a PostgreSQL database instead,
    ``state_url`` holds its URL and ``state`` is the null device, so that code still treating
    ``state`` as a file fails loudly instead of starting a second, private database.
    """

    path: Path
    state: Path
    state_url: str | None = None
    baselines: tuple[Path, ...]
    frames: tuple[Path, ...] = ()  # folders of the user's own event frames
    feeds: tuple[FeedConfig, ...]  # [[feeds]], then the feeds of the OPML files
    opml: tuple[Path, ...] = ()
    opml_feeds: dict[str, Path] = Field(default_factory=dict)  # feed name -> its OPML file
    http: HttpConfig
    scheduler: SchedulerConfig
    alerts: AlertsConfig
    outbox: OutboxConfig = OutboxConfig()

    @property
    def state_location(self) -> Path | str:
        """What ``store.open_store`` takes: the PostgreSQL URL or the SQLite file."""
        return self.state_url or self.state

    @property
    def state_display(self) -> str:
        """Where the state lives, for messages: never shows a password."""
        return redact_url(self.state_url) if self.state_url else str(self.state)

    @property
    def state_missing(self) -> bool:
        """No SQLite file yet (read-only commands say so instead of creating one)."""
        return self.state_url is None and not self.state.exists()

    def feed(self, name: str) -> FeedConfig:
        return next(f for f in self.feeds if f.name == name)

    @property
    def alert_log_path(self) -> Path | None:
        """The JSON Lines file (made absolute when the config was read), or None for stdout
        or when the sink is off."""
        if self.alerts.log is None or self.alerts.log.path == "-":
            return None
        return Path(self.alerts.log.path)


def default_config_path() -> Path:
    """The config when no ``--config`` is given: ``$CLAIMWATCH_CONFIG``, else the first that
    exists of the places searched (locations.SEARCH_ORDER); InputError when none does."""
    return find_config(None).path


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
    except RecursionError:  # tomllib recurses per level of nested arrays and tables
        raise ConfigError(file, [Problem("", "invalid TOML: nested too deeply")]) from None
    return config_from_mapping(data, path=path, text=text)


def config_from_mapping(data: dict[str, Any], *, path: Path, text: str = "") -> Config:
    """Validate already-parsed TOML; ``text`` lets errors point at a line."""
    duplicates = _duplicate_feed_names(data, text)
    try:
        raw = _RawConfig.model_validate(data)
    except ValidationError as exc:
        problems = [p for err in exc.errors() for p in _problems(err, text)]
        raise ConfigError(str(path), [*problems, *duplicates]) from None
    folder = path.resolve().parent
    http, server_problems = _server_problems(raw.http, folder, text)
    from claimwatch.feedlist import assemble  # it builds on FeedConfig, above

    opml = tuple(resolve_path(folder, o) for o in raw.opml)
    feeds = assemble(raw.feeds, raw.feed_defaults, opml, config_file=str(path), text=text)
    if duplicates or server_problems or feeds.problems:
        raise ConfigError(str(path), [*duplicates, *server_problems, *feeds.problems])
    return Config(
        path=path.resolve(),
        state=Path(os.devnull) if is_postgres_url(raw.state) else state_path(raw.state, folder),
        state_url=raw.state if is_postgres_url(raw.state) else None,
        baselines=tuple(resolve_path(folder, b) for b in raw.baselines),
        frames=tuple(resolve_path(folder, f) for f in raw.frames),
        feeds=tuple(feeds.feeds),
        opml=opml,
        opml_feeds=feeds.origins,
        http=http,
        scheduler=raw.scheduler,
        alerts=_readable_files(_absolute_log(raw.alerts, folder), folder, str(path), text),
        outbox=raw.outbox,
    )


def _duplicate_feed_names(data: dict[str, Any], text: str) -> list[Problem]:
    """Each repeated feed name, located at its second and later occurrences."""
    feeds = data.get("feeds")
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, feed in enumerate(feeds if isinstance(feeds, list) else []):
        name = feed.get("name") if isinstance(feed, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            loc = ("feeds", index, "name")
            message = f"duplicate feed name {name!r}"
            problems.append(Problem(format_location(loc), message, find_key_line(text, loc)))
        seen.add(name)
    return problems


def _absolute_log(alerts: AlertsConfig, folder: Path) -> AlertsConfig:
    """The alert log's path made absolute now, as the state's is (locations.state_path)."""
    log = alerts.log
    if log is None or log.path == "-":
        return alerts
    absolute = log.model_copy(update={"path": str(state_path(log.path, folder))})
    return alerts.model_copy(update={"log": absolute})


def _readable_files(alerts: AlertsConfig, folder: Path, file: str, text: str) -> AlertsConfig:
    """Make the email sink's files absolute; refuse the config if one cannot be read now."""
    email = alerts.email
    if email is None:
        return alerts
    paths, problems = _files_readable_now(
        email, ("password_file", "ca_file"), ("alerts", "email"), folder, text
    )
    if problems:
        raise ConfigError(file, problems)
    return alerts.model_copy(update={"email": email.model_copy(update=paths)})


def _files_readable_now(
    model: BaseModel, keys: tuple[str, ...], where: tuple[str, ...], folder: Path, text: str
) -> tuple[dict[str, str], list[Problem]]:
    """The absolute paths of the files ``keys`` name in ``model`` (a table at ``where``), and
    a problem for each one that cannot be read now."""
    paths: dict[str, str] = {}
    problems: list[Problem] = []
    for key in keys:
        if (value := getattr(model, key)) is not None:
            paths[key] = str(resolve_path(folder, value))
            if error := _unreadable(Path(paths[key])):
                loc = (*where, key)
                problems.append(Problem(format_location(loc), error, find_key_line(text, loc)))
    return paths, problems


def _unreadable(path: Path) -> str | None:
    try:
        empty = not path.read_bytes().strip()
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    return f"{path} is empty" if empty else None


def _problems(error: Any, text: str) -> list[Problem]:
    """One pydantic error as located problems: a misspelt table on each of its headers."""
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        tables = config_messages.unknown_tables(loc, text, _RawConfig)
        if tables:
            return tables
    message = config_messages.error_message(error, _RawConfig)
    return [Problem(format_location(loc), message, find_key_line(text, loc))]


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
