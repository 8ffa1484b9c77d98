"""Replacing a file the way readers expect: all at once, as it was owned and permitted.

The new text goes to a temporary file beside the target (a symbolic link: beside the file it
points to), is flushed to disk, given the old file's mode and owner, and renamed over it, so a
daemon reloading a config or a browser reading a page sees the old file or the new one, never
half of one. A file that does not exist yet is created with the umask's permissions.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from claimwatch.errors import InputError


def replace_file(path: Path, text: str) -> None:
    """Write ``text`` in place of ``path`` at once; InputError naming ``path`` otherwise."""
    target = path.resolve()
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        try:
            info: os.stat_result | None = target.stat()
        except FileNotFoundError:
            info = None
        mode = stat.S_IMODE(info.st_mode) if info else 0o666  # new: the umask decides
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        if info:
            os.fchmod(handle, mode)  # as the old file was, whatever the umask
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if info and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(PermissionError):  # only root may give files away
                os.chown(temporary, info.st_uid, info.st_gid)
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror or exc}", subject=str(path)) from None
