"""What `verify` and `doctor` report, and the checks they share: one row per thing checked,
and whether a kept photo file is the one its record names.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

#: Photos are hashed in pieces of this size.
_CHUNK = 1024 * 1024


@dataclass
class Check:
    """One thing checked, what was seen, and every problem found."""

    name: str
    problems: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def photo_file_problem(path: Path, sha256: str) -> str | None:
    """What is wrong with the photo file at `path`, which should hold bytes hashing to
    `sha256`: None when nothing. Anything but a regular file is refused before it is
    read (a FIFO would hang the reader)."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        )
    except FileNotFoundError:
        return "is missing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "is not a regular file"
        digest = hashlib.sha256()
        while piece := os.read(fd, _CHUNK):
            digest.update(piece)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    finally:
        os.close(fd)
    return None if digest.hexdigest() == sha256 else "does not match its hash"
