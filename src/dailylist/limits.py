"""How much dailylist reads of each kind of file, and how it reads one: only a regular file
(a FIFO or a device is refused before anything is read, so `/dev/zero` given as a list
cannot fill memory and a FIFO cannot hang a command), and no more than its kind allows.

Standard library only (`os`, `stat`): the prompt's quick path reads its snapshot this way.
"""

from __future__ import annotations

import os
import stat

_MB = 1024 * 1024

#: The most dailylist reads of each kind of file; a larger one is refused unread.
#: A sealed list of 100,000 items (the most a list may have) is about 30 MB.
SEALED_LIST = 64 * _MB
#: A list source of 100,000 items, with long texts.
LIST_SOURCE = 32 * _MB
#: A journal of a century of days is about 25 MB; so is the report of one.
JOURNAL = 256 * _MB
REPORT = 256 * _MB
SNAPSHOT = 64 * _MB
#: A report in one zip (`export -o NAME.zip`): the page, the JSON report and the photos. At
#: most 2 GB (zipfile's own limit before ZIP64, which no export needs), its directory of
#: files at most 8 MB and 50,000 files (a year of days with a few photos each is 1,500).
#: Inside it, the report is read up to `REPORT` and each photo up to the photo cap.
REPORT_ZIP = 2**31 - 1
ZIP_DIRECTORY = 8 * _MB
ZIP_MEMBERS = 50_000
PASSPHRASE_FILE = 64 * 1024
#: Small files of our own: state.json, device.json, a content key.
SMALL = 1 * _MB

#: A reflection, in UTF-8 (some 5,000 words), and how often one day may be amended: so that
#: years of days, each at the most, stay far inside `JOURNAL`.
REFLECTION = 32 * 1024
AMENDMENTS_A_DAY = 100


def size_text(size: int) -> str:
    return f"{size // _MB} MB" if size >= _MB else f"{size // 1024} KB"


class NotAFile(OSError):
    """Not a regular file: a FIFO, a device, a socket."""


class TooLarge(OSError):
    """Larger than its kind of file may be."""


def read_file(path: str | os.PathLike[str], cap: int) -> bytes:
    """The bytes of the regular file at `path`, at most `cap` of them: `IsADirectoryError`,
    `NotAFile` or `TooLarge` (all `OSError`) before anything more is read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(0, "is not a regular file", str(path))
        if info.st_size > cap:
            raise TooLarge(0, f"is larger than {size_text(cap)}", str(path))
        pieces, total = [], 0
        while piece := os.read(fd, min(cap + 1 - total, _MB)):
            pieces.append(piece)
            total += len(piece)
            if total > cap:  # it grew while being read
                raise TooLarge(0, f"is larger than {size_text(cap)}", str(path))
        return b"".join(pieces)
    finally:
        os.close(fd)
