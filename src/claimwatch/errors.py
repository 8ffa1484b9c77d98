"""The one exception tree of claimwatch.

Every error carries the subject it is about, so that ``str(error)`` alone tells a
user what to fix::

    ClaimwatchError                 base; ``subject`` + message (+ cause)
    ├── InputError                  the user's input is wrong -> CLI exit 2
    │   ├── ConfigError             config file: ``file: key.path: message``
    │   └── BaselineError           baseline file: ``file: claims[csto].field: message``
    ├── FetchError                  one URL could not be fetched (expected; recorded, never fatal)
    │   └── BlockedAddressError     the URL resolves to an address the config does not allow
    ├── FeedError                   a feed body could not be parsed into entries
    └── StateError                  the state database cannot be opened, migrated or written
"""

from __future__ import annotations

from collections.abc import Iterable


class ClaimwatchError(Exception):
    """Base class: a message about a subject (a file, a field, a URL)."""

    def __init__(self, message: str, *, subject: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.subject = subject

    def __str__(self) -> str:
        text = f"{self.subject}: {self.message}" if self.subject else self.message
        cause = self.__cause__
        if cause is not None and str(cause) and str(cause) not in text:
            text = f"{text} ({type(cause).__name__}: {cause})"
        return text


class InputError(ClaimwatchError):
    """Input a user wrote is invalid; the CLI reports it and exits 2."""


class Problem:
    """One located problem inside an input file (``file``: when not the error's own)."""

    __slots__ = ("file", "line", "location", "message")

    def __init__(
        self, location: str, message: str, line: int | None = None, file: str | None = None
    ) -> None:
        self.location = location
        self.message = message
        self.line = line
        self.file = file

    def render(self, file: str) -> str:
        file = self.file or file
        where = f"{file}:{self.line}" if self.line else file
        return (
            f"{where}: {self.location}: {self.message}"
            if self.location
            else f"{where}: {self.message}"
        )


class _FileProblems(InputError):
    """All problems found in one file, one per line of ``str()``."""

    def __init__(self, file: str, problems: Iterable[Problem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        super().__init__("\n".join(p.render(file) for p in self.problems))

    def __str__(self) -> str:
        return self.message


class ConfigError(_FileProblems):
    """The config file is unreadable or invalid."""


class BaselineError(_FileProblems):
    """A baseline file is unreadable or invalid."""


class FetchError(ClaimwatchError):
    """A URL could not be fetched; ``subject`` is the URL."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message, subject=url)
        self.url = url
        self.status = status


class BlockedAddressError(FetchError):
    """The URL (or a redirect hop) resolves to a private, loopback or link-local address."""


class FeedError(ClaimwatchError):
    """A feed body yielded no usable entries; ``subject`` is the feed URL."""


class StateError(ClaimwatchError):
    """The state database failed; ``subject`` is the database path."""
