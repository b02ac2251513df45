"""The report in one file (`export -o NAME.zip`): the page to read, the JSON report to check
and its photos, in a folder of their own; and that file read back by `verify` as it is,
without unpacking it.

    NAME/NAME.html          the page (it shows the photos beside it, by their file names)
    NAME/NAME.json          the report `verify` checks
    NAME/NAME-photos/...    the photos, as kept (named by their sha256), and a JPEG copy
                            of each HEIC one for browsers that show no HEIC

A zip is a stranger's file here: it is read only if it is a regular file of at most
`limits.REPORT_ZIP`, its directory of files no larger than `limits.ZIP_DIRECTORY` (looked at
before the standard library reads it: a directory of millions of names is refused unread)
and holding at most `limits.ZIP_MEMBERS` files, each named as a plain relative path (no
`..`, no absolute name, no backslash, no name twice), unpacking to no more than the zip's
own cap; inside it the report is read up to `limits.REPORT` and each photo up to the photo
cap, whatever its header says. Nothing is ever written out of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from dailylist import limits
from dailylist.errors import BadInput
from dailylist.photos import MAX_PHOTO_BYTES

#: What a zip export holds, as (its name inside the folder, where its bytes come from).
Member = tuple[str, "bytes | Callable[[], bytes]"]

#: The end of a zip's directory (PKWARE's APPNOTE 4.3.16): its signature, the disk
#: numbers, the number of files, the directory's size and offset, the comment's length.
_END = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_LOCATOR_SIZE = 20
_LONGEST_COMMENT = 65535
_ENCRYPTED = 0x1
_CHUNK = 1024 * 1024


def folder_name(output: Path) -> str:
    """The folder a zip export puts everything in: the zip's own name without `.zip`."""
    stem = output.stem
    return stem if stem and stem not in (".", "..") and _plain(stem) else "report"


def write_zip(output: Path, folder: str, members: Sequence[Member], at: datetime) -> None:
    """Write the zip `output`: each member in `folder/`, dated `at` (the export's local
    time); text compressed, photos stored as they are (they are compressed already). Each
    photo's bytes are read only as it is written."""
    from dailylist.store import write_out_by

    stamp = max(at.timetuple()[:6], (1980, 1, 1, 0, 0, 0))  # no zip date is earlier

    def write(handle: BinaryIO) -> None:
        with zipfile.ZipFile(handle, "w", allowZip64=False) as archive:
            for name, content in members:
                info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
                info.external_attr = 0o644 << 16
                text = name.endswith((".html", ".json"))
                info.compress_type = zipfile.ZIP_DEFLATED if text else zipfile.ZIP_STORED
                archive.writestr(info, content if isinstance(content, bytes) else content())

    try:
        write_out_by(output, write, what="report")
    except zipfile.LargeZipFile as exc:
        raise BadInput(
            f"the report with its photos is larger than a .zip report may be "
            f"({limits.size_text(limits.REPORT_ZIP)}); export to NAME.json instead (its "
            "photos go in a folder beside it). Nothing was written"
        ) from exc


def is_zip(path: Path) -> bool:
    """Whether `path` names a zip export (by its name: `.zip`)."""
    return path.suffix.lower() == ".zip"


@dataclass
class ZippedReport:
    """An open zip export, checked: where its report is, and the photos beside it."""

    path: Path
    archive: zipfile.ZipFile
    #: The report's name in the zip, and the folder it is in ("" or "NAME/").
    report: zipfile.ZipInfo
    folder: str
    #: Every file the zip holds, by name.
    members: dict[str, zipfile.ZipInfo]

    @property
    def page_name(self) -> str:
        """Where the page is: beside the report, by its name."""
        return f"{self.folder}{PurePosixPath(self.report.filename).stem}.html"

    def photos_folder(self, named: str) -> str:
        """Where the photos are: the folder the report names, beside it."""
        return f"{self.folder}{named or PurePosixPath(self.report.filename).stem + '-photos'}/"

    def report_bytes(self) -> bytes:
        return self._read(self.report, limits.REPORT, "the report")

    def page_bytes(self) -> bytes | None:
        """The page beside the report, or None when the zip holds none."""
        info = self.members.get(self.page_name)
        return None if info is None else self._read(info, limits.REPORT, "the page")

    def photo_problem(self, name: str, sha256: str) -> str | None:
        """What is wrong with the photo at `name` in the zip, which should hash to
        `sha256`: None when nothing (read as `checks.photo_file_problem` reads a file)."""
        info = self.members.get(name)
        if info is None or info.is_dir():
            return "is missing"
        if info.file_size > MAX_PHOTO_BYTES:
            return f"is larger than a photo may be ({limits.size_text(MAX_PHOTO_BYTES)})"
        if info.flag_bits & _ENCRYPTED:
            return "is encrypted in the zip"
        digest, size = hashlib.sha256(), 0
        try:
            with self.archive.open(info) as member:
                while piece := member.read(_CHUNK):
                    size += len(piece)
                    if size > MAX_PHOTO_BYTES:
                        return "is larger than a photo may be"
                    digest.update(piece)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError) as exc:
            return f"cannot be read from the zip ({exc})"
        return None if digest.hexdigest() == sha256 else "does not match its hash"

    def _read(self, info: zipfile.ZipInfo, cap: int, what: str) -> bytes:
        where = f"{self.path}: {what} ({info.filename})"
        if info.file_size > cap:
            raise BadInput(f"{where} is larger than {limits.size_text(cap)}")
        if info.flag_bits & _ENCRYPTED:
            raise BadInput(f"{where} is encrypted; an export never is")
        try:
            with self.archive.open(info) as member:
                data = member.read(cap + 1)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError) as exc:
            raise BadInput(f"{where} cannot be read: {exc}") from exc
        if len(data) > cap:
            raise BadInput(f"{where} is larger than {limits.size_text(cap)}")
        return data


@contextlib.contextmanager
def opened_zip(path: Path) -> Iterator[ZippedReport]:
    """The zip export at `path`, checked (see the module's notes), for the block; or
    `BadInput` saying why it is not one."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise BadInput(f"{path} does not exist") from exc
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise BadInput(f"{path} is a directory, not a report")
        if not stat.S_ISREG(info.st_mode):
            raise BadInput(f"{path} is not a regular file, so not a report; nothing was read")
        if info.st_size > limits.REPORT_ZIP:
            raise BadInput(
                f"{path} is larger than {limits.size_text(limits.REPORT_ZIP)}, too large for "
                "a report"
            )
        _check_directory(handle, info.st_size, path)
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise BadInput(f"{path} is not a zip file dailylist can read ({exc})") from exc
        with archive:
            yield _checked(path, archive)


def _check_directory(handle: BinaryIO, size: int, path: Path) -> None:
    """`BadInput` unless the zip's directory, as its end record says, is within the caps:
    found the way the standard library finds it (the record at the very end, else the last
    one within a comment's reach), before the library reads the directory whole."""
    reach = min(size, _LOCATOR_SIZE + _END.size + _LONGEST_COMMENT)
    handle.seek(size - reach)
    tail = handle.read(reach)
    if tail[-_END.size : -_END.size + 4] == _END_SIGNATURE and tail[-2:] == b"\0\0":
        at = len(tail) - _END.size
    else:
        at = tail.rfind(_END_SIGNATURE)
    if at < 0 or at + _END.size > len(tail):
        raise BadInput(f"{path} is not a zip file (no end record); export one with -o NAME.zip")
    if tail[max(0, at - _LOCATOR_SIZE) : at].startswith(_ZIP64_LOCATOR):
        raise BadInput(f"{path} is a ZIP64 file, which no dailylist export is")
    *_, count, directory, _, _ = _END.unpack_from(tail, at)
    if directory > limits.ZIP_DIRECTORY or count > limits.ZIP_MEMBERS:
        raise BadInput(
            f"{path} lists {count:,} files in {limits.size_text(directory)}; an export holds "
            f"at most {limits.ZIP_MEMBERS:,}: it is not one"
        )


#: A name a zip of ours holds: relative, in plain folders, nothing that reaches outside.
_DRIVE = re.compile(r"[A-Za-z]:")


def _plain(name: str) -> bool:
    return name.isprintable() and "/" not in name and "\\" not in name


def _safe_name(name: str) -> bool:
    parts = name.removesuffix("/").split("/")
    return (
        bool(name)
        and not name.startswith("/")
        and not _DRIVE.match(name)
        and all(part not in ("", ".", "..") and _plain(part) for part in parts)
    )


def _checked(path: Path, archive: zipfile.ZipFile) -> ZippedReport:
    infos = archive.infolist()
    if len(infos) > limits.ZIP_MEMBERS:
        raise BadInput(f"{path} holds more than {limits.ZIP_MEMBERS:,} files: not an export")
    names = [info.filename for info in infos]
    bad = next((name for name in names if not _safe_name(name)), None)
    if bad is not None:
        raise BadInput(
            f"{path} holds a file named {bad!r}, which reaches outside its folder; no export "
            "names one so, and nothing was unpacked"
        )
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise BadInput(f"{path} holds {twice!r} twice; no export does")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.REPORT_ZIP:
        raise BadInput(
            f"{path} would unpack to {limits.size_text(unpacked)}, more than a report may be "
            f"({limits.size_text(limits.REPORT_ZIP)}): a zip bomb, not an export"
        )
    reports = [info for info in infos if not info.is_dir() and info.filename.endswith(".json")]
    if len(reports) != 1:
        said = "no JSON report" if not reports else f"{len(reports)} JSON files"
        raise BadInput(f"{path} holds {said}; a dailylist export holds one (NAME/NAME.json)")
    (report,) = reports
    parent = str(PurePosixPath(report.filename).parent)
    folder = "" if parent == "." else f"{parent}/"
    return ZippedReport(path, archive, report, folder, dict(zip(names, infos, strict=True)))
