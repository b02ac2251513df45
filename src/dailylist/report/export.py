"""`dailylist export`: a report of a list's journal for the author, as JSON (for `verify`),
Markdown, one HTML page, or all in one zip (the page, the JSON and the photos: see
`zipped`); to a file (its photos beside it) or to standard output.

A report is written only to a new file, or with `force` over a regular file, and never into
the data dir: the journal a person keeps is never the thing a report replaces.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Literal

from dailylist.clock import zone_name
from dailylist.errors import BadInput
from dailylist.events import PhotoRecord
from dailylist.lookback import Diary, History, history
from dailylist.photos import MAX_PHOTO_BYTES, data_uri, jpeg_copy
from dailylist.report.document import ReportPostcard, report_json
from dailylist.report.pages import render_html, render_markdown
from dailylist.report.zipped import Member
from dailylist.rules import write_moment
from dailylist.store import (
    DataDir,
    ListFiles,
    check_out,
    ensure_private_dir,
    file_sha256,
    write_out,
)

Format = Literal["json", "md", "html", "zip"]
FORMATS: tuple[Format, ...] = ("json", "md", "html", "zip")
#: The file names each format is known by.
SUFFIXES: dict[str, Format] = {
    ".json": "json",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".zip": "zip",
}
#: `-o -`: the report goes to standard output.
STDOUT = Path("-")
#: Longest side of a photo embedded in an HTML report.
HTML_PHOTO_SIZE = 1200


def photos_dir_for(output: Path) -> Path:
    """The folder beside a report that holds its photos: `NAME-photos/`."""
    return output.with_name(f"{output.stem}-photos")


def format_for(output: Path, wanted: str | None) -> Format:
    """The format asked for, else the one the file name says; standard output is Markdown
    unless asked otherwise. A name that says no format is refused."""
    for fmt in FORMATS:
        if fmt == wanted:
            return fmt
    if wanted is not None:
        raise BadInput(f"unknown report format {wanted!r}; use html, md, json or zip")
    if output == STDOUT:
        return "md"
    found = SUFFIXES.get(output.suffix.lower())
    if found is None:
        raise BadInput(
            f"{output.name} says no report format; name it .zip, .html, .md or .json, "
            "or give --format zip|html|md|json"
        )
    return found


@dataclass(frozen=True)
class ExportResult:
    output: Path
    format: Format
    #: The title of the list the report is of.
    title: str
    entries: int
    photos: int
    photos_dir: Path | None
    #: The report's text, when it goes to standard output.
    text: str | None = None
    #: What the report could not show, each in a sentence.
    warnings: tuple[str, ...] = ()


def check_target(output: Path, data: DataDir, *, force: bool, beside: bool = True) -> None:
    """`BadInput` unless a report may be written at `output` (see `store.check_out`), and,
    when its photos go `beside` it, in the folder beside it."""
    check_out(output, data.root, what="report", force=force)
    if not beside:
        return
    folder = photos_dir_for(output)
    home = data.root.resolve()
    if folder.resolve() == home or home in folder.resolve().parents:
        raise BadInput(f"{folder} is inside the data dir; write the report somewhere else")
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{folder} exists and is not a folder for the report's photos")


def export(
    data: DataDir,
    list_id: str,
    output: Path,
    now: datetime,
    fmt: Format,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write a report of the list's journal to `output` (photos beside it, or inside for
    HTML), or return its text for standard output (`STDOUT`: photos stay where they are,
    named by their file names, and no local path is in the text).

    `on_total` is told how many photos there are, `progress` is called after each one.
    """
    to_stdout = output == STDOUT
    if to_stdout and fmt == "zip":
        raise BadInput("a zip report goes to a file: give -o NAME.zip")
    if not to_stdout:
        check_target(output, data, force=force, beside=fmt in ("md", "json"))
    found = history(data, list_id, now)
    now = write_moment(found.opened.standing, now)  # never dated before its journal
    files = found.opened.files
    shown = [photo for entry in found.entries for photo in entry.photos]
    # A completion set aside keeps its photos in the report too, those this device has.
    shown += [
        photo
        for aside in found.opened.replay.set_aside
        for photo in aside.photos
        if files.photo(photo.stored_name).is_file()
    ]
    # Each photo once, however many days show it (a flag says when one does).
    records: list[PhotoRecord] = []
    for photo in shown:
        if all(photo.sha256 != kept.sha256 for kept in records):
            records.append(photo)
    if on_total is not None:
        on_total(len(records))

    def advance() -> None:
        if progress is not None:
            progress(1)

    photos_dir: Path | None = None
    diary = found.diary
    result = ExportResult(
        output,
        fmt,
        found.info.title,
        len(found.entries),
        len(records),
        None,
        warnings=diary.postcard_problems,
    )
    # The pictures of the author's postcards, shown as her photos are.
    cards = {c.photo: files.photo(f"{c.photo}.jpg") for c in diary.postcards if c.photo}
    try:
        if fmt == "zip":
            _write_zip(found, diary, records, cards, output, now, advance)
            return replace(result, photos_dir=None)
        if fmt == "html":
            embedded = {}
            for record in records:
                embedded[record.sha256] = data_uri(
                    jpeg_copy(files.photo(record.stored_name), HTML_PHOTO_SIZE)
                )
                advance()
            for sha256, source in cards.items():
                embedded[sha256] = data_uri(jpeg_copy(source, HTML_PHOTO_SIZE))
            text = render_html(diary, embedded, now)
        else:
            folder = "" if to_stdout else photos_dir_for(output).name
            # To standard output the photos stay in the data dir, and the text names each
            # by its file name alone: where the data dir is, is nobody else's business.
            linked = {r.sha256: r.stored_name for r in records}
            linked |= {sha256: source.name for sha256, source in cards.items()}
            if fmt == "md":  # the author's pictures, kept in the data dir by their hash
                linked |= {sha256: f"{sha256}.jpg" for sha256 in diary.pictures}
            if not to_stdout:
                photos_dir = photos_dir_for(output)
                placed = _folder_files(files, records, cards, diary, fmt)
                _refuse_clashes(photos_dir, placed)
                ensure_private_dir(photos_dir)
                for name, put in placed.items():
                    target = photos_dir / name
                    if put.sha256 is None or not _holds(target, put.sha256):
                        write_out(target, put.read(), what="photo")
                    linked[put.shows] = f"{folder}/{name}"
                    if put.counted:
                        advance()
            if fmt == "json":
                report = _report(found, now, folder, diary.postcards)
                text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
            else:
                text = render_markdown(diary, linked, now)
        if to_stdout:
            return replace(result, text=text)
        write_out(output, text.encode("utf-8"), what="report")
    except OSError as exc:
        where = exc.filename or output
        raise BadInput(f"cannot write the report to {where}: {exc.strerror or exc}") from exc
    return replace(result, photos_dir=photos_dir)


def zip_photo_name(record: PhotoRecord) -> str:
    """How the page in a zip shows a photo: by its file, or a HEIC one (which few browsers
    show) by a JPEG copy beside it."""
    return f"{record.sha256}.jpg" if record.format == "HEIF" else record.stored_name


def _write_zip(
    found: History,
    diary: Diary,
    records: list[PhotoRecord],
    cards: dict[str, Path],
    output: Path,
    now: datetime,
    advance: Callable[[], None],
) -> None:
    """The page, the JSON report and the photos, in one zip (see `zipped`): the page shows
    the very files the report's hashes name, so `verify` checks what the author sees."""
    from dailylist.limits import REPORT_ZIP, read_file, size_text
    from dailylist.report.zipped import folder_name, write_zip

    if sum(record.size for record in records) > REPORT_ZIP:
        raise BadInput(
            f"the photos come to more than a .zip report may hold ({size_text(REPORT_ZIP)}); "
            "export to NAME.json instead (its photos go in a folder beside it)"
        )
    folder = folder_name(output)
    photos = f"{folder}-photos"
    files = found.opened.files
    shown = {record.sha256: f"{photos}/{zip_photo_name(record)}" for record in records}
    shown |= {sha256: f"{photos}/{source.name}" for sha256, source in cards.items()}
    page = render_html(diary, shown, now)
    made = _report(found, now, photos, diary.postcards)
    report = json.dumps(made, indent=2, ensure_ascii=False) + "\n"
    members: list[Member] = [
        (f"{folder}.html", page.encode("utf-8")),
        (f"{folder}.json", report.encode("utf-8")),
    ]

    def kept(record: PhotoRecord) -> Callable[[], bytes]:
        def read() -> bytes:
            advance()
            return read_file(files.photo(record.stored_name), MAX_PHOTO_BYTES)

        return read

    def copy(record: PhotoRecord) -> Callable[[], bytes]:
        return lambda: jpeg_copy(files.photo(record.stored_name), HTML_PHOTO_SIZE)

    for record in records:
        members.append((f"{photos}/{record.stored_name}", kept(record)))
        if zip_photo_name(record) != record.stored_name:
            members.append((f"{photos}/{zip_photo_name(record)}", copy(record)))
    for source in cards.values():
        members.append((f"{photos}/{source.name}", read_file(source, MAX_PHOTO_BYTES)))
    write_zip(output, folder, members, now)


@dataclass(frozen=True)
class _Put:
    """A file for the photos folder beside a report: which photo it shows (by sha256), the
    sha256 its bytes have (None for a JPEG copy of a HEIC photo), how to read them, and
    whether it is one of her photos (which the progress counts)."""

    shows: str
    sha256: str | None
    read: Callable[[], bytes]
    counted: bool = False


def _folder_files(
    files: ListFiles, records: list[PhotoRecord], cards: dict[str, Path], diary: Diary, fmt: str
) -> dict[str, _Put]:
    """What goes in the photos folder, by name: her photos, the pictures of his postcards
    and, for Markdown, which shows them, the author's pictures."""
    from dailylist.limits import read_file

    def reading(path: Path) -> Callable[[], bytes]:
        return lambda: read_file(path, MAX_PHOTO_BYTES)

    shown: dict[str, _Put] = {}
    for record in records:
        source = files.photo(record.stored_name)
        if fmt == "md" and record.format == "HEIF":  # few viewers show HEIC
            copy = partial(jpeg_copy, source, None)
            shown[f"{record.sha256}.jpg"] = _Put(record.sha256, None, copy, counted=True)
        else:
            shown[record.stored_name] = _Put(
                record.sha256, record.sha256, reading(source), counted=True
            )
    for sha256, source in cards.items():
        shown[source.name] = _Put(sha256, sha256, reading(source))
    if fmt == "md":
        for sha256, picture in diary.pictures.items():
            shown[f"{sha256}.jpg"] = _Put(sha256, sha256, partial(bytes, picture))
    return shown


def _holds(target: Path, sha256: str) -> bool:
    """Whether `target` is a file (not a link) holding the bytes of `sha256`."""
    try:
        return target.is_file() and not target.is_symlink() and file_sha256(target) == sha256
    except OSError:
        return False


def _refuse_clashes(folder: Path, shown: dict[str, _Put]) -> None:
    """`BadInput`, before anything is written, when the folder holds a file by the name
    of one to be written that is not that photo (the same photo there already is left)."""
    for name, put in shown.items():
        target = folder / name
        there = target.exists() or target.is_symlink()
        if there and put.sha256 is not None and not _holds(target, put.sha256):
            raise BadInput(f"{target} is there already and is not that photo; nothing was written")


def _report(
    found: History, now: datetime, photos_dir: str, postcards: Sequence[ReportPostcard]
) -> dict[str, object]:
    sealed = found.opened.unsealed.sealed
    return report_json(
        info=found.info,
        public_key=sealed.public_key,
        signature=sealed.signature,
        stats=found.stats,
        entries=found.entries,
        flags=found.flags,
        set_aside=found.opened.replay.set_aside,
        events=found.opened.journal.documents,
        exported_at=now,
        zone=zone_name(now),
        photos_dir=photos_dir,
        postcards=postcards,
    )
