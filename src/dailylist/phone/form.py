"""A form sent from the phone's page, read as it arrives.

Every form on the page is `multipart/form-data`. python-multipart parses the body a piece at
a time: each photo goes straight into a new private file beside the list's photo store
(named `.upload-*.tmp`, which `doctor` knows as a leftover should the command be killed, and
the next `dailylist phone` removes), and nothing is held whole in memory. The caps hold
while reading, before anything is decided: the body no larger than it said nor than
`MAX_BODY`, each photo within the photo cap, at most `MAX_FILES` of them, a text field no
longer than `MAX_FIELD`.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BufferedIOBase
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartParser

from dailylist.limits import size_text
from dailylist.photos import MAX_PHOTO_BYTES

# python-multipart logs what it finds wrong in a body; the page says it, the terminal not.
logging.getLogger("python_multipart").addHandler(logging.NullHandler())
logging.getLogger("python_multipart").propagate = False

#: The most one form may carry: a few phone photos, with room to spare.
MAX_BODY = 2 * MAX_PHOTO_BYTES
MAX_FILES = 10
#: A text field (the reflection): some thousands of words.
MAX_FIELD = 256 * 1024
#: The page's forms have a handful of parts; a body of millions of tiny ones is refused.
MAX_PARTS = 64
_PIECE = 64 * 1024
_UPLOAD_PREFIX, _UPLOAD_SUFFIX = ".upload-", ".tmp"


class FormRefused(Exception):
    """A form that is not taken: `message` for the page, `status` for the response, and
    the text fields read all the same (so that the page keeps what the person wrote)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.fields: dict[str, str] = {}


@dataclass(frozen=True)
class Upload:
    """A file the form carried: a private copy, and the name the phone gave it (for
    messages only)."""

    path: Path
    name: str


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[Upload] = field(default_factory=list)

    def text(self, name: str) -> str | None:
        """A text field as typed (a browser ends a text area's lines in CRLF: LF here)."""
        value = self.fields.get(name)
        return None if value is None else value.replace("\r\n", "\n")

    def remove_files(self) -> None:
        for upload in self.files:
            upload.path.unlink(missing_ok=True)


def read_form(
    stream: BufferedIOBase,
    content_type: str | None,
    length: str | None,
    folder: Path,
    *,
    on_file: Callable[[Path], None] = lambda path: None,
) -> Form:
    """The form in the request body `stream`, its files written into `folder`, or
    `FormRefused` (with every file it wrote removed, and the body read to its end when its
    length allows, so that the page can still answer).

    `on_file` hears of each file as it is created (the server removes any still there
    should it stop mid-upload).
    """
    from python_multipart.multipart import parse_options_header

    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise FormRefused("the page sends its forms as multipart/form-data", 415)
    try:
        size = int(length or "")
    except ValueError:
        raise FormRefused("the form's length was not given", 411) from None
    if size < 0:
        raise FormRefused("the form's length was not given", 411)
    if size > MAX_BODY:
        raise FormRefused(
            f"that is more than {size_text(MAX_BODY)} at once: send fewer or smaller photos", 413
        )
    reader = _Reader(folder, on_file)
    remaining = size
    try:
        parser = reader.parser(boundary)
        while remaining:
            piece = stream.read(min(_PIECE, remaining))
            if not piece:
                raise FormRefused("the form stopped arriving before its end; send it again")
            remaining -= len(piece)
            parser.write(piece)
        parser.finalize()
        reader.check_complete()
        if reader.refusal is not None:
            reader.refusal.fields = reader.form.fields
            raise reader.refusal
    except BaseException as exc:
        reader.form.remove_files()
        reader.close()
        if isinstance(exc, FormRefused) and remaining:
            _drain(stream, remaining)
        if isinstance(exc, ValueError):  # python-multipart's parse errors
            raise FormRefused("the form was not sent whole; send it again") from exc
        raise
    return reader.form


def remove_stale_uploads(folder: Path, before: float) -> int:
    """Remove the uploads a run that was killed left half read in `folder`: regular files
    named as `read_form` names them, last changed before `before` (seconds since the epoch,
    when this run started). Returns how many were removed."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        if not (name.startswith(_UPLOAD_PREFIX) and name.endswith(_UPLOAD_SUFFIX)):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < before:
                Path(entry.path).unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _drain(stream: BufferedIOBase, remaining: int) -> None:
    """Read what is left of a refused body (within `MAX_BODY`), so that the browser gets to
    read the answer instead of a broken connection."""
    try:
        while remaining and (piece := stream.read(min(_PIECE, remaining))):
            remaining -= len(piece)
    except OSError:
        pass


class _Reader:
    """python-multipart's callbacks: each part into a field or a private file."""

    def __init__(self, folder: Path, on_file: Callable[[Path], None]) -> None:
        self.folder = folder
        self.on_file = on_file
        self.form = Form()
        self.headers: dict[bytes, bytes] = {}
        self.header_name = b""
        self.header_value = b""
        self.field_name: str | None = None
        self.field = bytearray()
        self.file: BinaryIO | None = None
        self.file_size = 0
        self.parts_open = 0
        self.parts_seen = 0
        self.ended = False
        #: The first cap broken: the rest is still parsed (its files not kept), for the text.
        self.refusal: FormRefused | None = None

    def refuse(self, message: str, status: int = 400) -> None:
        if self.refusal is None:
            self.refusal = FormRefused(message, status)

    def parser(self, boundary: bytes) -> MultipartParser:
        from python_multipart.multipart import MultipartParser

        return MultipartParser(
            boundary,
            {
                "on_part_begin": self.part_begin,
                "on_header_field": self.header_field,
                "on_header_value": self.header_value_piece,
                "on_header_end": self.header_end,
                "on_headers_finished": self.headers_finished,
                "on_part_data": self.part_data,
                "on_part_end": self.part_end,
                "on_end": self.end,
            },
        )

    def part_begin(self) -> None:
        if self.parts_seen >= MAX_PARTS:
            raise FormRefused("that is not a form of this page", 400)
        self.parts_seen += 1
        self.headers = {}
        self.field_name, self.file, self.file_size = None, None, 0
        self.field.clear()
        self.parts_open += 1

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def header_value_piece(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        self.headers[self.header_name.strip().lower()] = self.header_value.strip()
        self.header_name, self.header_value = b"", b""

    def headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self.headers.get(b"content-disposition"))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            self.field_name = name
            return
        if not filename:
            return  # a file input left empty: browsers send it, with no name and no bytes
        if len(self.form.files) >= MAX_FILES:
            self.refuse(f"at most {MAX_FILES} photos at once")
            return
        fd, path = tempfile.mkstemp(prefix=_UPLOAD_PREFIX, suffix=_UPLOAD_SUFFIX, dir=self.folder)
        self.on_file(Path(path))
        self.file = os.fdopen(fd, "wb")
        self.form.files.append(Upload(Path(path), _file_name(filename)))

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.file is not None:
            self.file_size += end - start
            if self.file_size > MAX_PHOTO_BYTES:
                name = self.form.files[-1].name
                self.refuse(f"photo {name} is larger than {size_text(MAX_PHOTO_BYTES)}", 413)
                self.file.close()
                self.file = None  # the rest of it is skipped
                return
            self.file.write(data[start:end])
        elif self.field_name is not None:
            self.field += data[start:end]
            if len(self.field) > MAX_FIELD:
                self.refuse(f"the text is longer than {size_text(MAX_FIELD)}", 413)
                self.field_name = None  # the rest of it is skipped

    def part_end(self) -> None:
        self.parts_open -= 1
        if self.file is not None:
            self.file.close()
            self.file = None
        elif self.field_name is not None:
            try:
                text = self.field.decode("utf-8")
            except UnicodeDecodeError:
                raise FormRefused("the text sent is not UTF-8; send it again") from None
            self.form.fields.setdefault(self.field_name, text)

    def end(self) -> None:
        self.ended = True

    def check_complete(self) -> None:
        if not self.ended or self.parts_open:
            raise FormRefused("the form was not sent whole; send it again")

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def _file_name(raw: bytes) -> str:
    """The last part of the name a browser gave a file, without control characters."""
    name = raw.decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable())[:80]
    return name or "photo"
